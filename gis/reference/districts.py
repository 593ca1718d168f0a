"""District routing: which target district's coordination centre handles a point.

A point inside a Thai target district belongs to it. A point across the border goes to the
target district paired with the parallel area that contains it or, within ``max_distance_m``, is
nearest to it; a district-level parallel area wins over a province-level one at equal distance,
and among the districts paired with the area the nearest one is chosen. A point inside a Thai
district that is not a target, or farther than ``max_distance_m`` from the service area, is
outside the watch area. Distances are measured in the metric CRS on the stored metric copies of
the polygons (``geom_m``, GiST-indexed), within 1 % of the geodesic distance (see
:mod:`gis.reference.measure`). Ties are broken the same way everywhere: a point on an edge shared
by a target and a non-target district belongs to the target district, then the lower ids win.

The rules are written once, as SQL (:func:`route_cte`), which
:func:`gis.incidents.reports.store_incident` folds into its INSERT; :func:`route_point` runs them
for one point and says why a refused point is refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    CTE,
    Double,
    FromClause,
    Integer,
    Select,
    cast,
    exists,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from gis.errors import InvalidInput, NotFound, OutsideWatchArea
from gis.models import District, DistrictParallelArea, ParallelArea, Province
from gis.reference.measure import point, to_metric
from gis.text import N_
from gis.types import AreaLevel, BBox, DistrictRef, Routing

#: Default reach across the border beyond the parallel areas (metres).
DEFAULT_MAX_DISTANCE_M = 10_000.0
#: Where a given point is projected to the metric CRS (UTM 48N): the target districts' region
#: (lon 99-107, lat 11-21) with a margin of several hundred kilometres. PROJ refuses points far
#: from the zone ("outside of projection domain", a database error); a point beyond this box
#: lies far outside the watch area anyway and is refused without projecting it.
METRIC_DOMAIN = BBox(90.0, -5.0, 120.0, 35.0)


def in_metric_domain(lon: float, lat: float) -> bool:
    """Whether (lon, lat) lies in :data:`METRIC_DOMAIN`."""
    d = METRIC_DOMAIN
    return d.minx <= lon <= d.maxx and d.miny <= lat <= d.maxy


def refuse_far(session: Session, lon: float, lat: float) -> None:
    """Raise :class:`OutsideWatchArea` for a point outside :data:`METRIC_DOMAIN`, with its
    geodesic distance to the nearest target district; nothing for the others."""
    if in_metric_domain(lon, lat):
        return
    here = func.geography(point(lon, lat))
    distance = session.execute(
        select(func.min(func.ST_Distance(here, func.geography(District.geom)))).where(
            District.target
        )
    ).scalar()
    raise OutsideWatchArea(
        N_("the point lies far outside the watch area (the target border districts of Thailand)"),
        distance_m=None if distance is None else float(distance),
        field="location",
    )


def _ref_columns() -> tuple[Any, ...]:
    """The columns of :class:`DistrictRef`, in its order, from ``district`` and ``province``."""
    return (
        District.id,
        District.pcode,
        District.name,
        District.name_th,
        Province.name,
        Province.name_th,
        District.target,
    )


def district_ref(session: Session, district_id: int) -> DistrictRef:
    """The district with id ``district_id`` as routing returns it."""
    row = session.execute(
        select(*_ref_columns())
        .join(Province, Province.id == District.province_id)
        .where(District.id == district_id)
    ).one()
    return DistrictRef(*row)


def find_district(session: Session, ref: str) -> District:
    """A district by P-code (``TH3409``), DOPA code (``3409``) or English/Thai name.

    Args:
        session: open session.
        ref: the P-code or DOPA code, or the district's name in English (any case) or Thai.

    Returns:
        The district.

    Raises:
        NotFound: no district matches.
        InvalidInput: the name matches several districts (use the P-code).
    """
    matches = (
        session.execute(
            select(District).where(
                or_(
                    func.upper(District.pcode) == ref.upper(),
                    District.dopa_code == ref,
                    func.lower(District.name) == ref.lower(),
                    District.name_th == ref,
                )
            )
        )
        .scalars()
        .all()
    )
    if not matches:
        raise NotFound(N_("no district matches {ref!r}"), field="district", ref=ref)
    if len(matches) > 1:
        codes = ", ".join(f"{d.pcode} ({d.name})" for d in matches)
        raise InvalidInput(
            N_("{ref!r} matches several districts: {codes}"), field="district", ref=ref, codes=codes
        )
    return matches[0]


def district_at(session: Session, lon: float, lat: float) -> DistrictRef | None:
    """The Thai district (of the 17 border provinces) that covers a point, target or not.

    Args:
        session: open session.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.

    Returns:
        The district, or ``None`` when the point is in none of them.
    """
    found = session.execute(_covering(_point_cte(lon, lat))).first()
    return None if found is None else district_ref(session, found.id)


def _point_cte(lon: float, lat: float) -> CTE:
    """A one-row CTE ``pt``: the point as ``geom`` (EPSG:4326) and ``geom_m`` (metric)."""
    where = point(lon, lat)
    return select(where.label("geom"), to_metric(where).label("geom_m")).cte("pt")


def _covering(pt: FromClause) -> Select[int, bool]:
    """The Thai district that covers the point ``pt``: ``(id, target)``, at most one row."""
    return (
        select(District.id.label("id"), District.target.label("target"))
        .select_from(pt)
        .join(District, District.geom.ST_Covers(pt.c.geom))
        .order_by(District.target.desc(), District.id)  # on a shared edge: the target district
        .limit(1)
    )


def service_area_distance_m(session: Session, lon: float, lat: float) -> float | None:
    """Metres from a point to the nearest target district or parallel area."""
    if not in_metric_domain(lon, lat):
        try:
            refuse_far(session, lon, lat)
        except OutsideWatchArea as far:
            return far.distance_m
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

    The rules are those of :func:`route_cte`, run for this one point; a refused point gets a
    message that says why.

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
    refuse_far(session, lon, lat)
    v = _outcome_cte(_point_cte(lon, lat), max_distance_m, "route")
    found = session.execute(
        select(v.c.routed, v.c.parallel_area_id, ParallelArea.name, v.c.distance_m, *_ref_columns())
        .select_from(v)
        .outerjoin(District, District.id == v.c.district_id)
        .outerjoin(Province, Province.id == District.province_id)
        .outerjoin(ParallelArea, ParallelArea.id == v.c.parallel_area_id)
    ).first()
    if found is None:
        distance = service_area_distance_m(session, lon, lat)
        raise OutsideWatchArea(
            N_("the location is outside the watch area ({km:.1f} km from it)")
            if distance is not None
            else N_("the location is outside the watch area"),
            distance_m=distance,
            field="location",
            km=None if distance is None else distance / 1000,
        )
    routed, area_id, area_name, metres, *district = found
    if not routed and area_id is not None:  # an area whose pairings an administrator removed
        raise OutsideWatchArea(
            N_("{area} is not paired with any target district"),
            distance_m=metres,
            field="location",
            area=area_name,
        )
    here = DistrictRef(*district)
    if not routed:  # inside a Thai district that is not a target
        raise OutsideWatchArea(
            N_("{district} ({province}) is not a target district of the programme"),
            distance_m=service_area_distance_m(session, lon, lat),
            field="location",
            district=here.name,
            province=here.province,
        )
    return Routing(
        district=here,
        parallel_area_id=area_id,
        parallel_area_name=area_name,
        distance_m=metres,
    )


def route_cte(pt: FromClause, max_distance_m: Any, name: str = "route") -> CTE:
    """The routing rules as one CTE, to embed in a larger statement (the report-storing statement
    of :mod:`gis.incidents.reports`); :func:`route_point` runs the same rules for one point.

    It yields one row ``(district_id, parallel_area_id)`` for a point in the watch area and no
    row for a point outside it. The across-border search runs only when no Thai district covers
    the point.

    Args:
        pt: a one-row FROM clause with the point as ``geom`` (EPSG:4326) and ``geom_m`` (metric).
        max_distance_m: the reach beyond the parallel areas (a value or a bound parameter).
        name: the CTE's name.

    Returns:
        The CTE; the caller joins it (no row: outside the watch area).
    """
    outcome = _outcome_cte(pt, max_distance_m, name)
    return (
        select(outcome.c.district_id, outcome.c.parallel_area_id).where(outcome.c.routed).cte(name)
    )


def _outcome_cte(pt: FromClause, max_distance_m: Any, name: str) -> CTE:
    """The routing rules: at most one row ``(district_id, parallel_area_id, distance_m, routed)``.

    A point in a Thai district gives that district (``routed`` if it is a target). A point in no
    Thai district gives the nearest candidate within ``max_distance_m``: a parallel area (a
    district-level one first at equal distance) or a target district; for an area, the target
    district paired with it that lies nearest to the point (``routed`` if there is one). No
    candidate: no row. Ties: the lower ids win.
    """
    here = _covering(pt).cte(f"{name}_here")
    within = func.ST_DWithin
    areas = (
        select(
            ParallelArea.id.label("area_id"),
            cast(null(), Integer).label("district_id"),
            func.ST_Distance(ParallelArea.geom_m, pt.c.geom_m).label("m"),
            (ParallelArea.level != AreaLevel.DISTRICT.value).label("province_level"),
        )
        .select_from(pt)
        .join(ParallelArea, within(ParallelArea.geom_m, pt.c.geom_m, max_distance_m))
    )
    districts = (
        select(
            cast(null(), Integer).label("area_id"),
            District.id.label("district_id"),
            func.ST_Distance(District.geom_m, pt.c.geom_m).label("m"),
            false().label("province_level"),
        )
        .select_from(pt)
        .join(District, within(District.geom_m, pt.c.geom_m, max_distance_m))
        .where(District.target)
    )
    candidates = union_all(areas, districts).subquery(f"{name}_candidates")
    c = candidates.c
    best = (
        select(c.area_id, c.district_id, c.m)
        .where(~exists(select(here.c.id)))  # only for points in no Thai district
        .order_by(c.m, c.province_level, c.district_id.is_(None), c.area_id, c.district_id)
        .limit(1)
        .cte(f"{name}_best")
    )
    paired = (
        select(District.id.label("id"))
        .join(DistrictParallelArea, DistrictParallelArea.district_id == District.id)
        .where(DistrictParallelArea.parallel_area_id == best.c.area_id, District.target)
        .order_by(func.ST_Distance(District.geom_m, pt.c.geom_m), District.id)
        .limit(1)
        .lateral(f"{name}_paired")
    )
    inside = select(
        here.c.id.label("district_id"),
        cast(null(), Integer).label("parallel_area_id"),
        cast(literal_column("0"), Double).label("distance_m"),
        here.c.target.label("routed"),
    )
    across_id = func.coalesce(best.c.district_id, paired.c.id)
    across = (
        select(
            across_id.label("district_id"),
            best.c.area_id.label("parallel_area_id"),
            cast(best.c.m, Double).label("distance_m"),
            across_id.is_not(None).label("routed"),
        )
        .select_from(best)
        .join(pt, true())
        .outerjoin(paired, true())
    )
    return union_all(inside, across).cte(f"{name}_outcome")


__all__ = [
    "DEFAULT_MAX_DISTANCE_M",
    "district_at",
    "district_ref",
    "find_district",
    "route_cte",
    "route_point",
    "service_area_distance_m",
]
