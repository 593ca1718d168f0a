"""Parsing of query parameters at the edge; a bad value raises InvalidInput naming the field."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from werkzeug.datastructures import MultiDict

from gis.errors import InvalidInput
from gis.parsing import parse_integer
from gis.text import N_
from gis.types import BBox


def parse_bbox(args: Mapping[str, str], field: str = "bbox") -> BBox | None:
    """``minx,miny,maxx,maxy`` in EPSG:4326 degrees, or ``None`` when absent."""
    raw = args.get(field)
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidInput(N_("{field} must be minx,miny,maxx,maxy (4 numbers)"), field=field)
    try:
        minx, miny, maxx, maxy = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidInput(N_("{field} must contain numbers only"), field=field) from exc
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        raise InvalidInput(N_("{field} values must be finite numbers"), field=field)
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180):
        raise InvalidInput(N_("{field} longitudes must be within -180..180"), field=field)
    if not (-90 <= miny <= 90 and -90 <= maxy <= 90):
        raise InvalidInput(N_("{field} latitudes must be within -90..90"), field=field)
    if minx > maxx:
        raise InvalidInput(N_("{field} minx is greater than maxx"), field=field)
    if miny > maxy:
        raise InvalidInput(N_("{field} miny is greater than maxy"), field=field)
    return BBox(minx, miny, maxx, maxy)


def parse_box(args: Mapping[str, str], field: str = "bbox") -> BBox | None:
    """A ``bbox`` of four numbers in another CRS than CRS84 (``bbox-crs``): finite, each
    minimum at most its maximum (the axes in the CRS's order), or ``None`` when absent."""
    raw = args.get(field)
    if raw is None or raw == "":
        return None
    parts = raw.split(",")
    if len(parts) != 4:
        raise InvalidInput(N_("{field} must be minx,miny,maxx,maxy (4 numbers)"), field=field)
    try:
        a, b, c, d = (float(p) for p in parts)
    except ValueError as exc:
        raise InvalidInput(N_("{field} must contain numbers only"), field=field) from exc
    if not all(math.isfinite(v) and abs(v) < 1e8 for v in (a, b, c, d)):
        raise InvalidInput(N_("{field} values must be finite numbers"), field=field)
    if a > c or b > d:
        raise InvalidInput(N_("{field}: each minimum must be at most its maximum"), field=field)
    return BBox(a, b, c, d)


def parse_int(
    args: Mapping[str, str], field: str, default: int | None, lo: int, hi: int
) -> int | None:
    """An optional integer within ``lo..hi``."""
    raw = args.get(field)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise InvalidInput(N_("{field} must be an integer"), field=field) from exc
    return parse_integer(value, field, lo, hi)


def only(args: MultiDict[str, str], allowed: Collection[str]) -> None:
    """Reject query parameters that are unknown or given more than once (400 naming it)."""
    for key in args:
        if key not in allowed:
            raise InvalidInput(N_("unknown query parameter {field!r}"), field=key)
        if len(args.getlist(key)) > 1:
            raise InvalidInput(N_("query parameter {field!r} is given more than once"), field=key)
