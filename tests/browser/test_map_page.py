"""The map page in Thai, phone first (headless Chromium with a Thai browser, ``th-TH``).

At 390x844 and 1366x900, for the public and for a coordinator: the map draws below the shared
header and fills the screen; the layer list and the legend open from their two buttons on the map,
one at a time, closed at first on a phone (then over the top of the map, never past its middle)
and the layer list open beside the map on a desktop; both close again (their close button, the
button itself, Escape). Nothing scrolls sideways, touch targets are 44 px, the bottom right corner
is free for the report button, no English word is on the page, axe-core finds no serious or
critical violation, and screenshots are saved under ``test-output/``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest

from gis.types import IncidentCategory, Role
from tests.browser.axe import assert_accessible
from tests.browser.conftest import OUTPUT, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.db]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
#: Inside Chiang Khong (TH5703), the coordinator's district.
WHERE = (100.40, 20.25)
#: Noon in Thailand on 1 June 2026 (2569 in the Buddhist era).
OCCURRED = dt.datetime(2026, 6, 1, 5, 0, tzinfo=dt.UTC)
#: Words that are names, the same on a Thai page.
NAMES = {
    "NTS", "Mekong", "Watch", "MWCC", "Leaflet", "km", "borderwatch", "Gi", "DBSCAN", "English",
    "Getis", "Ord",
}  # fmt: skip
THAI = re.compile("[\u0e00-\u0e7f]")

DRAWN = """() => {
    const count = (name) => document.querySelectorAll('path.bw-layer-' + name).length;
    return window.borderwatch && borderwatch.maps.length === 1
        && count('districts') > 100 && count('border') > 10 && count('checkpoints') > 20;
}"""
#: Boxes of the map and the page's panel, and how wide the page is.
LAYOUT = """() => {
    const box = (el) => { const r = el.getBoundingClientRect();
        return {x: r.x, y: r.y, width: r.width, height: r.height, right: r.right,
                bottom: r.bottom}; };
    const panel = document.getElementById('map-panel');
    return {
        map: box(document.querySelector('.folium-map')),
        header: box(document.querySelector('header.bw-bar')),
        panel: panel.hidden ? null : box(panel),
        scrollWidth: document.documentElement.scrollWidth,
        scrollHeight: document.documentElement.scrollHeight,
        bottomRight: document.querySelectorAll('.leaflet-bottom.leaflet-right > *').length,
    };
}"""


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'’]+", text) if w not in NAMES]


def assert_touch_target(page: Any, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44, (selector, box)


def check_panels(page: Any, role: str, size: str, viewport: dict[str, int]) -> None:
    """The two buttons open their panels one at a time, and each closes again."""
    layers_button = page.locator("#bw-layers-button")
    legend_button = page.locator("#bw-legend-button")
    layer_list, legend = page.locator("#bw-layers-panel"), page.locator("#bw-legend-panel")
    assert layers_button.inner_text().strip() == "ชั้นข้อมูล"
    assert legend_button.inner_text().strip() == "คำอธิบายสัญลักษณ์"
    assert_touch_target(page, "#bw-layers-button")
    assert_touch_target(page, "#bw-legend-button")
    assert_touch_target(page, ".leaflet-control-zoom-in")

    layout = page.evaluate(LAYOUT)
    if size == "phone":  # closed at first: the whole map is there
        assert layer_list.is_hidden() and legend.is_hidden() and layout["panel"] is None
        assert layers_button.get_attribute("aria-expanded") == "false"
        assert layout["map"]["width"] == viewport["width"]
        layers_button.click()
    else:  # the layer list is open beside the map, which it does not cover
        assert layer_list.is_visible() and layout["panel"] is not None
        assert layout["panel"]["x"] >= layout["map"]["right"] - 1
        assert layout["map"]["width"] + layout["panel"]["width"] <= viewport["width"] + 1
    assert layer_list.is_visible() and legend.is_hidden()
    assert layers_button.get_attribute("aria-expanded") == "true"
    layout = page.evaluate(LAYOUT)
    if size == "phone":  # over the top of the map, never past its middle
        middle = layout["map"]["y"] + layout["map"]["height"] / 2
        assert layout["panel"]["bottom"] <= middle, layout
    assert_touch_target(page, "#bw-layers-panel .bw-panel-close")
    assert_touch_target(page, "#bw-layers-panel .bw-layer-toggle >> nth=0")

    # the legend takes the layer list's place; its button closes it again
    legend_button.click()
    assert legend.is_visible() and layer_list.is_hidden()
    assert layers_button.get_attribute("aria-expanded") == "false"
    assert legend_button.get_attribute("aria-expanded") == "true"
    assert "อำเภอชายแดนเป้าหมาย (ศปก.อ.)" in legend.inner_text()
    page.screenshot(path=str(OUTPUT / f"map-{role}-{size}-th-legend.png"))
    legend_button.click()
    assert legend.is_hidden() and page.evaluate(LAYOUT)["panel"] is None
    assert legend_button.get_attribute("aria-expanded") == "false"

    # the close button, and Escape, close a panel and give the focus back to its button
    layers_button.click()
    page.click("#bw-layers-panel .bw-panel-close")
    assert layer_list.is_hidden()
    assert page.evaluate("document.activeElement.id") == "bw-layers-button"
    legend_button.click()
    page.focus("#bw-legend-panel .bw-panel-close")
    page.keyboard.press("Escape")
    assert legend.is_hidden()
    assert page.evaluate("document.activeElement.id") == "bw-legend-button"


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("role", ["public", "coordinator"])
def test_the_map_page_in_thai(live_server, thai_browser, output_dir, committed, role, size):
    viewport = SIZES[size]
    page = thai_browser(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    layers = 8
    if role == "coordinator":
        coordinator = committed.user(
            Role.COORDINATOR, f"map-co-{uuid.uuid4().hex[:8]}", "คุณมาลี", district="TH5703"
        )
        officer = committed.user(
            Role.OFFICER, f"map-of-{uuid.uuid4().hex[:8]}", "คุณสมชาย", district="TH5703"
        )
        incident = committed.incident(
            WHERE,
            category=IncidentCategory.DRUG_TRAFFICKING,
            occurred_at=OCCURRED,
            reporter=officer,
            description="boxes carried to a boat",
        )
        sign_in(page, live_server, coordinator.username)
        # and the hotspot layers, emerging hot spots, patrol coverage, the twin towns and
        # cooperation activities, and the incidents
        layers = 17

    response = page.goto(live_server + "/")
    assert response is not None and response.status == 200
    page.wait_for_function(DRAWN, timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert page.get_attribute("html", "lang") == "th"

    # The map fills the screen below the header, and nothing is wider than the screen.
    layout = page.evaluate(LAYOUT)
    assert layout["map"]["y"] >= layout["header"]["bottom"] - 1
    assert layout["map"]["bottom"] >= viewport["height"] - 1
    assert layout["map"]["height"] >= viewport["height"] - layout["header"]["height"] - 2
    assert layout["scrollWidth"] <= viewport["width"]
    assert layout["scrollHeight"] <= viewport["height"]
    assert layout["bottomRight"] == 0  # the report button's corner
    if size == "desktop":
        # each of the header's pages, the help and the account on one line: a coordinator's ten
        # pages wrap as a list rather than break their Thai words ("ความ / ร่วมมือ")
        assert page.locator(".bw-bar-toggle").is_hidden()
        heights = page.eval_on_selector_all(
            ".bw-nav a, .bw-bar-help, .bw-account summary",
            "els => els.map((el) => el.getBoundingClientRect().height)",
        )
        assert heights and max(heights) <= 46, heights
    page.screenshot(path=str(output_dir / f"map-{role}-{size}-th.png"))

    check_panels(page, role, size, viewport)
    page.click("#bw-layers-button")
    assert page.locator("#bw-layers-panel .bw-layer-item").count() == layers
    titles = page.locator("#bw-layers-panel .bw-layer-title").all_inner_texts()
    assert all(THAI.search(title) for title in titles), titles
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    # No English word is shown: header, buttons, layer list, attribution, scale.
    text = page.inner_text("body")
    assert english_words(text) == [], english_words(text)
    assert "แหล่งข้อมูล" in page.inner_text(".leaflet-control-attribution")
    assert page.get_attribute(".leaflet-control-zoom-in", "title") == "ซูมเข้า"

    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"map-{role}-{size}-th-layers.png"))

    if role == "coordinator":
        # An incident's popup: its category as the vocabulary names it, the time in Thai time
        # with a Buddhist-era year.
        page.click("#bw-layers-panel .bw-panel-close")
        page.evaluate(
            f"() => borderwatch.maps[0].map.setView([{WHERE[1]}, {WHERE[0]}], 13, "
            "{animate: false})"
        )
        page.wait_for_function(
            f"() => borderwatch.findLayer(borderwatch.maps[0].map, 'incidents').byId[{incident}]",
            timeout=20_000,
        )
        page.evaluate(f"() => borderwatch.showIncident(borderwatch.maps[0].map, {incident})")
        popup = page.locator(".leaflet-popup .bw-popup")
        popup.wait_for()
        # Leaflet fades a popup in: the check reads its colours once it is opaque
        page.wait_for_function(
            "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        shown = popup.inner_text()
        assert "ค้ายาเสพติด" in shown and "1 มิ.ย. 2569 12:00" in shown, shown
        assert "ใหม่" in shown and str(incident) in shown
        assert (
            page.get_attribute(".leaflet-popup-close-button", "aria-label") == "ปิด"
        )  # Leaflet's own words too
        assert_accessible(page)
        page.screenshot(path=str(output_dir / f"map-{role}-{size}-th-popup.png"))
    assert errors == []


@pytest.mark.parametrize("size", list(SIZES))
def test_the_about_page_in_thai(live_server, thai_browser, output_dir, size):
    viewport = SIZES[size]
    page = thai_browser(viewport)
    response = page.goto(live_server + "/about")
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "เกี่ยวกับ borderwatch"
    assert "ตำแหน่งจุดผ่านแดนส่วนใหญ่เป็นตำแหน่งโดยประมาณ" in page.inner_text("#positions + ul")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.click("text=กลับไปที่แผนที่")
    page.wait_for_function(DRAWN, timeout=30_000)
    page.go_back()
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"about-{size}-th.png"), full_page=True)


def test_the_credits_stay_clear_of_the_report_button_on_a_phone(
    start_server, thai_browser, output_dir, committed
):
    """With a basemap's credits (as make run has them), the credits wrap on a phone rather than
    run under the report button in the bottom right corner."""
    base = start_server(
        TILE_URL="http://127.0.0.1:9/{z}/{x}/{y}.png",  # nothing listens: no tile, no wait
        TILE_ATTRIBUTION="&copy; OpenStreetMap contributors",
    )
    officer = committed.user(Role.OFFICER, f"map-of-{uuid.uuid4().hex[:8]}", district="TH5703")
    page = thai_browser(SIZES["phone"])
    sign_in(page, base, officer.username)
    page.goto(base + "/")
    page.wait_for_function(DRAWN, timeout=30_000)
    credits = page.locator(".leaflet-control-attribution").bounding_box()
    button = page.locator(".bw-pd-fab").bounding_box()
    assert credits and button
    assert "OpenStreetMap" in page.inner_text(".leaflet-control-attribution")
    assert credits["x"] + credits["width"] <= button["x"], (credits, button)
    page.screenshot(path=str(output_dir / "map-officer-phone-th-credits.png"))
