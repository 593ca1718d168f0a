"""The coordinate reference systems of the OGC API (OGC API - Features Part 2, ``crs`` and
``bbox-crs``; CQL2's ``filter-crs``).

Features are stored in EPSG:4326 and answered in CRS84 (longitude, latitude) unless the caller
asks for another of :data:`SUPPORTED`: EPSG:4326 itself (latitude first, as its definition
orders the axes), Web Mercator (EPSG:3857) and the UTM zones Thai GIS offices work in, 47N
(EPSG:32647) and 48N (EPSG:32648). The transformation is PostGIS's ``ST_Transform``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, literal

from gis.errors import InvalidInput
from gis.text import N_


@dataclass(frozen=True, slots=True)
class Crs:
    """A CRS the OGC API speaks: its URI, its EPSG code, and whether its first axis is the
    latitude (EPSG:4326 as defined; CRS84 has the longitude first)."""

    uri: str
    srid: int
    lat_first: bool = False

    @property
    def is_storage(self) -> bool:
        """Whether coordinates in it are the stored ones as they are (CRS84)."""
        return self.srid == 4326 and not self.lat_first


CRS84 = Crs("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326)
#: Every CRS offered, CRS84 (the default) first.
SUPPORTED: tuple[Crs, ...] = (
    CRS84,
    Crs("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, lat_first=True),
    Crs("http://www.opengis.net/def/crs/EPSG/0/3857", 3857),
    Crs("http://www.opengis.net/def/crs/EPSG/0/32647", 32647),
    Crs("http://www.opengis.net/def/crs/EPSG/0/32648", 32648),
)
_BY_NAME = {c.uri: c for c in SUPPORTED} | {
    "[OGC:CRS84]": CRS84,
    "OGC:CRS84": CRS84,
    **{f"EPSG:{c.srid}": c for c in SUPPORTED if c is not CRS84},
    **{f"[EPSG:{c.srid}]": c for c in SUPPORTED if c is not CRS84},
}


def parse_crs(raw: str | None, field: str) -> Crs:
    """A CRS parameter: one of :data:`SUPPORTED` by its URI (or ``EPSG:n``, ``[EPSG:n]``);
    CRS84 when absent.

    Raises:
        InvalidInput: a CRS not offered (``field``), listing those that are.
    """
    if raw is None or not raw.strip():
        return CRS84
    found = _BY_NAME.get(raw.strip())
    if found is None:
        raise InvalidInput(
            N_("{field} must be one of: {choices}"),
            field=field,
            choices=", ".join(c.uri for c in SUPPORTED),
        )
    return found


def to_output(geom: Any, crs: Crs) -> Any:
    """A stored (EPSG:4326) geometry in ``crs``, axes in its order."""
    if crs.is_storage:
        return geom
    out = func.ST_Transform(geom, crs.srid)
    return func.ST_FlipCoordinates(out) if crs.lat_first else out


def geometry_in_storage(geojson: str, crs: Crs) -> Any:
    """A GeoJSON geometry given in ``crs`` as an EPSG:4326 geometry (a bound parameter)."""
    shape = func.ST_GeomFromGeoJSON(literal(geojson))
    if crs.lat_first:
        shape = func.ST_FlipCoordinates(shape)
    return func.ST_Transform(func.ST_SetSRID(shape, crs.srid), 4326)


def box_in_storage(minx: float, miny: float, maxx: float, maxy: float, crs: Crs) -> Any:
    """A ``bbox`` given in ``crs`` (axes in its order) as an EPSG:4326 polygon: the box is
    densified before it is transformed, so its edges stay where the caller drew them."""
    if crs.lat_first:
        minx, miny, maxx, maxy = miny, minx, maxy, maxx
    box = func.ST_MakeEnvelope(minx, miny, maxx, maxy, crs.srid)
    if crs.srid == 4326:
        return box
    span = max(maxx - minx, maxy - miny, 1e-9)
    return func.ST_Transform(func.ST_Segmentize(box, span / 64), 4326)


__all__ = [
    "CRS84",
    "SUPPORTED",
    "Crs",
    "box_in_storage",
    "geometry_in_storage",
    "parse_crs",
    "to_output",
]
