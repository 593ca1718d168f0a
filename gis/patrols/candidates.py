"""The hotspots a planner may turn into a plan: the latest run's, ranked, and their incidents.

The planner view lists the hotspots of the latest finished run covering the viewer's districts
(:func:`gis.patrols.plans.latest_run_id`) that touch a district of the viewer's scope, best first,
and, for one hotspot, its member incidents that the viewer may see (the others are only counted).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Float, cast, func, select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.filters import scope_covers
from gis.models import District, Hotspot, HotspotMember, HotspotRun, Incident, User
from gis.parsing import THAI_TIME
from gis.patrols.plans import hotspot_districts, latest_run_id
from gis.reference.districts import find_district
from gis.text import N_

#: Most member incidents listed for one hotspot.
MAX_MEMBERS = 500


def _thai(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(THAI_TIME).isoformat(timespec="minutes")


def ranked_hotspots(session: Session, viewer: User, district: str | None = None) -> dict[str, Any]:
    """The latest run's hotspots in the viewer's districts (or in ``district``), by rank.

    Returns:
        ``{"run": {id, finished_at, params} | None, "items": [...]}``; each item has the
        hotspot's id, rank, score, counts, categories, first and last seen (Thai time), trend,
        distances to the nearest crossing and checkpoint, ``districts`` (names), the centroid's
        ``lon``/``lat``, its ``hull`` (GeoJSON) and the hull's ``bbox`` (``[w, s, e, n]``).

    Raises:
        InvalidInput: an unknown district (``district``).
        Forbidden: a district outside the viewer's scope (``district``).
    """
    scope = scope_district_ids(session, viewer)
    wanted = scope
    if district:
        try:
            found = find_district(session, district)
        except NotFound:
            raise InvalidInput(
                N_("no district matches {district!r}"), field="district", district=district
            ) from None
        if not scope_covers(scope, found.id):
            raise Forbidden(N_("the district lies outside your districts"), field="district")
        wanted = frozenset({found.id})
    run_id = latest_run_id(session, scope=wanted, visible_to=scope)
    if run_id is None:
        return {"run": None, "items": []}
    run = session.get_one(HotspotRun, run_id)
    hotspots = list(
        session.execute(select(Hotspot).where(Hotspot.run_id == run_id).order_by(Hotspot.rank))
        .scalars()
        .all()
    )
    districts = hotspot_districts(session, [h.id for h in hotspots])
    if wanted is not None:
        hotspots = [h for h in hotspots if set(districts[h.id]) & wanted]
    geo = {
        hid: (lon, lat, [w, s, e, n], json.loads(hull))
        for hid, lon, lat, w, s, e, n, hull in session.execute(
            select(
                Hotspot.id,
                cast(func.ST_X(Hotspot.centroid), Float),
                cast(func.ST_Y(Hotspot.centroid), Float),
                cast(func.ST_XMin(Hotspot.hull), Float),
                cast(func.ST_YMin(Hotspot.hull), Float),
                cast(func.ST_XMax(Hotspot.hull), Float),
                cast(func.ST_YMax(Hotspot.hull), Float),
                func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(Hotspot.hull), 6),
            ).where(Hotspot.id.in_([h.id for h in hotspots]))
        )
    }
    names = dict(session.execute(select(District.id, District.name)).all())
    items = []
    for h in hotspots:
        lon, lat, bbox, hull = geo[h.id]
        items.append(
            {
                "id": h.id,
                "rank": h.rank,
                "score": round(h.score, 3),
                "n_incidents": h.n_incidents,
                "categories": h.categories,
                "first_seen": _thai(h.first_seen),
                "last_seen": _thai(h.last_seen),
                "trend": h.trend,
                "nearest_crossing_m": h.nearest_crossing_m,
                "nearest_checkpoint_m": h.nearest_checkpoint_m,
                "districts": [names.get(d, str(d)) for d in districts[h.id]],
                "district_ids": districts[h.id],
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "bbox": [round(v, 6) for v in bbox],
                "hull": hull,
            }
        )
    return {
        "run": {"id": run.id, "finished_at": _thai(run.finished_at), "params": run.params},
        "items": items,
    }


def member_incidents(session: Session, hotspot_id: int, viewer: User) -> dict[str, Any]:
    """The incidents of a hotspot that the viewer may see (newest first) and how many others.

    Raises:
        NotFound: no such hotspot, or none of its districts is in the viewer's scope.
    """
    scope = scope_district_ids(session, viewer)
    districts = hotspot_districts(session, [hotspot_id])
    if hotspot_id not in districts or (
        scope is not None and not set(districts[hotspot_id]) & scope
    ):
        raise NotFound(N_("no such hotspot"), field="id")
    q = (
        select(Incident)
        .join(HotspotMember, HotspotMember.incident_id == Incident.id)
        .where(HotspotMember.hotspot_id == hotspot_id)
    )
    total = session.execute(select(func.count()).select_from(q.subquery())).scalar_one()
    if scope is not None:
        q = q.where(Incident.district_id.in_(sorted(scope)))
    rows = session.execute(
        q.order_by(Incident.occurred_at.desc(), Incident.id.desc()).limit(MAX_MEMBERS)
    ).scalars()
    items = [
        {
            "id": i.id,
            "category": str(i.category),
            "status": str(i.status),
            "severity": i.severity,
            "occurred_at": _thai(i.occurred_at),
        }
        for i in rows
    ]
    return {"hotspot": hotspot_id, "items": items, "total": total, "hidden": total - len(items)}
