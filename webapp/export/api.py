"""``/api/export/<collection>.<format>``: a whole collection as a file, streamed.

Formats: ``geojson`` (RFC 7946), ``csv`` (WKT, UTF-8 with BOM), ``gpkg`` (GeoPackage), ``shp``
(a zipped Shapefile), ``kml`` (Google Earth, in the reader's language), ``fgb`` (FlatGeobuf) and
``parquet`` (GeoParquet 1.1).
Parameters: ``bbox``, ``datetime`` (RFC 3339 instant, day or interval with ``..``),
``category``, ``status``, ``district`` (P-codes), ``run`` (hotspots), ``include_sensitive`` and
``reason`` (HQ analysts only); any other parameter is a 400 naming it. Signed-in accounts
(session cookie or ``Authorization: Bearer <token>``) read their scope; every export is audited
(:func:`gis.export.run_export`).

``GET`` takes the parameters in the query string; ``HEAD`` answers the same headers after the
same checks without exporting anything (no audit row, no file). A sensitive export
(``include_sensitive=true``) cannot start from a link: with a session cookie it is a ``POST``
form under CSRF protection (the export page, :mod:`webapp.export.views`) with the parameters in
the body; a ``GET`` with the flag is refused (400 naming ``include_sensitive``) unless it comes
with an API token in the ``Authorization`` header, which no other site can make a browser send.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Response, g, request, stream_with_context

from gis import export
from gis.errors import InvalidInput
from gis.export.run import EXTENSIONS, MEDIA_TYPES, TEXT_FORMATS
from gis.text import N_
from webapp.db import get_read_session, get_session
from webapp.export import bp
from webapp.export.auth import signed_in, viewer_access
from webapp.export.views import TITLES
from webapp.export.words import export_words
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
#: Form fields of a POST that are not export parameters.
FORM_ONLY = ("csrf_token",)


def parse_flag(raw: str | None, field: str) -> bool:
    if raw is None or raw == "":
        return False
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise InvalidInput(N_("{field} must be true or false"), field=field)


def export_params() -> Mapping[str, str]:
    """The request's export parameters: the query string of a GET (or HEAD), the form body of a
    POST (whose query string must be empty); unknown or repeated ones are refused."""
    if request.method != "POST":
        only(request.args, PARAMS)
        return request.args
    only(request.args, ())
    only(request.form, (*PARAMS, *FORM_ONLY))
    return {k: v for k, v in request.form.items() if k not in FORM_ONLY}


def check_not_forgeable(sensitive: bool) -> None:
    """Refuse a sensitive export that a third-party page could start (see the module
    docstring): a cookie-signed GET or HEAD with ``include_sensitive``."""
    if sensitive and request.method != "POST" and g.get("api_token_id") is None:
        raise InvalidInput(
            N_(
                "include_sensitive cannot come in a link: send a sensitive export as a POST form "
                "with the CSRF token (the export page), or with an API token in the Authorization "
                "header"
            ),
            field="include_sensitive",
        )


def gzipped(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` compressed as one gzip stream (level 5: fast, about 8x smaller GeoJSON)."""
    zipper = zlib.compressobj(5, zlib.DEFLATED, 31)
    for chunk in chunks:
        out = zipper.compress(chunk)
        if out:
            yield out
    yield zipper.flush()


@bp.route("/api/export/<name>.<fmt>", methods=["GET", "POST"])
@signed_in
def export_file(name: str, fmt: str) -> Response:
    params = export_params()
    sensitive = parse_flag(params.get("include_sensitive"), "include_sensitive")
    check_not_forgeable(sensitive)
    access = viewer_access(include_sensitive=sensitive, reason=params.get("reason"))
    title = TITLES.get(name)
    words = export_words(name, None if title is None else str(title))
    asked = export.ExportRequest(name, fmt, params, parse_bbox(params), words=words)
    if request.method == "HEAD":
        job = export.check_export(get_session(), access, asked)
        return Response(content_type=MEDIA_TYPES[job.fmt], headers=file_headers(job))
    run = export.run_export(get_session(), access, asked, read_session=get_read_session())
    headers = file_headers(run.job)
    body: Iterator[bytes] = run
    if run.job.fmt in TEXT_FORMATS and "gzip" in request.accept_encodings:
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
    if job.fmt in TEXT_FORMATS:
        headers["Vary"] = "Accept-Encoding"
    return headers


def file_name(collection: str, fmt: str) -> str:
    """``borderwatch-<collection>-<UTC date>.<extension>`` (a Shapefile's is ``shp.zip``)."""
    extension = EXTENSIONS.get(export.Format(fmt), fmt) if fmt in export.Format else fmt
    return f"borderwatch-{collection}-{dt.datetime.now(dt.UTC):%Y-%m-%d}.{extension}"
