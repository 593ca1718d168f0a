"""The incidents map layer: what a viewer may see of the incidents, filtered, as GeoJSON.

Who sees what (the layer is never shown to the public; :mod:`layers.registry` lists it for
signed-in roles only):

- everyone sees the incidents they reported themselves;
- volunteers see nothing else;
- the other roles see the incidents of the districts in their scope
  (:func:`gis.accounts.scope.scope_district_ids`: coordinators and officers their district,
  planners their province or district, HQ analysts and administrators every district);
- unverified public reports (channel ``online_public``, status ``new``) are on no layer for
  anyone: coordinators see them in the review queue until they verify them;
- rejected and duplicate reports are left out unless the ``status`` filter names them.

Filters (:func:`parse_filters`, query parameters of ``/api/layers/incidents``): ``category`` and
``status`` (one value or several, comma-separated), ``since`` and ``until`` (a day ``2026-11-21``,
read as a whole day in Thai time, ``until`` inclusive; or an RFC 3339 date-time with an offset,
``since`` inclusive and ``until`` exclusive).

:func:`incidents_geojson` answers with one SQL statement that builds the FeatureCollection in
PostGIS, newest first and at most :data:`MAX_FEATURES` features; the collection's foreign members
``total`` (all matching incidents, counted by the same statement), ``limit`` and ``truncated``
tell the map when to ask the user to zoom in. Features never carry the reporter, the reporter's
contact, the receipt code or the idempotency key; the description is cut to
:data:`DESCRIPTION_CHARS` characters, and withheld where no coordinator has checked it yet
(:mod:`gis.incidents.disclosure`: only its reporter and the district's coordinators read it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import InvalidInput
from gis.filters import in_bbox, in_scope, in_window
from gis.geojson import select_feature_collection
from gis.incidents.disclosure import description_column, reader_of
from gis.models import District, Incident, IncidentCell, Province, User
from gis.parsing import THAI_ZONE, parse_choices, when_param
from gis.text import N_
from gis.types import BBox, Channel, IncidentCategory, IncidentStatus, Role

#: Most features in one answer; the answer says when more matched (``truncated``).
MAX_FEATURES = 5_000
#: Characters of the description shown on the map (the full text is in the incident API).
DESCRIPTION_CHARS = 200
#: Decimals of the coordinates (about 0.1 m).
COORDINATE_DIGITS = 6
#: Statuses shown when the ``status`` filter is absent.
DEFAULT_STATUSES = frozenset(
    {
        IncidentStatus.NEW,
        IncidentStatus.VERIFIED,
        IncidentStatus.REFERRED,
        IncidentStatus.CLOSED,
    }
)
#: Query parameters of the layer.
FILTER_PARAMS = ("category", "status", "since", "until")


@dataclass(frozen=True, slots=True)
class LayerFilter:
    """Checked filters of the incidents layer.

    Attributes:
        categories: only these categories (empty: every category).
        statuses: only these statuses (empty: :data:`DEFAULT_STATUSES`).
        since: only incidents that occurred at or after this time.
        until: only incidents that occurred before this time.
    """

    categories: frozenset[IncidentCategory] = frozenset()
    statuses: frozenset[IncidentStatus] = frozenset()
    since: dt.datetime | None = None
    until: dt.datetime | None = None


# --------------------------------------------------------------------------- parsing


def parse_filters(params: Mapping[str, str]) -> LayerFilter:
    """The layer's filters from query parameters (other parameters are the caller's business).

    Args:
        params: parameter name -> value; see the module docstring for the grammar.

    Returns:
        The checked filters.

    Raises:
        InvalidInput: a bad value, naming its parameter (``since`` when it lies after ``until``).
    """
    since, until = when_param(params, "since"), when_param(params, "until", end=True)
    if since is not None and until is not None and since >= until:
        raise InvalidInput(N_("since must lie before until"), field="since")
    return LayerFilter(
        categories=parse_choices(params.get("category"), "category", IncidentCategory),
        statuses=parse_choices(params.get("status"), "status", IncidentStatus),
        since=since,
        until=until,
    )


# --------------------------------------------------------------------------- filter builders


def visible_to(session: Session, viewer: User) -> ColumnElement[bool]:
    """Incidents ``viewer`` may see on a map: their own reports, and their scope's (not for
    volunteers). Mirrors :func:`gis.incidents.reports.may_see`."""
    reads_scope = viewer.is_active and Role(viewer.role) is not Role.VOLUNTEER
    scope = scope_district_ids(session, viewer) if reads_scope else frozenset()
    return readable_incidents(viewer, scope)


def readable_incidents(viewer: User, scope: frozenset[int] | None) -> ColumnElement[bool]:
    """SQL condition: the incidents ``viewer`` may see, its scope already read (the rule of
    :func:`visible_to`, which the export's incidents collection shares).

    Args:
        viewer: the account.
        scope: its districts (:func:`gis.accounts.scope.scope_district_ids`; ``None``: all).

    Returns:
        A condition on :class:`~gis.models.Incident` for a ``WHERE`` clause.
    """
    if not viewer.is_active:
        return false()
    own = Incident.reporter_id == viewer.id
    if Role(viewer.role) is Role.VOLUNTEER:
        return own
    return or_(own, in_scope(scope))


def on_a_layer() -> ColumnElement[bool]:
    """Not an unverified public report (those wait in the review queue)."""
    return not_(
        and_(Incident.channel == Channel.ONLINE_PUBLIC, Incident.status == IncidentStatus.NEW)
    )


def with_statuses(statuses: frozenset[IncidentStatus]) -> ColumnElement[bool]:
    """Incidents in one of ``statuses`` (:data:`DEFAULT_STATUSES` when empty)."""
    chosen = statuses or DEFAULT_STATUSES
    return Incident.status.in_(sorted(chosen))


def with_categories(categories: frozenset[IncidentCategory]) -> ColumnElement[bool]:
    """Incidents of one of ``categories`` (any when empty)."""
    return true() if not categories else Incident.category.in_(sorted(categories))


def layer_conditions(
    session: Session, viewer: User, layer_filter: LayerFilter, bbox: BBox | None
) -> tuple[ColumnElement[bool], ...]:
    """Every condition of the layer, for a ``WHERE`` clause (also used to count in tests)."""
    return (
        visible_to(session, viewer),
        on_a_layer(),
        with_statuses(layer_filter.statuses),
        with_categories(layer_filter.categories),
        in_window(layer_filter.since, layer_filter.until),
        in_bbox(Incident.geom, bbox),
    )


# --------------------------------------------------------------------------- GeoJSON


def _plan_small_read(session: Session) -> None:
    """Plan the rest of the transaction's statements as the short reads of one map view: no
    parallel workers and no JIT compilation (``SET LOCAL``, undone when the transaction ends).

    A view's points are at most :data:`MAX_FEATURES` rows found through the GiST index, read in
    a few milliseconds; but the planner prices the box test (``ST_Intersects``) so high that it
    starts a parallel worker for them (some 20 ms to start, more on a busy machine, for a scan
    of 2 ms: ``EXPLAIN ANALYZE`` of a zoom-13 view over the densest area of a million incidents
    took 76 ms with the worker, 45 ms without) and, for a wide box, compiles the statement
    (JIT, from a cost of 100,000: tens to hundreds of milliseconds), neither of which a
    statement of this size repays.
    """
    session.execute(
        select(
            func.set_config("max_parallel_workers_per_gather", "0", True),
            func.set_config("jit", "off", True),
        )
    )


def _thai_time(value: Any) -> ColumnElement[Any]:
    """An RFC 3339 date-time in Thai time (``2026-06-01T19:00:00+07:00``), whatever the
    session's time zone."""
    local = func.timezone(THAI_ZONE, value)
    return func.to_char(local, 'YYYY-MM-DD"T"HH24:MI:SS"+07:00"')


def _description() -> ColumnElement[Any]:
    text = Incident.description
    cut = func.left(text, DESCRIPTION_CHARS)
    return case((func.length(text) > DESCRIPTION_CHARS, func.concat(cut, "…")), else_=text)


def incidents_geojson(
    session: Session,
    viewer: User,
    layer_filter: LayerFilter = LayerFilter(),
    *,
    bbox: BBox | None = None,
    limit: int = MAX_FEATURES,
) -> str:
    """The incidents ``viewer`` may see, filtered, as one FeatureCollection built in PostGIS.

    Args:
        session: open session.
        viewer: the signed-in account (see the module docstring for what each role sees).
        layer_filter: checked filters (:func:`parse_filters`).
        bbox: only incidents inside this box (GiST index); ``None`` for all.
        limit: most features returned, newest first (1 to :data:`MAX_FEATURES`).

    Returns:
        FeatureCollection JSON text with the foreign members ``total`` (matching incidents),
        ``limit`` and ``truncated`` (``total > limit``). Feature ids are incident ids; properties
        ``id``, ``category``, ``status``, ``severity``, ``occurred_at`` (RFC 3339 in Thai time,
        ``+07:00``), ``district`` and ``district_th``, ``province`` and ``province_th`` (English
        and Thai names), ``description`` (cut to :data:`DESCRIPTION_CHARS` characters, ``…``
        added; ``null`` where :mod:`gis.incidents.disclosure` withholds it from ``viewer``) and
        ``description_truncated``.

    Raises:
        ValueError: ``limit`` out of range.
    """
    if not 1 <= limit <= MAX_FEATURES:
        raise ValueError(f"limit must be within 1..{MAX_FEATURES}")
    reader = reader_of(session, viewer)
    properties = func.json_build_object(
        "id", Incident.id,
        "category", Incident.category,
        "status", Incident.status,
        "severity", Incident.severity,
        "occurred_at", _thai_time(Incident.occurred_at),
        "district", District.name,
        "district_th", District.name_th,
        "province", Province.name,
        "province_th", Province.name_th,
        "description", description_column(reader, _description()),
        "description_truncated",
        func.coalesce(
            description_column(reader, func.length(Incident.description)) > DESCRIPTION_CHARS,
            false(),
        ),
    )  # fmt: skip
    rows = (
        select(
            Incident.id.label("id"),
            Incident.occurred_at.label("occurred_at"),
            func.ST_AsGeoJSON(Incident.geom, COORDINATE_DIGITS).label("geometry"),
            properties.label("properties"),
            func.count().over().label("total"),
        )
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .where(*layer_conditions(session, viewer, layer_filter, bbox))
        .order_by(Incident.occurred_at.desc(), Incident.id.desc())
        .limit(limit)
        .subquery("f")
    )
    total = func.coalesce(func.max(rows.c.total), 0)
    _plan_small_read(session)
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=rows.c.geometry,
        properties=rows.c.properties,
        order_by=(rows.c.occurred_at.desc(), rows.c.id.desc()),
        members={"total": total, "limit": literal(limit), "truncated": total > limit},
    )
    return session.execute(collection).scalar_one()


# --------------------------------------------------------------------------- counted cells

#: From this zoom level on the layer always answers with points (a box of a few streets).
POINTS_FROM_ZOOM = 15
#: Below :data:`POINTS_FROM_ZOOM`, a box with more matching incidents than this is answered with
#: counted cells instead of points: the browser then draws a few hundred counted bubbles
#: instead of clustering many thousands of markers, and the database counts instead of building
#: a feature per incident.
POINTS_AT_MOST = 2_000
#: Side of a cell on the screen, in pixels of a Web Mercator map (256-pixel tiles).
CELL_PX = 64
#: Zoom level assumed when the request gives none: the whole border fits a screen.
DEFAULT_ZOOM = 6
#: Grid levels (zooms) of the counts kept in ``incident_cell`` (migration 0009).
CELL_LEVELS = (8, 11, 14)


def cell_degrees(zoom: int) -> float:
    """Side of a counting cell in degrees at ``zoom``: :data:`CELL_PX` screen pixels (at the
    border's latitudes, 11-21 degrees north, a degree of latitude is drawn at most 7 % taller than
    one of longitude, so square cells in degrees look square enough)."""
    return CELL_PX * 360.0 / (256 * 2**zoom)


def incident_layer_geojson(
    session: Session,
    viewer: User,
    layer_filter: LayerFilter = LayerFilter(),
    *,
    bbox: BBox | None = None,
    zoom: int | None = None,
) -> str:
    """The incidents layer for a map view: points, or counted cells for a crowded box.

    At :data:`POINTS_FROM_ZOOM` and above, the points (:func:`incidents_geojson`). Below, the
    matching incidents are counted per cell of :func:`cell_degrees` (one pass over the rows, in
    SQL); when there are more than :data:`POINTS_AT_MOST` the answer is the cells
    (:func:`cells_geojson`), otherwise the points. Without ``zoom``, :data:`DEFAULT_ZOOM`.
    """
    level = DEFAULT_ZOOM if zoom is None else zoom
    if level >= POINTS_FROM_ZOOM:
        return incidents_geojson(session, viewer, layer_filter, bbox=bbox)
    cells = count_cells(session, viewer, layer_filter, bbox=bbox, zoom=level)
    total = sum(c[0] for c in cells)  # n, the first column of sum_per_cell
    if total <= POINTS_AT_MOST:
        return incidents_geojson(session, viewer, layer_filter, bbox=bbox)
    return cells_geojson(cells, level)


def count_cells(
    session: Session,
    viewer: User,
    layer_filter: LayerFilter,
    *,
    bbox: BBox | None,
    zoom: int,
) -> list[Any]:
    """The matching incidents counted per cell of :func:`cell_degrees` at ``zoom``: rows of
    ``n``, ``lon``, ``lat`` (the mean position of the cell's incidents, so that a bubble sits on
    its incidents, not on a grid corner) and one count per category (column named by the
    category).

    Without a time window, up to the finest level of :data:`CELL_LEVELS`, the counts come from
    ``incident_cell`` (:func:`_counted_cells`): the national view of a million incidents reads
    some 8,000 rows instead of every incident. A box then takes whole cells of that level (at
    most a quarter of a drawn cell's side beyond the box). With ``since`` or ``until``, or for a
    volunteer (who sees only their own reports), the incidents are counted one by one.
    """
    counted = (
        layer_filter.since is None
        and layer_filter.until is None
        and zoom <= CELL_LEVELS[-1]
        and viewer.is_active
        and Role(viewer.role) is not Role.VOLUNTEER
    )
    if counted:
        query = _counted_cells(session, viewer, layer_filter, bbox=bbox, zoom=zoom)
    else:
        query = incident_cell_rows(
            layer_conditions(session, viewer, layer_filter, bbox), zoom
        ).subquery("c")
    return list(session.execute(sum_per_cell(query)).all())


def _grid(value: Any, level: int) -> Any:
    """Index of the cell of 90 / 2^level degrees holding the coordinate ``value``."""
    return cast(func.floor(value * (1 << level) / 90.0), Integer)


def incident_cell_rows(conditions: tuple[ColumnElement[bool], ...], zoom: int) -> Any:
    """One row per matching incident: its cell at ``zoom``, count 1, its position, category."""
    x, y = func.ST_X(Incident.geom), func.ST_Y(Incident.geom)
    return select(
        _grid(x, zoom).label("cx"),
        _grid(y, zoom).label("cy"),
        literal(1).label("n"),
        x.label("sum_lon"),
        y.label("sum_lat"),
        Incident.category.label("category"),
    ).where(*conditions)


def _counted_cells(
    session: Session, viewer: User, layer_filter: LayerFilter, *, bbox: BBox | None, zoom: int
) -> Any:
    """Rows of ``incident_cell`` at the first level of :data:`CELL_LEVELS` at or above ``zoom``,
    their cells brought to ``zoom`` (``cx >> (level - zoom)``), for the viewer's scope; plus,
    counted from ``incident``, the viewer's own reports outside it."""
    level = next(level for level in CELL_LEVELS if level >= zoom)
    shift = level - zoom
    cell = IncidentCell
    statuses = sorted(layer_filter.statuses or DEFAULT_STATUSES)
    scope = scope_district_ids(session, viewer)
    conditions = [
        cell.level == level,
        cell.status.in_(statuses),
        not_(and_(cell.public, cell.status == IncidentStatus.NEW)),
        in_scope(scope, cell.district_id),
    ]
    if layer_filter.categories:
        conditions.append(cell.category.in_(sorted(layer_filter.categories)))
    if bbox is not None:
        scale = (1 << level) / 90.0
        conditions += [
            cell.cx.between(math.floor(bbox.minx * scale), math.floor(bbox.maxx * scale)),
            cell.cy.between(math.floor(bbox.miny * scale), math.floor(bbox.maxy * scale)),
        ]
    counted = select(
        cell.cx.op(">>")(shift).label("cx"),
        cell.cy.op(">>")(shift).label("cy"),
        cell.n.label("n"),
        cell.sum_lon.label("sum_lon"),
        cell.sum_lat.label("sum_lat"),
        cell.category.label("category"),
    ).where(*conditions)
    if scope is None:
        return counted.subquery("c")
    own = (
        Incident.reporter_id == viewer.id,
        not_(in_scope(scope)),
        on_a_layer(),
        with_statuses(layer_filter.statuses),
        with_categories(layer_filter.categories),
        in_bbox(Incident.geom, bbox),
    )
    return union_all(counted, incident_cell_rows(own, zoom)).subquery("c")


def sum_per_cell(rows: Any) -> Select[Any]:
    """``rows`` (cx, cy, n, sum_lon, sum_lat, category) added up per cell: columns ``n``,
    ``lon``, ``lat`` and one count per category in :class:`IncidentCategory`'s order, in this
    order (:func:`cells_geojson` reads them by position)."""
    n = func.sum(rows.c.n)
    per_category = [
        func.coalesce(func.sum(rows.c.n).filter(rows.c.category == c), 0).label(c.value)
        for c in IncidentCategory
    ]
    return (
        select(
            n.label("n"),
            (func.sum(rows.c.sum_lon) / n).label("lon"),
            (func.sum(rows.c.sum_lat) / n).label("lat"),
            *per_category,
        )
        .group_by(rows.c.cx, rows.c.cy)
        .having(n > 0)
    )


def cells_geojson(cells: list[Any], zoom: int) -> str:
    """Counted cells as a FeatureCollection: one Point per cell, properties ``count`` and
    ``categories`` (the non-zero counts by category); foreign members ``aggregated`` (true),
    ``zoom``, ``cell_degrees``, ``total`` (incidents counted) and ``cells``. Features have no
    id: a cell is not an incident."""
    names = [c.value for c in IncidentCategory]
    features = []
    total = 0
    # Rows unpacked by position, in :func:`sum_per_cell`'s order (n, lon, lat, one count per
    # category): a Row's attribute access costs some 30 times its index, and a view at zoom 12
    # has hundreds of cells of ten columns.
    for n, lon, lat, *counts in sorted(cells, key=lambda c: -c[0]):
        total += n
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [
                        round(float(lon), COORDINATE_DIGITS),
                        round(float(lat), COORDINATE_DIGITS),
                    ],
                },
                "properties": {
                    "count": n,
                    "categories": {name: k for name, k in zip(names, counts, strict=True) if k},
                },
            }
        )
    return orjson.dumps(
        {
            "type": "FeatureCollection",
            "features": features,
            "aggregated": True,
            "zoom": zoom,
            "cell_degrees": cell_degrees(zoom),
            "total": total,
            "cells": len(features),
            "truncated": False,
        }
    ).decode()


__all__ = [
    "CELL_LEVELS",
    "DEFAULT_STATUSES",
    "DESCRIPTION_CHARS",
    "FILTER_PARAMS",
    "MAX_FEATURES",
    "POINTS_AT_MOST",
    "POINTS_FROM_ZOOM",
    "LayerFilter",
    "cell_degrees",
    "cells_geojson",
    "count_cells",
    "incident_cell_rows",
    "incident_layer_geojson",
    "incidents_geojson",
    "layer_conditions",
    "on_a_layer",
    "parse_filters",
    "sum_per_cell",
    "visible_to",
    "with_categories",
    "with_statuses",
]
