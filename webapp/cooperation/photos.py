"""Photos of activities: ``POST /api/cooperation/activities/<id>/photos`` (JSON answers),
``POST /cooperation/activities/<id>/photos`` (the activity page's form, back to the page) and
``GET /api/cooperation/activities/<id>/photos/<photo_id>`` (the image). The upload is read as
incident photos are (:func:`webapp.incidents.photos.uploaded_photo`: one file in ``photo``,
bounded); the checks and the storing are in :mod:`gis.cooperation.photos`, the account's daily
limit of the register's uploads in :mod:`gis.cooperation.uploads`."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, jsonify, redirect, request, url_for
from flask_babel import gettext

from gis.cooperation.access import READERS, RECORDERS
from gis.cooperation.activities import get_activity
from gis.cooperation.photos import activity_photo, add_activity_photo
from gis.errors import BorderwatchError, NotFound
from gis.incidents.photos import EXTENSIONS
from gis.models import ActivityPhoto
from webapp.auth.session import roles_required, viewer
from webapp.cooperation import bp
from webapp.cooperation.attachments import upload_quota
from webapp.db import get_session
from webapp.errors import user_message
from webapp.incidents.photos import CACHE_CONTROL, uploaded_photo


def photo_json(photo: ActivityPhoto) -> dict[str, Any]:
    """A photo as the API and the pages list it."""
    return {
        "id": photo.id,
        "url": url_for("cooperation.photo", activity_id=photo.activity_id, photo_id=photo.id),
        "content_type": photo.content_type,
        "width": photo.width,
        "height": photo.height,
    }


def _store(activity_id: int) -> tuple[ActivityPhoto, bool]:
    session, user = get_session(), viewer()
    get_activity(session, activity_id, user)  # 404 before the body is read
    return add_activity_photo(session, activity_id, uploaded_photo(request), user, upload_quota())


@bp.post("/api/cooperation/activities/<int:activity_id>/photos")
@roles_required(*RECORDERS)
def add_photo(activity_id: int):
    photo, created = _store(activity_id)
    body = photo_json(photo)
    get_session().commit()  # before replying: an acknowledged photo is stored
    if not created:
        return jsonify(body), 200
    return jsonify(body), 201, {"Location": body["url"]}


@bp.post("/cooperation/activities/<int:activity_id>/photos")
@roles_required(*RECORDERS)
def add_photo_form(activity_id: int):
    session = get_session()
    try:
        _store(activity_id)
        session.commit()
        flash(gettext("The photo is saved."), "done")
    except NotFound:
        raise
    except BorderwatchError as exc:
        session.rollback()
        flash(user_message(exc), "error")
    return redirect(url_for("cooperation.activity_page", activity_id=activity_id), 303)


@bp.get("/api/cooperation/activities/<int:activity_id>/photos/<int:photo_id>")
@roles_required(*READERS)
def photo(activity_id: int, photo_id: int):
    stored = activity_photo(get_session(), activity_id, photo_id, viewer())
    name = f"activity-{activity_id}-photo-{photo_id}.{EXTENSIONS[stored.content_type]}"
    resp = Response(stored.data, mimetype=stored.content_type)
    resp.headers["Cache-Control"] = CACHE_CONTROL
    resp.headers["Content-Disposition"] = f'inline; filename="{name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp
