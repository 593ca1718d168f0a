"""GeoParquet, GeoPackage, FlatGeobuf and Shapefile files of an export plan, written by a child
process.

:func:`write_arrow_file` reads the plan's rows by one ``COPY ... TO STDOUT`` as CSV (the
geometry as hex WKB, counter-clockwise rings; ``id``; the allowed properties) on the session's
connection, in its transaction, and pipes them into ``python -m gis.export.writer`` (see
:mod:`gis.export.arrow`), which writes the file with pyarrow and GDAL in one pass and reports the
features written. The pipe holds the COPY back while the writer is busy, so neither process
holds more than a batch; the web worker never imports pyarrow (``webapp/gunicorn_conf.py``).

The writer imports pyarrow and GDAL before it reads its spec (the first line of its standard
input), so that a process can be started ahead of its file: the export worker keeps one ready
(:func:`start_spare_writer`, called as the worker starts and after each job), and a job's first
features are then written without the writer's start-up (most of the CPU time before them).
Elsewhere (a download in the web worker, the CLI) each file starts its own writer.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess  # nosec B404: our own writer module, run with this interpreter, no shell
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Enum, Float, String, Text, cast, func, select
from sqlalchemy.orm import Session

import gis
from gis.db import dbapi_connection, literal_sql
from gis.export.arrow import Spec
from gis.export.plan import Access, Collection, Field, Filters, Kind, plan
from gis.export.stream import Counter, ccw_rings

#: Formats this module writes (their file extensions) beside the GeoPackage
#: (:func:`gis.export.formats.write_geopackage` writes it here too).
ARROW_FORMATS = ("parquet", "fgb", "shp")
#: The writer's environment beside ours: numpy (which pyarrow loads) starts no BLAS threads
#: that the writer never uses (their start-up was about a third of numpy's import time).
WRITER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
#: Seconds a spare writer is given to end when its parent stops.
SPARE_EXIT_S = 5.0
#: Bytes of rows kept in a temporary file at most while the writer starts (:class:`_Pipe`):
#: about 170,000 incidents, more than PostgreSQL sends in the writer's start-up.
SPOOL_BYTES = 64 << 20
#: Bytes read from that file at a time when it is handed to the writer.
SPOOL_READ = 1 << 20


class WriterFailed(RuntimeError):
    """The writer process ended with an error (its messages are in the exception)."""


def copy_statement(
    collection: Collection, access: Access, f: Filters, bbox: bool, ccw: bool = True
) -> tuple[Any, Any]:
    """``(fields, statement)``: the rows the writer reads, as :class:`gis.export.arrow.Spec`
    names them; polygon rings counter-clockwise unless not ``ccw`` (as stored)."""
    fields, x = plan(collection, access, f)
    geom = ccw_rings(x.c.geom, collection.geometry_type) if ccw else x.c.geom
    columns: list[Any] = [func.encode(func.ST_AsBinary(geom), "hex")]
    if bbox:
        corners = (func.ST_XMin, func.ST_YMin, func.ST_XMax, func.ST_YMax)
        columns += [cast(corner(geom), Float) for corner in corners]
    columns.append(x.c.fid)
    for fl in fields:
        value = x.c[fl.name]
        columns.append(value if fl.kind in (Kind.INT, Kind.FLOAT, Kind.BOOL) else cast(value, Text))
    return fields, select(*columns)


#: Characters of the dates an export writes (Thai-time RFC 3339, ISO 8601 days).
DATE_CHARS = {Kind.DATETIME: len("2026-06-01T19:00:00+07:00"), Kind.DATE: len("2026-06-01")}
#: GDAL's width of a text field whose width it is not given: declared lengths from this on
#: are left to it.
DEFAULT_TEXT_WIDTH = 80


def text_widths(fields: tuple[Field, ...]) -> dict[str, int]:
    """The width of each text field whose type bounds its values (a Shapefile's DBF widths):
    dates (a fixed number of characters), a vocabulary (its longest value's bytes), a short
    ``String(n)`` (codes: ``n``). A value that would not fit widens its field in GDAL, so a
    width is never a cut."""
    widths = {}
    for fl in fields:
        kind_of = getattr(fl.expr, "type", None)
        if fl.kind in DATE_CHARS:
            widths[fl.name] = DATE_CHARS[fl.kind]
        elif fl.kind is not Kind.TEXT:
            continue
        elif isinstance(kind_of, Enum) and kind_of.enums:
            widths[fl.name] = max(len(value.encode()) for value in kind_of.enums)
        elif isinstance(kind_of, String) and kind_of.length and kind_of.length < DEFAULT_TEXT_WIDTH:
            widths[fl.name] = kind_of.length
    return widths


class _Pipe:
    """The file ``copy_expert`` writes the CSV to: the writer's standard input; as soon as the
    writer has reported more features written (``written.n``, read in a thread), it hands them
    to ``report``, on this thread (the one that may use the session's other connections).

    Until the writer has read its spec (``written.ready``: a writer started for this file is
    still importing its libraries, about half a second), the rows go to a temporary file, at
    most :data:`SPOOL_BYTES`, so that PostgreSQL reads and formats them meanwhile; the writer
    then reads them first (:meth:`drain`). The pipe alone would hold the COPY back from the
    start (it holds 64 KB). On disk, not in memory: the process's memory stays flat."""

    def __init__(self, stdin: IO[bytes], written: _Written, report: Callable[[], None]) -> None:
        self.stdin = stdin
        self.written = written
        self.report = report
        self.seen = 0
        self.spool: IO[bytes] | None = tempfile.TemporaryFile()  # noqa: SIM115 (drain closes)
        self.spooled = 0

    def write(self, data: bytes) -> None:
        if self.spool is not None:
            if not self.written.ready.is_set() and self.spooled < SPOOL_BYTES:
                self.spool.write(data)
                self.spooled += len(data)
                return
            self.drain()
        self.stdin.write(data)
        if self.written.n != self.seen:  # one comparison a row: the writer's first batch is
            self.seen = self.written.n  # reported while the COPY goes on, not a megabyte later
            self.report()

    def drain(self) -> None:
        """Hand the writer the rows kept in the temporary file (it waits for them)."""
        spool, self.spool = self.spool, None
        if spool is None:
            return
        with spool:
            spool.seek(0)
            shutil.copyfileobj(spool, self.stdin, SPOOL_READ)

    def close(self) -> None:
        """Drop the temporary file, if the rows never went to the writer (an error)."""
        if self.spool is not None:
            self.spool.close()
            self.spool = None


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
        widths=text_widths(fields) if fmt == "shp" else {},
    )
    raw = dbapi_connection(session)
    with raw.cursor() as cursor:  # a long stream gains nothing from JIT compiling its plan
        cursor.execute("SET LOCAL jit = off")
    sql = f"COPY ({literal_sql(session, statement)}) TO STDOUT WITH (FORMAT csv)"
    written = _Written()
    child, log = _take_writer()
    with log:
        assert child.stdin is not None and child.stdout is not None
        reader = threading.Thread(target=written.read, args=(child.stdout,), daemon=True)
        reader.start()

        def report() -> None:
            n = written.n
            if n > counter.n:
                step, counter.n = n - counter.n, n
                if progress is not None:
                    progress(step)

        pipe = _Pipe(child.stdin, written, report)
        try:
            child.stdin.write(json.dumps(asdict(spec)).encode() + b"\n")
            child.stdin.flush()  # the writer reads its spec as soon as it can (see _Pipe)
            with raw.cursor() as cursor:
                cursor.copy_expert(sql, pipe)
            pipe.drain()
            child.stdin.close()
        except BrokenPipeError:
            pass  # the writer has died: its messages say why
        except BaseException:
            child.kill()
            raise
        finally:
            pipe.close()
            code = child.wait()
            reader.join()
            child.stdout.close()
        if code != 0 or written.done is None:
            log.seek(0)
            message = log.read().decode("utf-8", errors="replace")[-2000:]
            raise WriterFailed(f"the {fmt} writer failed ({code}): {message}")
    written.n = written.done
    report()


Writer = tuple[subprocess.Popen[bytes], IO[bytes]]

_spare: Writer | None = None
_spare_lock = threading.Lock()


def _start_writer() -> Writer:
    """A new writer process (it imports its libraries, then waits for its spec) and the
    anonymous file its messages go to."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the file's writer, or at exit)
    env = {
        **WRITER_ENV,
        **os.environ,
        "PYTHONPATH": str(Path(gis.__file__).resolve().parent.parent),
    }
    child = subprocess.Popen(  # nosec B603 (this interpreter, our module, no shell)
        [sys.executable, "-m", "gis.export.writer"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
    )
    return child, log


def _take_writer() -> Writer:
    """The spare writer if one is ready (and still alive), else a new one."""
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None and spare[0].poll() is None:
        return spare
    if spare is not None:
        _end(spare)
    return _start_writer()


def start_spare_writer() -> None:
    """Start a writer process ahead of the next file, unless one is ready: the next
    :func:`write_arrow_file` of this process takes it (see the module docstring). It ends
    when this process does (its spec never comes: it reads the end of its input)."""
    global _spare
    with _spare_lock:
        if _spare is not None and _spare[0].poll() is None:
            return
        old, _spare = _spare, _start_writer()
    if old is not None:
        _end(old)


def _end(writer: Writer) -> None:
    child, log = writer
    for stream in (child.stdin, child.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    try:
        child.wait(SPARE_EXIT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    log.close()


@atexit.register
def _end_spare() -> None:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None:
        _end(spare)


class _Written:
    """The writer's reports (``ready`` once it has read its spec, one number a line, then
    ``done N``), read in a thread."""

    def __init__(self) -> None:
        self.n = 0
        self.done: int | None = None
        self.ready = threading.Event()

    def read(self, stdout: IO[bytes]) -> None:
        for line in stdout:
            text = line.decode().strip()
            if text == "ready":
                self.ready.set()
            elif text.startswith("done "):
                self.done = int(text[5:])
            elif text.isdigit():
                self.n = int(text)


__all__ = [
    "ARROW_FORMATS",
    "WriterFailed",
    "copy_statement",
    "start_spare_writer",
    "write_arrow_file",
]
