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

from sqlalchemy import ColumnElement, Enum, Text, case, cast, func, literal, select
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


def shown(
    fl: Field, value: Any, values: Mapping[str, Mapping[str, str]], text: ColumnElement[str]
) -> ColumnElement[str]:
    """What a reader reads of a property, as XML text: a vocabulary's label (escaped here, once),
    a tick or a cross for a boolean, else ``text``, the property's XML text
    (:func:`xml_texts`)."""
    labels = values.get(fl.name)
    if labels:
        return case(
            *((value == v, literal(_xml_text(t), Text)) for v, t in labels.items()),
            else_=text,
        )
    if fl.kind is Kind.BOOL:
        return case((value.is_(True), "✓"), (value.is_(False), "✗"), else_=None)
    return text


def _xml_text(text: str) -> str:
    """A Python text as :func:`escaped` makes it in SQL (no quotes escaped)."""
    return escape(_NOT_XML_CHARS.sub("", text))


def is_xml_text(fl: Field, value: Any) -> bool:
    """Whether every text of column ``value`` is XML text as it is (:func:`escaped` would leave
    it so): numbers, booleans, dates built by ``to_char`` (digits and separators), and a
    vocabulary whose stored values hold no markup or control character."""
    if fl.kind in _PLAIN or fl.kind in (Kind.DATETIME, Kind.DATE):
        return True
    codes: list[str] = list(value.type.enums) if isinstance(value.type, Enum) else []
    return bool(codes) and all(_xml_text(code) == code for code in codes)


def xml_texts(fields: tuple[Field, ...], x: Any) -> Any:
    """``x`` with each property's XML text beside it (column ``t0``, ``t1``... in the order of
    ``fields``): escaped once, though the placemark writes it twice (its description and its
    ``ExtendedData``), and not at all when :func:`is_xml_text`. ``OFFSET 0`` keeps the
    subquery whole: merged into the outer query, each use would escape the text again."""
    texts = [
        (cast(x.c[fl.name], Text) if is_xml_text(fl, x.c[fl.name]) else escaped(x.c[fl.name]))
        for fl in fields
    ]
    columns = [text.label(f"t{i}") for i, text in enumerate(texts)]
    return select(x, *columns).offset(0).subquery("k")


def placemark(
    collection: Collection, fields: tuple[Field, ...], x: Any, words: Words
) -> ColumnElement[str]:
    """One feature's ``<Placemark>`` as text, built in SQL (see the module docstring) from the
    rows of ``x`` (:func:`gis.export.plan.plan`)."""
    names = {fl.name for fl in fields}
    values = words.values
    k = xml_texts(fields, x)
    text = {fl.name: k.c[f"t{i}"] for i, fl in enumerate(fields)}
    by_name = {fl.name: fl for fl in fields}
    name: list[Any]
    if "category" in names:
        title = shown(by_name["category"], k.c.category, values, text["category"])
        name = [title, " #", k.c.fid]
    elif words.thai and "name_th" in names:
        name = [func.coalesce(text["name_th"], text["name"] if "name" in names else None)]
    elif "name" in names:
        name = [text["name"]]
    elif "title" in names:
        name = [text["title"]]
    else:
        name = [_xml_text(words.title or collection.title) + " #", k.c.fid]
    legend = words.legend
    sid: Any
    if legend in names and words.colours:
        sid = case(*((k.c[legend] == v, style_id(v)) for v in words.colours), else_=OTHER_STYLE)
    else:
        sid = OTHER_STYLE
    pieces: list[Any] = [f'<Placemark id="{collection.name}.', k.c.fid, '"><name>', *name]
    pieces += ["</name><styleUrl>#", sid, "</styleUrl><description><![CDATA[<table>"]
    for fl in fields:
        label = xml(words.label(fl.name))
        pieces += [f"<tr><th>{label}</th><td>", shown(fl, k.c[fl.name], values, text[fl.name])]
        pieces.append("</td></tr>")
    pieces.append("</table>]]></description><ExtendedData>")
    for fl in fields:
        label = xml(words.label(fl.name))
        pieces += [f'<Data name="{xml(fl.name)}"><displayName>{label}</displayName><value>']
        pieces += [text[fl.name], "</value></Data>"]
    pieces += ["</ExtendedData>", func.ST_AsKML(k.c.geom, COORDINATE_DIGITS), "</Placemark>"]
    return joined(pieces)


def joined(pieces: list[Any]) -> ColumnElement[str]:
    """The texts of ``pieces`` (SQL expressions, and Python texts taken as they are) as one
    ``concat`` (a null piece adds nothing), each run of Python texts given as one literal:
    ``concat`` converts each argument on its own, so that nested calls of a few arguments each
    took a tenth longer for the same text."""
    args: list[Any] = []
    for piece in pieces:
        if isinstance(piece, str) and args and isinstance(args[-1], str):
            args[-1] += piece
        else:
            args.append(piece)
    return func.concat(*(literal(a, Text) if isinstance(a, str) else a for a in args))


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
