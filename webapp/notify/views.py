"""``/notifications``: the signed-in account's notifications (the bell's list), marking them
read; ``/account/notifications``: its notification settings and the LINE link code."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from gis.errors import InvalidInput
from gis.models import NotifySetting
from gis.notify.inbox import InboxItem, inbox, mark_read, unread_count
from gis.notify.settings import (
    DIGEST_CHOICES,
    LINK_TTL,
    new_link_code,
    parse_settings,
    preferences,
    save_settings,
    unlink_line_account,
    wants,
)
from gis.types import NotifyChannel, NotifyKind, PatrolUnit, Role
from webapp.auth.session import viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.nav import link
from webapp.notify import bp
from webapp.notify.messages import district_names, line

#: The kinds each role may be told of (the settings page offers these).
KINDS: dict[Role, tuple[NotifyKind, ...]] = {
    Role.COORDINATOR: (
        NotifyKind.NEW_REPORT,
        NotifyKind.REPORT_WAITING,
        NotifyKind.STATUS_CHANGE,
        NotifyKind.PATROL_PLAN,
        NotifyKind.ACTION_OVERDUE,
    ),
    Role.OFFICER: (NotifyKind.STATUS_CHANGE, NotifyKind.PATROL_PLAN, NotifyKind.ACTION_OVERDUE),
    Role.VOLUNTEER: (NotifyKind.STATUS_CHANGE, NotifyKind.PATROL_PLAN),
    Role.PATROL_PLANNER: (NotifyKind.REPORT_WAITING, NotifyKind.ACTION_OVERDUE),
    Role.HQ_ANALYST: (NotifyKind.ACTION_OVERDUE,),
    Role.ADMINISTRATOR: (NotifyKind.ACTION_OVERDUE,),
}
#: Roles that may lead a patrol unit of their district.
LEADERS = frozenset({Role.COORDINATOR, Role.OFFICER, Role.VOLUNTEER})


@bp.get("/notifications")
@login_required
def inbox_page():
    session = get_session()
    items = inbox(session, current_user.id)
    names = district_names(
        session, {int(i.params["district_id"]) for i in items if i.params.get("district_id")}
    )
    rows = [(item, line(item.kind, item.params, names), link_of(item)) for item in items]
    return render_template(
        "notify/inbox.html", rows=rows, unread=unread_count(session, current_user.id)
    )


def link_of(item: InboxItem) -> str | None:
    """Where a notification leads: the page of what it is about (which checks the reader's
    scope again), or nowhere."""
    kind, params = item.kind, item.params
    if kind in (NotifyKind.NEW_REPORT, NotifyKind.REPORT_WAITING) and item.incident_id:
        if current_user.role == Role.COORDINATOR:
            return link("review.incident_page", incident_id=item.incident_id)
        return None
    if kind is NotifyKind.STATUS_CHANGE:
        return link("incidents.my_reports")
    if kind is NotifyKind.PATROL_PLAN and params.get("plan_id"):
        return link("patrols.sheet", plan_id=params["plan_id"])
    if kind is NotifyKind.ACTION_OVERDUE and params.get("activity_id"):
        return link("cooperation.activity_page", activity_id=params["activity_id"])
    return None


@bp.post("/notifications/read")
@login_required
def read_all():
    session = get_session()
    mark_read(session, current_user.id)
    session.commit()
    return redirect(url_for("notify.inbox_page"), 303)


def settings_page(status: int = 200, error: InvalidInput | None = None, code: str | None = None):
    session, me = get_session(), viewer()
    setting = session.get(NotifySetting, me.id)
    prefs = preferences(session, me.id)
    kinds = KINDS[Role(me.role)]
    matrix = [
        (kind, [(channel, wants_shown(setting, prefs, kind, channel)) for channel in NotifyChannel])
        for kind in kinds
    ]
    context: dict[str, Any] = {
        "setting": setting,
        "matrix": matrix,
        "digest_choices": DIGEST_CHOICES,
        "units": list(PatrolUnit) if Role(me.role) in LEADERS else [],
        "coordinator": Role(me.role) is Role.COORDINATOR,
        "error_field": error.field if error else None,
        "error": user_message(error) if error else None,
        "code": code,
        "code_minutes": int(LINK_TTL.total_seconds() // 60),
    }
    return render_template("notify/settings.html", **context), status


def wants_shown(
    setting: NotifySetting | None,
    prefs: Mapping[tuple[NotifyKind, NotifyChannel], bool],
    kind: NotifyKind,
    channel: NotifyChannel,
) -> bool:
    """What a checkbox shows: the preference, by default on (also for a channel the account
    has no address for yet: it takes effect once it has one)."""
    if channel is NotifyChannel.IN_APP:
        return wants(setting, prefs, kind, channel)
    return prefs.get((kind, channel), True)


@bp.get("/account/notifications")
@login_required
def settings():
    return settings_page()


@bp.post("/account/notifications")
@login_required
def save():
    session, me = get_session(), viewer()
    try:
        data = parse_settings(request.form)
    except InvalidInput as exc:
        return settings_page(400, exc)
    if Role(me.role) not in LEADERS:
        data = replace(data, leads_unit=None)
    save_settings(session, me, data)
    session.commit()
    flash(_("Your notification settings are saved."), "success")
    return redirect(url_for("notify.settings"), 303)


@bp.post("/account/notifications/line-code")
@login_required
def line_code():
    session, me = get_session(), viewer()
    code = new_link_code(session, me, dt.datetime.now(dt.UTC))
    session.commit()
    return settings_page(code=code)


@bp.post("/account/notifications/line-unlink")
@login_required
def line_unlink():
    session, me = get_session(), viewer()
    unlink_line_account(session, me)
    session.commit()
    flash(_("Your LINE account is no longer linked."), "success")
    return redirect(url_for("notify.settings"), 303)
