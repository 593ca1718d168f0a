"""KML for Google Earth, built in PostgreSQL and streamed by one COPY.

Each feature is a ``<Placemark>`` whose text PostgreSQL builds (:func:`placemark`): its name
and description in the reader's language (:class:`gis.export.words.Words`: an incident is named
by its category and number, a place by its name, its Thai name for a Thai reader), the
description a table of every allowed property by its label, the same properties as
``ExtendedData`` (``Data`` with a ``displayName``) for GIS programs, a ``styleUrl`` naming the
shared ``<Style>`` of its class in the map's legend (incidents by status, checkpoints by kind,
natural crossings by risk level; one colour for the other layers), and its geometry by PostGIS'
``ST_AsKML`` (lon/lat, :data:`~gis.export.stream.COORDINATE_DIGITS` decimals). Texts are escaped
in SQL (``&``, ``<``, ``>``; control characters XML does not allow are dropped). The lines are
read as the CSV's are (:func:`gis.export.stream.copy_lines` in text format), so memory stays
flat and the first byte leaves at once. GDAL's KML writers were not used: through pyogrio they
write no style per feature (and LIBKML's crashed on an Arrow stream).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from xml.sax.saxutils import escape  # nosec B406: escapes text we write, parses nothing

from sqlalchemy import ColumnElement, Text, case, cast, func, literal, select
from sqlalchemy.orm import Session

from gis.export.plan import Access, Collection, Field, Filters, Kind, plan
from gis.export.stream import COORDINATE_DIGITS, Counter, copy_lines, unescape_copy_text
from gis.export.words import Words

#: The style of features outside the legend's classes.
OTHER_STYLE = "s-other"
#: Control characters that XML 1.0 does not allow (as a PostgreSQL regular expression).
_NOT_XML = r"[\x01-\x08\x0b\x0c\x0e-\x1f]"
#: The same characters, for a Python text.
_NOT_XML_CHARS = re.compile(_NOT_XML)
#: Kinds whose text never holds markup or a control character (numbers, booleans).
_PLAIN = frozenset({Kind.INT, Kind.FLOAT, Kind.BOOL})
_STYLE_ID = re.compile(r"[^A-Za-z0-9_-]")


def escaped(value: Any) -> ColumnElement[str]:
    """``value`` as XML text, built in SQL (``NULL`` stays ``NULL``)."""
    text = func.regexp_replace(cast(value, Text), _NOT_XML, "", "g")
    return func.replace(func.replace(func.replace(text, "&", "&amp;"), "<", "&lt;"), ">", "&gt;")


def escaped_field(fl: Field, value: Any) -> ColumnElement[str]:
    """A stored property as XML text: :func:`escaped`, but numbers and booleans as they are."""
    return cast(value, Text) if fl.kind in _PLAIN else escaped(value)


def xml(text: str) -> str:
    """A Python text as XML text or attribute value (the document's head, the labels)."""
    return escape(text, {'"': "&quot;"})


def style_id(value: str) -> str:
    return "s-" + _STYLE_ID.sub("_", value)


def kml_colour(colour: str, alpha: str = "ff") -> str:
    """``#rrggbb`` as KML's ``aabbggrr``."""
    rgb = colour.lstrip("#")
    return f"{alpha}{rgb[4:6]}{rgb[2:4]}{rgb[0:2]}".lower()


def style(sid: str, colour: str) -> str:
    line = kml_colour(colour)
    return (
        f'<Style id="{sid}"><IconStyle><color>{line}</color></IconStyle>'
        f"<LineStyle><color>{line}</color><width>2</width></LineStyle>"
        f"<PolyStyle><color>{kml_colour(colour, '66')}</color></PolyStyle></Style>"
    )


def head(collection: Collection, words: Words) -> bytes:
    """The document's start: its name and the legend's shared styles."""
    styles = [style(style_id(value), colour) for value, colour in words.colours.items()]
    styles.append(style(OTHER_STYLE, words.colour))
    name = xml(words.title or collection.title)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
        f"<name>{name}</name>{''.join(styles)}\n"
    ).encode()


TAIL = b"</Document></kml>\n"


def shown(fl: Field, value: Any, values: Mapping[str, Mapping[str, str]]) -> ColumnElement[str]:
    """What a reader reads of a property, as XML text: a vocabulary's label (escaped here, once),
    a tick or a cross for a boolean, a number, escaped text."""
    labels = values.get(fl.name)
    if labels:
        return case(
            *((value == v, literal(_xml_text(t), Text)) for v, t in labels.items()),
            else_=escaped(value),
        )
    if fl.kind is Kind.BOOL:
        return case((value.is_(True), "✓"), (value.is_(False), "✗"), else_=None)
    return escaped_field(fl, value)


def _xml_text(text: str) -> str:
    """A Python text as :func:`escaped` makes it in SQL (no quotes escaped)."""
    return escape(_NOT_XML_CHARS.sub("", text))


def placemark(
    collection: Collection, fields: tuple[Field, ...], x: Any, words: Words
) -> ColumnElement[str]:
    """One feature's ``<Placemark>`` as text, built in SQL (see the module docstring)."""
    names = {fl.name for fl in fields}
    values = words.values
    by_name = {fl.name: fl for fl in fields}
    name: Any
    if "category" in names:
        title = shown(by_name["category"], x.c.category, values)  # XML text already
        name = func.concat(title, " #", x.c.fid)
    elif words.thai and "name_th" in names:
        name = escaped(func.coalesce(x.c.name_th, x.c["name"] if "name" in names else None))
    elif "name" in names:
        name = escaped(x.c.name)
    elif "title" in names:
        name = escaped(x.c.title)
    else:
        name = func.concat(_xml_text(words.title or collection.title), " #", x.c.fid)
    rows = [
        func.concat(
            "<tr><th>",
            xml(words.label(fl.name)),
            "</th><td>",
            shown(fl, x.c[fl.name], values),
            "</td></tr>",
        )
        for fl in fields
    ]
    data = [
        func.concat(
            f'<Data name="{xml(fl.name)}"><displayName>{xml(words.label(fl.name))}</displayName>'
            "<value>",
            escaped_field(fl, x.c[fl.name]),
            "</value></Data>",
        )
        for fl in fields
    ]
    legend = words.legend
    sid: Any
    if legend in names and words.colours:
        sid = case(*((x.c[legend] == v, style_id(v)) for v in words.colours), else_=OTHER_STYLE)
    else:
        sid = literal(OTHER_STYLE, Text)
    return func.concat(
        f'<Placemark id="{collection.name}.',
        x.c.fid,
        '"><name>',
        name,
        "</name><styleUrl>#",
        sid,
        "</styleUrl><description><![CDATA[<table>",
        func.concat(*rows) if rows else "",
        "</table>]]></description><ExtendedData>",
        func.concat(*data) if data else "",
        "</ExtendedData>",
        func.ST_AsKML(x.c.geom, COORDINATE_DIGITS),
        "</Placemark>",
    )


def kml_chunks(
    session: Session,
    collection: Collection,
    access: Access,
    f: Filters,
    counter: Counter,
    words: Words | None = None,
) -> Iterator[bytes]:
    """The export as a KML document in UTF-8 chunks, one placemark a line."""
    words = words or Words()
    fields, x = plan(collection, access, f)
    statement = select(placemark(collection, fields, x, words))
    yield head(collection, words)
    lines = copy_lines(session, statement, escaped=True)
    try:
        for chunk in lines:
            counter.n += chunk.count(b"\n")
            text = unescape_copy_text(chunk)
            del chunk
            yield text
            del text
    finally:
        lines.close()
    yield TAIL


__all__ = ["kml_chunks", "kml_colour", "placemark"]
