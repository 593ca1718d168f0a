"""JSON API of the cooperation register (see :mod:`gis.cooperation.access` for who may do what).

- ``GET /api/cooperation/activities?district=&from=&to=``: activities in the viewer's scope.
- ``POST /api/cooperation/activities``: record one (coordinators, officers); 201 with ``Location``.
- ``GET|PUT /api/cooperation/activities/<id>``: one activity; replace its values.
- ``POST /api/cooperation/activities/<id>/actions``: an agreement or action item; 201.
- ``GET /api/cooperation/actions?overdue=1``: items in the viewer's scope (overdue ones).
- ``PUT /api/cooperation/actions/<id>``: replace an item's values (its status).
- ``GET /api/cooperation/about?link=&id=``: the items about an incident, hotspot, natural
  crossing or checkpoint, with their activities (the map's popups).
- ``POST /api/cooperation/allocations``: a budget allocation (administrators); 201.
- ``POST /api/cooperation/spending``: a spending line (the district's coordinators); 201.
- ``GET /api/cooperation/budget?year=``: allocated and spent per district, province, nation.
"""

from __future__ import annotations

from flask import jsonify, request, url_for

from gis.cooperation.access import ALLOCATORS, READERS, RECORDERS, SPENDERS, target_district
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
    items_about,
    list_actions,
    parse_action,
    update_action,
)
from gis.cooperation.budget import (
    add_spending,
    budget_summary,
    create_allocation,
    parse_allocation,
    parse_spending,
)
from gis.errors import InvalidInput
from gis.text import N_
from webapp.auth.session import roles_required, viewer
from webapp.cooperation import bp
from webapp.cooperation.schemas import day_param, thai_today, year_param
from webapp.db import get_session
from webapp.incidents.schemas import json_body
from webapp.params import only

PRIVATE = {"Cache-Control": "private, no-store"}


@bp.get("/api/cooperation/activities")
@roles_required(*READERS)
def activities():
    only(request.args, ("district", "from", "to"))
    session = get_session()
    since, until = day_param(request.args, "from"), day_param(request.args, "to")
    if since and until and since > until:
        raise InvalidInput(N_("from lies after to"), field="from")
    district = request.args.get("district")
    ids = [target_district(session, district, viewer()).id] if district else None
    rows = list_activities(session, viewer(), district_ids=ids, since=since, until=until)
    items = [activity_json(session, a) for a in rows]
    for item in items:
        item["links"] = {"self": url_for("cooperation.activity", activity_id=item["id"])}
    return jsonify(items=items), 200, PRIVATE


@bp.post("/api/cooperation/activities")
@roles_required(*RECORDERS)
def create():
    session = get_session()
    activity = create_activity(session, parse_activity(json_body(request)), viewer())
    body = activity_json(session, activity)
    session.commit()
    location = url_for("cooperation.activity", activity_id=activity.id)
    return jsonify(body), 201, {"Location": location}


@bp.get("/api/cooperation/activities/<int:activity_id>")
@roles_required(*READERS)
def activity(activity_id: int):
    session = get_session()
    found = get_activity(session, activity_id, viewer())
    body = activity_json(session, found)
    today = thai_today()
    rows = list_actions(session, viewer(), today, activity_id=found.id)
    body["actions"] = [action_json(item, today) for item in rows]
    return jsonify(body), 200, PRIVATE


@bp.put("/api/cooperation/activities/<int:activity_id>")
@roles_required(*RECORDERS)
def update(activity_id: int):
    session = get_session()
    changed = update_activity(session, activity_id, parse_activity(json_body(request)), viewer())
    body = activity_json(session, changed)
    session.commit()
    return jsonify(body), 200


@bp.post("/api/cooperation/activities/<int:activity_id>/actions")
@roles_required(*RECORDERS)
def create_action(activity_id: int):
    session = get_session()
    item = add_action(session, activity_id, parse_action(json_body(request)), viewer())
    body = action_json(item, thai_today())
    session.commit()
    location = url_for("cooperation.activity", activity_id=activity_id)
    return jsonify(body), 201, {"Location": location}


@bp.get("/api/cooperation/actions")
@roles_required(*READERS)
def actions():
    only(request.args, ("overdue",))
    overdue = request.args.get("overdue", "0")
    if overdue not in ("0", "1", "true", "false"):
        raise InvalidInput(N_("{field} must be one of {known}"), field="overdue", known="0, 1")
    today = thai_today()
    rows = list_actions(get_session(), viewer(), today, only_overdue=overdue in ("1", "true"))
    return jsonify(items=[action_json(item, today) for item in rows]), 200, PRIVATE


@bp.get("/api/cooperation/about")
@roles_required(*READERS)
def about():
    """The agreements about one incident, hotspot, natural crossing or checkpoint that the
    viewer reads (``link``: ``incident_id``, ``hotspot_id``, ``natural_crossing_id`` or
    ``checkpoint_id``; ``id``: the record), with their activities; the map's popups show them."""
    only(request.args, ("link", "id"))
    link = request.args.get("link", "")
    if link not in LINKS:
        raise InvalidInput(
            N_("{field} must be one of {known}"), field="link", known=", ".join(LINKS)
        )
    raw = (request.args.get("id") or "").strip()
    if not raw.isdigit() or not 1 <= int(raw) < 2**62:
        raise InvalidInput(
            N_("{field} must be an integer from {low} to {high}"), field="id", low=1, high=2**62 - 1
        )
    today = thai_today()
    rows = items_about(get_session(), viewer(), link, int(raw))
    items = [
        {
            **action_json(item, today),
            "activity": {
                "id": activity.id,
                "title": activity.title,
                "url": url_for("cooperation.activity_page", activity_id=activity.id),
            },
        }
        for item, activity in rows
    ]
    return jsonify(items=items), 200, PRIVATE


@bp.put("/api/cooperation/actions/<int:item_id>")
@roles_required(*RECORDERS)
def change_action(item_id: int):
    session = get_session()
    item = update_action(session, item_id, parse_action(json_body(request)), viewer())
    body = action_json(item, thai_today())
    session.commit()
    return jsonify(body), 200


@bp.post("/api/cooperation/allocations")
@roles_required(*ALLOCATORS)
def allocate():
    session = get_session()
    row = create_allocation(session, parse_allocation(json_body(request)), viewer())
    body = {
        "id": row.id,
        "district_id": row.district_id,
        "fiscal_year": row.fiscal_year,
        "starts_on": row.starts_on.isoformat(),
        "ends_on": row.ends_on.isoformat(),
        "amount": f"{row.amount:.2f}",
        "source": row.source,
    }
    session.commit()
    return jsonify(body), 201, {"Location": url_for("cooperation.budget", year=row.fiscal_year)}


@bp.post("/api/cooperation/spending")
@roles_required(*SPENDERS)
def spend():
    session = get_session()
    line = add_spending(session, parse_spending(json_body(request)), viewer())
    body = {
        "id": line.id,
        "allocation_id": line.allocation_id,
        "activity_id": line.activity_id,
        "spent_on": line.spent_on.isoformat(),
        "item": line.item,
        "amount": f"{line.amount:.2f}",
        "overspend_reason": line.overspend_reason,
    }
    session.commit()
    return jsonify(body), 201, {"Location": url_for("cooperation.budget")}


@bp.get("/api/cooperation/budget")
@roles_required(*READERS)
def budget_sums():
    only(request.args, ("year",))
    year = year_param(request.args, thai_today())
    rows = budget_summary(get_session(), viewer(), year)
    return (
        jsonify(
            fiscal_year=year,
            rows=[
                {
                    "level": "district"
                    if r.district_id
                    else "province"
                    if r.province_id
                    else "all",
                    "province_id": r.province_id,
                    "district_id": r.district_id,
                    "name": r.name or None,
                    "name_th": r.name_th,
                    "allocated": f"{r.allocated:.2f}",
                    "spent": f"{r.spent:.2f}",
                }
                for r in rows
            ],
        ),
        200,
        PRIVATE,
    )
