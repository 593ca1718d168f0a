"""``/api/exports``: exports run as jobs by the worker, their progress and their files.

``POST /api/exports`` takes JSON: ``collection``, ``format`` (as ``/api/export/<collection>.
<format>``), ``params`` (the same filters as a download: ``bbox``, ``datetime``, ``category``,
``status``, ``district``, ``run``, ...), ``include_sensitive`` and ``reason`` (HQ analysts), and
``job`` (``true``: always a job). Checked exactly as a download is
(:func:`gis.export.run.prepare_export`). A GeoPackage, a Shapefile, a GeoParquet file, a
sensitive export or one above ``EXPORT_JOB_THRESHOLD`` features is a job: 202 with
``Location: /api/exports/<id>`` and the job, which keeps the request's language (the words of a
KML or a Shapefile written by the worker). A smaller one is answered ``303 See Other`` to the
download that streams it at once (``/api/export/<collection>.<format>?...``), unless ``job``.

``GET /api/exports`` lists the account's own jobs, ``GET /api/exports/<id>`` is one of them
(progress: features written / estimated), ``GET /api/exports/<id>/file`` its file with
``Range`` support; another account's job is a 404, as one that does not exist.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app, jsonify, redirect, request, send_file, url_for
from flask_babel import get_locale

from gis import export
from gis.errors import InvalidInput
from gis.export.jobs import (
    ExportSettings,
    estimate,
    export_json,
    export_path,
    needs_job,
    own_export,
    own_exports,
    record_download,
    start_export_job,
)
from gis.parsing import refuse_unknown
from gis.text import N_
from webapp.auth.session import viewer
from webapp.db import get_session
from webapp.export import bp
from webapp.export.api import PARAMS
from webapp.export.auth import signed_in, viewer_access
from webapp.incidents.schemas import json_body
from webapp.params import only, parse_bbox

#: Members of the body of ``POST /api/exports``.
BODY = ("collection", "format", "params", "include_sensitive", "reason", "job")
#: Filters a job takes (the download's, without the sensitive flag and its reason).
FILTERS = tuple(p for p in PARAMS if p not in ("include_sensitive", "reason"))


def _text(body: dict[str, Any], name: str, *, required: bool = True) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(N_("{field} must be a non-empty string"), field=name)
    return value.strip()


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(N_("{field} must be true or false"), field=name)
    return value


def _filters(body: dict[str, Any]) -> dict[str, str]:
    raw = body.get("params") or {}
    if not isinstance(raw, dict):
        raise InvalidInput(N_("{field} must be a JSON object"), field="params")
    refuse_unknown(raw, FILTERS)
    params: dict[str, str] = {}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if not isinstance(value, str | int):
            raise InvalidInput(N_("{field} must be a string"), field=key)
        params[key] = str(value)
    return params


def settings() -> ExportSettings:
    return ExportSettings.from_config(current_app.config)


@bp.route("/api/exports", methods=["POST"])
@signed_in
def create_export() -> Response:
    body = json_body(request)
    refuse_unknown(body, BODY)
    collection, fmt = _text(body, "collection"), _text(body, "format")
    sensitive, always = _flag(body, "include_sensitive"), _flag(body, "job")
    params = _filters(body)
    access = viewer_access(
        include_sensitive=sensitive, reason=_text(body, "reason", required=False)
    )
    asked = export.ExportRequest(str(collection), str(fmt), params, parse_bbox(params))
    session = get_session()
    checked = export.prepare_export(access, asked)
    estimated = estimate(session, checked)
    if not always and not needs_job(checked, estimated, current_app.config["EXPORT_JOB_THRESHOLD"]):
        where = url_for("export.export_file", name=checked.collection.name, fmt=checked.fmt.value)
        target = f"{where}?{urlencode(params)}" if params else where
        return redirect(target, code=303)
    # the worker writes a KML's or a Shapefile's words in the language of the page it came from
    row = start_export_job(session, access, asked, estimated, language=str(get_locale() or "th"))
    session.commit()
    resp = jsonify(export_json(row))
    resp.status_code = 202
    resp.headers["Location"] = url_for("export.export_status", export_id=row.id)
    return resp


@bp.route("/api/exports", methods=["GET"])
@signed_in
def list_exports() -> Response:
    only(request.args, ())
    rows = own_exports(get_session(), viewer())
    resp = jsonify(exports=[export_json(row) for row in rows])
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/api/exports/<int:export_id>", methods=["GET"])
@signed_in
def export_status(export_id: int) -> Response:
    only(request.args, ())
    resp = jsonify(export_json(own_export(get_session(), viewer(), export_id)))
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/api/exports/<int:export_id>/file", methods=["GET"])
@signed_in
def export_download(export_id: int) -> Response:
    only(request.args, ())
    session = get_session()
    row = own_export(session, viewer(), export_id)
    path = export_path(row, settings())
    resp = send_file(
        path,
        mimetype=export_json(row)["media_type"],
        as_attachment=True,
        download_name=export_json(row)["file_name"],
        conditional=True,
        etag=True,
        max_age=0,
    )
    resp.headers["Cache-Control"] = "private, no-cache"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    if request.method == "GET":
        record_download(session, row)
        session.commit()
    return resp
