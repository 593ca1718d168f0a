"""Natural crossing paths: import from GeoJSON, with each path assigned to its district.

A file is checked whole before anything is written: every feature must be a LineString or
MultiLineString in EPSG:4326, valid, at most :data:`MAX_LENGTH_M` long, with a name, and must
belong to a target district. The first problem rejects the file with an error that names the
feature and the reason. Re-importing the same file changes nothing (upsert on a stable code: the
feature's ``id``, or a hash of its geometry when it has none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.db import SRID
from gis.errors import InvalidInput, OutsideWatchArea
from gis.models import District, NaturalCrossing
from gis.reference.corridor import refresh_corridor
from gis.reference.districts import DEFAULT_MAX_DISTANCE_M, route_point
from gis.reference.measure import to_metric
from gis.text import N_
from gis.types import RiskLevel
from gis.upsert import Counts, upsert_rows
from gis.validation import feature_collection, feature_label, parse_geometry

#: Longest accepted path: natural crossings are short paths, not routes across a province.
MAX_LENGTH_M = 50_000.0
LINES = ("LineString", "MultiLineString")


@dataclass(frozen=True)
class CrossingInput:
    code: str
    name: str
    description: str | None
    risk_level: str
    properties: dict[str, Any]
    geom: BaseGeometry
    label: str


def _code(feature: Mapping[str, Any], geom: BaseGeometry) -> str:
    fid = feature.get("id")
    if fid is None:
        fid = (feature.get("properties") or {}).get("id")
    if fid is not None:
        return str(fid)[:80]
    return "geom-" + hashlib.sha256(geom.wkb).hexdigest()[:32]


def parse_crossings(doc: Any, label: str = "file") -> list[CrossingInput]:
    """Validate a FeatureCollection of crossing paths (no database needed).

    Raises:
        InvalidGeometry: bad outline, geometry type, coordinates or validity.
        InvalidInput: a missing name, an unknown risk level, a duplicate id.
    """
    items: list[CrossingInput] = []
    seen: dict[str, str] = {}
    for i, feature in enumerate(feature_collection(doc, label)):
        flabel = f"{label}: {feature_label(feature, i)}"
        props = dict(feature.get("properties") or {})
        geom = parse_geometry(feature.get("geometry"), LINES, flabel)
        name = props.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput(
                N_("{label}: property 'name' is missing"), field="name", label=flabel
            )
        risk = props.get("risk_level", RiskLevel.MEDIUM.value)
        if risk not in [r.value for r in RiskLevel]:
            raise InvalidInput(
                N_("{label}: risk_level {risk!r} is not one of low, medium, high"),
                field="risk_level",
                label=flabel,
                risk=risk,
            )
        description = props.get("description")
        if description is not None and not isinstance(description, str):
            raise InvalidInput(
                N_("{label}: description must be text"), field="description", label=flabel
            )
        code = _code(feature, geom)
        if code in seen:
            raise InvalidInput(
                N_("{label}: id {code!r} is used by {other} too"),
                field="id",
                label=flabel,
                code=code,
                other=seen[code],
            )
        seen[code] = flabel
        if geom.geom_type == "LineString":
            geom = MultiLineString([geom])
        extra = {k: v for k, v in props.items() if k not in ("name", "risk_level", "description")}
        items.append(CrossingInput(code, name.strip(), description, risk, extra, geom, flabel))
    return items


def assign_district(
    session: Session, item: CrossingInput, max_distance_m: float = DEFAULT_MAX_DISTANCE_M
) -> int:
    """The target district of a path: the one holding the longest part of it; for a path wholly
    across the border, the district its midpoint routes to.

    Raises:
        InvalidInput: the path is too long or outside the watch area.
    """
    geom = from_shape(item.geom, srid=SRID)
    length = session.execute(select(func.ST_Length(to_metric(geom)))).scalar_one()
    if length > MAX_LENGTH_M:
        raise InvalidInput(
            N_(
                "{label}: path is {km:.1f} km long, more than the {most_km:.0f} km accepted for"
                " a crossing"
            ),
            field="geometry",
            label=item.label,
            km=length / 1000,
            most_km=MAX_LENGTH_M / 1000,
        )
    inside = func.ST_Length(to_metric(func.ST_Intersection(District.geom, geom)))
    district_id = session.execute(
        select(District.id)
        .where(District.target, District.geom.ST_Intersects(geom))
        .order_by(inside.desc())
        .limit(1)
    ).scalar()
    if district_id is not None:
        return district_id
    mid = (
        item.geom.interpolate(0.5, normalized=True)
        if item.geom.geom_type != "MultiLineString"
        else (max(item.geom.geoms, key=lambda g: g.length).interpolate(0.5, normalized=True))
    )
    try:
        return route_point(session, mid.x, mid.y, max_distance_m).district.id
    except OutsideWatchArea as exc:
        raise InvalidInput(
            N_("{label}: {problem}"), field="geometry", label=item.label, problem=exc
        ) from exc


def import_crossings(
    session: Session,
    doc: Any,
    *,
    source: str,
    label: str = "file",
    is_demo: bool = False,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    progress: Callable[[str, int, int], None] | None = None,
) -> Counts:
    """Validate and load a FeatureCollection of natural crossing paths; the caller commits.

    Args:
        session: open session.
        doc: the parsed GeoJSON document.
        source: provenance kept with each path (e.g. the file name).
        label: how errors name the file.
        is_demo: mark the paths as synthetic demo data.
        max_distance_m: reach across the border for paths outside Thai districts.
        progress: optional ``(step, done, total)`` callback.

    Returns:
        Inserted, updated and unchanged counts.

    Raises:
        InvalidGeometry, InvalidInput: the file is rejected whole; nothing is written.
    """
    items = parse_crossings(doc, label)
    rows = []
    for i, item in enumerate(items, 1):
        rows.append(
            {
                "code": item.code,
                "name": item.name,
                "description": item.description,
                "risk_level": item.risk_level,
                "district_id": assign_district(session, item, max_distance_m),
                "is_demo": is_demo,
                "source": source,
                "properties": item.properties,
                "geom": from_shape(item.geom, srid=SRID),
            }
        )
        if progress:
            progress("checking crossings", i, len(items))
    counts = Counts()
    upsert_rows(session, NaturalCrossing, "code", rows, counts, progress=progress)
    session.flush()
    if counts.changed:
        refresh_corridor(session)
    return counts
