"""The layer API and the map page: RFC 7946 answers, bbox filtering, errors naming the field."""

from __future__ import annotations

import gzip
import json
from decimal import Decimal
from itertools import pairwise

import pytest
from sqlalchemy import select

from gis.models import District, NaturalCrossing
from layers.registry import REFERENCE_LAYERS
from tests.layers.test_registry import PROPERTIES
from webapp.map.api import REFERENCE_MAX_AGE

pytestmark = pytest.mark.db

LAYERS = [spec.name for spec in REFERENCE_LAYERS]
GEOMETRY = {"polygon": {"Polygon", "MultiPolygon"}, "line": {"LineString", "MultiLineString"},
            "point": {"Point"}}  # fmt: skip
#: The watch area with a margin: every reference coordinate lies inside (lon, lat order).
LON, LAT = (97.0, 108.5), (10.0, 21.5)
ARANYAPRATHET = "102.40,13.55,102.70,13.85"
#: Demo natural crossing south of Aranyaprathet / Poipet (lon, lat).
PATH = "MULTILINESTRING((102.52 13.62, 102.56 13.60, 102.60 13.59))"


def signed_area(ring: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(ring)) / 2


def positions(geometry: dict) -> list[list[float]]:
    coords, kind = geometry["coordinates"], geometry["type"]
    depth = {"Point": 0, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}
    flat = [coords]
    for _ in range(depth[kind]):
        flat = [c for part in flat for c in part]
    return flat


def polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


def get_layer(client, name: str, query: str = "") -> dict:
    resp = client.get(f"/api/layers/{name}{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "application/geo+json"
    return json.loads(resp.get_data(as_text=True), parse_float=Decimal)


def names(collection: dict, key: str) -> set[str]:
    return {f["properties"][key] for f in collection["features"]}


@pytest.fixture
def demo_crossing(session) -> NaturalCrossing:
    aranya = session.execute(select(District).where(District.name == "Aranyaprathet")).scalar_one()
    crossing = NaturalCrossing(
        code="test:aranya-1",
        name="Khlong Luek <path>",
        risk_level="high",
        district_id=aranya.id,
        is_demo=True,
        geom=f"SRID=4326;{PATH}",
    )
    session.add(crossing)
    session.flush()
    return crossing


def test_layer_list_names_every_layer_with_its_url(client):
    resp = client.get("/api/layers")
    assert resp.status_code == 200
    layers = resp.get_json()["layers"]
    assert [layer["name"] for layer in layers] == [*LAYERS, "border_stretches"]
    for layer in layers:
        assert layer["url"] == f"/api/layers/{layer['name']}"
        assert layer["title"] and 0 <= layer["min_zoom"] <= layer["max_zoom"] <= 22


@pytest.mark.parametrize("name", LAYERS)
@pytest.mark.parametrize("zoom", ["", "&zoom=6", "&zoom=13"])
def test_each_layer_is_an_rfc7946_feature_collection(client, demo_crossing, name, zoom):
    spec = next(s for s in REFERENCE_LAYERS if s.name == name)
    collection = get_layer(client, name, f"?bbox=97,10,108.5,21.5{zoom}")
    assert collection["type"] == "FeatureCollection"
    assert "crs" not in collection
    features = collection["features"]
    assert features
    ids = [f["id"] for f in features]
    assert all(isinstance(i, int) for i in ids) and len(set(ids)) == len(ids)
    for feature in features:
        assert feature["type"] == "Feature"
        assert set(feature["properties"]) == PROPERTIES[name]
        geometry = feature["geometry"]
        assert geometry["type"] in GEOMETRY[spec.geometry]
        for lon, lat in positions(geometry):
            assert LON[0] < lon < LON[1] and LAT[0] < lat < LAT[1], "lon/lat order"
        if spec.geometry == "polygon":
            for polygon in polygons(geometry):
                exterior, *holes = polygon
                assert exterior[0] == exterior[-1] and len(exterior) >= 4
                assert signed_area(exterior) > 0, "exterior rings counter-clockwise"
                assert all(signed_area(hole) < 0 for hole in holes), "holes clockwise"


@pytest.mark.parametrize("name", LAYERS)
def test_reference_layers_may_be_reused_by_the_browser_for_a_few_minutes(client, name):
    resp = client.get(f"/api/layers/{name}?bbox=97,10,108.5,21.5&zoom=8")
    assert resp.status_code == 200
    # the browser's own cache only (private), for REFERENCE_MAX_AGE seconds
    assert resp.headers["Cache-Control"] == f"private, max-age={REFERENCE_MAX_AGE}"


def test_bbox_around_aranyaprathet_returns_it_and_not_chiang_khong(client):
    districts = names(get_layer(client, "districts", f"?bbox={ARANYAPRATHET}&zoom=11"), "district")
    assert "Aranyaprathet" in districts and "Chiang Khong" not in districts
    assert len(districts) < 10
    everything = get_layer(client, "districts")
    assert {"Aranyaprathet", "Chiang Khong"} <= names(everything, "district")
    assert len(everything["features"]) == 221
    border = get_layer(client, "border", f"?bbox={ARANYAPRATHET}")
    assert "Aranyaprathet" in names(border, "district")
    assert "Chiang Khong" not in names(border, "district")
    assert names(border, "kind") == {"land_or_other_river"}


def test_district_properties_carry_target_flag_and_parallel_areas(client):
    collection = get_layer(client, "districts", f"?bbox={ARANYAPRATHET}")
    aranya = next(
        f for f in collection["features"] if f["properties"]["district"] == "Aranyaprathet"
    )
    props = aranya["properties"]
    assert props["province"] == "Sa Kaeo" and props["district_th"] == "อรัญประเทศ"
    assert props["target"] is True and props["border_neighbour"] == "KHM"
    assert "Poipet (Banteay Meanchey)" in props["parallel_areas"]
    targets = [f for f in get_layer(client, "districts")["features"] if f["properties"]["target"]]
    assert len(targets) == 43


def test_checkpoints_say_whether_their_position_is_approximate(client):
    features = get_layer(client, "checkpoints")["features"]
    assert len(features) == 47
    approximate = [f for f in features if f["properties"]["approximate"]]
    assert 0 < len(approximate) < len(features)
    assert all(f["properties"]["precision"] for f in features)


def test_demo_crossings_are_flagged(client, demo_crossing):
    features = get_layer(client, "natural_crossings", f"?bbox={ARANYAPRATHET}")["features"]
    assert [f["id"] for f in features] == [demo_crossing.id]
    assert features[0]["properties"] == {
        "name": "Khlong Luek <path>",
        "risk_level": "high",
        "district": "Aranyaprathet",
        "is_demo": True,
        "season": None,
        "crosses": [],
        "note": None,
        "precision": "approximate",
    }


def test_lower_zoom_means_fewer_vertices_and_decimals(client):
    coarse = get_layer(client, "districts", f"?bbox={ARANYAPRATHET}&zoom=6")
    fine = get_layer(client, "districts", f"?bbox={ARANYAPRATHET}&zoom=14")

    def vertices(c: dict) -> int:
        return sum(len(positions(f["geometry"])) for f in c["features"])

    def decimals(c: dict) -> int:
        return max(-v.as_tuple().exponent for f in c["features"] for p in positions(f["geometry"])
                   for v in p)  # fmt: skip

    assert vertices(coarse) * 4 < vertices(fine)
    assert decimals(coarse) <= 3 < decimals(fine) <= 7


def test_layers_are_compressed_on_the_wire(client):
    resp = client.get("/api/layers/districts", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    body = gzip.decompress(resp.data)
    assert len(resp.data) < len(body) / 3
    assert json.loads(body)["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?bbox=102,13,103", "bbox"),
        ("?bbox=102,13,103,14,15", "bbox"),
        ("?bbox=a,b,c,d", "bbox"),
        ("?bbox=103,13,102,14", "bbox"),  # minx > maxx
        ("?bbox=102,14,103,13", "bbox"),  # miny > maxy
        ("?bbox=102,13,103,95", "bbox"),  # latitude beyond 90
        ("?bbox=102,-91,103,14", "bbox"),
        ("?bbox=-181,13,103,14", "bbox"),
        ("?bbox=nan,13,103,14", "bbox"),
        ("?bbox=102,13,inf,14", "bbox"),
        ("?bbox=102,13,103,14&bbox=1,2,3,4", "bbox"),
        ("?zoom=abc", "zoom"),
        ("?zoom=-1", "zoom"),
        ("?zoom=23", "zoom"),
        ("?zoom=6.5", "zoom"),
        ("?bbox=102,13,103,14&format=kml", "format"),
        ("?BBOX=102,13,103,14", "BBOX"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, query, field):
    resp = client.get(f"/api/layers/districts{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_input" and body["field"] == field and body["message"]


@pytest.mark.parametrize(
    "path", ["/api/layers/nope", "/api/layers/DISTRICTS", "/api/layers/incident"]
)
def test_unknown_layer_is_a_404_json(client, path):
    resp = client.get(f"{path}?bbox=102,13,103,14")
    assert resp.status_code == 404
    assert resp.get_json() == {
        "error": "not_found",
        "field": "name",
        "message": "There is no map layer with this name.",
    }


def test_layer_list_rejects_parameters(client):
    resp = client.get("/api/layers?role=administrator")
    assert resp.status_code == 400 and resp.get_json()["field"] == "role"


def test_map_page_is_a_shell_without_data(client):
    resp = client.get("/")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert 'class="folium-map"' in html and "borderwatch.addLayers(" in html
    assert "/static/vendor/leaflet/leaflet.js" in html and 'href="/about"' in html
    assert "approximate" in html
    assert "FeatureCollection" not in html and len(html) < 40_000


def test_map_page_without_basemap_has_no_tile_layer(app, client):
    app.config["TILE_URL"] = ""
    html = client.get("/").get_data(as_text=True)
    assert "L.tileLayer" not in html and "http" not in html.replace("http-equiv", "")


def test_map_page_uses_the_configured_basemap(app, client):
    app.config["TILE_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    app.config["TILE_ATTRIBUTION"] = "Example tiles"
    html = client.get("/").get_data(as_text=True)
    assert '"https://tiles.example.org/{z}/{x}/{y}.png"' in html and "Example tiles" in html


@pytest.mark.parametrize(
    "lang,note",
    [
        ("en", "Checkpoint positions are mostly approximate"),
        ("th", "ตำแหน่งจุดผ่านแดนส่วนใหญ่เป็นตำแหน่งโดยประมาณ"),
    ],
)
def test_about_page_carries_the_attribution(client, lang, note):
    html = " ".join(client.get(f"/about?lang={lang}").get_data(as_text=True).split())
    for source in ("Royal Thai Survey Department", "geoBoundaries", "Natural Earth",
                   "CC BY 3.0 IGO", "CC BY 4.0"):  # fmt: skip
        assert source in html
    assert note in html
    assert f'<html lang="{lang}">' in html


def test_static_assets_are_compressed_and_closed(client):
    resp = client.get("/static/js/layers.js", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200 and resp.headers["Content-Encoding"] == "gzip"
    assert b"borderwatch" in gzip.decompress(resp.data)


@pytest.mark.parametrize("name", LAYERS)
def test_above_the_kept_zooms_the_whole_layer_is_refused_naming_bbox(client, name):
    """Above zoom 11 a layer's shapes are simplified on the fly: only for a box, never for the
    whole layer (the districts at zoom 22 are 6 MB simplified on every request)."""
    for zoom in (12, 22):
        resp = client.get(f"/api/layers/{name}?zoom={zoom}")
        assert resp.status_code == 400
        body = resp.get_json()
        assert body["error"] == "invalid_input" and body["field"] == "bbox"
        assert "bbox" in body["message"] and "11" in body["message"]
        assert client.get(f"/api/layers/{name}?zoom={zoom}&bbox={ARANYAPRATHET}").status_code == 200
    assert client.get(f"/api/layers/{name}?zoom=11").status_code == 200
    assert client.get(f"/api/layers/{name}").status_code == 200
