"""Where an edited feature may lie: the same checks as the file imports (valid geometry of the
right type, inside the watch area, not too long, no duplicate), and a feature stays in its
district. Each refusal names its field (``geometry``, ``from_point``, ``to_point``...)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.errors import InvalidInput, OutsideWatchArea
from gis.models import BorderSegment, District, NaturalCrossing
from gis.parsing import parse_number
from gis.reference.crossings import assign_district, parse_crossings
from gis.reference.districts import route_point
from gis.text import N_
from gis.validation import parse_geometry

#: How far a clicked point may lie from the border segment it flags a stretch of (metres).
SNAP_MAX_M = 2_000.0
#: The shortest stretch that can be flagged (metres).
MIN_STRETCH_M = 10.0


def check_point(
    session: Session, geometry: Any, district_id: int | None
) -> tuple[dict[str, Any], int]:
    """A checkpoint's or centre's new place: a valid point in the watch area, in
    ``district_id`` when given (the feature's district).

    Returns:
        The point as GeoJSON and the district it lies in (routed as a report would be).

    Raises:
        InvalidGeometry: (``geometry``) not a valid GeoJSON point.
        InvalidInput: (``geometry``) outside the watch area or outside the district.
    """
    point = parse_geometry(geometry, ("Point",), "geometry")
    try:
        routed = route_point(session, point.x, point.y).district.id
    except OutsideWatchArea as exc:
        raise InvalidInput(
            N_("{label}: {problem}"), field="geometry", label="geometry", problem=exc
        ) from exc
    if district_id is not None and routed != district_id:
        inside = session.execute(
            select(
                func.ST_Covers(
                    District.geom, func.ST_SetSRID(func.ST_MakePoint(point.x, point.y), SRID)
                )
            ).where(District.id == district_id)
        ).scalar()
        if not inside:
            raise InvalidInput(
                N_("the new place lies outside the feature's district"), field="geometry"
            )
        routed = district_id
    return {"type": "Point", "coordinates": [point.x, point.y]}, routed


@dataclass(frozen=True, slots=True)
class CrossingPlace:
    """A checked crossing path: its GeoJSON (a MultiLineString) and district."""

    geometry: dict[str, Any]
    district_id: int


def check_crossing(
    session: Session, geometry: Any, name: str, exclude_id: int | None = None
) -> CrossingPlace:
    """A natural crossing's path, checked by the crossing import's own rules
    (:func:`gis.reference.crossings.parse_crossings`, :func:`~gis.reference.crossings.
    assign_district`): a valid line, at most 50 km, in the watch area; and no other crossing in
    use with the same path.

    Raises:
        InvalidGeometry: (``geometry``) not a valid line.
        InvalidInput: (``geometry``) too long, outside the watch area, or the path of another
            crossing.
    """
    if not isinstance(geometry, Mapping):  # refused as the import refuses it
        parse_geometry(geometry, ("LineString", "MultiLineString"), "geometry")
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": name}, "geometry": dict(geometry)}],
    }
    item = parse_crossings(doc, "geometry")[0]
    district_id = assign_district(session, item)
    shape = json.loads(json.dumps(item.geom.__geo_interface__))
    same = select(NaturalCrossing.id).where(
        NaturalCrossing.retired_at.is_(None),
        func.ST_Equals(
            NaturalCrossing.geom,
            func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(shape)), SRID),
        ),
    )
    if exclude_id is not None:
        same = same.where(NaturalCrossing.id != exclude_id)
    if session.execute(same.limit(1)).first() is not None:
        raise InvalidInput(N_("another natural crossing has this path"), field="geometry")
    return CrossingPlace(shape, district_id)


def _lon_lat(value: Any, field: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InvalidInput(N_("{field} must be [longitude, latitude]"), field=field)
    lon = parse_number(value[0], field, -180.0, 180.0)
    lat = parse_number(value[1], field, -90.0, 90.0)
    return lon, lat


@dataclass(frozen=True, slots=True)
class StretchPlace:
    """Where a flagged stretch lies: its segment, fractions, district and line."""

    segment_id: int
    district_id: int | None
    from_fraction: float
    to_fraction: float
    geometry: dict[str, Any]


def snap_stretch(session: Session, segment_id: Any, from_point: Any, to_point: Any) -> StretchPlace:
    """The stretch of border segment ``segment_id`` between two clicked points, each snapped
    onto the segment (``ST_LineLocatePoint``) and the segment cut there (``ST_LineSubstring``).

    Raises:
        InvalidInput: (``segment_id``) no such segment; (``from_point``, ``to_point``) not a
            position, farther than :data:`SNAP_MAX_M` from the segment, or the two at one place.
    """
    if isinstance(segment_id, bool) or not isinstance(segment_id, int):
        raise InvalidInput(N_("{field} must be a whole number"), field="segment_id")
    segment = session.get(BorderSegment, segment_id)
    if segment is None:
        raise InvalidInput(N_("there is no border segment {id}"), field="segment_id", id=segment_id)
    fractions = []
    for field, value in (("from_point", from_point), ("to_point", to_point)):
        lon, lat = _lon_lat(value, field)
        pt = func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)
        fraction, distance = session.execute(
            select(
                func.ST_LineLocatePoint(BorderSegment.geom, pt),
                func.ST_Distance(
                    func.ST_Transform(BorderSegment.geom, METRIC_SRID),
                    func.ST_Transform(pt, METRIC_SRID),
                ),
            ).where(BorderSegment.id == segment_id)
        ).one()
        if distance > SNAP_MAX_M:
            raise InvalidInput(
                N_("{field} lies {metres:,.0f} m from the border segment (at most {most:,.0f} m)"),
                field=field,
                metres=distance,
                most=SNAP_MAX_M,
            )
        fractions.append(float(fraction))
    low, high = sorted(fractions)
    sub = func.ST_LineSubstring(BorderSegment.geom, low, high)
    length, geometry = session.execute(
        select(
            func.ST_Length(func.ST_Transform(sub, METRIC_SRID)),
            func.ST_AsGeoJSON(sub, 7),
        ).where(BorderSegment.id == segment_id)
    ).one()
    if high <= low or length < MIN_STRETCH_M:
        raise InvalidInput(
            N_("the two points lie at the same place on the border segment"), field="to_point"
        )
    return StretchPlace(segment_id, segment.district_id, low, high, json.loads(geometry))
