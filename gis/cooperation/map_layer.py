"""The register on the map: the twin-town links of the target districts and the activities.

Each link is a line from a target district to one of its parallel areas (between points inside
each), styled by the activities of the last 12 months that involved that area (none, some,
many) and flagged when the district has held no MWCC meeting in 90 days; its popup names the
latest activities. Both layers answer only the districts of the viewer's scope, as GeoJSON built
in SQL.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, and_, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from gis.cooperation.access import readable_scope
from gis.filters import in_bbox
from gis.geojson import select_feature_collection
from gis.models import Activity, ActivityArea, District, DistrictParallelArea, ParallelArea, User
from gis.types import ActivityKind, BBox

#: Activities of a link in the last 12 months from which it counts as "many".
MANY = 4
#: Days without an MWCC meeting after which a district is flagged.
MWCC_DAYS = 90
#: Latest activities named in a link's popup.
LATEST = 3


def link_level(count: int) -> str:
    """``none``, ``some`` or ``many`` activities of a link in 12 months."""
    return "none" if count == 0 else "many" if count >= MANY else "some"


def twin_towns_geojson(session: Session, viewer: User, bbox: BBox | None, today: dt.date) -> str:
    """The twin-town links of the target districts in the viewer's scope.

    Args:
        session: open session.
        viewer: the account asking (its scope limits the districts).
        bbox: only links crossing this box, or ``None``.
        today: the day the 12 months and 90 days count back from (Thai time).

    Returns:
        FeatureCollection JSON text: lines with ``district``, ``district_th``,
        ``parallel_area``, ``activities_12m``, ``level`` (none/some/many), ``latest`` (the
        latest activities, ``YYYY-MM-DD title``, newest first), ``last_mwcc`` (day of the
        district's latest MWCC meeting, or null) and ``mwcc_overdue``.

    Raises:
        Forbidden: the viewer's role does not read the register.
    """
    scope = readable_scope(session, viewer)
    year_ago = today - dt.timedelta(days=365)
    of_link = and_(
        Activity.district_id == DistrictParallelArea.district_id,
        ActivityArea.activity_id == Activity.id,
        ActivityArea.parallel_area_id == DistrictParallelArea.parallel_area_id,
        Activity.starts_on > year_ago,
        Activity.starts_on <= today,
    )
    count = (
        select(func.count())
        .select_from(Activity, ActivityArea)
        .where(of_link)
        .correlate(DistrictParallelArea)
        .scalar_subquery()
    )
    recent = (
        select(
            func.concat(Activity.starts_on, " ", Activity.title).label("line"),
            Activity.starts_on,
            Activity.id,
        )
        .select_from(Activity, ActivityArea)
        .where(of_link)
        .order_by(Activity.starts_on.desc(), Activity.id.desc())
        .limit(LATEST)
        .correlate(DistrictParallelArea)
        .subquery("recent")
    )
    latest = (
        select(
            func.string_agg(
                recent.c.line,
                aggregate_order_by(
                    literal_column("'; '"), recent.c.starts_on.desc(), recent.c.id.desc()
                ),
            )
        )
        .correlate(DistrictParallelArea)
        .scalar_subquery()
    )
    last_mwcc = (
        select(func.max(Activity.starts_on))
        .where(
            Activity.district_id == DistrictParallelArea.district_id,
            Activity.kind == ActivityKind.MWCC_MEETING,
            Activity.starts_on <= today,
        )
        .scalar_subquery()
    )
    line = func.ST_MakeLine(
        func.ST_PointOnSurface(District.geom), func.ST_PointOnSurface(ParallelArea.geom)
    )
    query = (
        select(
            func.concat(District.pcode, "-", ParallelArea.id).label("id"),
            line.label("geom"),
            District.name.label("district"),
            District.name_th.label("district_th"),
            ParallelArea.name.label("parallel_area"),
            count.label("activities_12m"),
            latest.label("latest"),
            cast(last_mwcc, Date).label("last_mwcc"),
        )
        .select_from(DistrictParallelArea)
        .join(District, District.id == DistrictParallelArea.district_id)
        .join(ParallelArea, ParallelArea.id == DistrictParallelArea.parallel_area_id)
        .where(District.target, in_bbox(line, bbox))
    )
    if scope is not None:
        query = query.where(District.id.in_(scope))
    rows = query.subquery("f")
    overdue_since = today - dt.timedelta(days=MWCC_DAYS)
    level = case(
        (rows.c.activities_12m == 0, "none"),
        (rows.c.activities_12m >= MANY, "many"),
        else_="some",
    )
    properties = func.json_build_object(
        "district", rows.c.district,
        "district_th", rows.c.district_th,
        "parallel_area", rows.c.parallel_area,
        "activities_12m", rows.c.activities_12m,
        "level", level,
        "latest", rows.c.latest,
        "last_mwcc", rows.c.last_mwcc,
        "mwcc_overdue", func.coalesce(rows.c.last_mwcc < overdue_since, True),
    )  # fmt: skip
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=func.ST_AsGeoJSON(rows.c.geom, 5),
        properties=properties,
        order_by=(rows.c.id,),
    )
    return session.execute(collection).scalar_one()


def activities_geojson(session: Session, viewer: User, bbox: BBox | None) -> str:
    """The activities of the viewer's scope as points (the place of each), newest last.

    Returns:
        FeatureCollection JSON text: ``id``, ``title``, ``kind``, ``starts_on``, ``ends_on``,
        ``district``, ``district_th``.

    Raises:
        Forbidden: the viewer's role does not read the register.
    """
    scope = readable_scope(session, viewer)
    query = (
        select(
            Activity.id,
            Activity.geom,
            Activity.title,
            Activity.kind,
            Activity.starts_on,
            Activity.ends_on,
            District.name.label("district"),
            District.name_th.label("district_th"),
        )
        .join(District, District.id == Activity.district_id)
        .where(in_bbox(Activity.geom, bbox))
    )
    if scope is not None:
        query = query.where(Activity.district_id.in_(scope))
    rows = query.subquery("f")
    properties = func.json_build_object(
        "id", rows.c.id,
        "title", rows.c.title,
        "kind", rows.c.kind,
        "starts_on", rows.c.starts_on,
        "ends_on", rows.c.ends_on,
        "district", rows.c.district,
        "district_th", rows.c.district_th,
    )  # fmt: skip
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=func.ST_AsGeoJSON(rows.c.geom, 6),
        properties=properties,
        order_by=(rows.c.starts_on, rows.c.id),
    )
    return session.execute(collection).scalar_one()
