"""District routing: which target district's coordination centre handles a point.

A point inside a Thai target district belongs to it. A point across the border goes to the
target district paired with the parallel area that contains it or, within ``max_distance_m``, is
nearest to it; a district-level parallel area wins over a province-level one at equal distance,
and among the districts paired with the area the nearest one is chosen. A point inside a Thai
district that is not a target, or farther than ``max_distance_m`` from the service area, is
outside the watch area. Distances are measured in the metric CRS on the stored metric copies of
the polygons (``geom_m``, GiST-indexed), within 1 % of the geodesic distance (see gis.measure).
"""

from __future__ import annotations

from sqlalchemy import (
    Float,
    cast,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from gis.errors import OutsideWatchArea
from gis.measure import point, to_metric
from gis.models import District, DistrictParallelArea, ParallelArea, Province
from gis.types import AreaLevel, DistrictRef, Routing

#: Default reach across the border beyond the parallel areas (metres).
DEFAULT_MAX_DISTANCE_M = 10_000.0


def district_ref(session: Session, district_id: int) -> DistrictRef:
    """The district with id ``district_id`` as routing returns it."""
    row = session.execute(
        select(
            District.id,
            District.pcode,
            District.name,
            District.name_th,
            Province.name,
            Province.name_th,
            District.target,
        )
        .join(Province, Province.id == District.province_id)
        .where(District.id == district_id)
    ).one()
    return DistrictRef(*row)


def district_at(session: Session, lon: float, lat: float) -> DistrictRef | None:
    """The Thai district (of the 17 border provinces) that covers a point, target or not.

    Args:
        session: open session.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.

    Returns:
        The district, or ``None`` when the point is in none of them.
    """
    district_id = session.execute(
        select(District.id).where(District.geom.ST_Covers(point(lon, lat))).limit(1)
    ).scalar()
    return None if district_id is None else district_ref(session, district_id)


def service_area_distance_m(session: Session, lon: float, lat: float) -> float | None:
    """Metres from a point to the nearest target district or parallel area."""
    pt_m = to_metric(point(lon, lat))
    d = (
        select(func.ST_Distance(District.geom_m, pt_m).label("m"))
        .where(District.target)
        .order_by(District.geom_m.op("<->")(pt_m))
        .limit(1)
    )
    a = (
        select(func.ST_Distance(ParallelArea.geom_m, pt_m).label("m"))
        .order_by(ParallelArea.geom_m.op("<->")(pt_m))
        .limit(1)
    )
    u = union_all(d.subquery().select(), a.subquery().select()).subquery()
    return session.execute(select(func.min(u.c.m))).scalar()


def route_point(
    session: Session,
    lon: float,
    lat: float,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> Routing:
    """Route a point to the target district that handles it.

    Args:
        session: open session.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.
        max_distance_m: how far beyond a parallel area (or a target district, for points in the
            gaps between the Thai and the neighbours' boundary data) a point may lie.

    Returns:
        The routing: the district and, for points across the border, the parallel area.

    Raises:
        OutsideWatchArea: the point is in a non-target Thai district or too far from the service
            area; ``distance_m`` says how far from the service area it is.
    """
    here = district_at(session, lon, lat)
    if here is not None:
        if here.target:
            return Routing(district=here)
        raise OutsideWatchArea(
            f"{here.name} ({here.province}) is not a target district of the programme",
            distance_m=service_area_distance_m(session, lon, lat),
            field="location",
        )

    pt_m = to_metric(point(lon, lat))
    # Candidates: parallel areas (district level first) and target districts within reach.
    areas = select(
        ParallelArea.id.label("area_id"),
        func.ST_Distance(ParallelArea.geom_m, pt_m).label("m"),
        (ParallelArea.level != AreaLevel.DISTRICT.value).label("province_level"),
    ).where(func.ST_DWithin(ParallelArea.geom_m, pt_m, max_distance_m))
    districts = select(
        cast(literal(None), ParallelArea.id.type).label("area_id"),
        func.ST_Distance(District.geom_m, pt_m).label("m"),
        literal(False).label("province_level"),
        District.id.label("district_id"),
    ).where(District.target, func.ST_DWithin(District.geom_m, pt_m, max_distance_m))
    u = union_all(
        areas.add_columns(cast(literal(None), District.id.type).label("district_id")), districts
    ).subquery()
    best = session.execute(
        select(u.c.area_id, u.c.district_id, cast(u.c.m, Float))
        .order_by(u.c.m, u.c.province_level, u.c.district_id.is_(None))
        .limit(1)
    ).first()
    if best is None:
        distance = service_area_distance_m(session, lon, lat)
        raise OutsideWatchArea(
            "the location is outside the watch area"
            + (f" ({distance / 1000:.1f} km from it)" if distance is not None else ""),
            distance_m=distance,
            field="location",
        )
    area_id, district_id, metres = best
    if area_id is None:
        return Routing(district=district_ref(session, district_id), distance_m=metres)

    # The target district paired with the area that lies nearest to the point.
    district_id = session.execute(
        select(District.id)
        .join(DistrictParallelArea, DistrictParallelArea.district_id == District.id)
        .where(DistrictParallelArea.parallel_area_id == area_id, District.target)
        .order_by(func.ST_Distance(District.geom_m, pt_m))
        .limit(1)
    ).scalar()
    area_name = session.execute(
        select(ParallelArea.name).where(ParallelArea.id == area_id)
    ).scalar()
    if district_id is None:  # an area whose pairings an administrator removed
        raise OutsideWatchArea(
            f"{area_name} is not paired with any target district",
            distance_m=metres,
            field="location",
        )
    return Routing(
        district=district_ref(session, district_id),
        parallel_area_id=area_id,
        parallel_area_name=area_name,
        distance_m=metres,
    )


__all__ = ["DEFAULT_MAX_DISTANCE_M", "district_at", "route_point", "service_area_distance_m"]
