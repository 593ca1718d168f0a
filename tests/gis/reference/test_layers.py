"""Reference layers built in PostGIS: display precision, bbox filter, one JSON document."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event

from gis.errors import InvalidInput
from gis.reference import layers as reference
from gis.types import BBox


@pytest.mark.parametrize(
    ("zoom", "tolerance", "digits"),
    [
        (0, 0.703125, 3),  # the world on one tile: coarse, but never fewer than 3 decimals
        (6, 0.010986, 3),
        (10, 0.000687, 5),
        (14, 0.0000429, 6),
        (22, 0.0000001676, 7),  # never more than 7 decimals (about 1 cm)
        (None, reference.DEFAULT_TOLERANCE, 5),
    ],
)
def test_display_precision_is_half_a_pixel(zoom, tolerance, digits):
    precision = reference.display_precision(zoom)
    assert precision.tolerance == pytest.approx(tolerance, rel=1e-3)
    assert precision.digits == digits


def test_tolerance_halves_with_each_zoom_level():
    for zoom in range(0, 20):
        coarse = reference.display_precision(zoom).tolerance
        assert reference.display_precision(zoom + 1).tolerance == pytest.approx(coarse / 2)


@pytest.mark.db
def test_a_layer_is_one_statement_returning_json_text(session):
    statements: list[str] = []
    connection = session.connection()
    event.listen(connection, "before_cursor_execute", lambda *args: statements.append(args[2]))
    text = reference.districts(session, BBox(102.4, 13.55, 102.7, 13.85), 11)
    assert isinstance(text, str) and len(statements) == 1
    assert "ST_AsGeoJSON" in statements[0] and "json_agg" in statements[0]
    collection = json.loads(text)
    assert {f["properties"]["district"] for f in collection["features"]} >= {"Aranyaprathet"}


@pytest.mark.db
def test_an_empty_box_gives_an_empty_collection(session):
    text = reference.checkpoints(session, BBox(0, 0, 1, 1), None)
    assert json.loads(text) == {"type": "FeatureCollection", "features": []}


#: Every reference layer's source.
SOURCES = (
    reference.districts,
    reference.parallel_areas,
    reference.border,
    reference.mekong,
    reference.natural_crossings,
    reference.coordination_centres,
    reference.checkpoints,
)
#: The layers whose shapes are simplified once per kept zoom (``display_shape``).
KEPT = (reference.districts, reference.parallel_areas, reference.border, reference.mekong)
NAKHON_PHANOM = BBox(104.6, 17.2, 104.9, 17.5)


@pytest.mark.db
@pytest.mark.parametrize("layer", SOURCES, ids=lambda f: f.__name__)
def test_above_the_kept_zooms_a_layer_needs_a_bbox(session, layer):
    finest = max(reference.STORED_ZOOMS)
    for zoom in (finest + 1, 22):
        with pytest.raises(InvalidInput) as refused:
            layer(session, None, zoom)
        assert refused.value.field == "bbox"
        assert json.loads(layer(session, NAKHON_PHANOM, zoom))["type"] == "FeatureCollection"
    assert json.loads(layer(session, None, finest))["type"] == "FeatureCollection"


@pytest.mark.db
@pytest.mark.parametrize("layer", KEPT, ids=lambda f: f.__name__)
def test_without_a_zoom_a_layer_is_drawn_from_the_finest_kept_shapes(session, layer):
    finest = max(reference.STORED_ZOOMS)
    assert reference.view_zoom(None, None) == finest
    assert layer(session) == layer(session, None, finest)
    assert layer(session, NAKHON_PHANOM) == layer(session, NAKHON_PHANOM, finest)
