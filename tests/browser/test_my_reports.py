"""The field in Thai on a phone (390x844): the floating report button, the pin-drop form on one
screen, a report made offline kept in the outbox and listed as waiting on "My reports", then sent
once the connection returns and listed among the stored reports. axe-core on the map with the
form open and on "My reports"; screenshots in test-output/ (look at them)."""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, select

from gis.models import Incident
from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webapp.signin import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
#: Aranyaprathet market (target district TH2706, Sa Kaeo, on the Cambodian border).
ARANYAPRATHET = (13.6928, 102.5066)
MAP_READY = """() => !!(window.borderwatch && window.borderwatch.pindrop &&
    document.querySelectorAll('path.bw-layer-districts').length > 100)"""


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def server(start_server) -> str:
    """The live app with plain-HTTP cookies, no basemap and rate-limit counters of its own."""
    return start_server(
        TILE_URL="", SESSION_COOKIE_SECURE=False, RATELIMIT_KEY_PREFIX=f"t-{uuid.uuid4().hex}"
    )


@pytest.fixture
def thai_phone() -> Iterator[Any]:
    """A browser context of headless Chromium in Thai (``th-TH``) at phone size."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(locale="th-TH", viewport=PHONE)
        finally:
            browser.close()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.wait_for_function(MAP_READY, timeout=30_000)


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways: {width}px"


def box_of(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def outbox(page: Any, user_id: int) -> list[dict[str, Any]]:
    raw = page.evaluate(
        "(k) => localStorage.getItem(k) || '[]'", f"borderwatch.outbox.v1.{user_id}"
    )
    return json.loads(raw)


def test_a_volunteer_reports_offline_and_follows_the_report_on_my_reports(
    server, thai_phone, committed, engine, output_dir
):
    volunteer = committed.user(
        Role.VOLUNTEER, f"field-vsv-{uuid.uuid4().hex[:8]}", "ชรบ. สมหญิง", district="TH2706"
    )
    page = thai_phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, server, volunteer.username)
    assert page.get_attribute("html", "lang") == "th"

    # The report button: 56 px, bottom right within reach of the thumb, above the map.
    fab = page.locator("#pd-report")
    assert fab.is_visible() and fab.inner_text().replace("+", "").strip() == "แจ้งเหตุ"
    button = box_of(page, "#pd-report")
    assert button["height"] >= 56 and button["width"] >= 56
    assert PHONE["width"] - (button["x"] + button["width"]) <= 24
    assert PHONE["height"] - (button["y"] + button["height"]) <= 48
    header = box_of(page, "header.bw-bar")
    assert button["y"] > header["y"] + header["height"] + 300
    on_top = page.evaluate(
        """() => { const b = document.getElementById('pd-report').getBoundingClientRect();
        const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
        return !!hit.closest('#pd-report'); }"""
    )
    assert on_top, "something covers the report button"
    no_sideways_scroll(page)
    page.screenshot(path=str(output_dir / "field-map-phone-th.png"))

    # The form: one screen, fields stacked, the photo and the actions in view without scrolling.
    page.evaluate(
        "([lat, lon]) => window.borderwatch.pindrop.map.setView([lat, lon], 15, {animate: false})",
        list(ARANYAPRATHET),
    )
    fab.click()
    assert "แตะแผนที่" in page.inner_text("#pd-hint")
    map_box = box_of(page, ".folium-map")
    page.mouse.click(map_box["x"] + map_box["width"] / 2, map_box["y"] + map_box["height"] / 3)
    page.wait_for_selector("#pd-form", state="visible")
    assert page.inner_text("#pd-title") == "แจ้งเหตุ"
    assert fab.is_hidden()
    form = box_of(page, "#pd-form")
    assert form["y"] >= header["y"] + header["height"] and form["y"] + form["height"] <= 844.5
    assert page.evaluate(
        "(f) => f.scrollHeight <= f.clientHeight + 1", page.locator("#pd-form").element_handle()
    )
    for selector in (
        "#pd-category",
        "#pd-when",
        "#pd-severity",
        "#pd-photo",
        "#pd-submit",
        "#pd-cancel",
    ):
        shown = box_of(page, selector)
        assert shown["y"] >= form["y"] and shown["y"] + shown["height"] <= PHONE["height"], selector
    # the draft pin stays in the part of the map the sheet leaves free
    pin = box_of(page, ".bw-pd-pin--draft")
    assert header["y"] + header["height"] < pin["y"] and pin["y"] + pin["height"] < form["y"]
    labels = page.locator("#pd-form label, #pd-form legend").all_inner_texts()
    assert "เกิดอะไรขึ้น" in labels and "วันเวลาที่เกิดเหตุ" in labels
    assert "ลักลอบขนสินค้า" in page.locator("#pd-category option").all_inner_texts()
    assert "4 – ร้ายแรงมาก" in page.locator("#pd-severity option").all_inner_texts()
    # an error of the form, in Thai, beside its field
    page.click("#pd-submit")
    assert page.inner_text('[data-error-for="category"]') == "เลือกว่าเกิดอะไรขึ้น"
    page.select_option("#pd-category", "smuggling")
    page.fill("#pd-description", "ขนกล่องขึ้นรถกระบะริมแม่น้ำ")
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / "field-form-phone-th.png"))

    # Offline: kept on the phone, the badge says how many wait and since when.
    thai_phone.set_offline(True)
    page.click("#pd-submit")
    page.wait_for_selector("#pd-outbox", state="visible")
    assert "รายงานรอส่ง 1 รายการ" in page.inner_text("#pd-outbox-status")
    assert page.inner_text("#pd-outbox-since").startswith("รอส่งตั้งแต่ ")
    assert "ไม่มีสัญญาณ" in page.inner_text("#pd-message")
    [kept] = outbox(page, volunteer.id)
    assert kept["state"] == "waiting" and kept["body"]["category"] == "smuggling"
    page.click("#pd-outbox-toggle")
    assert page.get_attribute("#pd-outbox-toggle", "aria-expanded") == "true"
    item = page.inner_text("#pd-outbox-items")
    assert item.startswith("ลักลอบขนสินค้า ") and "รอส่ง" in item
    page.screenshot(path=str(output_dir / "field-outbox-phone-th.png"))

    # Back online but the server unreachable: the report still waits, and "My reports" says so.
    page.route("**/api/incidents", lambda route: route.abort("connectionrefused"))
    thai_phone.set_offline(False)
    page.goto(server + "/my-reports")
    page.wait_for_selector("#my-outbox", state="visible")
    assert page.inner_text("h1") == "รายงานของฉัน"
    pending = page.locator("#my-outbox-items li")
    assert pending.count() == 1
    assert "ลักลอบขนสินค้า" in pending.inner_text() and "รอส่ง" in pending.inner_text()
    assert page.locator("#my-reports li").count() == 0
    assert page.locator("#my-reports-empty").is_visible()
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / "field-my-reports-waiting-phone-th.png"), full_page=True)
    with engine.connect() as conn:
        assert (
            conn.execute(select(Incident.id).where(Incident.reporter_id == volunteer.id)).all()
            == []
        )

    # The map sends it when it opens; "My reports" then lists it as stored, waiting on nothing.
    page.unroute("**/api/incidents")
    page.goto(server + "/")
    page.wait_for_function(
        "(k) => !localStorage.getItem(k)",
        arg=f"borderwatch.outbox.v1.{volunteer.id}",
        timeout=30_000,
    )
    with engine.connect() as conn:
        stored = conn.execute(
            select(Incident.id, Incident.idempotency_key).where(
                Incident.reporter_id == volunteer.id
            )
        ).all()
    assert [str(key) for _, key in stored] == [kept["key"]]
    page.goto(server + "/my-reports")
    assert page.locator("#my-outbox").is_hidden()
    card = page.locator(f"#report-{stored[0].id}")
    assert card.is_visible()
    text = card.inner_text()
    assert "ลักลอบขนสินค้า" in text
    assert "อ.อรัญประเทศ จ.สระแก้ว" in text
    assert card.locator(".bw-badge").inner_text() == "ใหม่"
    assert "2569" in text or "2570" in text  # Buddhist-era years
    assert "ส่งรายงาน" in text  # the last change: the report itself
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / "field-my-reports-phone-th.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(output_dir / "field-my-reports-desktop-th.png"), full_page=True)
    no_sideways_scroll(page)

    # On a desktop the report button stays in the map's bottom right corner, on top of it.
    page.goto(server + "/")
    page.wait_for_function(MAP_READY, timeout=30_000)
    button = box_of(page, "#pd-report")
    canvas = box_of(page, ".folium-map")
    assert canvas["x"] + canvas["width"] - (button["x"] + button["width"]) <= 24
    assert canvas["y"] + canvas["height"] - (button["y"] + button["height"]) <= 48
    assert page.evaluate(
        """() => { const b = document.getElementById('pd-report').getBoundingClientRect();
        return !!document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2)
            .closest('#pd-report'); }"""
    )
    page.screenshot(path=str(output_dir / "field-map-desktop-th.png"))
    assert errors == []
