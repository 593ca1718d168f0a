"""A coordinator records a walk-in at the MWCC desk in Thai in headless Chromium, on a phone and
on a desktop, prints the citizen's slip (A6, without the header) and its QR code, read back from
the screenshot, leads to the report's status page; the hotline's read-out view spells the code."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import Engine

from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.test_triage import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.db]

CODE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
THAI = re.compile(r"[\u0e00-\u0e7f]")
#: Chiang Khong (TH5703), near the Mekong.
CHIANG_KHONG = ("20.26000", "100.40000")
SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


def no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page scrolls sideways ({width}px)"


@pytest.mark.parametrize("size", list(SIZES))
def test_a_coordinator_records_a_walk_in_and_prints_the_slip(
    live_server, page_and_log, output_dir, committed, size
):
    page, log = page_and_log
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    coordinator = committed.user(
        Role.COORDINATOR, f"desk-coord-{uuid.uuid4().hex[:8]}", "สมชาย ใจดี", district="TH5703"
    )
    sign_in(page, live_server, coordinator.username)

    page.goto(live_server + "/desk/new?lang=th")
    assert page.locator("html").get_attribute("lang") == "th"
    assert THAI.search(page.inner_text("h1"))
    assert page.locator("nav.bw-nav a[aria-current=page]").count() == 1  # the menu's item
    assert page.is_checked("input[name=channel][value=mwcc_walk_in]")
    page.wait_for_selector("#report-map.leaflet-container")
    page.fill("#report-lat", CHIANG_KHONG[0])
    page.fill("#report-lon", CHIANG_KHONG[1])
    page.select_option("select[name=category]", "drug_trafficking")
    page.fill("textarea[name=description]", "ชาวบ้านเห็นเรือขนกล่องขึ้นฝั่งตอนตีสอง")
    page.fill("input[name=reporter_contact]", "โทร 081-234-5678")
    page.check("input[name=updates_consent]")
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"desk-form-th-{size}.png"), full_page=True)
    page.click("#desk-form button[type=submit]")

    page.wait_for_selector("#slip-code")
    code = page.inner_text("#slip-code").strip()
    assert CODE.match(code)
    body = page.inner_text("body")
    assert "081-234-5678" not in body  # the contact stays with the staff
    assert "2569" in body or "2570" in body  # the day in the Buddhist era
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"desk-slip-th-{size}.png"), full_page=True)

    # The QR code, as the screen draws it, reads the status page's address.
    shot = page.locator(".bw-slip-qr svg").screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [r.text for r in found] == [f"{live_server}/report/{code}"]

    # Printed: A6, one page, without the header and the buttons.
    page.emulate_media(media="print")
    assert not page.locator(".bw-bar").is_visible()
    assert not page.locator("#print-slip").is_visible()
    page.screenshot(path=str(output_dir / f"desk-slip-print-{size}.png"), full_page=True)
    pdf = page.pdf(
        path=str(output_dir / f"desk-slip-{size}.pdf"),
        prefer_css_page_size=True,
        print_background=True,
    )
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1
    page.emulate_media(media="screen")

    # The status page the citizen opens with the code.
    page.goto(f"{live_server}/report/{code}?lang=th")
    assert page.inner_text("#report-state") == "ได้รับแล้ว: รอการตรวจสอบ"

    # On the telephone: the code spelled group by group.
    page.go_back()
    page.click("#read-out-link")
    page.wait_for_selector("#read-out-code")
    groups = page.locator(".bw-slip-code-group").all_inner_texts()
    assert "-".join(groups) == code
    no_sideways_scroll(page)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"desk-read-out-th-{size}.png"), full_page=True)
    assert not log.page_errors and not log.console_errors and not log.dialogs
