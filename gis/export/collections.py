"""The registry of exportable collections: one entry per collection (:data:`COLLECTIONS`).

Each entry names its table, its geometry, who may read it, the filters it takes and its
properties. Properties are an allow-list per access level: :func:`_incidents` builds the
ordinary projection for everyone in scope and adds the sensitive fields (reporter identity and
contact, photo links, the free text of unverified reports) only for an :class:`Access` whose
``sensitive`` flag :func:`gis.export.plan.make_access` granted (HQ analysts, with a reason).

Who reads which rows is decided by the feature's own rule, the function its map layer and API
use, never a copy: incidents as the incidents layer
(:func:`gis.incidents.map_layer.readable_incidents`: one's own reports and the districts of
one's scope, volunteers their own reports only; unverified public reports on no layer, rejected
and duplicate reports only when the ``status`` filter names them); hotspot runs, their hotspots
and hexagon cells as the hotspot API (:func:`gis.hotspots.queries.readable_runs`: runs whose
districts all lie in the scope, national runs to national roles); patrol plans as the patrol API
(:func:`gis.patrols.plans.readable_plans`: the accounts that read plans, the districts of their
scope; administrators and volunteers none); the reference layers (districts, parallel areas,
border, Mekong, checkpoints, natural crossings) whole, as the public map shows them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Numeric,
    Text,
    cast,
    false,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

from gis.cooperation.access import READERS as COOPERATION_READERS
from gis.export.plan import Access, Collection, Field, Kind, Source
from gis.hotspots.queries import VIEW_ROLES, readable_runs
from gis.incidents.disclosure import Reader, description_column
from gis.incidents.map_layer import DEFAULT_STATUSES, on_a_layer, readable_incidents
from gis.models import (
    Activity,
    ActivityArea,
    ActivityParticipants,
    ActivityTopic,
    BorderSegment,
    Checkpoint,
    District,
    DistrictParallelArea,
    Hotspot,
    HotspotCell,
    HotspotRun,
    Incident,
    IncidentPhoto,
    NaturalCrossing,
    ParallelArea,
    PatrolPlan,
    PatrolStop,
    Province,
    River,
    User,
    WatchCorridor,
)
from gis.parsing import THAI_ZONE
from gis.patrols.plans import READERS, readable_plans
from gis.types import Role, RunStatus

#: Every signed-in role.
EVERYONE = frozenset(Role)


def thai_time(value: Any) -> ColumnElement[Any]:
    """RFC 3339 text in Thai time (``2026-06-01T19:00:00+07:00``), whatever the session's zone."""
    return func.to_char(func.timezone(THAI_ZONE, value), 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')


def metres(value: Any) -> ColumnElement[Any]:
    """A distance in metres rounded to 0.1 m, as a ``numeric`` (``1234.0``, ``207.6``).

    The number goes to ``numeric`` through its text, the shortest that reads back as the same
    number: PostgreSQL's direct cast formats it to 15 digits with ``printf`` first, which took
    twice the time (a sixth of a CSV export's statement for the incidents' three distances),
    and then rounds twice, so that a number a hair below a half (207.64999999999998) was
    rounded up. The 300,000 distances of the export bench's 100,000 incidents round the same
    either way."""
    return cast(func.round(cast(cast(value, Text), Numeric), 1), Numeric)


def district_pcode(district_id: Any) -> ColumnElement[Any]:
    return select(District.pcode).where(District.id == district_id).scalar_subquery()


# --------------------------------------------------------------------------- incidents


def _photo_links() -> ColumnElement[Any]:
    link = func.concat("/api/incidents/", IncidentPhoto.incident_id, "/photos/", IncidentPhoto.id)
    return func.coalesce(
        select(func.json_agg(aggregate_order_by(link, IncidentPhoto.id)))
        .where(IncidentPhoto.incident_id == Incident.id)
        .scalar_subquery(),
        literal_column("'[]'::json"),
    )


def _incidents(access: Access) -> Source:
    # gis.incidents.disclosure's rule for a file: the free text of checked reports only, every
    # text with the sensitive projection; not the district coordinators' unchecked reports,
    # which they read on screen but which do not leave in a file without a reason
    description = description_column(Reader.everything() if access.sensitive else Reader())
    fields = [
        Field("category", Kind.TEXT, Incident.category),
        Field("status", Kind.TEXT, Incident.status),
        Field("severity", Kind.INT, Incident.severity),
        Field("channel", Kind.TEXT, Incident.channel),
        Field("occurred_at", Kind.DATETIME, thai_time(Incident.occurred_at)),
        Field("reported_at", Kind.DATETIME, thai_time(Incident.reported_at)),
        Field("district_pcode", Kind.TEXT, District.pcode),
        Field("district", Kind.TEXT, District.name),
        Field("district_th", Kind.TEXT, District.name_th),
        Field("province", Kind.TEXT, Province.name),
        Field("border_distance_m", Kind.FLOAT, metres(Incident.border_distance_m)),
        Field("nearest_checkpoint_id", Kind.INT, Incident.nearest_checkpoint_id),
        Field("nearest_checkpoint_m", Kind.FLOAT, metres(Incident.nearest_checkpoint_m)),
        Field("nearest_crossing_id", Kind.INT, Incident.nearest_crossing_id),
        Field("nearest_crossing_m", Kind.FLOAT, metres(Incident.nearest_crossing_m)),
        Field("is_demo", Kind.BOOL, Incident.is_demo),
        Field("description", Kind.TEXT, description),
    ]
    if access.sensitive:
        reporter = select(User.username).where(User.id == Incident.reporter_id).scalar_subquery()
        fields += [
            Field("reporter", Kind.TEXT, reporter),
            Field("reporter_contact", Kind.TEXT, Incident.reporter_contact),
            Field("photo_links", Kind.JSON, _photo_links()),
        ]
    rows = (
        select(Incident.id)
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .where(readable_incidents(access.viewer, access.scope), on_a_layer())
    )
    return Source(
        fid=Incident.id,
        geom=Incident.geom,
        fields=tuple(fields),
        rows=rows,
        time=Incident.occurred_at,
        district_id=Incident.district_id,
        category=Incident.category,
        status=Incident.status,
        default_statuses=DEFAULT_STATUSES,
    )


# --------------------------------------------------------------------------- hotspots, plans


def _latest_run(access: Access) -> Any:
    """The newest finished run the account may see."""
    return (
        select(func.max(HotspotRun.id))
        .where(HotspotRun.status == RunStatus.DONE, readable_runs(access.viewer, access.scope))
        .scalar_subquery()
    )


def _hotspots(access: Access) -> Source:
    fields = (
        Field("run_id", Kind.INT, Hotspot.run_id),
        Field("rank", Kind.INT, Hotspot.rank),
        Field("n_incidents", Kind.INT, Hotspot.n_incidents),
        Field("categories", Kind.JSON, Hotspot.categories),
        Field("first_seen", Kind.DATETIME, thai_time(Hotspot.first_seen)),
        Field("last_seen", Kind.DATETIME, thai_time(Hotspot.last_seen)),
        Field("score", Kind.FLOAT, Hotspot.score),
        Field("trend", Kind.FLOAT, Hotspot.trend),
        Field("recent_30", Kind.INT, Hotspot.recent_30),
        Field("previous_30", Kind.INT, Hotspot.previous_30),
        Field("district_ids", Kind.JSON, Hotspot.district_ids),
        Field("parallel_area_ids", Kind.JSON, Hotspot.parallel_area_ids),
        Field("nearest_crossing_id", Kind.INT, Hotspot.nearest_crossing_id),
        Field("nearest_crossing_m", Kind.FLOAT, metres(Hotspot.nearest_crossing_m)),
        Field("nearest_checkpoint_id", Kind.INT, Hotspot.nearest_checkpoint_id),
        Field("nearest_checkpoint_m", Kind.FLOAT, metres(Hotspot.nearest_checkpoint_m)),
    )
    return Source(
        fid=Hotspot.id,
        geom=Hotspot.hull,
        fields=fields,
        rows=select(Hotspot.id)
        .join(HotspotRun, HotspotRun.id == Hotspot.run_id)
        .where(readable_runs(access.viewer, access.scope)),
        time=Hotspot.last_seen,
        run=Hotspot.run_id,
        latest_run=_latest_run(access),
    )


#: Hexagon cell ids: the run, then i and j offset to be positive (|i|, |j| < 50,000 for
#: cells of 250 m or more in UTM 48N over the border region).
_CELL_OFFSET = 50_000


def _hexagon_cells(access: Access) -> Source:
    fid = (
        cast(HotspotCell.run_id, BigInteger) * 10_000_000_000
        + (cast(HotspotCell.i, BigInteger) + _CELL_OFFSET) * 100_000
        + (HotspotCell.j + _CELL_OFFSET)
    )
    fields = (
        Field("run_id", Kind.INT, HotspotCell.run_id),
        Field("i", Kind.INT, HotspotCell.i),
        Field("j", Kind.INT, HotspotCell.j),
        Field("n", Kind.INT, HotspotCell.n),
        Field("z", Kind.FLOAT, HotspotCell.z),
        Field("p", Kind.FLOAT, HotspotCell.p),
        Field("bin", Kind.INT, HotspotCell.bin),
    )
    rows = (
        select(HotspotCell.run_id)
        .join(HotspotRun, HotspotRun.id == HotspotCell.run_id)
        .where(readable_runs(access.viewer, access.scope))
    )
    return Source(
        fid=fid,
        geom=HotspotCell.geom,
        fields=fields,
        rows=rows,
        run=HotspotCell.run_id,
        latest_run=_latest_run(access),
    )


def _watch_corridor(access: Access) -> Source:
    fields = (
        Field("width_m", Kind.FLOAT, WatchCorridor.width_m),
        Field("built_at", Kind.DATETIME, thai_time(WatchCorridor.built_at)),
        Field("n_segments", Kind.INT, WatchCorridor.n_segments),
        Field("n_crossings", Kind.INT, WatchCorridor.n_crossings),
    )
    return Source(WatchCorridor.id, WatchCorridor.geom, fields, select(WatchCorridor.id))


def _patrol_plans(access: Access) -> Source:
    stops = (
        select(func.count())
        .select_from(PatrolStop)
        .where(PatrolStop.plan_id == PatrolPlan.id)
        .scalar_subquery()
    )
    fields = (
        Field("district_pcode", Kind.TEXT, District.pcode),
        Field("district", Kind.TEXT, District.name),
        Field("unit", Kind.TEXT, PatrolPlan.unit),
        Field("planned_for", Kind.DATE, func.to_char(PatrolPlan.planned_for, "YYYY-MM-DD")),
        Field("window_start", Kind.TEXT, func.to_char(PatrolPlan.window_start, "HH24:MI")),
        Field("window_end", Kind.TEXT, func.to_char(PatrolPlan.window_end, "HH24:MI")),
        Field("start_checkpoint_id", Kind.INT, PatrolPlan.start_checkpoint_id),
        Field("length_m", Kind.FLOAT, metres(PatrolPlan.length_m)),
        Field("stops", Kind.INT, stops),
        Field("created_at", Kind.DATETIME, thai_time(PatrolPlan.created_at)),
    )
    rows = (
        select(PatrolPlan.id)
        .join(District, District.id == PatrolPlan.district_id)
        .where(readable_plans(access.viewer, access.scope))
    )
    return Source(
        fid=PatrolPlan.id,
        geom=PatrolPlan.route,
        fields=fields,
        rows=rows,
        time=PatrolPlan.planned_for,
        district_id=PatrolPlan.district_id,
    )


# --------------------------------------------------------------------------- cooperation


def _cooperation_activities(access: Access) -> Source:
    """Activities with the parallel areas in the reader's scope (the register's rule,
    :mod:`gis.cooperation.access`); counts only, never names."""
    areas = (
        select(func.json_agg(aggregate_order_by(ParallelArea.code, ParallelArea.code)))
        .join(ActivityArea, ActivityArea.parallel_area_id == ParallelArea.id)
        .where(ActivityArea.activity_id == Activity.id)
        .scalar_subquery()
    )
    topics = (
        select(func.json_agg(aggregate_order_by(ActivityTopic.topic, ActivityTopic.topic)))
        .where(ActivityTopic.activity_id == Activity.id)
        .scalar_subquery()
    )

    def heads(column: Any) -> ColumnElement[Any]:
        return func.coalesce(
            select(func.sum(column))
            .where(ActivityParticipants.activity_id == Activity.id)
            .scalar_subquery(),
            0,
        )

    fields = (
        Field("district_pcode", Kind.TEXT, District.pcode),
        Field("district", Kind.TEXT, District.name),
        Field("district_th", Kind.TEXT, District.name_th),
        Field("kind", Kind.TEXT, Activity.kind),
        Field("title", Kind.TEXT, Activity.title),
        Field("starts_on", Kind.DATE, func.to_char(Activity.starts_on, "YYYY-MM-DD")),
        Field("ends_on", Kind.DATE, func.to_char(Activity.ends_on, "YYYY-MM-DD")),
        Field("parallel_areas", Kind.JSON, func.coalesce(areas, literal_column("'[]'::json"))),
        Field("other_areas", Kind.TEXT, Activity.other_areas),
        Field("topics", Kind.JSON, func.coalesce(topics, literal_column("'[]'::json"))),
        Field("participants", Kind.INT, heads(ActivityParticipants.total)),
        Field("women", Kind.INT, heads(ActivityParticipants.women)),
        Field("organisers", Kind.TEXT, Activity.organisers),
        Field("partners", Kind.TEXT, Activity.partners),
        Field("summary", Kind.TEXT, Activity.summary),
    )
    rows = select(Activity.id).join(District, District.id == Activity.district_id)
    if access.viewer.role not in COOPERATION_READERS:
        rows = rows.where(false())
    elif access.scope is not None:
        rows = rows.where(Activity.district_id.in_(access.scope))
    return Source(
        fid=Activity.id,
        geom=Activity.geom,
        fields=fields,
        rows=rows,
        time=Activity.starts_on,
        district_id=Activity.district_id,
    )


# --------------------------------------------------------------------------- reference layers


def _districts(access: Access) -> Source:
    fields = (
        Field("pcode", Kind.TEXT, District.pcode),
        Field("name", Kind.TEXT, District.name),
        Field("name_th", Kind.TEXT, District.name_th),
        Field("province_pcode", Kind.TEXT, Province.pcode),
        Field("province", Kind.TEXT, Province.name),
        Field("province_th", Kind.TEXT, Province.name_th),
        Field("target", Kind.BOOL, District.target),
        Field("target_no", Kind.INT, District.target_no),
        Field("border_neighbour", Kind.TEXT, District.border_neighbour),
        Field("border_length_km", Kind.FLOAT, District.border_length_km),
    )
    rows = select(District.id).join(Province, Province.id == District.province_id)
    return Source(District.id, District.geom, fields, rows, district_id=District.id)


def _parallel_areas(access: Access) -> Source:
    paired = (
        select(func.json_agg(aggregate_order_by(District.pcode, District.pcode)))
        .join(DistrictParallelArea, DistrictParallelArea.district_id == District.id)
        .where(DistrictParallelArea.parallel_area_id == ParallelArea.id)
        .scalar_subquery()
    )
    fields = (
        Field("code", Kind.TEXT, ParallelArea.code),
        Field("name", Kind.TEXT, ParallelArea.name),
        Field("province", Kind.TEXT, ParallelArea.province),
        Field("country", Kind.TEXT, ParallelArea.country),
        Field("level", Kind.TEXT, ParallelArea.level),
        Field("districts", Kind.JSON, func.coalesce(paired, literal_column("'[]'::json"))),
        Field("source", Kind.TEXT, ParallelArea.source),
        Field("licence", Kind.TEXT, ParallelArea.licence),
    )
    return Source(ParallelArea.id, ParallelArea.geom, fields, select(ParallelArea.id))


def _border_segments(access: Access) -> Source:
    fields = (
        Field("segment_no", Kind.INT, BorderSegment.segment_no),
        Field("neighbour", Kind.TEXT, BorderSegment.neighbour),
        Field("kind", Kind.TEXT, BorderSegment.kind),
        Field("demarcation", Kind.TEXT, BorderSegment.demarcation),
        Field("district_pcode", Kind.TEXT, BorderSegment.district_pcode),
        Field("district", Kind.TEXT, BorderSegment.district_name),
        Field("province", Kind.TEXT, BorderSegment.province_name),
        Field("length_km", Kind.FLOAT, BorderSegment.length_km),
        Field("source", Kind.TEXT, BorderSegment.source),
        Field("licence", Kind.TEXT, BorderSegment.licence),
    )
    return Source(
        BorderSegment.id,
        BorderSegment.geom,
        fields,
        select(BorderSegment.id),
        district_id=BorderSegment.district_id,
    )


def _mekong(access: Access) -> Source:
    fields = (
        Field("code", Kind.TEXT, River.code),
        Field("name", Kind.TEXT, River.name),
        Field("variant", Kind.TEXT, River.variant),
        Field("section", Kind.TEXT, River.section),
        Field("forms_boundary", Kind.BOOL, River.forms_boundary),
        Field("length_km", Kind.FLOAT, River.length_km),
        Field("source", Kind.TEXT, River.source),
        Field("licence", Kind.TEXT, River.licence),
    )
    return Source(River.id, River.geom, fields, select(River.id))


def _checkpoints(access: Access) -> Source:
    fields = (
        Field("slug", Kind.TEXT, Checkpoint.slug),
        Field("name", Kind.TEXT, Checkpoint.name),
        Field("name_th", Kind.TEXT, Checkpoint.name_th),
        Field("kind", Kind.TEXT, Checkpoint.kind),
        Field("status", Kind.TEXT, Checkpoint.status),
        Field("hours", Kind.TEXT, Checkpoint.hours),
        Field("district_pcode", Kind.TEXT, district_pcode(Checkpoint.district_id)),
        Field("neighbour", Kind.TEXT, Checkpoint.neighbour),
        Field("counterpart", Kind.TEXT, Checkpoint.counterpart),
        Field("precision", Kind.TEXT, Checkpoint.precision),
        Field("approximate", Kind.BOOL, Checkpoint.approximate),
        Field("sources", Kind.TEXT, Checkpoint.sources),
    )
    return Source(
        Checkpoint.id,
        Checkpoint.geom,
        fields,
        select(Checkpoint.id),
        district_id=Checkpoint.district_id,
    )


def _natural_crossings(access: Access) -> Source:
    fields = (
        Field("code", Kind.TEXT, NaturalCrossing.code),
        Field("name", Kind.TEXT, NaturalCrossing.name),
        Field("description", Kind.TEXT, NaturalCrossing.description),
        Field("risk_level", Kind.TEXT, NaturalCrossing.risk_level),
        Field("district_pcode", Kind.TEXT, district_pcode(NaturalCrossing.district_id)),
        Field("is_demo", Kind.BOOL, NaturalCrossing.is_demo),
        Field("source", Kind.TEXT, NaturalCrossing.source),
    )
    return Source(
        NaturalCrossing.id,
        NaturalCrossing.geom,
        fields,
        select(NaturalCrossing.id),
        district_id=NaturalCrossing.district_id,
    )


_INCIDENT_FILTERS = frozenset({"datetime", "category", "status", "district"})

#: Every exportable collection, by name.
COLLECTIONS: dict[str, Collection] = {
    c.name: c
    for c in (
        Collection(
            "incidents",
            "Incidents",
            "Incident reports in the reader's scope; sensitive fields only for HQ analysts "
            "who give a reason.",
            "Point",
            EVERYONE,
            _incidents,
            _INCIDENT_FILTERS,
        ),
        Collection(
            "hotspots",
            "Hotspots",
            "Hotspot clusters (padded hulls) of the latest finished run, or of ?run=<id>.",
            "Polygon",
            VIEW_ROLES,
            _hotspots,
            frozenset({"datetime", "run"}),
        ),
        Collection(
            "hexagon_cells",
            "Hexagon cells (Gi*)",
            "Getis-Ord Gi* hexagons of the latest finished run, or of ?run=<id>: count, z, p "
            "and bin (-3..3, cold to hot spot).",
            "Polygon",
            VIEW_ROLES,
            _hexagon_cells,
            frozenset({"run"}),
        ),
        Collection(
            "patrol_plans",
            "Patrol plans",
            "Patrol plans of the districts in scope, with their route (null until routed).",
            "LineString",
            READERS,
            _patrol_plans,
            frozenset({"datetime", "district"}),
        ),
        Collection(
            "cooperation_activities",
            "Cooperation activities",
            "MWCC meetings and people-to-people activities with the parallel areas in the "
            "reader's scope: kind, days, parallel areas, topics, participants counted (never "
            "named).",
            "Point",
            frozenset(COOPERATION_READERS),
            _cooperation_activities,
            frozenset({"datetime", "district"}),
        ),
        Collection(
            "checkpoints",
            "Checkpoints",
            "Permanent, border-trade, temporary and joint inspection checkpoints.",
            "Point",
            EVERYONE,
            _checkpoints,
            frozenset({"district"}),
        ),
        Collection(
            "natural_crossings",
            "Natural crossings",
            "Natural channels and paths across the border.",
            "MultiLineString",
            EVERYONE,
            _natural_crossings,
            frozenset({"district"}),
        ),
        Collection(
            "districts",
            "Districts",
            "Thai districts of the border provinces, target districts flagged.",
            "MultiPolygon",
            EVERYONE,
            _districts,
            frozenset({"district"}),
        ),
        Collection(
            "parallel_areas",
            "Parallel areas",
            "Lao and Cambodian areas paired with the target districts (twin towns).",
            "MultiPolygon",
            EVERYONE,
            _parallel_areas,
        ),
        Collection(
            "border_segments",
            "Border segments",
            "The international boundary by district, kind and demarcation.",
            "LineString",
            EVERYONE,
            _border_segments,
            frozenset({"district"}),
        ),
        Collection(
            "mekong",
            "Mekong",
            "The Mekong centreline and the boundary line in the river.",
            "LineString",
            EVERYONE,
            _mekong,
        ),
        Collection(
            "watch_corridor",
            "Watch corridor",
            "The watch corridor: buffers around the Mekong boundary, the land border not "
            "marked demarcated and the natural crossings.",
            "MultiPolygon",
            EVERYONE,
            _watch_corridor,
        ),
    )
}


def get_collection(name: str) -> Collection | None:
    """The collection called ``name``, or ``None``."""
    return COLLECTIONS.get(name)


__all__ = ["COLLECTIONS", "EVERYONE", "get_collection", "thai_time"]
