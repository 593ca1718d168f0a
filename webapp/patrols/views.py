"""HTML of patrol plans: the printable sheet (``/patrols/<id>/sheet``) and the planner view
(``/planner``), both in the shared layout and in the reader's language.

The sheet prints on A4 without navigation and without a tile server: its map is an SVG drawn by
PostGIS (:mod:`gis.patrols.sheet`), with its few words given here in the reader's language. The
planner view is the map page's machinery (:func:`layers.mapbuild.build_map` and
``static/js/layers.js``) with the hotspot, hexagon, Gi* and coverage layers, and
``static/js/planner.js`` for the ranked list, the profiles and the "make a plan" form; the
script's configuration carries the vocabularies' labels, so that it never shows a stored value.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app, render_template, url_for
from flask_babel import format_decimal, get_locale, gettext, pgettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.hotspots.runs import RUN_ROLES
from gis.models import Checkpoint, CoordinationCentre, District
from gis.patrols.plans import PLANNERS, READERS, get_plan, plan_stops, plan_summary
from gis.patrols.sheet import SheetWords, sheet_map
from gis.types import IncidentCategory, IncidentStatus, PatrolUnit, RunStatus, StopOutcome
from layers.registry import visible_layers
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.map.views import viewer_map
from webapp.patrols import bp
from webapp.vocab import label, labels

#: The hotspot layers of the planner view, and the method that draws each (said in the page
#: under the layer's own title).
METHODS = {
    "hotspots": _l(
        "DBSCAN clusters (exact, in metres): the hull of each cluster's incidents, ranked by a "
        "recency-weighted severity score"
    ),
    "hexagons": _l("Incident counts per hexagon (ST_HexagonGrid)"),
    "gistar": _l(
        "Getis-Ord Gi* on the hexagon counts: hot and cold spots at 90/95/99 % confidence, "
        "false discovery rate corrected"
    ),
    "corridor": _l(
        "Watch corridor: buffers around the Mekong boundary, the land border and the natural "
        "crossings"
    ),
    "coverage": _l("Hotspots of the latest run that no patrol has visited in the last 14 days"),
}


def thai_page() -> bool:
    """Whether the page is in Thai (places then read by their Thai names)."""
    locale = get_locale()
    return locale is None or locale.language == "th"


def place_name(name: str, name_th: str | None) -> str:
    """A place by its Thai name on Thai pages (when it has one), by its English name otherwise."""
    return name_th if name_th and thai_page() else name


def centre_name(name: str | None, district: str, district_th: str | None) -> str:
    """A coordination centre as the page's language names it: the centre named after its
    district ("NTS-MWCC Chiang Khong", as made for every target district) reads "ศปก.อ.เชียงของ"
    on Thai pages; a centre with a name of its own keeps it."""
    if name is None:
        return gettext("The district's NTS-MWCC")
    if name == f"NTS-MWCC {district}" and district_th and thai_page():
        return gettext("NTS-MWCC %(district)s", district=district_th)
    return name


def start_name(session: Session, start: dict[str, Any], district: dict[str, Any]) -> str:
    """The name of a plan's start (its checkpoint or the district's centre) in the page's
    language."""
    if start["kind"] == "checkpoint":
        name_th = session.execute(
            select(Checkpoint.name_th).where(Checkpoint.id == start["checkpoint_id"])
        ).scalar()
        return place_name(start["name"] or "–", name_th)
    return centre_name(start["name"], district["name"], district["name_th"])


def distance(metres: float | None) -> str:
    """A distance in the reader's language and units: "31.9 กม.", "850 ม.", "31.9 km"."""
    if metres is None:
        return "–"
    if metres >= 1000:
        return gettext("{n} km").format(n=format_decimal(metres / 1000, format="#,##0.0"))
    return gettext("{n} m").format(n=format_decimal(round(metres), format="#,##0"))


def sheet_words() -> SheetWords:
    """The words on the sheet's map, in the reader's language."""
    return SheetWords(
        title=gettext("Route of patrol plan {plan}"),
        start=pgettext("the start's letter on the sheet's map", "S"),
        north=pgettext("north arrow's letter", "N"),
        km=gettext("{n} km"),
        m=gettext("{n} m"),
    )


def method_texts() -> list[dict[str, str]]:
    """Each hotspot layer the viewer sees: its title and the method that draws it."""
    return [
        {"name": spec.name, "title": gettext(spec.title), "text": str(METHODS[spec.name])}
        for spec in visible_layers(current_user.role)
        if spec.name in METHODS
    ]


@bp.get("/patrols/<int:plan_id>/sheet")
@roles_required(*READERS)
def sheet(plan_id: int):
    session = get_session()
    plan = get_plan(session, plan_id, viewer())
    summary = plan_summary(session, plan.id)
    drawn = sheet_map(session, plan.id, sheet_words())
    district = summary["district"]
    page = render_template(
        "patrols/sheet.html",
        plan=summary,
        district_name=place_name(district["name"], district["name_th"]),
        start_name=start_name(session, summary["start"], district),
        other_name=district["name"] if thai_page() else district["name_th"],
        planned_for=dt.date.fromisoformat(summary["planned_for"]),
        created_at=dt.datetime.fromisoformat(summary["created_at"]),
        stops=plan_stops(session, plan.id),
        svg=Markup(drawn.svg),  # noqa: S704 # nosec B704 - numbers and escaped words (gis/patrols/sheet.py)
        frame=(distance(drawn.width_m), distance(drawn.height_m)),
        unit_label=label(PatrolUnit(summary["unit"])),
        outcomes=labels(StopOutcome),
        categories=labels(IncidentCategory),
        distance=distance,
        day=dt.date.fromisoformat,
        back_url=url_for("patrols.planner" if current_user.role in PLANNERS else "map.index"),
    )
    return page, {"Cache-Control": "private, no-store"}


def planner_config() -> dict[str, Any]:
    """What static/js/planner.js needs: the account's districts, the starts, the API's URLs, and
    the words of the vocabularies it shows."""
    session = get_session()
    scope = scope_district_ids(session, viewer())
    q = select(District.id, District.pcode, District.name, District.name_th).where(District.target)
    if scope is not None:
        q = q.where(District.id.in_(sorted(scope)))
    rows = session.execute(q).all()
    ids = [row.id for row in rows]
    checkpoints = [
        {"id": i, "name": place_name(n, n_th), "district_id": d}
        for i, n, n_th, d in session.execute(
            select(Checkpoint.id, Checkpoint.name, Checkpoint.name_th, Checkpoint.district_id)
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
    districts = sorted(
        (
            {
                "id": row.id,
                "pcode": row.pcode,
                "name": place_name(row.name, row.name_th),
                "centre": centre_name(centres.get(row.id), row.name, row.name_th),
            }
            for row in rows
        ),
        key=lambda d: d["name"],
    )
    return {
        "districts": districts,
        "checkpoints": checkpoints,
        "units": labels(PatrolUnit),
        "categories": labels(IncidentCategory),
        "statuses": labels(IncidentStatus),
        "runStatuses": labels(RunStatus),
        "patrolsUrl": url_for("patrols.create"),
        "profileUrl": url_for("patrols.profile"),
        "sheetUrl": url_for("patrols.sheet", plan_id=0).replace("/0/", "/{id}/"),
        "planUrl": url_for("patrols.show", plan_id=0).replace("/0", "/{id}"),
        "hotspotsUrl": url_for("patrols.hotspots"),
        "hotspotIncidentsUrl": url_for("patrols.hotspot_incidents", hotspot_id=0).replace(
            "/0/", "/{id}/"
        ),
        "runsUrl": runs if may_run else None,
        "plansUrl": url_for("patrols.index"),
    }


@bp.get("/planner")
@roles_required(*PLANNERS)
def planner():
    config = planner_config()
    page = render_template(
        "patrols/planner.html",
        map=viewer_map(),
        planner=config,
        methods=method_texts(),
    )
    return page, {"Cache-Control": "no-store"}
