"""Hostile text in features and layer titles is shown as text, never run (headless Chromium).

The page is the real map shell (``layers.mapbuild``) with one layer whose title and features are
hostile; Playwright answers every request itself, so no server or database is involved.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from gis.reference import layers as reference
from layers import styles
from layers.mapbuild import build_map, render_parts
from layers.spec import LayerSpec, PopupField

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
ORIGIN = "http://127.0.0.1:8099"
TITLE = '<img src=x onerror="window.__xss = 1">`${window.__xss = 2}`'
PROPERTIES = {
    "name": '<img src=x onerror="window.__xss = 3">',
    "district": "`${window.__xss = 4}` </script><script>window.__xss = 5</script>",
    "kind": '<b onmouseover="window.__xss = 6">bold</b>',
    "approximate": True,
}
FEATURES = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": 1,
            "geometry": {"type": "Point", "coordinates": [102.5, 13.7]},
            "properties": PROPERTIES,
        }
    ],
}


def hostile_page() -> str:
    spec = LayerSpec(
        name="hostile",
        title=TITLE,
        source=reference.checkpoints,
        style=styles.checkpoints(),
        popup_fields=(
            PopupField("name", "Name"),
            PopupField("district", "<i>District</i>"),
            PopupField("kind", "Kind", (("permanent_crossing", "Permanent"),)),
        ),
        geometry="point",
        loading="once",
    )
    parts = render_parts(build_map([spec], tile_url="", tile_attribution="", max_zoom=19))
    return (
        '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">'
        f'{parts.header}</head><body><div style="position:relative;height:100vh">'
        f"{parts.html}</div><script>{parts.script}</script></body></html>"
    )


def test_hostile_properties_and_titles_do_not_run(page_and_log, vendor_assets):
    page, log = page_and_log
    html = hostile_page()

    def answer(route):
        path = urlsplit(route.request.url).path
        if path == "/":
            route.fulfill(body=html, content_type="text/html")
        elif path.startswith("/static/"):
            route.fulfill(path=STATIC / path.removeprefix("/static/"))
        elif path == "/api/layers/hostile":
            route.fulfill(body=json.dumps(FEATURES), content_type="application/geo+json")
        else:
            route.fulfill(status=404)

    page.route(f"{ORIGIN}/**", answer)
    page.goto(f"{ORIGIN}/")
    page.wait_for_selector("path.bw-layer-hostile")
    page.evaluate("borderwatch.maps[0].layers[0].group.eachLayer((layer) => layer.openPopup())")
    popup = page.wait_for_selector(".leaflet-popup-content")
    page.mouse.move(640, 400)

    text = popup.inner_text()
    assert PROPERTIES["name"] in text and PROPERTIES["kind"] in text
    assert PROPERTIES["district"] in text and "<i>District</i>" in text
    # The page has no panel element: the layer list opens over the map (open on a desktop).
    assert page.inner_text("#bw-layers-panel .bw-layer-list").strip() == TITLE
    page.click("#bw-legend-button")
    assert TITLE in page.inner_text("#bw-legend-panel .bw-legend")
    injected = "document.querySelectorAll('.leaflet-container img, .leaflet-container b, "
    injected += ".leaflet-container i, body script:not([src])').length"
    assert page.evaluate(injected) == 1  # only the page's own inline script
    assert page.evaluate("window.__xss") is None
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []
