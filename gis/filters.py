"""Filters shared by the features: one small builder per condition, combined by each query.

Each builder returns a boolean SQL expression for a ``WHERE`` clause and is always true when its
filter is not given, so that a query lists every condition whatever the request holds
(pygeoapi's ``provider/sql.py`` works this way):

- :func:`in_bbox`: a geometry intersects a bounding box (the map layers, exports, hotspots);
- :func:`in_scope`: a row's district lies in an account's scope (incidents, counted cells,
  exports);
- :func:`in_window`: an incident occurred within a time window.

:func:`scope_covers` states the rule of :func:`in_scope` for one district already loaded in
Python (a plan's, a checkpoint's): ``None`` is the national scope, which covers every district.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, true

from gis.db import SRID
from gis.models import Incident
from gis.types import BBox


def bbox_envelope(bbox: BBox) -> ColumnElement[Any]:
    """The box as an EPSG:4326 polygon (``ST_MakeEnvelope``)."""
    return func.ST_MakeEnvelope(bbox.minx, bbox.miny, bbox.maxx, bbox.maxy, SRID)


def in_bbox(geom: Any, bbox: BBox | None) -> ColumnElement[bool]:
    """Filter: ``geom`` intersects ``bbox`` (always true without a bbox).

    Args:
        geom: an EPSG:4326 geometry column.
        bbox: the box, or ``None`` for no spatial filter.

    Returns:
        A boolean SQL expression for a ``WHERE`` clause (uses the column's GiST index).
    """
    if bbox is None:
        return true()
    return func.ST_Intersects(geom, bbox_envelope(bbox))


def in_scope(
    scope: frozenset[int] | None, district_id: Any = Incident.district_id
) -> ColumnElement[bool]:
    """Filter: rows whose ``district_id`` (the incident's by default) is in ``scope``.

    Args:
        scope: district ids (:func:`gis.accounts.scope.scope_district_ids`); ``None`` for every
            district, empty for none.
        district_id: the column holding the row's district.

    Returns:
        A boolean SQL expression for a ``WHERE`` clause.
    """
    if scope is None:
        return true()
    if not scope:
        return false()
    return district_id.in_(sorted(scope))


def in_window(
    since: dt.datetime | None, until: dt.datetime | None, column: Any = Incident.occurred_at
) -> ColumnElement[bool]:
    """Filter: ``column`` (when the incident occurred, by default) at or after ``since`` and
    before ``until``; each bound is optional.

    Returns:
        A boolean SQL expression for a ``WHERE`` clause.
    """
    conditions: list[ColumnElement[bool]] = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return and_(true(), *conditions)


def scope_covers(scope: frozenset[int] | None, district_id: int | None) -> bool:
    """Whether ``scope`` covers the district ``district_id`` (the rule of :func:`in_scope` for a
    value in Python): the national scope (``None``) covers every district, a district scope its
    own; no district (``None``) lies in a district scope."""
    return scope is None or (district_id is not None and district_id in scope)


__all__ = ["bbox_envelope", "in_bbox", "in_scope", "in_window", "scope_covers"]
