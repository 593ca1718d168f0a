"""Photos of incidents: ``POST /api/incidents/<id>/photos``, ``GET …/photos/<photo_id>``.

An upload is ``multipart/form-data`` with one file in the field ``photo`` (and, for forms, the
``csrf_token`` field; JavaScript sends the ``X-CSRFToken`` header). The incident's reporter and
the coordinators of its district may add photos: 201 with the photo and a ``Location``, or 200
with the stored photo when the same file is sent again. Incidents the caller may not see are
404, those they see but may not add to 403. The checks and the storing are in
:mod:`gis.incidents.photos` (a retry and an upload to a full incident are answered without
decoding the image). Uploads are limited per account (``PHOTO_LIMIT_ACCOUNT``,
:mod:`webapp.limits`): 429 with ``Retry-After`` beyond it.

A body over ``MAX_CONTENT_LENGTH`` (the app's configuration) is refused by its
``Content-Length`` before anything of it is read, and a file over
:data:`gis.incidents.photos.MAX_PHOTO_BYTES` after reading one byte more than that: 413 naming
``photo``.
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response, jsonify, request, url_for
from flask_login import login_required
from werkzeug.exceptions import RequestEntityTooLarge

from gis.errors import InvalidInput, TooLarge
from gis.incidents.photos import (
    EXTENSIONS,
    FIELD,
    MAX_PHOTO_BYTES,
    get_photo,
    photo_target,
    upload_photo,
)
from gis.incidents.reports import get_visible_incident
from gis.models import IncidentPhoto
from gis.parsing import refuse_unknown
from gis.text import N_
from webapp.auth.session import viewer
from webapp.db import get_session
from webapp.errors import answer_message, error_response, say
from webapp.incidents import bp

#: Room for the multipart envelope around a photo of :data:`MAX_PHOTO_BYTES` (boundaries,
#: part headers, the CSRF field).
ENVELOPE_BYTES = 64 * 1024
#: Largest upload request read at all (``Content-Length``); the app's ``MAX_CONTENT_LENGTH``.
MAX_UPLOAD_BYTES = MAX_PHOTO_BYTES + ENVELOPE_BYTES
#: Form fields an upload may carry besides the photo.
FORM_FIELDS = frozenset({FIELD, "csrf_token"})
#: How long a browser may keep a photo (photos never change; access is per account).
CACHE_CONTROL = "private, max-age=3600"

UPLOAD_ENDPOINT = "incidents.add_photo"


def _too_large() -> TooLarge:
    return TooLarge(
        N_("the photo is larger than {mib} MiB"), field=FIELD, mib=MAX_PHOTO_BYTES // (1024 * 1024)
    )


def photo_json(photo: IncidentPhoto, *, with_size: bool = False) -> dict[str, Any]:
    """A photo as the API lists it (``with_size``: also its size in bytes, as uploads answer)."""
    body: dict[str, Any] = {
        "id": photo.id,
        "url": url_for("incidents.photo", incident_id=photo.incident_id, photo_id=photo.id),
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
    }
    if with_size:
        body["bytes"] = photo.byte_size
    return body


def uploaded_photo(req: Request) -> bytes:
    """The bytes of the one file in the ``photo`` field of a multipart request.

    Raises:
        InvalidInput: not ``multipart/form-data`` (``field="body"``); no file, an empty file,
            several files or a text value in ``photo``; another form field (named).
        TooLarge: a body over :data:`MAX_UPLOAD_BYTES` or a file over :data:`MAX_PHOTO_BYTES`.
    """
    if req.mimetype != "multipart/form-data":
        raise InvalidInput(
            N_("the body must be multipart/form-data with the file in the field photo"),
            field="body",
        )
    if (req.content_length or 0) > MAX_UPLOAD_BYTES:
        raise _too_large()
    try:
        files, form = req.files, req.form
    except RequestEntityTooLarge:  # no Content-Length and a longer body
        raise _too_large() from None
    refuse_unknown((*files.keys(), *form.keys()), FORM_FIELDS)
    parts = files.getlist(FIELD)
    if not parts:
        if FIELD in form:
            raise InvalidInput(N_("photo must be a file, not a text value"), field=FIELD)
        raise InvalidInput(N_("photo is required (a file in the field photo)"), field=FIELD)
    if len(parts) > 1:
        raise InvalidInput(N_("send one photo per request"), field=FIELD)
    raw = parts[0].stream.read(MAX_PHOTO_BYTES + 1)
    if len(raw) > MAX_PHOTO_BYTES:
        raise _too_large()
    return raw


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(exc: RequestEntityTooLarge):
    """A body over ``MAX_CONTENT_LENGTH``, refused while the request is read (also by the CSRF
    check, which reads forms before the view runs)."""
    if request.endpoint == UPLOAD_ENDPOINT:
        err = _too_large()
        return error_response(413, err.code, answer_message(err), err.field)
    return error_response(413, "too_large", say(N_("the request body is too large")), "body")


@bp.post("/api/incidents/<int:incident_id>/photos", endpoint="add_photo")
@login_required
def add(incident_id: int):
    session, actor = get_session(), viewer()
    if (request.content_length or 0) > MAX_UPLOAD_BYTES:
        raise _too_large()  # before anything of the body is read
    incident = photo_target(session, incident_id, actor)  # 404 / 403 before parsing
    photo, created = upload_photo(session, incident, uploaded_photo(request), actor)
    body = photo_json(photo, with_size=True)
    session.commit()  # before replying: an acknowledged photo is stored
    if not created:
        return jsonify(body), 200
    return jsonify(body), 201, {"Location": body["url"]}


@bp.get("/api/incidents/<int:incident_id>/photos/<int:photo_id>", endpoint="photo")
@login_required
def show_photo(incident_id: int, photo_id: int):
    session = get_session()
    get_visible_incident(session, incident_id, viewer())
    stored = get_photo(session, incident_id, photo_id)
    name = f"incident-{incident_id}-photo-{photo_id}.{EXTENSIONS[stored.content_type]}"
    resp = Response(stored.data, mimetype=stored.content_type)
    resp.headers["Cache-Control"] = CACHE_CONTROL
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
