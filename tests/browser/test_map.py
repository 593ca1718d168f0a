"""The map page in headless Chromium: layers draw, nothing leaves 127.0.0.1, the page is light."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from layers import styles

pytestmark = [pytest.mark.browser, pytest.mark.db]

#: Budget for the first visit of ``/`` with all reference layers (bytes on the wire).
PAGE_BUDGET = 2 * 1024 * 1024

DRAWN = """() => {
    const count = (name) => document.querySelectorAll('path.bw-layer-' + name).length;
    return count('districts') > 100 && count('border') > 10 && count('mekong') > 0
        && count('checkpoints') > 20 && count('parallel_areas') > 10;
}"""

WEIGHT = """() => {
    const entries = [...performance.getEntriesByType('navigation'),
                     ...performance.getEntriesByType('resource')];
    const sum = (key) => entries.reduce((total, e) => total + e[key], 0);
    return {
        transfer: sum('transferSize'),
        encoded: sum('encodedBodySize'),
        decoded: sum('decodedBodySize'),
        urls: entries.map((e) => e.name),
    };
}"""


def open_map(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_function(DRAWN, timeout=30_000)
    page.wait_for_load_state("networkidle")


def count(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "nodes => nodes.length")


def test_map_draws_reference_layers_locally_and_light(live_server, page_and_log, output_dir):
    page, log = page_and_log
    bodies: list[int] = []
    page.on("requestfinished", lambda request: bodies.append(request.sizes()["responseBodySize"]))
    open_map(page, live_server)

    assert count(page, "path.bw-layer-districts") == 221
    # Target districts get the highlight colour (styles.py's rule, applied by layers.js).
    assert count(page, f'path.bw-layer-districts[fill="{styles.TARGET}"]') == 43
    assert count(page, f'path.bw-layer-border[stroke="{styles.BORDER_MEKONG}"]') > 10
    assert count(page, f'path.bw-layer-border[stroke="{styles.BORDER_LAND}"]') > 10
    assert count(page, "path.bw-layer-checkpoints") == 47
    assert count(page, ".leaflet-control-scale") == 1
    # The layer list (open beside the map on a desktop) has the seven reference layers and the
    # flagged border stretches; the legend opens from its button in its place.
    assert page.locator("#bw-layers-panel").is_visible()
    assert count(page, "#bw-layers-panel .bw-layer-toggle input[type=checkbox]") == 8
    page.click("#bw-legend-button")
    assert page.locator("#bw-layers-panel").is_hidden()
    assert "Target border district" in page.inner_text("#bw-legend-panel .bw-legend")

    assert log.console_errors == [] and log.page_errors == []
    hosts = {urlsplit(url).hostname for url in log.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, log.requests

    weight = page.evaluate(WEIGHT)
    print(
        f"\npage weight of /: {weight['transfer']} bytes transferred, "
        f"{weight['encoded']} encoded bodies, {weight['decoded']} uncompressed, "
        f"{len(weight['urls'])} requests; Playwright response bodies: {sum(bodies)} bytes"
    )
    assert 0 < weight["transfer"] < PAGE_BUDGET
    assert 0 < sum(bodies) < PAGE_BUDGET
    # The layers came from the API, compressed (flask-compress), not embedded in the page.
    assert any("/api/layers/districts?" in url for url in weight["urls"])
    assert weight["encoded"] < weight["decoded"] / 2

    page.screenshot(path=str(output_dir / "map.png"))


def test_zooming_in_reloads_the_visible_box_simplified_for_the_new_zoom(live_server, page_and_log):
    page, log = page_and_log
    open_map(page, live_server)
    with page.expect_request(lambda r: "/api/layers/districts?" in r.url) as request_info:
        page.evaluate("borderwatch.maps[0].map.setView([13.68, 102.50], 11)")
    query = parse_qs(urlsplit(request_info.value.url).query)
    assert query["zoom"] == ["11"]
    minx, miny, maxx, maxy = (float(v) for v in query["bbox"][0].split(","))
    assert minx < 102.50 < maxx and miny < 13.68 < maxy and maxx - minx < 2
    page.wait_for_function("document.querySelectorAll('path.bw-layer-districts').length < 30")
    page.wait_for_load_state("networkidle")
    assert 0 < count(page, "path.bw-layer-districts") < 30
    assert log.console_errors == [] and log.page_errors == []


def test_district_popup_shows_province_and_parallel_areas(live_server, page_and_log):
    page, _ = page_and_log
    open_map(page, live_server)
    text = page.evaluate(
        """() => {
            const layer = borderwatch.maps[0].layers.find((l) => l.spec.name === 'districts');
            let found = null;
            layer.group.eachLayer((f) => {
                if (f.feature.properties.district === 'Aranyaprathet') found = f;
            });
            found.openPopup();
            return document.querySelector('.leaflet-popup-content').innerText;
        }"""
    )
    assert "Aranyaprathet" in text and "Sa Kaeo" in text and "Poipet" in text


def test_checkpoint_popup_says_the_position_is_approximate(live_server, page_and_log):
    page, _ = page_and_log
    open_map(page, live_server)
    text = page.evaluate(
        """() => {
            const layer = borderwatch.maps[0].layers.find((l) => l.spec.name === 'checkpoints');
            let found = null;
            layer.group.eachLayer((f) => { if (f.feature.properties.approximate) found = f; });
            found.openPopup();
            return document.querySelector('.leaflet-popup-content').innerText;
        }"""
    )
    assert "APPROXIMATE" in text


def test_basemap_tiles_load_from_the_configured_url(start_server, page_and_log):
    page, log = page_and_log
    base = start_server(TILE_URL="http://127.0.0.1:9/tiles/{z}/{x}/{y}.png")
    tiles: list[str] = []

    def fulfil(route):
        tiles.append(route.request.url)
        route.fulfill(status=204)

    page.route("http://127.0.0.1:9/tiles/**", fulfil)
    open_map(page, base)
    assert tiles and all(urlsplit(t).path.endswith(".png") for t in tiles)
    assert "OpenStreetMap" in page.inner_text(".leaflet-control-attribution")
    hosts = {urlsplit(url).hostname for url in log.requests if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}


def test_the_address_names_the_view_to_open_and_follows_the_map(live_server, page_and_log):
    page, log = page_and_log
    page.goto(live_server + "/#map=12/13.68/102.5")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    view = page.evaluate(
        "(() => { const m = borderwatch.maps[0].map, c = m.getCenter();"
        " return [m.getZoom(), c.lat, c.lng]; })()"
    )
    assert view[0] == 12 and abs(view[1] - 13.68) < 1e-6 and abs(view[2] - 102.5) < 1e-6
    # the districts layer loads for that view, not for the whole border first
    page.wait_for_function("() => document.querySelectorAll('path.bw-layer-districts').length")
    assert count(page, "path.bw-layer-districts") < 30

    page.evaluate("borderwatch.maps[0].map.setView([17.9, 102.6], 10, {animate: false})")
    page.wait_for_function("() => location.hash === '#map=10/17.90000/102.60000'")

    for bad in ("#map=12/913.68/102.5", "#map=twelve/13/102", "#elsewhere"):
        page.goto("about:blank")  # a new document, not a move within the page
        page.goto(live_server + "/" + bad)
        page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
        assert page.evaluate("borderwatch.maps[0].map.getZoom()") < 8  # the whole border
    assert log.console_errors == [] and log.page_errors == []
