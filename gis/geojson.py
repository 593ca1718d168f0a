"""GeoJSON (RFC 7946) built in PostGIS: one builder of Features and FeatureCollections in SQL.

Every GeoJSON answer of the map layers and the APIs is one SQL statement that returns the whole
FeatureCollection as JSON text (``json_build_object`` and ``json_agg`` around ``ST_AsGeoJSON``):
Python never sees a geometry or a feature. :func:`select_feature_collection` writes that
statement for rows that a feature module selects; the rows decide the geometry, the properties,
the order and any foreign members of the collection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    FromClause,
    Select,
    Text,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by

#: The media type of GeoJSON (RFC 7946, section 12).
GEOJSON = "application/geo+json"

#: A FeatureCollection without features, as JSON text.
EMPTY_COLLECTION = '{"type": "FeatureCollection", "features": []}'

_EMPTY_ARRAY: Any = literal_column("'[]'::json")


def json_object(members: Mapping[str, Any]) -> ColumnElement[Any]:
    """``json_build_object`` of the given name -> SQL expression (or Python value) pairs, in
    their order."""
    args: list[Any] = []
    for name, value in members.items():
        args += [name, value]
    return func.json_build_object(*args)


def feature_object(geometry: Any, properties: Any, id: Any = None) -> ColumnElement[Any]:
    """A GeoJSON Feature as an SQL JSON expression.

    Args:
        geometry: the geometry as GeoJSON text (``ST_AsGeoJSON``), or SQL NULL.
        properties: a JSON expression (for example :func:`json_object`).
        id: the feature's id; ``None`` leaves the member out (a feature that is no row of a
            table, such as a counted cell).

    Returns:
        ``{"type": "Feature", "id": …, "geometry": …, "properties": …}``.
    """
    members: dict[str, Any] = {"type": "Feature"}
    if id is not None:
        members["id"] = id
    members["geometry"] = cast(geometry, JSON)
    members["properties"] = properties
    return json_object(members)


def select_feature_collection(
    rows: FromClause,
    *,
    geometry: Any,
    properties: Any,
    id: Any = None,
    order_by: Sequence[Any] = (),
    members: Mapping[str, Any] | None = None,
) -> Select[str]:
    """The statement that returns ``rows`` as one FeatureCollection, as JSON text.

    Args:
        rows: the features' rows (a subquery); the other arguments are expressions over its
            columns.
        geometry: each feature's geometry as GeoJSON text (``ST_AsGeoJSON``).
        properties: each feature's properties (a JSON expression).
        id: each feature's id, or ``None`` for features without one.
        order_by: the features' order in the collection.
        members: foreign members of the collection after ``features`` (name -> expression;
            aggregates such as ``max(rows.c.total)`` are allowed).

    Returns:
        A ``SELECT`` of one row and one column: the FeatureCollection JSON text (with an empty
        ``features`` array when ``rows`` is empty). Callers may add a ``WHERE`` over ``rows``.
    """
    one = feature_object(geometry, properties, id)
    features = func.json_agg(aggregate_order_by(one, *order_by) if order_by else one)
    collection = json_object(
        {
            "type": "FeatureCollection",
            "features": func.coalesce(features, _EMPTY_ARRAY),
            **(members or {}),
        }
    )
    return select(cast(collection, Text)).select_from(rows)


__all__ = [
    "EMPTY_COLLECTION",
    "GEOJSON",
    "feature_object",
    "json_object",
    "select_feature_collection",
]
