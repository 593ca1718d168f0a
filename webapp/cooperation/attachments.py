"""Attachments of the register: the minutes of an activity (PDF) and the receipt of a spending
line (PDF or photo).

- ``POST /api/cooperation/activities/<id>/minutes``: one file in ``minutes`` (coordinators and
  officers of the district); 201 with ``Location``, 200 when the same file was stored before.
- ``POST /api/cooperation/spending/<id>/receipts``: one file in ``receipt`` (the district's
  coordinators); the same answers.
- ``POST /cooperation/activities/<id>/minutes`` and ``POST /cooperation/spending/<id>/receipts``:
  the pages' forms, back to the page with the outcome.
- ``GET /api/cooperation/attachments/<id>``: the file, for whoever reads its district.

An upload is ``multipart/form-data`` with one file and (forms) the CSRF token; a body over the
app's ``MAX_CONTENT_LENGTH`` or a file over :data:`gis.cooperation.documents.MAX_DOCUMENT_BYTES`
is refused naming the field. Each account may add ``COOPERATION_UPLOADS_PER_DAY`` files and
``COOPERATION_UPLOAD_MIB_PER_DAY`` MiB a day to the register (photos included).
"""

from __future__ import annotations

from typing import Any

from flask import Request, Response, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from gis.cooperation.access import READERS, RECORDERS, SPENDERS
from gis.cooperation.activities import get_activity
from gis.cooperation.attachments import (
    MINUTES_FIELD,
    RECEIPT_FIELD,
    add_minutes,
    add_receipt,
    get_attachment,
    get_spending_line,
)
from gis.cooperation.documents import MAX_DOCUMENT_BYTES
from gis.cooperation.uploads import MIB, UploadQuota
from gis.errors import BorderwatchError, InvalidInput, NotFound, TooLarge
from gis.incidents.photos import EXTENSIONS
from gis.models import CooperationAttachment
from gis.parsing import refuse_unknown
from gis.text import N_
from webapp.auth.session import roles_required, viewer
from webapp.cooperation import bp
from webapp.db import get_session
from webapp.errors import answer_message, error_response, say, user_message

#: Room for the multipart envelope around a file (boundaries, part headers, the CSRF field).
ENVELOPE_BYTES = 64 * 1024
#: How long a browser may keep an attachment (they never change; access is per account).
CACHE_CONTROL = "private, max-age=3600"
#: The daily upload limits' defaults (configuration keys of the same names).
DEFAULT_QUOTA = UploadQuota()


def upload_quota() -> UploadQuota:
    """The per-account daily limit of the register's uploads, from the app's configuration."""
    config = current_app.config
    files = int(config.get("COOPERATION_UPLOADS_PER_DAY", DEFAULT_QUOTA.files))
    mib = int(config.get("COOPERATION_UPLOAD_MIB_PER_DAY", DEFAULT_QUOTA.bytes // MIB))
    return UploadQuota(files=files, bytes=mib * MIB)


def _too_large(field: str) -> TooLarge:
    return TooLarge(
        N_("{field} is larger than {mib} MiB"), field=field, mib=MAX_DOCUMENT_BYTES // MIB
    )


def uploaded_file(req: Request, field: str) -> bytes:
    """The bytes of the one file in ``field`` of a multipart request.

    Raises:
        InvalidInput: not ``multipart/form-data`` (``field="body"``); no file, several, or a
            text value in ``field``; another form field (named).
        TooLarge: a body or file over its limit (naming ``field``).
    """
    if req.mimetype != "multipart/form-data":
        raise InvalidInput(
            N_("the body must be multipart/form-data with the file in the field {field}"),
            field=field,
        )
    if (req.content_length or 0) > MAX_DOCUMENT_BYTES + ENVELOPE_BYTES:
        raise _too_large(field)
    try:
        files, form = req.files, req.form
    except RequestEntityTooLarge:
        raise _too_large(field) from None
    refuse_unknown((*files.keys(), *form.keys()), (field, "csrf_token"))
    parts = files.getlist(field)
    if len(parts) != 1:
        raise InvalidInput(N_("{field} must be one file"), field=field)
    raw = parts[0].stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise _too_large(field)
    return raw


def attachment_json(row: CooperationAttachment) -> dict[str, Any]:
    """An attachment as the API and the pages list it."""
    return {
        "id": row.id,
        "url": url_for("cooperation.attachment", attachment_id=row.id),
        "content_type": row.content_type,
        "bytes": row.byte_size,
        "pages": row.pages,
    }


def _stored_minutes(activity_id: int) -> tuple[CooperationAttachment, bool]:
    session, user = get_session(), viewer()
    get_activity(session, activity_id, user)  # 404 before the body is read
    raw = uploaded_file(request, MINUTES_FIELD)
    return add_minutes(session, activity_id, raw, user, upload_quota())


def _stored_receipt(line_id: int) -> tuple[CooperationAttachment, bool]:
    session, user = get_session(), viewer()
    get_spending_line(session, line_id, user)  # 404 before the body is read
    raw = uploaded_file(request, RECEIPT_FIELD)
    return add_receipt(session, line_id, raw, user, upload_quota())


def _answer(row: CooperationAttachment, created: bool):
    body = attachment_json(row)
    get_session().commit()  # before replying: an acknowledged file is stored
    if not created:
        return jsonify(body), 200
    return jsonify(body), 201, {"Location": body["url"]}


@bp.post("/api/cooperation/activities/<int:activity_id>/minutes")
@roles_required(*RECORDERS)
def add_minutes_api(activity_id: int):
    return _answer(*_stored_minutes(activity_id))


@bp.post("/api/cooperation/spending/<int:line_id>/receipts")
@roles_required(*SPENDERS)
def add_receipt_api(line_id: int):
    return _answer(*_stored_receipt(line_id))


def _form(store: Any, key: int, saved: str) -> None:
    """Run an upload of a page's form and flash its outcome (a refusal names the field)."""
    session = get_session()
    try:
        store(key)
        session.commit()
        flash(saved, "done")
    except NotFound:
        raise
    except BorderwatchError as exc:
        session.rollback()
        flash(user_message(exc), "error")


@bp.post("/cooperation/activities/<int:activity_id>/minutes")
@roles_required(*RECORDERS)
def add_minutes_form(activity_id: int):
    _form(_stored_minutes, activity_id, gettext("The minutes are saved."))
    return redirect(url_for("cooperation.activity_page", activity_id=activity_id), 303)


@bp.post("/cooperation/spending/<int:line_id>/receipts")
@roles_required(*SPENDERS)
def add_receipt_form(line_id: int):
    _form(_stored_receipt, line_id, gettext("The receipt is saved."))
    year = request.args.get("year") or None
    return redirect(url_for("cooperation.budget", year=year) + "#coop-lines", 303)


@bp.get("/api/cooperation/attachments/<int:attachment_id>")
@roles_required(*READERS)
def attachment(attachment_id: int):
    stored = get_attachment(get_session(), attachment_id, viewer())
    extension = (
        "pdf" if stored.content_type == "application/pdf" else EXTENSIONS[stored.content_type]
    )
    kind = "minutes" if stored.activity_id is not None else "receipt"
    resp = Response(stored.data, mimetype=stored.content_type)
    resp.headers["Cache-Control"] = CACHE_CONTROL
    resp.headers["Content-Disposition"] = f'inline; filename="{kind}-{stored.id}.{extension}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


#: The file field of each upload endpoint, named when its body is over ``MAX_CONTENT_LENGTH``.
UPLOAD_FIELDS = {
    "cooperation.add_minutes_api": MINUTES_FIELD,
    "cooperation.add_minutes_form": MINUTES_FIELD,
    "cooperation.add_receipt_api": RECEIPT_FIELD,
    "cooperation.add_receipt_form": RECEIPT_FIELD,
    "cooperation.add_photo": "photo",
    "cooperation.add_photo_form": "photo",
}


@bp.errorhandler(RequestEntityTooLarge)
def request_too_large(exc: RequestEntityTooLarge):
    """A body over ``MAX_CONTENT_LENGTH``, refused while it is read (also by the CSRF check),
    naming the upload's field."""
    field = UPLOAD_FIELDS.get(request.endpoint or "")
    if field is None:
        return error_response(413, "too_large", say(N_("the request body is too large")), "body")
    err = _too_large(field)
    return error_response(413, err.code, answer_message(err), err.field)
