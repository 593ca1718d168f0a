"""``/api/export/<collection>.<format>``: a whole collection as a file, streamed.

Formats: ``geojson`` (RFC 7946), ``csv`` (WKT, UTF-8 with BOM), ``gpkg`` (GeoPackage).
Parameters: ``bbox``, ``datetime`` (RFC 3339 instant, day or interval with ``..``),
``category``, ``status``, ``district`` (P-codes), ``run`` (hotspots), ``include_sensitive`` and
``reason`` (HQ analysts only); any other parameter is a 400 naming it. Signed-in accounts
(session cookie or ``Authorization: Bearer <token>``) read their scope; every export is audited
(:func:`gis.export.run_export`).

``HEAD`` answers the same headers after the same checks without exporting anything (no audit
row, no file).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from typing import Any

from flask import Response, request, stream_with_context

from gis import export
from gis.errors import InvalidInput
from gis.export.run import MEDIA_TYPES
from webapp.db import get_session
from webapp.export import bp
from webapp.export.auth import signed_in, viewer_access
from webapp.params import only, parse_bbox

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


def parse_flag(raw: str | None, field: str) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(f"{field} must be true or false", field=field)


def gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` compressed as one gzip stream (level 5: fast, about 8x smaller GeoJSON)."""
    zipper = zlib.compressobj(5, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = zipper.compress(chunk)
        if out:
            yield out
    yield zipper.flush()


@bp.get("/api/export/<name>.<fmt>")
@signed_in
def export_file(name: str, fmt: str) -> Response:
    only(request.args, PARAMS)
    access = viewer_access(
        include_sensitive=parse_flag(request.args.get("include_sensitive"), "include_sensitive"),
        reason=request.args.get("reason"),
    )
    asked = export.ExportRequest(name, fmt, request.args, parse_bbox(request.args))
    if request.method == "HEAD":
        job = export.check_export(get_session(), access, asked)
        return Response(content_type=MEDIA_TYPES[job.fmt], headers=file_headers(job))
    run = export.run_export(get_session(), access, asked)
    headers = file_headers(run.job)
    body: Iterator[bytes] = run
    if run.job.fmt is not export.Format.GPKG and "gzip" in request.accept_encodings:
        body = gzipped(body)
        headers["Content-Encoding"] = "gzip"
    resp = Response(stream_with_context(body), content_type=run.media_type, headers=headers)
    resp.call_on_close(run.close)  # the audit and the file end even if the body is never read
    return resp


def file_headers(job: export.ExportJob) -> dict[str, Any]:
    headers: dict[str, Any] = {
        "Content-Disposition": f'attachment; filename="{file_name(job.collection.name, job.fmt)}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    if job.fmt is not export.Format.GPKG:
        headers["Vary"] = "Accept-Encoding"
    return headers


def file_name(collection: str, fmt: str) -> str:
    """``borderwatch-<collection>-<UTC date>.<format>``."""
    return f"borderwatch-{collection}-{dt.datetime.now(dt.UTC):%Y-%m-%d}.{fmt}"
