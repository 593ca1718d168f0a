"""CSV and GeoPackage writers of an export plan (:func:`gis.export.plan.plan`), in constant memory.

CSV (:func:`csv_chunks`): UTF-8 with a byte-order mark (Excel then shows Thai), a ``WKT``
geometry column first (GDAL's CSV driver and QGIS read it as the geometry), then ``id`` and the
allowed properties. Text cells that a spreadsheet would run as a formula (beginning with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) are prefixed with an apostrophe (OWASP's advice
for CSV injection); numbers are written as numbers.

GeoPackage (:func:`write_geopackage`): written with pyogrio (GDAL) to a file by the writer
process of :mod:`gis.export.files`, from one ``COPY`` as the Shapefile and FlatGeobuf are, so
that the web worker's memory stays flat; the caller streams the file and removes it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Enum, Text, case, cast, func, literal, select
from sqlalchemy.orm import Session

from gis.export.files import write_arrow_file
from gis.export.plan import Access, Collection, Filters, Kind, plan
from gis.export.stream import (
    COORDINATE_DIGITS,
    Counter,
    ccw_rings,
    copy_lines,
    unescape_copy_text,
)

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any, kind: Kind) -> str:
    """One CSV cell: empty for null, JSON for arrays and objects, ``true``/``false`` for
    booleans, text made harmless for spreadsheets (see the module docstring)."""
    if value is None:
        return ""
    if kind is Kind.BOOL:
        return "true" if value else "false"
    if kind in (Kind.INT, Kind.FLOAT):
        return str(value)
    if kind is Kind.JSON and not isinstance(value, str):
        value = orjson.dumps(value).decode()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any, kind: Kind, *, plain: bool = False) -> ColumnElement[str]:
    """One CSV cell built in SQL, never null: :func:`csv_text`'s rules (text quoted, a leading
    formula character defused with an apostrophe; numbers and booleans bare).

    Args:
        plain: the text can neither begin with a formula character nor hold a double quote
            (:func:`plain_text`): it is only quoted, which PostgreSQL does in a third of the
            time (the cells are joined with ``||``, not the variadic ``concat``).
    """
    if kind in (Kind.INT, Kind.FLOAT):
        return func.coalesce(cast(value, Text), "")
    if kind is Kind.BOOL:
        return case((value.is_(True), "true"), (value.is_(False), "false"), else_="")
    text: Any = cast(value, Text)
    if not plain:  # the first character's code, not a text of it: no text made per cell
        starts = func.ascii(text).in_([ord(c) for c in FORMULA_STARTS])
        defused = case((starts, _text("'") + text), else_=text)
        text = func.replace(defused, '"', '""')
    return func.coalesce(_text('"') + text + _text('"'), "")  # null stays null until here


def _text(value: str) -> ColumnElement[str]:
    return literal(value, Text)


def plain_text(value: Any, kind: Kind) -> bool:
    """Whether the text cells of column ``value`` never need defusing or doubled quotes: dates
    built by ``to_char`` (digits and separators), and an enum whose labels are all harmless."""
    if kind in (Kind.DATETIME, Kind.DATE):
        return True
    labels: list[str] = list(value.type.enums) if isinstance(value.type, Enum) else []
    return bool(labels) and all(
        not label.startswith(FORMULA_STARTS) and '"' not in label for label in labels
    )


def csv_chunks(
    session: Session, collection: Collection, access: Access, f: Filters, counter: Counter
) -> Iterator[bytes]:
    """The export as CSV chunks (UTF-8 with BOM, ``WKT`` first, then ``id`` and properties,
    lines ending in CRLF).

    Each line is built in PostgreSQL (:func:`csv_cell`) and read by one ``COPY`` of the lines'
    texts in a thread, as the GeoJSON features are (:func:`gis.export.stream.copy_lines`): the
    COPY is in text format, so that a quoted cell may hold a line break (it comes escaped: every
    raw newline ends a line, which is how the features are counted); Python only turns the
    newlines into CRLF and undoes the escapes.
    """
    fields, x = plan(collection, access, f)
    wkt = func.ST_AsText(ccw_rings(x.c.geom, collection.geometry_type), COORDINATE_DIGITS)
    cells = [csv_cell(wkt, Kind.TEXT, plain=True), cast(x.c.fid, Text)]  # WKT: a word first
    cells += [
        csv_cell(x.c[fl.name], fl.kind, plain=plain_text(x.c[fl.name], fl.kind)) for fl in fields
    ]
    line = cells[0]
    for cell in cells[1:]:
        line = line + _text(",") + cell
    statement = select(line)
    header = io.StringIO()
    csv.writer(header, lineterminator="\r\n").writerow(["WKT", "id", *(fl.name for fl in fields)])
    yield "\ufeff".encode() + header.getvalue().encode()
    lines = copy_lines(session, statement, escaped=True)
    try:
        for chunk in lines:
            counter.n += chunk.count(b"\n")
            text = unescape_copy_text(chunk.replace(b"\n", b"\r\n"))
            del chunk
            yield text
            del text
    finally:
        lines.close()


def write_geopackage(
    session: Session,
    collection: Collection,
    access: Access,
    f: Filters,
    path: Path,
    counter: Counter,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Write the export as a GeoPackage layer named after the collection at ``path``, by the
    writer process (:func:`gis.export.files.write_arrow_file`).

    ``progress`` is called with the number of features written since its last call.
    """
    write_arrow_file(session, collection, access, f, "gpkg", path, counter, progress)


__all__ = [
    "FORMULA_STARTS",
    "csv_cell",
    "csv_chunks",
    "csv_text",
    "plain_text",
    "write_geopackage",
]
