"""Pages of the cooperation register, in the shared layout and the reader's language.

``/cooperation`` lists the activities of the reader's scope with the overdue agreements;
coordinators and officers record and edit their district's activities on a phone-first form
(days, a tap on the map for the place, the district's parallel areas and the topics as
checkboxes, the participants' counts as a grid) and add agreements on the activity's page;
``/cooperation/budget`` shows allocated and spent per district, province and nationally, with
the allocation form for administrators and the spending form for the district's coordinators.
Every form posts to the same checks as the JSON API; a refusal comes back on the form, naming
the field, with nothing written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, gettext
from flask_login import current_user
from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.cooperation.access import (
    ALLOCATORS,
    READERS,
    RECORDERS,
    SPENDERS,
    scoped_target_ids,
    target_district,
)
from gis.cooperation.activities import (
    activity_json,
    create_activity,
    get_activity,
    list_activities,
    parse_activity,
    update_activity,
)
from gis.cooperation.agreements import (
    LINKS,
    action_json,
    add_action,
    get_action,
    items_about,
    link_choices,
    list_actions,
    parse_action,
    update_action,
)
from gis.cooperation.attachments import minutes_of, receipts_of
from gis.cooperation.budget import (
    add_spending,
    allocations_of,
    budget_summary,
    create_allocation,
    parse_allocation,
    parse_spending,
    spending_lines,
)
from gis.cooperation.fiscal import fiscal_year_bounds
from gis.cooperation.photos import activity_photos
from gis.errors import BorderwatchError
from gis.models import CoordinationCentre, District, ParallelArea, User
from gis.types import ActionStatus, ActivityKind, CooperationTopic, ParticipantGroup, Side
from webapp.auth.session import roles_required, viewer
from webapp.cooperation import bp
from webapp.cooperation.attachments import attachment_json
from webapp.cooperation.photos import photo_json
from webapp.cooperation.schemas import (
    activity_from_form,
    count_name,
    thai_today,
    year_param,
)
from webapp.db import get_session
from webapp.errors import user_message
from webapp.vocab import labels

#: The vocabularies the templates label (``{{ a.kind | label(vocab.ActivityKind) }}``).
VOCAB = SimpleNamespace(
    ActivityKind=ActivityKind,
    CooperationTopic=CooperationTopic,
    Side=Side,
    ParticipantGroup=ParticipantGroup,
    ActionStatus=ActionStatus,
)


@bp.context_processor
def vocabularies() -> dict[str, Any]:
    return {"vocab": VOCAB}


@bp.app_template_global()
def cooperation_items_about(about: str, record_id: int) -> list[tuple[Any, Any]]:
    """For other areas' pages: the agreements about a record that the signed-in account reads
    (``about``: ``incident_id``, ``hotspot_id``, ``natural_crossing_id``, ``checkpoint_id``)."""
    if not current_user.is_authenticated:
        return []
    return items_about(get_session(), viewer(), about, record_id)


@bp.app_template_global()
def cooperation_reads() -> bool:
    """For other areas' pages (the map's popups): whether the signed-in account reads the
    register."""
    return bool(current_user.is_authenticated and viewer().role in READERS)


def _district_choice(session: Session, user: User) -> District | None:
    """The district a page is about: ``?district=`` in the reader's scope, or the reader's own."""
    ref = request.args.get("district") or None
    if ref is None and user.district_id is None:
        return None
    return target_district(session, ref, user)


def _centre(session: Session, district: District) -> tuple[float, float]:
    point = session.execute(
        select(CoordinationCentre.geom).where(CoordinationCentre.district_id == district.id)
    ).scalar_one_or_none()
    if point is None:
        point = session.execute(
            select(func.ST_PointOnSurface(District.geom)).where(District.id == district.id)
        ).scalar_one()
    shape = to_shape(point)
    return shape.y, shape.x


def _form_context(session: Session, district: District, values: dict[str, Any]) -> dict[str, Any]:
    pairs = list(
        session.execute(
            select(ParallelArea)
            .where(ParallelArea.districts.any(District.id == district.id))
            .order_by(ParallelArea.country, ParallelArea.name)
        ).scalars()
    )
    config = current_app.config
    return {
        "district": district,
        "pairs": pairs,
        "values": values,
        "kinds": labels(ActivityKind),
        "topics": labels(CooperationTopic),
        "sides": [(s, dict(labels(Side))[s.value]) for s in Side],
        "groups": [(g, dict(labels(ParticipantGroup))[g.value]) for g in ParticipantGroup],
        "count_name": count_name,
        "centre": _centre(session, district),
        "tile_url": config["TILE_URL"],
        "tile_attribution": config["TILE_ATTRIBUTION"],
    }


def _shown(body: dict[str, Any]) -> dict[str, Any]:
    """An activity or item as a page shows it: its days as dates (for ``localdate``)."""
    for key in ("starts_on", "ends_on", "due_on"):
        if body.get(key):
            body[key + "_day"] = dt.date.fromisoformat(body[key])
    return body


def baht(amount: Decimal) -> str:
    """An amount in baht in the page's language: ``80,000.00``."""
    return format_decimal(amount, format="#,##0.00")


def _values_of(body: dict[str, Any]) -> dict[str, Any]:
    """An activity's values as the form shows them (from a stored activity or a refused form)."""
    counts = {}
    for row in body.get("participants") or []:
        counts[count_name("total", Side(row["side"]), ParticipantGroup(row["group"]))] = row[
            "total"
        ]
        counts[count_name("women", Side(row["side"]), ParticipantGroup(row["group"]))] = row[
            "women"
        ]
    areas = [a["id"] if isinstance(a, dict) else a for a in body.get("parallel_areas") or []]
    return {**body, "counts": counts, "parallel_areas": areas}


@bp.get("/cooperation")
@roles_required(*READERS)
def index():
    session = get_session()
    user = viewer()
    district = _district_choice(session, user)
    ids = [district.id] if district is not None else None
    rows = list_activities(session, user, district_ids=ids, limit=200)
    today = thai_today()
    overdue = list_actions(session, user, today, only_overdue=True, district_ids=ids)
    districts = session.execute(
        select(District).where(District.id.in_(scoped_target_ids(session, user)))
        .order_by(District.target_no)
    ).scalars().all()  # fmt: skip
    return render_template(
        "cooperation/index.html",
        activities=[_shown(activity_json(session, a)) for a in rows],
        overdue=[_shown(action_json(i, today)) for i in overdue],
        district=district,
        districts=districts,
        may_record=user.role in RECORDERS,
    )


def _activity_form(session: Session, user: User, activity_id: int | None):
    """The new and edit forms: show, or check and store (then the activity's page)."""
    if activity_id is None:
        district = target_district(session, None, user)
        values: dict[str, Any] = {"starts_on": thai_today().isoformat()}
    else:
        found = get_activity(session, activity_id, user)
        district = session.get_one(District, found.district_id)
        values = _values_of(activity_json(session, found))
    error = None
    if request.method == "POST":
        body = activity_from_form(request.form)
        try:
            data = parse_activity(body)
            if activity_id is None:
                saved = create_activity(session, data, user)
            else:
                saved = update_activity(session, activity_id, data, user)
            session.commit()
            flash(gettext("The activity is saved."), "done")
            return redirect(url_for("cooperation.activity_page", activity_id=saved.id), 303)
        except BorderwatchError as exc:
            session.rollback()
            error = {"field": exc.field, "message": user_message(exc)}
            values = _values_of(body)
    context = _form_context(session, district, values)
    status = 400 if error else 200
    return render_template(
        "cooperation/form.html", error=error, activity_id=activity_id, **context
    ), status


@bp.route("/cooperation/new", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def new_activity():
    return _activity_form(get_session(), viewer(), None)


@bp.route("/cooperation/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@roles_required(*RECORDERS)
def edit_activity(activity_id: int):
    return _activity_form(get_session(), viewer(), activity_id)


@bp.get("/cooperation/activities/<int:activity_id>")
@roles_required(*READERS)
def activity_page(activity_id: int):
    session = get_session()
    user = viewer()
    found = get_activity(session, activity_id, user)
    today = thai_today()
    items = list_actions(session, user, today, activity_id=found.id)
    choices = link_choices(session, found)
    return render_template(
        "cooperation/activity.html",
        choices=choices,
        link_names={field: {c.id: c for c in options} for field, options in choices.items()},
        activity=_shown(activity_json(session, found)),
        actions=[_shown(action_json(i, today)) for i in items],
        may_record=user.role in RECORDERS,
        sides=labels(Side),
        statuses=labels(ActionStatus),
        photos=[photo_json(p) for p in activity_photos(session, found.id, user)],
        minutes=[attachment_json(m) for m in minutes_of(session, found.id, user)],
    )


@bp.post("/cooperation/activities/<int:activity_id>/actions")
@roles_required(*RECORDERS)
def add_action_form(activity_id: int):
    session = get_session()
    body: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token"}
    for link in LINKS:
        raw = str(body.get(link) or "").strip().lstrip("#")
        body[link] = int(raw) if raw.isdigit() and len(raw) < 12 else raw or None
    try:
        add_action(session, activity_id, parse_action(body), viewer())
        session.commit()
        flash(gettext("The agreement is saved."), "done")
    except BorderwatchError as exc:
        session.rollback()
        if exc.field == "id":
            raise
        flash(user_message(exc), "error")
    return redirect(url_for("cooperation.activity_page", activity_id=activity_id), 303)


@bp.post("/cooperation/actions/<int:item_id>/status")
@roles_required(*RECORDERS)
def action_status_form(item_id: int):
    session = get_session()
    user = viewer()
    item, found = get_action(session, item_id, user)
    body = action_json(item, thai_today())
    body = {k: body[k] for k in ("text", "owner_side", "owner_agency", "due_on", "status", *LINKS)}
    body["status"] = request.form.get("status")
    try:
        update_action(session, item_id, parse_action(body), user)
        session.commit()
        flash(gettext("The status is saved."), "done")
    except BorderwatchError as exc:
        session.rollback()
        flash(user_message(exc), "error")
    return redirect(url_for("cooperation.activity_page", activity_id=found.id), 303)


@bp.get("/cooperation/budget")
@roles_required(*READERS)
def budget():
    session = get_session()
    user = viewer()
    year = year_param(request.args, thai_today())
    first, last = fiscal_year_bounds(year)
    own = user.district_id if user.role in SPENDERS else None
    activities = (
        list_activities(session, user, district_ids=[own], since=first, until=last)
        if own is not None
        else []
    )
    districts = session.execute(
        select(District).where(District.id.in_(scoped_target_ids(session, user)))
        .order_by(District.target_no)
    ).scalars().all()  # fmt: skip
    lines = spending_lines(session, user, year)
    receipts = receipts_of(session, [line.id for line, _ in lines])
    return render_template(
        "cooperation/budget.html",
        lines=lines,
        receipts={k: [attachment_json(r) for r in v] for k, v in receipts.items()},
        may_add_receipt=user.role in SPENDERS,
        year=year,
        first=first,
        last=last,
        rows=budget_summary(session, user, year),
        allocations=allocations_of(session, user, year),
        districts=districts,
        district_names={d.id: d for d in districts},
        activities=activities,
        may_allocate=user.role in ALLOCATORS,
        may_spend=own is not None,
        baht=baht,
        today=thai_today(),
    )


@bp.post("/cooperation/budget/allocations")
@roles_required(*ALLOCATORS)
def allocate_form():
    session = get_session()
    body = {k: v for k, v in request.form.items() if k != "csrf_token"}
    try:
        row = create_allocation(session, parse_allocation(body), viewer())
        session.commit()
        flash(gettext("The allocation is saved."), "done")
        return redirect(url_for("cooperation.budget", year=row.fiscal_year), 303)
    except BorderwatchError as exc:
        session.rollback()
        flash(user_message(exc), "error")
    return redirect(url_for("cooperation.budget", year=body.get("fiscal_year") or None), 303)


@bp.post("/cooperation/budget/spending")
@roles_required(*SPENDERS)
def spend_form():
    session = get_session()
    body = {k: v for k, v in request.form.items() if k not in ("csrf_token", "year")}
    year = request.form.get("year") or None
    try:
        add_spending(session, parse_spending(body), viewer())
        session.commit()
        flash(gettext("The spending line is saved."), "done")
    except BorderwatchError as exc:
        session.rollback()
        flash(user_message(exc), "error")
    return redirect(url_for("cooperation.budget", year=year), 303)
