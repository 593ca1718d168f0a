"""JSON of the bell: the unread count of the signed-in account (polled; see docs/notifications.md
for why polling and not server-sent events)."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user, login_required

from gis.notify.inbox import unread_count
from webapp.db import get_session
from webapp.notify import bp


@bp.get("/api/notifications/unread")
@login_required
def unread():
    response = jsonify({"unread": unread_count(get_session(), current_user.id)})
    response.headers["Cache-Control"] = "no-store"
    return response
