"""``/admin/notifications``: deliveries that wait or failed (administrators), with retry. The
recipient is named by its account; a citizen is never named (its contact stays with the
report)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gis.notify.delivery import pending, pending_counts, retry
from gis.types import Role
from webapp.auth.session import roles_required
from webapp.db import get_session
from webapp.notify import bp


@bp.get("/admin/notifications")
@roles_required(Role.ADMINISTRATOR)
def deliveries():
    session = get_session()
    return render_template(
        "notify/admin.html", rows=pending(session), counts=pending_counts(session)
    )


@bp.post("/admin/notifications/<int:notification_id>/retry")
@roles_required(Role.ADMINISTRATOR)
def retry_delivery(notification_id: int):
    session = get_session()
    retry(session, notification_id)
    session.commit()
    flash(_("The delivery will be tried again at once."), "success")
    return redirect(url_for("notify.deliveries"), 303)
