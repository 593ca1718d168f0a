"""Distances in metres: to the border, to the nearest checkpoint and natural crossing.

Geometries are stored in EPSG:4326; distances are measured in the metric CRS
(:data:`gis.db.METRIC_SRID`, UTM 48N), where a GiST index answers "nearest" with ``<->`` and the
distance is planar. Along the whole border this stays within 1 % of the geodesic distance
(checked against PostGIS geography in ``tests/gis/reference/test_measure.py``).

The expressions here are meant to be embedded in larger statements (an incident's INSERT, a bulk
UPDATE of demo data), so that everything derived from a point is computed in one statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ColumnExpressionArgument,
    ScalarSelect,
    delete,
    func,
    insert,
    select,
    true,
)
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.models import BorderPiece, BorderSegment, Checkpoint, NaturalCrossing

#: Most vertices per border piece: short pieces keep each distance computation cheap.
PIECE_VERTICES = 32


def point(lon: float, lat: float) -> ColumnElement[Any]:
    """An EPSG:4326 point expression for bound longitude/latitude values."""
    return func.ST_SetSRID(func.ST_MakePoint(lon, lat), SRID)


def to_metric(geom: ColumnExpressionArgument[Any]) -> ColumnElement[Any]:
    """``geom`` (EPSG:4326) in the metric CRS."""
    return func.ST_Transform(geom, METRIC_SRID)


def border_distance(geom_m: ColumnExpressionArgument[Any]) -> ScalarSelect[Any]:
    """Scalar subquery: metres from ``geom_m`` (metric CRS) to the nearest border piece."""
    return (
        select(func.ST_Distance(BorderPiece.geom, geom_m))
        .order_by(BorderPiece.geom.op("<->")(geom_m))
        .limit(1)
        .scalar_subquery()
    )


def _nearest(
    model: type[Checkpoint] | type[NaturalCrossing],
    name: str,
    geom_m: ColumnExpressionArgument[Any],
) -> Any:
    """Lateral subquery with ``id`` and ``distance_m`` of the ``model`` row nearest to ``geom_m``
    (KNN on the GiST index of its metric copy); retired rows (reference editing) are not
    candidates."""
    return (
        select(model.id.label("id"), func.ST_Distance(model.geom_m, geom_m).label("distance_m"))
        .where(model.retired_at.is_(None))
        .order_by(model.geom_m.op("<->")(geom_m))
        .limit(1)
        .lateral(name)
    )


def nearest_checkpoint(geom_m: ColumnExpressionArgument[Any]) -> Any:
    """Lateral subquery with ``id`` and ``distance_m`` of the checkpoint nearest to ``geom_m``."""
    return _nearest(Checkpoint, "nearest_checkpoint", geom_m)


def nearest_crossing(geom_m: ColumnExpressionArgument[Any]) -> Any:
    """Lateral subquery with ``id`` and ``distance_m`` of the natural crossing nearest to
    ``geom_m``."""
    return _nearest(NaturalCrossing, "nearest_crossing", geom_m)


@dataclass(frozen=True, slots=True)
class Proximity:
    """Distances from one point to the border and the nearest crossing places."""

    border_m: float | None
    checkpoint_id: int | None
    checkpoint_m: float | None
    crossing_id: int | None
    crossing_m: float | None


def proximity(session: Session, lon: float, lat: float) -> Proximity:
    """Distances from a point to the border, the nearest checkpoint and natural crossing.

    Args:
        session: open session.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.

    Returns:
        The distances in metres (``None`` where the layer is empty).
    """
    pt = select(to_metric(point(lon, lat)).label("g")).cte("pt")
    cp = nearest_checkpoint(pt.c.g)
    nc = nearest_crossing(pt.c.g)
    row = session.execute(
        select(
            border_distance(pt.c.g).label("border_m"),
            cp.c.id.label("checkpoint_id"),
            cp.c.distance_m.label("checkpoint_m"),
            nc.c.id.label("crossing_id"),
            nc.c.distance_m.label("crossing_m"),
        )
        .select_from(pt)
        .outerjoin(cp, true())
        .outerjoin(nc, true())
    ).one()
    return Proximity(*row)


def border_distance_m(session: Session, lon: float, lat: float) -> float | None:
    """Metres from a point to the Thai–Lao / Thai–Cambodian border (``None`` if not loaded)."""
    return session.execute(select(border_distance(to_metric(point(lon, lat))))).scalar()


def refresh_border_pieces(session: Session, force: bool = False) -> int:
    """Rebuild ``border_piece`` from ``border_segment`` when forced or when it is empty.

    Returns:
        The number of pieces written (0 when nothing needed doing).
    """
    if not force and session.execute(select(BorderPiece.id).limit(1)).first() is not None:
        return 0
    session.execute(delete(BorderPiece))
    result = session.execute(
        insert(BorderPiece)
        .from_select(
            ["segment_id", "geom"],
            select(
                BorderSegment.id,
                func.ST_Subdivide(to_metric(BorderSegment.geom), PIECE_VERTICES),
            ),
        )
        .returning(BorderPiece.id)
    )
    return len(result.all())
