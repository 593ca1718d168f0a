"""The rendered map shell: local assets only, no embedded data, options escaped."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from folium.plugins import HeatMap, MarkerCluster
from folium.template import _to_escaped_json

from gis.types import BBox
from layers import assets
from layers.mapbuild import WATCH_AREA, build_map, latlon_bounds, render_parts
from layers.registry import REFERENCE_LAYERS

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
ATTRIBUTION = '&copy; <a href="https://example.org/copyright">Example</a> contributors'
URL = re.compile(r"""https?://[^\s"'<>)\\]+""")
EVIL = "</script><img src=x onerror=alert(1)>`${alert(2)}`'\""
EVIL_JSON = _to_escaped_json(EVIL)


def page(specs=REFERENCE_LAYERS, tile_url: str = "", **kwargs) -> str:
    m = build_map(specs, tile_url=tile_url, tile_attribution=ATTRIBUTION, max_zoom=19, **kwargs)
    parts = render_parts(m)
    return "\n".join([parts.header, parts.html, parts.script])


def test_without_basemap_the_map_references_no_other_host():
    html = page()
    assert URL.findall(html) == []
    assert "//" not in re.sub(r"/\*.*?\*/", "", html).replace("://", "")  # no protocol-relative URL


def test_with_basemap_the_only_urls_are_the_tile_template_and_its_attribution():
    html = page(tile_url=TILES)
    urls = set(URL.findall(html.replace("\\u003c", "<").replace("\\u003e", ">")))
    assert urls == {TILES, "https://example.org/copyright"}
    assert html.count("L.tileLayer(") == 1


def test_assets_are_the_apps_own_copies_and_nothing_else():
    html = page(static_url="/static")
    sources = re.findall(r'<script src="([^"]+)"', html)
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert sources == ["/static/vendor/leaflet/leaflet.js", "/static/js/layers.js"]
    assert links == ["/static/vendor/leaflet/leaflet.css", "/static/css/map.css"]
    for unused in ("jquery", "bootstrap", "awesome", "fontawesome", "glyphicons"):
        assert unused not in html.lower()


def test_map_has_scale_bar_max_zoom_and_the_layer_loader():
    html = page()
    assert "L.control.scale()" in html
    assert '"maxZoom": 19' in html
    assert "borderwatch.addLayers(" in html
    for spec in REFERENCE_LAYERS:
        assert f'"url": "/api/layers/{spec.name}"' in html


def test_no_feature_is_embedded_in_the_page():
    html = page()
    assert "FeatureCollection" not in html and '"coordinates"' not in html
    assert len(html.encode()) < 40_000


def test_layer_texts_cannot_close_the_script_or_open_a_template_literal():
    evil = replace(REFERENCE_LAYERS[0], title=EVIL)
    parts = render_parts(build_map([evil], tile_url="", tile_attribution="", max_zoom=19))
    assert "<" not in parts.script and "`" not in parts.script.replace(EVIL_JSON, "")
    # The title is one double-quoted JSON string with <, >, & and ' escaped.
    assert '"title": ' + EVIL_JSON in parts.script


def test_folium_wants_lat_lon_and_the_swap_happens_here():
    assert latlon_bounds(BBox(99.2, 10.8, 107.2, 20.9)) == [[10.8, 99.2], [20.9, 107.2]]
    html = page()
    centre = [(WATCH_AREA.miny + WATCH_AREA.maxy) / 2, (WATCH_AREA.minx + WATCH_AREA.maxx) / 2]
    assert f"center: {centre}" in html


def test_localise_points_plugins_at_local_copies_and_refuses_unknown_assets():
    cluster = MarkerCluster()
    assets.localise(cluster, "/static")
    urls = [url for _, url in cluster.default_js + cluster.default_css]
    assert urls and all(url.startswith("/static/vendor/") for url in urls)
    assert all(url.startswith("https://") for _, url in MarkerCluster.default_js), "class untouched"
    with pytest.raises(ValueError, match="no local copy"):
        assets.localise(HeatMap([[15.0, 103.0]]), "/static")


def test_our_own_assets_exist():
    for path in [*assets.SCRIPTS.values(), *assets.STYLESHEETS.values()]:
        if not path.startswith("vendor/"):
            assert (STATIC / path).is_file(), path


def test_vendor_assets_are_installed():
    """`make test` installs them (scripts/vendor-assets.sh) before the suite runs."""
    for path in [*assets.SCRIPTS.values(), *assets.STYLESHEETS.values()]:
        assert (STATIC / path).is_file(), path
