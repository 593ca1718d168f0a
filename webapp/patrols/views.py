"""HTML of patrol plans: the printable sheet (``/patrols/<id>/sheet``) and the planner view
(``/planner``).

The sheet prints on A4 without navigation and without a tile server: its map is an SVG drawn by
PostGIS (:mod:`gis.patrols.sheet`). The planner view is the map page's machinery
(:func:`layers.mapbuild.build_map` and ``static/js/layers.js``) with the hotspot, hexagon, Gi*
and coverage layers, and ``static/js/planner.js`` for the ranked list, the profiles and the
"make a plan" form.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from gis.accounts.scope import scope_district_ids
from gis.hotspots.runs import RUN_ROLES
from gis.models import Checkpoint, CoordinationCentre, District
from gis.patrols.plans import PLANNERS, READERS, get_plan, plan_stops, plan_summary
from gis.patrols.sheet import sheet_map
from gis.types import IncidentCategory, PatrolUnit, StopOutcome
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.map.views import viewer_map
from webapp.patrols import bp

UNIT_LABELS = {
    PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS: "Village security volunteers",
    PatrolUnit.POLICE: "Police",
    PatrolUnit.BORDER_PATROL_POLICE: "Border Patrol Police",
    PatrolUnit.JOINT_PATROL: "Joint patrol with the counterpart across the border",
}
OUTCOME_LABELS = {
    StopOutcome.VISITED: "Visited",
    StopOutcome.NOTHING_FOUND: "Nothing found",
    StopOutcome.INCIDENT_FOUND: "Incident found",
}
#: The hotspot layers of the planner view, and the method that draws each (said in the page).
METHODS = {
    "hotspots": "DBSCAN clusters (exact, in metres): the hull of each cluster's incidents, "
    "ranked by a recency-weighted severity score",
    "hexagons": "incident counts per hexagon (ST_HexagonGrid)",
    "gistar": "Getis-Ord Gi* on the hexagon counts: hot and cold spots at 90/95/99 % "
    "confidence, false discovery rate corrected",
    "corridor": "watch corridor: buffers around the Mekong boundary, the land border and the "
    "natural crossings",
    "coverage": "hotspots of the latest run that no patrol has visited in the last 14 days",
}


@bp.get("/patrols/<int:plan_id>/sheet")
@roles_required(*READERS)
def sheet(plan_id: int):
    session = get_session()
    plan = get_plan(session, plan_id, viewer())
    summary = plan_summary(session, plan.id)
    drawn = sheet_map(session, plan.id)
    page = render_template(
        "patrols/sheet.html",
        plan=summary,
        stops=plan_stops(session, plan.id),
        svg=Markup(drawn.svg),  # noqa: S704 # nosec B704 - numbers and fixed text only (gis/patrols/sheet.py)
        frame_km=(drawn.width_m / 1000, drawn.height_m / 1000),
        unit_label=UNIT_LABELS[PatrolUnit(summary["unit"])],
        outcomes=OUTCOME_LABELS,
        categories=[c.value for c in IncidentCategory],
    )
    return page, {"Cache-Control": "private, no-store"}


def planner_config() -> dict[str, Any]:
    """What static/js/planner.js needs: the account's districts, the starts, the API's URLs."""
    session = get_session()
    scope = scope_district_ids(session, viewer())
    q = select(District.id, District.pcode, District.name).where(District.target)
    if scope is not None:
        q = q.where(District.id.in_(sorted(scope)))
    districts: list[dict[str, Any]] = [
        {"id": i, "pcode": p, "name": n} for i, p, n in session.execute(q.order_by(District.name))
    ]
    ids = [d["id"] for d in districts]
    checkpoints = [
        {"id": i, "name": n, "district_id": d}
        for i, n, d in session.execute(
            select(Checkpoint.id, Checkpoint.name, Checkpoint.district_id)
            .where(Checkpoint.district_id.in_(ids))
            .order_by(Checkpoint.name)
        )
    ]
    centres = dict(
        session.execute(
            select(CoordinationCentre.district_id, CoordinationCentre.name).where(
                CoordinationCentre.district_id.in_(ids)
            )
        ).all()
    )
    runs = "/api/hotspots/runs"
    may_run = current_user.role in RUN_ROLES and any(
        r.rule == runs and "POST" in (r.methods or ()) for r in current_app.url_map.iter_rules()
    )
    return {
        "districts": [{**d, "centre": centres.get(d["id"])} for d in districts],
        "checkpoints": checkpoints,
        "units": [[u.value, label] for u, label in UNIT_LABELS.items()],
        "categories": [c.value for c in IncidentCategory],
        "patrolsUrl": url_for("patrols.create"),
        "profileUrl": url_for("patrols.profile"),
        "sheetUrl": url_for("patrols.sheet", plan_id=0).replace("/0/", "/{id}/"),
        "hotspotsUrl": url_for("patrols.hotspots"),
        "hotspotIncidentsUrl": url_for("patrols.hotspot_incidents", hotspot_id=0).replace(
            "/0/", "/{id}/"
        ),
        "runsUrl": runs if may_run else None,
        "plansUrl": url_for("patrols.index"),
        "methods": METHODS,
    }


@bp.get("/planner")
@roles_required(*PLANNERS)
def planner():
    page = render_template(
        "patrols/planner.html",
        map=viewer_map(),
        planner=planner_config(),
        methods=METHODS,
    )
    return page, {"Cache-Control": "no-store"}
