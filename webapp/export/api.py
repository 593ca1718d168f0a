"""``GET /api/export/<collection>.<format>``: a whole collection as a file, streamed.

Formats: ``geojson`` (RFC 7946), ``csv`` (WKT, UTF-8 with BOM), ``gpkg`` (GeoPackage). Query
parameters: ``bbox``, ``datetime`` (RFC 3339 instant, day or interval with ``..``), ``category``,
``status``, ``district`` (P-codes), ``run`` (hotspots), ``include_sensitive`` and ``reason``
(HQ analysts only); any other parameter is a 400 naming it. Signed-in accounts (session cookie
or ``Authorization: Bearer <token>``) read their scope; every export is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from flask import Response, request, stream_with_context
from sqlalchemy.orm import Session

from gis import export
from gis.errors import InvalidInput, NotFound
from gis.export import params as export_params
from gis.export.collections import get_collection
from gis.export.formats import csv_chunks, write_geopackage
from webapp.db import get_session
from webapp.export import bp
from webapp.export.auth import signed_in, viewer_access
from webapp.params import only, parse_bbox

log = logging.getLogger(__name__)

FORMATS = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
}
PARAMS = (
    "bbox",
    "datetime",
    "category",
    "status",
    "district",
    "run",
    "include_sensitive",
    "reason",
)
#: Bytes read from a GeoPackage file at a time.
FILE_CHUNK = 1 << 16


def parse_flag(raw: str | None, field: str) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(f"{field} must be true or false", field=field)


def resolve(name: str, access: export.Access) -> export.Collection:
    """The collection ``name`` if the account may read it, else 404 naming ``collection``."""
    collection = get_collection(name)
    if collection is None or not export.may_read(collection, access):
        raise NotFound(f"no collection {name!r}", field="collection")
    return collection


def audited(
    chunks: Iterator[bytes],
    counter: export.Counter,
    audit_id: int,
    done: Callable[[], None],
    session: Session,
) -> Iterator[bytes]:
    """``chunks``, then the audit row's state (``completed``, ``aborted`` by the client,
    ``failed``) and feature count; ``done`` runs last (temporary files).

    ``session`` is the one ``chunks`` read with: the request's teardown has closed it (and
    dropped it from ``g``) by the time a streamed body is read, so the stream's transaction
    (aborted when a COPY was cancelled) is rolled back here, and the session closed, its
    connection back in the pool."""
    state = "failed"
    try:
        yield from chunks
        state = "completed"
    except GeneratorExit:
        state = "aborted"
        raise
    except Exception:
        log.exception("export %s failed after %d features", audit_id, counter.n)
        raise
    finally:
        try:
            session.rollback()  # the read transaction of the server-side cursor
            export.finish_audit(session, audit_id, state, counter.n)
            session.commit()
        finally:
            session.close()
            done()


def gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` compressed as one gzip stream (level 5: fast, about 8x smaller GeoJSON)."""
    zipper = zlib.compressobj(5, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = zipper.compress(chunk)
        if out:
            yield out
    yield zipper.flush()


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(FILE_CHUNK):
            yield block


@bp.get("/api/export/<name>.<fmt>")
@signed_in
def export_file(name: str, fmt: str) -> Response:
    only(request.args, PARAMS)
    access = viewer_access(
        include_sensitive=parse_flag(request.args.get("include_sensitive"), "include_sensitive"),
        reason=request.args.get("reason"),
    )
    collection = resolve(name, access)
    if fmt not in FORMATS:
        raise NotFound(f"unknown format {fmt!r} (geojson, csv or gpkg)", field="format")
    filters = export_params.parse_filters(collection, request.args, parse_bbox(request.args))
    session = get_session()
    audit_id = export.start_audit(session, collection.name, fmt, access, filters)
    session.commit()  # on record before the first byte leaves
    counter = export.Counter()
    done: Callable[[], None] = lambda: None  # noqa: E731
    chunks: Iterator[bytes]
    if fmt == "geojson":
        chunks = export.geojson_chunks(session, collection, access, filters, counter)
    elif fmt == "csv":
        chunks = csv_chunks(session, collection, access, filters, counter)
    else:
        folder = Path(tempfile.mkdtemp(prefix="borderwatch-export-"))
        done = lambda: shutil.rmtree(folder, ignore_errors=True)  # noqa: E731
        path = folder / f"{collection.name}.gpkg"
        try:
            write_geopackage(session, collection, access, filters, path, counter)
        except BaseException:
            session.rollback()
            export.finish_audit(session, audit_id, "failed", counter.n)
            session.commit()
            done()
            raise
        chunks = file_chunks(path)
    body: Iterator[bytes] = audited(chunks, counter, audit_id, done, session)
    headers: dict[str, Any] = {
        "Content-Disposition": f'attachment; filename="{file_name(collection.name, fmt)}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if fmt != "gpkg" and "gzip" in request.accept_encodings:
        body = gzipped(body)
        headers["Content-Encoding"] = "gzip"
        headers["Vary"] = "Accept-Encoding"
    return Response(stream_with_context(body), content_type=FORMATS[fmt], headers=headers)


def file_name(collection: str, fmt: str) -> str:
    """``borderwatch-<collection>-<UTC date>.<format>``."""
    return f"borderwatch-{collection}-{dt.datetime.now(dt.UTC):%Y-%m-%d}.{fmt}"
