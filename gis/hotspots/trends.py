"""Reading a run's emerging hot spots: the map layer's hexagons and the planner's list of new,
consecutive and intensifying places (see :mod:`gis.hotspots.emerging` and
:mod:`gis.hotspots.cube`).

"latest" is the newest finished run the viewer sees (:func:`gis.hotspots.queries.visible_runs`)
that holds an emerging hot spot analysis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Numeric, cast, func, literal, select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import InvalidInput
from gis.filters import in_bbox, in_scope
from gis.geojson import select_feature_collection
from gis.hotspots.emerging import EMERGING_PLACES, Emerging
from gis.hotspots.queries import get_visible_run, run_summary, visible_runs
from gis.models import District, EmergingCell, HotspotRun, Province, User
from gis.text import N_
from gis.types import BBox, RunStatus

METHOD_EMERGING = (
    "Emerging hot spot analysis: space-time Getis-Ord Gi* on the run's hexagons per time step, "
    "Mann-Kendall trend of each hexagon, categories as ArcGIS Pro defines them"
)
#: Most places listed.
MAX_PLACES = 200


def resolve_emerging_run(session: Session, viewer: User, raw: str | None) -> HotspotRun | None:
    """``run=<id>`` (a run the viewer sees) or ``latest`` / absent: the newest finished run the
    viewer sees with an emerging hot spot analysis (``None`` when there is none).

    Raises:
        InvalidInput: (``run``) not an id or ``latest``.
        NotFound: (``run``) no such run visible to the viewer.
    """
    if raw is None or raw.strip() in ("", "latest"):
        query = (
            select(HotspotRun)
            .where(visible_runs(session, viewer), HotspotRun.status == RunStatus.DONE)
            .where(HotspotRun.emerging.is_not(None))
            .order_by(HotspotRun.id.desc())
            .limit(1)
        )
        return session.execute(query).scalar_one_or_none()
    if not raw.strip().isdigit() or len(raw.strip()) > 9:
        raise InvalidInput(N_("run must be a run id or 'latest'"), field="run")
    return get_visible_run(session, int(raw), viewer)


def emerging_geojson(session: Session, run: HotspotRun | None, bbox: BBox | None = None) -> str:
    """A run's emerging hot spot hexagons: properties ``category`` (also as ``meaning``, which
    the popup explains), ``n``, ``steps``, ``hot_steps``, ``cold_steps``, ``trend_z``,
    ``trend_p``, ``final_z``, ``method``; foreign members ``run`` and ``method``."""
    c = EmergingCell
    properties = func.json_build_object(
        "category", c.category,
        "meaning", c.category,
        "n", c.n,
        "steps", c.steps,
        "hot_steps", c.hot_steps,
        "cold_steps", c.cold_steps,
        "trend_z", func.round(cast(c.trend_z, Numeric), 2),
        "trend_p", func.round(cast(c.trend_p, Numeric), 4),
        "final_z", func.round(cast(c.final_z, Numeric), 2),
        "method", literal(METHOD_EMERGING),
    )  # fmt: skip
    rows = (
        select(
            func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(c.geom), 6).label("geometry"),
            properties.label("properties"),
            c.i,
            c.j,
        )
        .where(c.run_id == (run.id if run is not None else -1), in_bbox(c.geom, bbox))
        .subquery("f")
    )
    summary = run_summary(run) if run is not None else None
    collection = select_feature_collection(
        rows,
        geometry=rows.c.geometry,
        properties=rows.c.properties,
        order_by=(rows.c.i, rows.c.j),
        members={
            "run": cast(literal(json.dumps(summary, default=str)), JSON),
            "method": literal(METHOD_EMERGING),
        },
    )
    return session.execute(collection).scalar_one()


@dataclass(frozen=True, slots=True)
class Place:
    """A hexagon of the planner's list: where, what, and the numbers behind it."""

    category: Emerging
    lon: float
    lat: float
    district: str | None
    district_th: str | None
    province: str | None
    province_th: str | None
    n: int
    steps: int
    hot_steps: int
    trend_z: float
    trend_p: float
    final_z: float


def emerging_places(
    session: Session, viewer: User, run: HotspotRun | None, limit: int = MAX_PLACES
) -> list[Place]:
    """The new, consecutive and intensifying hot spots of ``run`` (one the viewer sees) in the
    viewer's districts, in that order, the hottest final step first; each with the district its
    hexagon's centre lies in. Hexagons without incidents (hot through their neighbours only)
    are left out: a patrol goes where incidents happened."""
    if run is None:
        return []
    c = EmergingCell
    centre = func.ST_Centroid(c.geom)
    district = (
        select(District.id, District.name, District.name_th, Province.name.label("province"),
               Province.name_th.label("province_th"))
        .join(Province, Province.id == District.province_id)
        .where(func.ST_Covers(District.geom, centre))
        .limit(1)
        .lateral("d")
    )  # fmt: skip
    rank = {e.value: k for k, e in enumerate(EMERGING_PLACES)}
    rows = session.execute(
        select(
            c.category,
            func.ST_X(centre).label("lon"),
            func.ST_Y(centre).label("lat"),
            district.c.name,
            district.c.name_th,
            district.c.province,
            district.c.province_th,
            c.n,
            c.steps,
            c.hot_steps,
            c.trend_z,
            c.trend_p,
            c.final_z,
        )
        .outerjoin(district, literal(True))
        .where(c.run_id == run.id, c.category.in_([e.value for e in EMERGING_PLACES]), c.n > 0)
        .where(in_scope(scope_district_ids(session, viewer), district.c.id))
    ).all()
    places = [
        Place(
            category=Emerging(r.category),
            lon=float(r.lon),
            lat=float(r.lat),
            district=r.name,
            district_th=r.name_th,
            province=r.province,
            province_th=r.province_th,
            n=r.n,
            steps=r.steps,
            hot_steps=r.hot_steps,
            trend_z=r.trend_z,
            trend_p=r.trend_p,
            final_z=r.final_z,
        )
        for r in rows
    ]
    places.sort(key=lambda p: (rank[p.category.value], -p.final_z))
    return places[:limit]


def places_json(places: list[Place]) -> list[dict[str, Any]]:
    """The places as JSON-ready data."""
    return [
        {
            "category": p.category.value,
            "lon": round(p.lon, 6),
            "lat": round(p.lat, 6),
            "district": p.district,
            "district_th": p.district_th,
            "province": p.province,
            "province_th": p.province_th,
            "n": p.n,
            "steps": p.steps,
            "hot_steps": p.hot_steps,
            "trend_z": round(p.trend_z, 2),
            "trend_p": round(p.trend_p, 4),
            "final_z": round(p.final_z, 2),
        }
        for p in places
    ]
