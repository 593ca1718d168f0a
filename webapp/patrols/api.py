"""JSON API of patrol plans (see :mod:`gis.patrols.plans` for who may do what).

- ``POST /api/patrols``: make a plan (planners); 201 with ``Location`` and the plan.
- ``GET /api/patrols?district=&from=&to=``: plans of the viewer's districts.
- ``GET /api/patrols/<id>``: one plan as a GeoJSON Feature (the route) with its ``stops``.
- ``POST /api/patrols/<id>/stops/<seq>/outcome``: what the patrol found there; 201 with the
  incident's ``Location`` when it stored a new incident, 200 otherwise.
- ``GET /api/patrols/profile?hotspots=1,2``: incidents of those hotspots by hour of the day and
  day of the week (Thai time), and the window a plan would suggest.
- ``GET /api/patrols/hotspots?district=``: the latest run's hotspots in the viewer's districts,
  ranked; ``GET /api/patrols/hotspots/<id>/incidents``: a hotspot's incidents the viewer may see.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, request, url_for

from gis.errors import InvalidInput
from gis.parsing import THAI_TIME, parse_day
from gis.patrols.candidates import member_incidents, ranked_hotspots
from gis.patrols.outcomes import outcome_json, record_outcome
from gis.patrols.plans import (
    DEFAULT_WINDOW_HOURS,
    MAX_WINDOW_HOURS,
    PLANNERS,
    READERS,
    create_plan,
    get_plan,
    hotspot_profile,
    list_plans,
    parse_plan,
    plan_geojson,
)
from gis.text import N_
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.incidents.schemas import json_body
from webapp.notify.hooks import plan_made
from webapp.params import only, parse_int
from webapp.patrols import bp


def _thai_today() -> dt.date:
    return dt.datetime.now(THAI_TIME).date()


def _day_param(field: str) -> dt.date | None:
    raw = request.args.get(field)
    return parse_day(raw, field) if raw else None


@bp.post("/api/patrols")
@roles_required(*PLANNERS)
def create():
    req = parse_plan(json_body(request), _thai_today())
    session = get_session()
    made = create_plan(session, req, viewer())
    plan_made(session, made.plan)  # the unit's leaders are told in the same commit
    body = plan_geojson(session, made.plan)
    body["tour"] = {"method": made.tour.method, "length_m_utm": round(made.tour.length_m, 1)}
    body["properties"]["window_incidents"] = made.window_incidents
    session.commit()
    location = url_for("patrols.show", plan_id=made.plan.id)
    sheet = url_for("patrols.sheet", plan_id=made.plan.id)
    body["links"] = {"self": location, "sheet": sheet}
    return jsonify(body), 201, {"Location": location}


@bp.get("/api/patrols")
@roles_required(*READERS)
def index():
    only(request.args, ("district", "from", "to"))
    since, until = _day_param("from"), _day_param("to")
    if since and until and since > until:
        raise InvalidInput(N_("from lies after to"), field="from")
    items = list_plans(
        get_session(), viewer(), district=request.args.get("district") or None, since=since,
        until=until,
    )  # fmt: skip
    for item in items:
        item["links"] = {
            "self": url_for("patrols.show", plan_id=item["id"]),
            "sheet": url_for("patrols.sheet", plan_id=item["id"]),
        }
    return jsonify(items=items)


@bp.get("/api/patrols/<int:plan_id>")
@roles_required(*READERS)
def show(plan_id: int):
    session = get_session()
    body = plan_geojson(session, get_plan(session, plan_id, viewer()))
    body["links"] = {"sheet": url_for("patrols.sheet", plan_id=plan_id)}
    return jsonify(body), 200, {"Cache-Control": "private, no-store"}


@bp.post("/api/patrols/<int:plan_id>/stops/<int:seq>/outcome")
@roles_required(*READERS)
def outcome(plan_id: int, seq: int):
    session = get_session()
    now = dt.datetime.now(dt.UTC)
    secret = current_app.config["SECRET_KEY"]
    key_secret = secret if isinstance(secret, bytes) else str(secret).encode()
    recorded = record_outcome(
        session, plan_id, seq, json_body(request), viewer(), now, key_secret=key_secret
    )
    body = outcome_json(recorded)
    session.commit()  # before replying: a found incident is stored
    if recorded.incident_created and recorded.incident is not None:
        location = url_for("incidents.show", incident_id=recorded.incident.id)
        return jsonify(body), 201, {"Location": location}
    return jsonify(body), 200


@bp.get("/api/patrols/profile")
@roles_required(*READERS)
def profile():
    only(request.args, ("hotspots", "window_hours"))
    raw = request.args.get("hotspots", "")
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError:
        raise InvalidInput(
            N_("hotspots must be hotspot ids, comma-separated"), field="hotspots"
        ) from None
    hours = parse_int(request.args, "window_hours", DEFAULT_WINDOW_HOURS, 1, MAX_WINDOW_HOURS)
    body = hotspot_profile(get_session(), ids, viewer(), hours or DEFAULT_WINDOW_HOURS)
    return jsonify(body), 200, {"Cache-Control": "private, no-store"}


@bp.get("/api/patrols/hotspots")
@roles_required(*READERS)
def hotspots():
    only(request.args, ("district",))
    body = ranked_hotspots(get_session(), viewer(), request.args.get("district") or None)
    return jsonify(body), 200, {"Cache-Control": "private, no-store"}


@bp.get("/api/patrols/hotspots/<int:hotspot_id>/incidents")
@roles_required(*READERS)
def hotspot_incidents(hotspot_id: int):
    only(request.args, ())
    body = member_incidents(get_session(), hotspot_id, viewer())
    return jsonify(body), 200, {"Cache-Control": "private, no-store"}
