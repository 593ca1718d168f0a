"""Geometry validation for GeoJSON that enters borderwatch (reference data, imports, reports).

Every check names the feature and the reason, so that a rejected file can be fixed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gis.errors import InvalidGeometry
from gis.text import N_

#: Longest coordinate list accepted in one geometry (protects the server from huge inputs).
MAX_VERTICES = 200_000


def feature_label(feature: Mapping[str, Any], index: int, key: str | None = None) -> str:
    """A human label for a feature: its position and, when present, its key or name."""
    props = feature.get("properties") or {}
    name = None
    if key and isinstance(props, Mapping):
        name = props.get(key)
    if name is None:
        name = feature.get("id")
    if name is None and isinstance(props, Mapping):
        name = props.get("name") or props.get("id")
    return f"feature #{index + 1}" + (f" ({name})" if name is not None else "")


def _check_coordinates(coords: Any, depth: int = 0) -> int:
    """Walk a GeoJSON coordinate array; reject non-numbers, non-finite and out-of-range values.

    Returns the number of positions seen.
    """
    if depth > 4:
        raise ValueError("coordinates are nested too deeply")
    if not isinstance(coords, list | tuple):
        raise ValueError("coordinates must be arrays")
    if coords and isinstance(coords[0], int | float):  # a position (bool is rejected below)
        if len(coords) < 2:
            raise ValueError("a position needs longitude and latitude")
        for v in coords:
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ValueError("coordinates must be finite numbers")
        lon, lat = coords[0], coords[1]
        if not -180 <= lon <= 180:
            raise ValueError(f"longitude {lon} is outside -180..180")
        if not -90 <= lat <= 90:
            raise ValueError(f"latitude {lat} is outside -90..90")
        return 1
    n = 0
    for c in coords:
        n += _check_coordinates(c, depth + 1)
        if n > MAX_VERTICES:
            raise ValueError(f"more than {MAX_VERTICES} vertices")
    return n


def parse_geometry(geometry: Any, allowed: Iterable[str], label: str = "geometry") -> BaseGeometry:
    """Turn a GeoJSON geometry object into a valid Shapely geometry of an allowed type.

    Args:
        geometry: the GeoJSON ``geometry`` member (lon/lat, EPSG:4326).
        allowed: accepted GeoJSON types, e.g. ``("Polygon", "MultiPolygon")``.
        label: how the error names the feature.

    Returns:
        The Shapely geometry.

    Raises:
        InvalidGeometry: missing, of another type, with bad coordinates, empty or invalid.
    """
    allowed = tuple(allowed)
    if not isinstance(geometry, Mapping):
        raise InvalidGeometry(
            N_("{label}: geometry is missing"), feature=label, field="geometry", label=label
        )
    gtype = geometry.get("type")
    if gtype not in allowed:
        raise InvalidGeometry(
            N_("{label}: geometry type {type!r} is not accepted (expected {expected})"),
            feature=label,
            field="geometry",
            label=label,
            type=gtype,
            expected=" or ".join(allowed),
        )
    try:
        _check_coordinates(geometry.get("coordinates"))
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
        raise InvalidGeometry(
            N_("{label}: {detail}"), feature=label, field="geometry", label=label, detail=str(exc)
        ) from exc
    if geom.is_empty:
        raise InvalidGeometry(
            N_("{label}: geometry is empty"), feature=label, field="geometry", label=label
        )
    if not geom.is_valid:
        raise InvalidGeometry(
            N_("{label}: geometry is not valid ({detail})"),
            feature=label,
            field="geometry",
            label=label,
            detail=explain_validity(geom),
        )
    return geom


def feature_collection(doc: Any, source: str) -> list[Mapping[str, Any]]:
    """Check the outline of a GeoJSON FeatureCollection and return its features.

    A ``crs`` member other than WGS 84 lon/lat is rejected: RFC 7946 data is EPSG:4326.

    Raises:
        InvalidGeometry: not a FeatureCollection, another CRS, or a feature that is not a Feature.
    """
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        raise InvalidGeometry(N_("{source}: not a GeoJSON FeatureCollection"), source=source)
    crs = doc.get("crs")
    if crs is not None:
        name = str(((crs or {}).get("properties") or {}).get("name", ""))
        if not (name.endswith("CRS84") or name.endswith("4326")):
            raise InvalidGeometry(
                N_("{source}: coordinates must be EPSG:4326 longitude/latitude (crs is {name!r})"),
                source=source,
                name=name,
            )
    features = doc.get("features")
    if not isinstance(features, list):
        raise InvalidGeometry(N_("{source}: 'features' must be an array"), source=source)
    for i, f in enumerate(features):
        if not isinstance(f, Mapping) or f.get("type") != "Feature":
            raise InvalidGeometry(
                N_("{source}: feature #{number} is not a GeoJSON Feature"),
                source=source,
                number=i + 1,
            )
        props = f.get("properties")
        if props is not None and not isinstance(props, Mapping):
            raise InvalidGeometry(
                N_("{source}: feature #{number} has properties that are not an object"),
                source=source,
                number=i + 1,
            )
    return features
