"""The words of a notification, in its reader's language (the catalogue ``notify.po``): one line
for the bell's list, and the subject and text of an e-mail or LINE message (one notification,
or a digest of several). The deliveries run in the worker with the app's context; the
recipient's language is forced for each message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Flask, render_template
from flask_babel import force_locale, get_locale, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.incidents.public import PublicState
from gis.models import District, Notification
from gis.notify.delivery import Composer
from gis.types import IncidentCategory, IncidentStatus, NotifyKind, PatrolUnit
from webapp.i18n import local_date
from webapp.vocab import label

#: Languages messages are written in; another language reads Thai.
LANGUAGES = frozenset({"th", "en"})


def district_names(session: Session, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """(English, Thai) names of the districts ``ids``."""
    if not ids:
        return {}
    rows = session.execute(
        select(District.id, District.name, District.name_th).where(District.id.in_(ids))
    )
    return {i: (name, name_th) for i, name, name_th in rows}


def _district(names: Mapping[int, tuple[str, str | None]], params: Mapping[str, Any]) -> str:
    found = names.get(int(params.get("district_id") or 0))
    if found is None:
        return "–"
    english, thai = found
    locale = get_locale()
    return thai if thai and locale is not None and locale.language == "th" else english


def line(kind: NotifyKind, params: Mapping[str, Any], names: Mapping[int, Any]) -> str:
    """One notification in one line, in the current language."""
    number = params.get("incident_id")
    category = label(params.get("category"), IncidentCategory)
    if kind is NotifyKind.NEW_REPORT:
        return gettext(
            "New report no. %(number)s in %(district)s: %(category)s",
            number=number,
            district=_district(names, params),
            category=category,
        )
    if kind is NotifyKind.REPORT_WAITING:
        return gettext(
            "Report no. %(number)s in %(district)s has waited over 48 hours for triage",
            number=number,
            district=_district(names, params),
        )
    if kind is NotifyKind.STATUS_CHANGE:
        return gettext(
            "Your report no. %(number)s is now: %(status)s",
            number=number,
            status=label(params.get("to"), IncidentStatus),
        )
    if kind is NotifyKind.CITIZEN_STATUS:
        return gettext(
            "Your report (%(category)s) to the border district is now: %(state)s",
            category=category,
            state=label(params.get("state"), PublicState),
        )
    if kind is NotifyKind.PATROL_PLAN:
        return gettext(
            "Patrol plan no. %(number)s for %(unit)s on %(day)s",
            number=params.get("plan_id"),
            unit=label(params.get("unit"), PatrolUnit),
            day=_day(params.get("planned_for")),
        )
    return gettext(
        "Cooperation action item no. %(number)s is overdue (due %(day)s)",
        number=params.get("item_id"),
        day=_day(params.get("due_on")),
    )


def _day(value: object) -> str:
    if not isinstance(value, str):
        return "–"
    return local_date(dt.date.fromisoformat(value))


def compose(session: Session, rows: Sequence[Notification], language: str) -> tuple[str, str]:
    """The subject and text of a message of ``rows`` (one, or a digest) in ``language``."""
    names = district_names(
        session, {int(r.params["district_id"]) for r in rows if r.params.get("district_id")}
    )
    with force_locale(language if language in LANGUAGES else "th"):
        lines = [line(NotifyKind(r.kind), r.params, names) for r in rows]
        if len(rows) == 1:
            subject = lines[0]
        else:
            subject = ngettext(
                "%(num)s new report in your district",
                "%(num)s new reports in your district",
                len(rows),
            )
        citizen = rows[0].kind == NotifyKind.CITIZEN_STATUS
        text = render_template("notify/message_text.html", lines=lines, citizen=citizen)
    return f"borderwatch: {subject}", text.strip() + "\n"


def app_composer(app: Flask) -> Composer:
    """:func:`compose` inside ``app``'s context (the worker's threads have none of their own)."""

    def compose_in_app(
        session: Session, rows: Sequence[Notification], language: str
    ) -> tuple[str, str]:
        with app.app_context():
            return compose(session, rows, language)

    return compose_in_app
