"""Geometry validation without a database."""

from __future__ import annotations

import math

import pytest

from gis.errors import InvalidGeometry
from gis.validation import parse_geometry

POLY = ("Polygon", "MultiPolygon")


@pytest.mark.parametrize(
    ("geometry", "words"),
    [
        (None, "missing"),
        ({"type": "Point", "coordinates": [1, 2]}, "not accepted"),
        ({"type": "Polygon", "coordinates": "abc"}, "arrays"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, math.nan], [1, 1], [0, 0]]]}, "finite"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, math.inf], [1, 1], [0, 0]]]}, "finite"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [181, 0], [1, 1], [0, 0]]]}, "longitude"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [True, 0], [1, 1], [0, 0]]]}, "finite"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "at least 4 coordinates"),
        ({"type": "Polygon", "coordinates": []}, "empty"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "not valid",
        ),
        ({"type": "Polygon", "coordinates": [[[[[[[0, 0]]]]]]]}, "nested too deeply"),
    ],
)
def test_bad_geometries_are_named(geometry, words):
    with pytest.raises(InvalidGeometry) as exc:
        parse_geometry(geometry, POLY, "f.geojson: feature #3")
    assert words in str(exc.value)
    assert str(exc.value).startswith("f.geojson: feature #3")


def test_good_polygon_passes():
    g = parse_geometry({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}, POLY)
    assert g.area == 0.5
