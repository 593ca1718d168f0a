"""Reading hotspot runs: who sees which run, the ranked hotspots, their incidents, the Gi*
cells and the live hexagon counts (the API and the map layers call these).

Who sees what:

- runs are seen by :data:`VIEW_ROLES`; a run is visible to an account when every district it
  covers is in the account's scope (:func:`gis.accounts.scope.scope_district_ids`); national runs
  (no district list) only to national roles (HQ analysts, administrators);
- the incidents of a hotspot are those of its members the viewer may see on the map
  (:func:`gis.incidents.map_layer.visible_to`);
- the live hexagon layer counts the incidents the viewer may see (the incidents layer's rules).

GeoJSON of a run's hotspots (:func:`hotspots_geojson`): polygons (the padded hulls), ranked,
with the properties ``id``, ``rank``, ``score``, ``n_incidents``, ``categories`` (category ->
count), ``first_seen``, ``last_seen``, ``trend`` (``recent_30 − previous_30``), ``recent_30``,
``previous_30``, ``district_ids``, ``districts`` (names), ``parallel_area_ids``,
``parallel_areas`` (names), ``nearest_crossing`` / ``nearest_checkpoint`` (names),
``nearest_crossing_id`` / ``nearest_checkpoint_id``, ``nearest_crossing_m`` /
``nearest_checkpoint_m`` (metres from the hull), ``centroid`` ([lon, lat]) and ``run_id``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from sqlalchemy import (
    JSON,
    ColumnElement,
    Double,
    Integer,
    Numeric,
    Text,
    and_,
    cast,
    column,
    false,
    func,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.db import METRIC_SRID, SRID
from gis.errors import InvalidInput, NotFound
from gis.filters import in_bbox
from gis.geojson import json_object, select_feature_collection
from gis.hotspots.engine import fetch_xy
from gis.hotspots.gistar import hex_cells, hex_centres
from gis.hotspots.runs import progress_fraction
from gis.incidents.map_layer import on_a_layer, visible_to
from gis.models import (
    Checkpoint,
    District,
    Hotspot,
    HotspotCell,
    HotspotMember,
    HotspotRun,
    Incident,
    NaturalCrossing,
    ParallelArea,
    User,
)
from gis.text import N_
from gis.types import BBox, IncidentStatus, Role, RunStatus

#: Roles that see hotspot runs and their layers.
VIEW_ROLES = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.ADMINISTRATOR, Role.COORDINATOR})
#: Most runs listed in one answer.
MAX_RUNS = 100
#: Hexagon size (edge, metres) of the live layer by zoom: about 25 pixels across.
MIN_HEX_M, MAX_HEX_M = 250.0, 50_000.0
#: Statuses counted by the live hexagon layer.
HEX_STATUSES = (IncidentStatus.VERIFIED, IncidentStatus.REFERRED, IncidentStatus.CLOSED)


# --------------------------------------------------------------------------- runs


def visible_runs(session: Session, viewer: User) -> ColumnElement[bool]:
    """SQL condition: runs ``viewer`` may see (see the module docstring)."""
    if Role(viewer.role) not in VIEW_ROLES or not viewer.is_active:
        return false()
    return readable_runs(viewer, scope_district_ids(session, viewer))


def readable_runs(viewer: User, scope: frozenset[int] | None) -> ColumnElement[bool]:
    """SQL condition: runs ``viewer`` may see, its scope already read (the rule of
    :func:`visible_runs`, which the export's hotspot collections share).

    Args:
        viewer: the account.
        scope: its districts (:func:`gis.accounts.scope.scope_district_ids`; ``None``: all).

    Returns:
        A condition on :class:`~gis.models.HotspotRun` for a ``WHERE`` clause.
    """
    if Role(viewer.role) not in VIEW_ROLES or not viewer.is_active:
        return false()
    if scope is None:
        return true()
    return and_(
        HotspotRun.district_ids.is_not(None),
        HotspotRun.district_ids.contained_by(cast(sorted(scope), ARRAY(Integer))),
    )


def get_visible_run(session: Session, run_id: int, viewer: User) -> HotspotRun:
    """The run if ``viewer`` may see it.

    Raises:
        NotFound: (``run``) no such run or not visible (the same answer).
    """
    run = session.execute(
        select(HotspotRun).where(HotspotRun.id == run_id, visible_runs(session, viewer))
    ).scalar_one_or_none()
    if run is None:
        raise NotFound(N_("There is no hotspot run with this id."), field="run")
    return run


def run_summary(run: HotspotRun) -> dict[str, Any]:
    """A run as the API shows it."""

    def when(value: Any) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": run.id,
        "status": RunStatus(run.status).value,
        "progress": progress_fraction(run.progress),
        "params": run.params,
        "district_ids": run.district_ids,
        "created_at": when(run.created_at),
        "started_at": when(run.started_at),
        "finished_at": when(run.finished_at),
        "n_incidents": run.n_incidents,
        "n_clusters": run.n_clusters,
        "engine": run.engine,
        "gistar": run.gistar,
        "emerging": run.emerging,
        "error": run.error,
    }


def list_runs(
    session: Session, viewer: User, *, latest: bool = False, limit: int = 20
) -> list[HotspotRun]:
    """Runs ``viewer`` may see, newest first; ``latest``: only the newest finished one."""
    query = select(HotspotRun).where(visible_runs(session, viewer))
    if latest:
        query = query.where(HotspotRun.status == RunStatus.DONE)
        limit = 1
    return list(session.execute(query.order_by(HotspotRun.id.desc()).limit(limit)).scalars().all())


def resolve_run(session: Session, viewer: User, raw: str | None) -> HotspotRun | None:
    """The run a layer asks for: ``run=<id>`` or ``latest`` / absent (the newest finished run
    the viewer sees, ``None`` if there is none).

    Raises:
        InvalidInput: (``run``) not an id or ``latest``.
        NotFound: (``run``) no such run visible to the viewer.
    """
    if raw is None or raw.strip() in ("", "latest"):
        runs = list_runs(session, viewer, latest=True)
        return runs[0] if runs else None
    if not raw.strip().isdigit() or len(raw.strip()) > 9:
        raise InvalidInput(N_("run must be a run id or 'latest'"), field="run")
    return get_visible_run(session, int(raw), viewer)


# --------------------------------------------------------------------------- hotspots


def _names(model: Any, ids: Any) -> Any:
    """Names of the ``model`` rows whose ids the JSON array ``ids`` (a column of the enclosing
    query, correlated) holds, in id order."""
    return (
        select(func.coalesce(func.json_agg(aggregate_order_by(model.name, model.id)), "[]"))
        .where(ids.op("@>")(func.jsonb_build_array(model.id)))
        .scalar_subquery()
    )


def _metres(value: Any) -> Any:
    return func.round(cast(value, Numeric))


def _hotspot_rows(run_id: int, bbox: BBox | None = None) -> Any:
    crossing = select(NaturalCrossing.name).where(NaturalCrossing.id == Hotspot.nearest_crossing_id)
    checkpoint = select(Checkpoint.name).where(Checkpoint.id == Hotspot.nearest_checkpoint_id)
    properties = func.json_build_object(
        "id", Hotspot.id,
        "run_id", Hotspot.run_id,
        "rank", Hotspot.rank,
        "score", func.round(cast(Hotspot.score, Numeric), 3),
        "n_incidents", Hotspot.n_incidents,
        "categories", Hotspot.categories,
        "first_seen", Hotspot.first_seen,
        "last_seen", Hotspot.last_seen,
        "trend", Hotspot.trend,
        "recent_30", Hotspot.recent_30,
        "previous_30", Hotspot.previous_30,
        "district_ids", Hotspot.district_ids,
        "districts", _names(District, Hotspot.district_ids),
        "parallel_area_ids", Hotspot.parallel_area_ids,
        "parallel_areas", _names(ParallelArea, Hotspot.parallel_area_ids),
        "nearest_crossing_id", Hotspot.nearest_crossing_id,
        "nearest_crossing", crossing.scalar_subquery(),
        "nearest_crossing_m", _metres(Hotspot.nearest_crossing_m),
        "nearest_checkpoint_id", Hotspot.nearest_checkpoint_id,
        "nearest_checkpoint", checkpoint.scalar_subquery(),
        "nearest_checkpoint_m", _metres(Hotspot.nearest_checkpoint_m),
        "centroid",
        func.json_build_array(
            func.round(cast(func.ST_X(Hotspot.centroid), Numeric), 6),
            func.round(cast(func.ST_Y(Hotspot.centroid), Numeric), 6),
        ),
    )  # fmt: skip
    return (
        select(
            Hotspot.id.label("id"),
            Hotspot.rank.label("rank"),
            func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(Hotspot.hull), 6).label("geometry"),
            properties.label("properties"),
        )
        .where(Hotspot.run_id == run_id, in_bbox(Hotspot.hull, bbox))
        .order_by(Hotspot.rank)
    )


def hotspots_geojson(session: Session, run: HotspotRun | None, bbox: BBox | None = None) -> str:
    """A run's hotspots as a FeatureCollection ranked by score (rank 1 first); foreign members
    ``run`` (:func:`run_summary`, ``null`` without a run) and ``method``."""
    rows = _hotspot_rows(run.id if run is not None else -1, bbox).subquery("f")
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=rows.c.geometry,
        properties=rows.c.properties,
        order_by=(rows.c.rank,),
        members=_run_members(run, METHOD_DBSCAN),
    )
    return session.execute(collection).scalar_one()


def ranked_hotspots(session: Session, run_id: int, limit: int | None = None) -> list[dict]:
    """A run's hotspots' properties, rank 1 first."""
    query = _hotspot_rows(run_id)
    if limit is not None:
        query = query.limit(limit)
    return [dict(row.properties) for row in session.execute(query)]


METHOD_DBSCAN = (
    "DBSCAN clusters (exact, in metres, UTM 48N): hull of each cluster padded by 50 m; "
    "score = sum of severity weights halving every half-life days"
)
METHOD_GISTAR = (
    "Getis-Ord Gi* on hexagon counts of the run (six neighbours, cell included), "
    "hot/cold at 90/95/99 % confidence after the False Discovery Rate correction"
)
METHOD_HEXAGONS = "Incident counts per hexagon (ST_HexagonGrid), live, of the incidents you see"


def _json(value: Any) -> str:
    import json

    return json.dumps(value, default=str)


def _run_members(run: HotspotRun | None, method: str) -> dict[str, Any]:
    """Foreign members of a run's layer: ``run`` (:func:`run_summary`, ``null`` without a run)
    and ``method`` (what drew the layer)."""
    summary = run_summary(run) if run is not None else None
    return {"run": cast(literal(_json(summary)), JSON), "method": literal(method)}


def hotspot_incidents_geojson(session: Session, hotspot_id: int, viewer: User) -> str:
    """The incidents of a hotspot that ``viewer`` may see, as points (newest first).

    Raises:
        NotFound: (``hotspot``) no such hotspot, or its run is not visible to the viewer.
    """
    run_id = session.execute(
        select(Hotspot.run_id)
        .join(HotspotRun, HotspotRun.id == Hotspot.run_id)
        .where(Hotspot.id == hotspot_id, visible_runs(session, viewer))
    ).scalar()
    if run_id is None:
        raise NotFound(N_("There is no hotspot with this id."), field="hotspot")
    properties = func.json_build_object(
        "id", Incident.id,
        "category", Incident.category,
        "status", Incident.status,
        "severity", Incident.severity,
        "occurred_at", Incident.occurred_at,
        "district", District.name,
    )  # fmt: skip
    rows = (
        select(
            Incident.id.label("id"),
            Incident.occurred_at.label("at"),
            func.ST_AsGeoJSON(Incident.geom, 6).label("geometry"),
            properties.label("properties"),
        )
        .join(HotspotMember, HotspotMember.incident_id == Incident.id)
        .join(District, District.id == Incident.district_id)
        .where(HotspotMember.hotspot_id == hotspot_id, visible_to(session, viewer), on_a_layer())
        .subquery("f")
    )
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=rows.c.geometry,
        properties=rows.c.properties,
        order_by=(rows.c.at.desc(), rows.c.id.desc()),
        members={"hotspot_id": literal(hotspot_id)},
    )
    return session.execute(collection).scalar_one()


# --------------------------------------------------------------------------- Gi* and hexagons


GISTAR_BINS = {
    3: "hot spot, 99 % confidence",
    2: "hot spot, 95 % confidence",
    1: "hot spot, 90 % confidence",
    0: "not significant",
    -1: "cold spot, 90 % confidence",
    -2: "cold spot, 95 % confidence",
    -3: "cold spot, 99 % confidence",
}


def gistar_geojson(session: Session, run: HotspotRun | None, bbox: BBox | None = None) -> str:
    """A run's Gi* hexagons: properties ``n``, ``z``, ``p``, ``bin`` (-3..3), ``bin_label``,
    ``method``; foreign members ``run`` and ``method`` (what drew the layer)."""
    label = func.json_build_object(*[x for k, v in GISTAR_BINS.items() for x in (str(k), v)])
    properties = func.json_build_object(
        "n", HotspotCell.n,
        "z", func.round(cast(HotspotCell.z, Numeric), 3),
        "p", HotspotCell.p,
        "bin", HotspotCell.bin,
        "bin_label", label.op("->>")(cast(HotspotCell.bin, Text)),
        "method", literal(METHOD_GISTAR),
    )  # fmt: skip
    rows = (
        select(
            func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(HotspotCell.geom), 6).label("geometry"),
            properties.label("properties"),
            HotspotCell.i,
            HotspotCell.j,
        )
        .where(
            HotspotCell.run_id == (run.id if run is not None else -1),
            in_bbox(HotspotCell.geom, bbox),
        )
        .subquery("f")
    )
    collection = select_feature_collection(
        rows,
        geometry=rows.c.geometry,
        properties=rows.c.properties,
        order_by=(rows.c.i, rows.c.j),
        members=_run_members(run, METHOD_GISTAR),
    )
    return session.execute(collection).scalar_one()


def hex_size_for_zoom(zoom: int | None) -> float:
    """Hexagon edge (metres) about 12 pixels long at ``zoom`` (5 km without a zoom)."""
    if zoom is None:
        return 5_000.0
    metres_per_pixel = 156_543.0 * math.cos(math.radians(15.0)) / 2**zoom
    return min(MAX_HEX_M, max(MIN_HEX_M, round(metres_per_pixel * 12, -1)))


def hexagons_geojson(
    session: Session, viewer: User, bbox: BBox | None, zoom: int | None, size_m: float | None
) -> str:
    """Live hexagon counts of the incidents ``viewer`` may see (verified, referred or closed)
    in ``bbox``: properties ``n`` and ``size_m``; foreign members ``method`` and ``size_m``.

    The points are fetched by binary COPY and binned in numpy into ``ST_HexagonGrid``'s cells
    (:func:`gis.hotspots.gistar.hex_cells`); only the occupied cells' polygons are drawn by PostGIS.

    Raises:
        InvalidInput: (``size``) more than :data:`MAX_HEXAGONS` cells: zoom in or choose
            larger hexagons.
    """
    size = size_m if size_m is not None else hex_size_for_zoom(zoom)
    points = select(func.ST_X(Incident.geom), func.ST_Y(Incident.geom)).where(
        visible_to(session, viewer),
        on_a_layer(),
        Incident.status.in_([s.value for s in HEX_STATUSES]),
        in_bbox(Incident.geom, bbox),
    )
    xy = fetch_xy(session, points)
    i, j = hex_cells(xy, size)
    cells, counts = np.unique(np.column_stack([i, j]), axis=0, return_counts=True)
    if len(cells) > MAX_HEXAGONS:
        raise InvalidInput(
            N_(
                "{field}: {count:,} hexagons in this view (at most {most:,}): zoom in or "
                "choose larger hexagons"
            ),
            field="size",
            count=len(cells),
            most=MAX_HEXAGONS,
        )
    centres = hex_centres(cells[:, 0], cells[:, 1], size)
    rows = _HEXAGON_ROWS.bindparams(
        i=cells[:, 0].tolist(),
        j=cells[:, 1].tolist(),
        n=counts.tolist(),
        x=centres[:, 0].tolist(),
        y=centres[:, 1].tolist(),
        size=size,
        metric=METRIC_SRID,
        srid=SRID,
    ).subquery("v")
    edge = cast(literal(size), Double)
    collection = select_feature_collection(
        rows,
        geometry=rows.c.geometry,
        properties=json_object({"n": rows.c.n, "size_m": edge}),
        order_by=(rows.c.i, rows.c.j),
        members={"method": literal(METHOD_HEXAGONS), "size_m": edge},
    )
    return str(session.execute(collection).scalar_one())


#: Most hexagons in one answer of the live layer.
MAX_HEXAGONS = 20_000

#: The occupied hexagons (cell ``i``, ``j`` and count ``n`` given as arrays; the centre ``x``,
#: ``y`` picks the cell of ``ST_HexagonGrid``) with their polygon as GeoJSON text.
_HEXAGON_ROWS = text(
    """
    SELECT v.i, v.j, v.n,
           ST_AsGeoJSON(ST_ForcePolygonCCW(ST_Transform(h.geom, :srid)), 6) AS geometry
    FROM unnest(CAST(:i AS int[]), CAST(:j AS int[]), CAST(:n AS int[]),
                CAST(:x AS float8[]), CAST(:y AS float8[])) AS v(i, j, n, x, y)
    CROSS JOIN LATERAL ST_HexagonGrid(:size, ST_SetSRID(ST_MakePoint(v.x, v.y), :metric)) h
    WHERE h.i = v.i AND h.j = v.j
    """
).columns(
    column("i", Integer), column("j", Integer), column("n", Integer), column("geometry", Text)
)


def check_hex_size(raw: str | None) -> float | None:
    """The ``size`` parameter of the hexagon layer (metres; the smallest of a comma-separated
    list, as the layer's filter form sends ticked sizes), or ``None``.

    Raises:
        InvalidInput: (``size``) not a number within 250..50,000.
    """
    if raw is None or raw == "":
        return None
    try:
        value = min(float(part) for part in raw.split(","))
    except ValueError:
        raise InvalidInput(N_("size must be a number of metres"), field="size") from None
    if not MIN_HEX_M <= value <= MAX_HEX_M:  # False for NaN
        raise InvalidInput(N_("size must be between 250 and 50,000 metres"), field="size")
    return value
