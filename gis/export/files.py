"""GeoParquet, GeoPackage, FlatGeobuf and Shapefile files of an export plan, written by a child
process.

:func:`write_arrow_file` reads the plan's rows by one ``COPY ... TO STDOUT`` as CSV (the
geometry as hex WKB, counter-clockwise rings; ``id``; the allowed properties) on the session's
connection, in its transaction, and pipes them into ``python -m gis.export.writer`` (see
:mod:`gis.export.arrow`), which writes the file with pyarrow and GDAL in one pass and reports the
features written. The pipe holds the COPY back while the writer is busy, so neither process
holds more than a batch; the web worker never imports pyarrow (``webapp/gunicorn_conf.py``).
"""

from __future__ import annotations

import json
import os
import subprocess  # nosec B404: our own writer module, run with this interpreter, no shell
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Float, Text, cast, func, select
from sqlalchemy.orm import Session

import gis
from gis.db import dbapi_connection, literal_sql
from gis.export.arrow import Spec
from gis.export.plan import Access, Collection, Filters, Kind, plan
from gis.export.stream import Counter

#: Formats this module writes (their file extensions) beside the GeoPackage
#: (:func:`gis.export.formats.write_geopackage` writes it here too).
ARROW_FORMATS = ("parquet", "fgb", "shp")
#: Bytes piped to the writer before progress is looked at again.
PROGRESS_BYTES = 1 << 20
#: Where the writer's messages go, beside the file.
LOG_NAME = "writer.log"


class WriterFailed(RuntimeError):
    """The writer process ended with an error (its messages are in the exception)."""


def copy_statement(
    collection: Collection, access: Access, f: Filters, bbox: bool, ccw: bool = True
) -> tuple[Any, Any]:
    """``(fields, statement)``: the rows the writer reads, as :class:`gis.export.arrow.Spec`
    names them; polygon rings counter-clockwise unless not ``ccw`` (as stored)."""
    fields, x = plan(collection, access, f)
    geom = func.ST_ForcePolygonCCW(x.c.geom) if ccw else x.c.geom
    columns: list[Any] = [func.encode(func.ST_AsBinary(geom), "hex")]
    if bbox:
        corners = (func.ST_XMin, func.ST_YMin, func.ST_XMax, func.ST_YMax)
        columns += [cast(corner(geom), Float) for corner in corners]
    columns.append(x.c.fid)
    for fl in fields:
        value = x.c[fl.name]
        columns.append(value if fl.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL) else cast(value, Text))
    return fields, select(*columns)


class _Pipe:
    """The file ``copy_expert`` writes the CSV to: the writer's standard input; every
    :data:`PROGRESS_BYTES` it hands the features written so far to ``report``."""

    def __init__(self, stdin: IO[bytes], report: Callable[[], None]) -> None:
        self.stdin = stdin
        self.report = report
        self.size = 0

    def write(self, data: bytes) -> None:
        self.stdin.write(data)
        self.size += len(data)
        if self.size >= PROGRESS_BYTES:
            self.size = 0
            self.report()


def write_arrow_file(
    session: Session,
    collection: Collection,
    access: Access,
    f: Filters,
    fmt: str,
    path: Path,
    counter: Counter,
    progress: Callable[[int], object] | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    texts: Mapping[str, str] | None = None,
) -> None:
    """Write the export as ``fmt`` (one of :data:`ARROW_FORMATS`, or ``gpkg``) at ``path``.

    Args:
        progress: called with the number of features written since the last call, as the
            writer reports them (while the COPY runs: it must not use the session).
        labels: each field's label in the reader's language (the Shapefile's ``fields.csv``).
        texts: the Shapefile's README in the reader's language (:data:`gis.export.words.TEXTS`).

    Raises:
        WriterFailed: the writer process failed (its messages are logged and in the error).
    """
    bbox = fmt == "parquet"
    # the GeoPackage keeps the rings as stored, as it always did
    fields, statement = copy_statement(collection, access, f, bbox, ccw=fmt != "gpkg")
    spec = Spec(
        fmt=fmt,
        path=str(path),
        layer=collection.name,
        geometry_type=collection.geometry_type,
        fields=[[fl.name, fl.kind.value] for fl in fields],
        labels=dict(labels or {}),
        texts=dict(texts or {}),
        bbox=bbox,
    )
    raw = dbapi_connection(session)
    with raw.cursor() as cursor:  # a long stream gains nothing from JIT compiling its plan
        cursor.execute("SET LOCAL jit = off")
    sql = f"COPY ({literal_sql(session, statement)}) TO STDOUT WITH (FORMAT csv)"
    written = _Written()
    log_path = path.parent / LOG_NAME
    env = {**os.environ, "PYTHONPATH": str(Path(gis.__file__).resolve().parent.parent)}
    with log_path.open("wb") as log:
        child = subprocess.Popen(  # noqa: S603 # nosec B603 (this interpreter, our module, no shell)
            [sys.executable, "-m", "gis.export.writer", json.dumps(asdict(spec))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
        assert child.stdin is not None and child.stdout is not None
        reader = threading.Thread(target=written.read, args=(child.stdout,), daemon=True)
        reader.start()

        def report() -> None:
            n = written.n
            if n > counter.n:
                step, counter.n = n - counter.n, n
                if progress is not None:
                    progress(step)

        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(sql, _Pipe(child.stdin, report))
            child.stdin.close()
        except BrokenPipeError:
            pass  # the writer has died: its messages say why
        except BaseException:
            child.kill()
            raise
        finally:
            code = child.wait()
            reader.join()
            child.stdout.close()
    if code != 0 or written.done is None:
        message = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        raise WriterFailed(f"the {fmt} writer failed ({code}): {message}")
    written.n = written.done
    report()


class _Written:
    """The writer's reports (one number a line, then ``done N``), read in a thread."""

    def __init__(self) -> None:
        self.n = 0
        self.done: int | None = None

    def read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            text = line.decode().strip()
            if text.startswith("done "):
                self.done = int(text[5:])
            elif text.isdigit():
                self.n = int(text)


__all__ = ["ARROW_FORMATS", "WriterFailed", "copy_statement", "write_arrow_file"]
