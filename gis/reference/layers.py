"""Reference layers for display: RFC 7946 FeatureCollections built in PostGIS.

Each public function answers one map layer for an optional bounding box and zoom level with a
single SQL statement that returns the whole FeatureCollection as JSON text: PostGIS simplifies
the geometries to about half a screen pixel at that zoom (:func:`display_precision`), rounds the
coordinates, orients polygon rings as RFC 7946 asks (exterior counter-clockwise) and builds the
features with ``json_build_object``. Python never sees a geometry.

The districts, parallel areas, border and Mekong are simplified once per zoom level of
:data:`STORED_ZOOMS` and kept in ``display_shape`` (migration 0011, kept by triggers): at those
levels a layer reads the kept shape (:func:`_shape`), above them it simplifies on the fly.

So that no request simplifies a whole layer (the districts at the finest zooms are megabytes and
seconds of database time), :func:`view_zoom` decides every layer's zoom: without a zoom, the
finest kept one (:data:`DEFAULT_ZOOM`); above the kept zooms only with a bounding box, otherwise
``InvalidInput`` naming ``bbox``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Numeric,
    Select,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import InstrumentedAttribute, Session

from gis.errors import InvalidInput
from gis.filters import in_bbox
from gis.geojson import json_object, select_feature_collection
from gis.models import (
    BorderSegment,
    BorderStretch,
    Checkpoint,
    CoordinationCentre,
    DisplayShape,
    District,
    DistrictParallelArea,
    NaturalCrossing,
    ParallelArea,
    Province,
    ReferenceVersion,
    River,
)
from gis.parsing import THAI_ZONE
from gis.text import N_
from gis.types import BBox, ReferenceFeature

#: A column or an SQL expression.
Expr = ColumnElement[Any] | InstrumentedAttribute[Any]

#: Width of a web-map tile in pixels (Leaflet, OpenStreetMap).
TILE_SIZE = 256
#: Simplification tolerance in degrees without a zoom level: about 50 m, half a pixel near zoom 10.
DEFAULT_TOLERANCE = 0.0005
#: Bounds of the number of decimals kept in coordinates (7 decimals is about 1 cm).
MIN_DIGITS, MAX_DIGITS = 3, 7
#: Zoom levels whose simplified shapes ``display_shape`` keeps (migration 0011 says the same).
STORED_ZOOMS = range(4, 12)
#: Zoom of a request that gives none: the finest kept one, read, not simplified.
DEFAULT_ZOOM = max(STORED_ZOOMS)


@dataclass(frozen=True, slots=True)
class DisplayPrecision:
    """How much detail a layer keeps for display.

    Attributes:
        tolerance: simplification tolerance in degrees.
        digits: decimals kept in coordinates (GeoJSON ``maxdecimaldigits``).
    """

    tolerance: float
    digits: int


def display_precision(zoom: int | None) -> DisplayPrecision:
    """Simplification tolerance and coordinate decimals for a web-map zoom level.

    The tolerance is half a pixel at ``zoom`` (in degrees of longitude, 256-pixel tiles), so the
    simplified shapes look the same on screen. Coordinates keep one decimal more than the
    tolerance needs, so rounding moves a vertex by well under a pixel.

    Args:
        zoom: web-map zoom level (0 shows the world on one tile), or ``None`` for
            :data:`DEFAULT_TOLERANCE`.

    Returns:
        The tolerance and the number of decimals.
    """
    tolerance = DEFAULT_TOLERANCE if zoom is None else 180.0 / (TILE_SIZE * 2**zoom)
    digits = math.ceil(-math.log10(tolerance)) + 1
    return DisplayPrecision(tolerance, min(MAX_DIGITS, max(MIN_DIGITS, digits)))


def view_zoom(bbox: BBox | None, zoom: int | None) -> int:
    """The zoom a layer is drawn at for a request, so that its cost is bounded.

    Without a zoom, :data:`DEFAULT_ZOOM`, whose shapes are kept. Above the kept zooms
    (:data:`STORED_ZOOMS`) shapes are simplified on the fly, which is affordable for the box of
    a view but not for a whole layer: there a bounding box is required.

    Args:
        bbox: the request's box, or ``None`` for the whole layer.
        zoom: the request's zoom level, or ``None``.

    Returns:
        The zoom level to draw at.

    Raises:
        InvalidInput: ``field="bbox"``: a zoom above the kept ones without a box.
    """
    if zoom is None:
        return DEFAULT_ZOOM
    if zoom > DEFAULT_ZOOM and bbox is None:
        raise InvalidInput(
            N_(
                "a bbox is required above zoom {default_zoom} (zoom {zoom} draws the whole layer "
                "at full detail)"
            ),
            field="bbox",
            default_zoom=DEFAULT_ZOOM,
            zoom=zoom,
        )
    return zoom


def _lines(geom: Expr, precision: DisplayPrecision) -> ColumnElement[Any]:
    """Simplified, then snapped to the output grid by GEOS, which keeps the result valid (a
    ring too small for the grid disappears instead of collapsing into a zero-area ring)."""
    simplified = func.ST_SimplifyPreserveTopology(geom, precision.tolerance)
    return func.ST_ReducePrecision(simplified, 10.0**-precision.digits)


def display_polygons(geom: Expr, precision: DisplayPrecision) -> ColumnElement[Any]:
    """``geom`` simplified for display as :func:`_lines` does, with exterior rings
    counter-clockwise and holes clockwise (RFC 7946)."""
    return func.ST_ForcePolygonCCW(_lines(geom, precision))


def _shape(
    model: Any, zoom: int | None, precision: DisplayPrecision, *, polygons: bool
) -> ColumnElement[Any]:
    """``model.geom`` simplified for ``zoom``: the shape kept in ``display_shape`` (its
    ``source`` is the model's table) at the levels of :data:`STORED_ZOOMS`, else
    :func:`display_polygons` or :func:`_lines` on the fly. The same shape either way (migration 0011
    stores that very expression); a kept shape that is missing is computed too."""
    live = display_polygons(model.geom, precision) if polygons else _lines(model.geom, precision)
    if zoom is None or zoom not in STORED_ZOOMS:
        return live
    kept = (
        select(DisplayShape.geom)
        .where(
            DisplayShape.source == model.__tablename__,
            DisplayShape.source_id == model.id,
            DisplayShape.zoom == zoom,
        )
        .scalar_subquery()
    )
    return func.coalesce(kept, live)


def display_collection(
    session: Session, rows: Select[int, Any, Any], precision: DisplayPrecision
) -> str:
    """Run ``rows`` (columns ``id``, ``geom``, ``properties``) as one FeatureCollection, ordered
    by id, coordinates kept to ``precision``.

    Features whose geometry vanished at this precision (smaller than the grid) are left out.

    Returns:
        The FeatureCollection as JSON text.
    """
    f = rows.subquery("f")
    collection = select_feature_collection(
        f,
        id=f.c.id,
        geometry=func.ST_AsGeoJSON(f.c.geom, precision.digits),
        properties=f.c.properties,
        order_by=(f.c.id,),
    )
    return session.execute(collection.where(~func.ST_IsEmpty(f.c.geom))).scalar_one()


def _round(value: Expr, decimals: int = 1) -> ColumnElement[Any]:
    return func.round(cast(value, Numeric), decimals)


def districts(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """Thai districts of the border provinces, target districts flagged.

    Properties: ``province``, ``province_th``, ``district``, ``district_th``, ``target``,
    ``target_no``, ``parallel_areas`` (list of ``"Name (Province)"``, empty for non-targets) and
    ``border_neighbour`` (``LAO``, ``KHM``, ``KHM,LAO`` or null).

    Args:
        session: open session.
        bbox: only districts intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification (see :func:`display_precision`);
            :func:`view_zoom` decides it.

    Returns:
        The FeatureCollection as JSON text; feature ids are district ids.

    Raises:
        InvalidInput: a zoom above the kept ones without ``bbox`` (:func:`view_zoom`).
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    pa_label = func.concat(ParallelArea.name, " (", ParallelArea.province, ")")
    parallel_areas = (
        select(func.json_agg(aggregate_order_by(pa_label, ParallelArea.name)))
        .join(DistrictParallelArea, DistrictParallelArea.parallel_area_id == ParallelArea.id)
        .where(DistrictParallelArea.district_id == District.id)
        .scalar_subquery()
    )
    properties = {
        "province": Province.name,
        "province_th": Province.name_th,
        "district": District.name,
        "district_th": District.name_th,
        "target": District.target,
        "target_no": District.target_no,
        "parallel_areas": func.coalesce(parallel_areas, literal_column("'[]'::json")),
        "border_neighbour": District.border_neighbour,
    }
    rows = (
        select(
            District.id.label("id"),
            _shape(District, zoom, precision, polygons=True).label("geom"),
            json_object(properties).label("properties"),
        )
        .join(Province, Province.id == District.province_id)
        .where(in_bbox(District.geom, bbox))
    )
    return display_collection(session, rows, precision)


def parallel_areas(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """Lao and Cambodian parallel areas (twin towns) of the target districts.

    Properties: ``name``, ``province``, ``country`` (``LAO``/``KHM``), ``level``
    (``district``/``province``) and ``districts`` (list of the paired Thai target districts).

    Args:
        session: open session.
        bbox: only areas intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification.

    Returns:
        The FeatureCollection as JSON text; feature ids are parallel area ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    paired = (
        select(func.json_agg(aggregate_order_by(District.name, District.name)))
        .join(DistrictParallelArea, DistrictParallelArea.district_id == District.id)
        .where(DistrictParallelArea.parallel_area_id == ParallelArea.id)
        .scalar_subquery()
    )
    properties = {
        "name": ParallelArea.name,
        "province": ParallelArea.province,
        "country": ParallelArea.country,
        "level": ParallelArea.level,
        "districts": func.coalesce(paired, literal_column("'[]'::json")),
    }
    rows = select(
        ParallelArea.id.label("id"),
        _shape(ParallelArea, zoom, precision, polygons=True).label("geom"),
        json_object(properties).label("properties"),
    ).where(in_bbox(ParallelArea.geom, bbox))
    return display_collection(session, rows, precision)


def border(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """The Thai–Lao and Thai–Cambodian boundary, one line per district segment.

    Properties: ``segment_no``, ``neighbour``, ``kind`` (``mekong_river`` or
    ``land_or_other_river``), ``demarcation``, ``district``, ``province`` and ``length_km``.

    Args:
        session: open session.
        bbox: only segments intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification.

    Returns:
        The FeatureCollection as JSON text; feature ids are segment ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    properties = {
        "segment_no": BorderSegment.segment_no,
        "neighbour": BorderSegment.neighbour,
        "kind": BorderSegment.kind,
        "demarcation": BorderSegment.demarcation,
        "district": BorderSegment.district_name,
        "province": BorderSegment.province_name,
        "length_km": _round(BorderSegment.length_km),
    }
    rows = select(
        BorderSegment.id.label("id"),
        _shape(BorderSegment, zoom, precision, polygons=False).label("geom"),
        json_object(properties).label("properties"),
    ).where(in_bbox(BorderSegment.geom, bbox))
    return display_collection(session, rows, precision)


def mekong(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """The Mekong: centreline sections and the boundary line in the river.

    Properties: ``name``, ``variant`` (``ne_centreline`` or ``boundary_line_in_river``),
    ``section``, ``forms_boundary`` and ``length_km``.

    Args:
        session: open session.
        bbox: only lines intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification.

    Returns:
        The FeatureCollection as JSON text; feature ids are river line ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    properties = {
        "name": River.name,
        "variant": River.variant,
        "section": River.section,
        "forms_boundary": River.forms_boundary,
        "length_km": _round(River.length_km),
    }
    rows = select(
        River.id.label("id"),
        _shape(River, zoom, precision, polygons=False).label("geom"),
        json_object(properties).label("properties"),
    ).where(in_bbox(River.geom, bbox))
    return display_collection(session, rows, precision)


def checkpoints(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """Border checkpoints: permanent crossings, border-trade and temporary crossing points.

    Properties: ``name``, ``name_th``, ``kind``, ``status``, ``status_note``, ``counterpart``,
    ``precision`` (how the position was found: the seed's value, or ``surveyed``, ``imagery``,
    ``approximate`` once a district set it), ``approximate`` (true when the point is only near
    the real checkpoint), ``hours``, ``days``, ``crossing_rules`` and ``district``. Retired
    checkpoints are left out.

    Args:
        session: open session.
        bbox: only checkpoints inside this box; ``None`` for all.
        zoom: display zoom level (sets the coordinate decimals).

    Returns:
        The FeatureCollection as JSON text; feature ids are checkpoint ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    properties = {
        "name": Checkpoint.name,
        "name_th": Checkpoint.name_th,
        "kind": Checkpoint.kind,
        "status": Checkpoint.status,
        "status_note": Checkpoint.status_note,
        "counterpart": Checkpoint.counterpart,
        "precision": Checkpoint.precision,
        "approximate": Checkpoint.approximate,
        "hours": Checkpoint.hours,
        "days": Checkpoint.days,
        "crossing_rules": Checkpoint.crossing_rules,
        "district": District.name,
    }
    rows = (
        select(
            Checkpoint.id.label("id"),
            Checkpoint.geom.label("geom"),
            json_object(properties).label("properties"),
        )
        .outerjoin(District, District.id == Checkpoint.district_id)
        .where(in_bbox(Checkpoint.geom, bbox), Checkpoint.retired_at.is_(None))
    )
    return display_collection(session, rows, precision)


def coordination_centres(
    session: Session, bbox: BBox | None = None, zoom: int | None = None
) -> str:
    """NTS-Mekong Watch Coordination Centres (one per target district).

    Properties: ``name``, ``name_th``, ``district``, ``location_approximate`` (true while the
    position is a stand-in point inside the district), ``precision``, ``address`` and ``phone``.
    Retired centres are left out.

    Args:
        session: open session.
        bbox: only centres inside this box; ``None`` for all.
        zoom: display zoom level (sets the coordinate decimals).

    Returns:
        The FeatureCollection as JSON text; feature ids are centre ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    properties = {
        "name": CoordinationCentre.name,
        "name_th": CoordinationCentre.name_th,
        "district": District.name,
        "location_approximate": CoordinationCentre.location_approximate,
        "precision": CoordinationCentre.precision,
        "address": CoordinationCentre.address,
        "phone": CoordinationCentre.phone,
    }
    rows = (
        select(
            CoordinationCentre.id.label("id"),
            CoordinationCentre.geom.label("geom"),
            json_object(properties).label("properties"),
        )
        .join(District, District.id == CoordinationCentre.district_id)
        .where(in_bbox(CoordinationCentre.geom, bbox), CoordinationCentre.retired_at.is_(None))
    )
    return display_collection(session, rows, precision)


def natural_crossings(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """Natural channels and paths across the border (outside the checkpoints).

    Properties: ``name``, ``risk_level``, ``district``, ``is_demo`` (true for the synthetic
    paths of the demo data set, which are not real crossings), ``season``, ``crosses`` (what
    crosses there), ``note`` and ``precision``. Retired paths are left out.

    Args:
        session: open session.
        bbox: only paths intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification.

    Returns:
        The FeatureCollection as JSON text; feature ids are crossing ids.
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    properties = {
        "name": NaturalCrossing.name,
        "risk_level": NaturalCrossing.risk_level,
        "district": District.name,
        "is_demo": NaturalCrossing.is_demo,
        "season": NaturalCrossing.season,
        "crosses": NaturalCrossing.crosses,
        "note": NaturalCrossing.note,
        "precision": NaturalCrossing.precision,
    }
    return _lines_in_force(session, NaturalCrossing, properties, bbox, precision)


def border_stretches(
    session: Session,
    bbox: BBox | None = None,
    zoom: int | None = None,
    *,
    with_source: bool = False,
) -> str:
    """Stretches of the border that districts flagged (reference editing), as accepted: the
    ones in force, not retired; a proposal shows nothing until it is accepted.

    Properties: ``demarcation``, ``district``, ``district_th``, ``precision``, ``changed_on``
    (the Thai day of the stretch's last accepted change) and, with ``with_source`` only,
    ``source`` (who or what told the district: a volunteer's patrol, a survey; for accounts,
    never the public).

    Args:
        session: open session.
        bbox: only stretches intersecting this box; ``None`` for all.
        zoom: display zoom level, for simplification.
        with_source: include the source of the knowledge (staff only).

    Returns:
        The FeatureCollection as JSON text; feature ids are stretch ids.

    Raises:
        InvalidInput: a zoom above the kept ones without ``bbox`` (:func:`view_zoom`).
    """
    zoom = view_zoom(bbox, zoom)
    precision = display_precision(zoom)
    last_change = (
        select(func.max(ReferenceVersion.at))
        .where(
            ReferenceVersion.feature_type == ReferenceFeature.STRETCH,
            ReferenceVersion.feature_id == BorderStretch.id,
        )
        .scalar_subquery()
    )
    changed = func.coalesce(last_change, BorderStretch.created_at)
    properties: dict[str, Any] = {
        "demarcation": BorderStretch.demarcation,
        "district": District.name,
        "district_th": District.name_th,
        "precision": BorderStretch.precision,
        "changed_on": cast(func.timezone(THAI_ZONE, changed), Date),
    }
    if with_source:
        properties["source"] = BorderStretch.source
    return _lines_in_force(session, BorderStretch, properties, bbox, precision)


def _lines_in_force(
    session: Session,
    model: type[NaturalCrossing] | type[BorderStretch],
    properties: dict[str, Any],
    bbox: BBox | None,
    precision: DisplayPrecision,
) -> str:
    """A layer of lines that reference editing may retire (natural crossings, flagged border
    stretches): those in force in ``bbox``, with ``properties`` (their district joined)."""
    rows = (
        select(
            model.id.label("id"),
            _lines(model.geom, precision).label("geom"),
            json_object(properties).label("properties"),
        )
        .join(District, District.id == model.district_id)
        .where(in_bbox(model.geom, bbox), model.retired_at.is_(None))
    )
    return display_collection(session, rows, precision)
