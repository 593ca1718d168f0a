"""A citizen reports in Thai in headless Chromium: pin on the map, receipt, status page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select

from gis.models import Incident, IncidentEvent

pytestmark = [pytest.mark.browser, pytest.mark.db]

CODE = re.compile(r"^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$")
THAI = re.compile(r"[\u0e00-\u0e7f]")


@pytest.fixture
def stored_codes(engine: Engine) -> Iterator[list[str]]:
    """Receipt codes of reports the live server commits; deleted after the test, so that the
    shared test database is as the other tests expect it."""
    codes: list[str] = []
    yield codes
    ids = select(Incident.id).where(Incident.receipt_code.in_(codes)).scalar_subquery()
    with engine.begin() as conn:
        conn.execute(delete(IncidentEvent).where(IncidentEvent.incident_id.in_(ids)))
        conn.execute(delete(Incident).where(Incident.receipt_code.in_(codes)))


def test_a_citizen_reports_in_thai_and_follows_the_receipt(
    live_server, page_and_log, output_dir, stored_codes
):
    page, log = page_and_log
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(live_server + "/report?lang=th")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.inner_text("h1") == "แจ้งเหตุ"

    # The map is shown once its script runs; a tap places the pin and fills the coordinates.
    page.wait_for_selector("#report-map .leaflet-container, #report-map.leaflet-container")
    # the zoom buttons are named in the page's language, not in Leaflet's English
    assert page.get_attribute("#report-map .leaflet-control-zoom-in", "title") == "ซูมเข้า"
    assert page.get_attribute("#report-map .leaflet-control-zoom-out", "title") == "ซูมออก"
    page.locator("#report-map").click()
    assert page.input_value("#report-lat") and page.input_value("#report-lon")
    assert page.locator("#report-map path.leaflet-interactive").count() == 1
    # Then the exact place by the inputs (Aranyaprathet market), as without JavaScript.
    page.fill("#report-lat", "13.6928")
    page.fill("#report-lon", "102.5066")
    page.select_option("select[name=category]", "smuggling")
    page.fill("textarea[name=description]", "มีการขนกล่องลงเรือหลังโรงสี")
    page.fill("input[name=reporter_contact]", "LINE: ผู้แจ้ง-ลับ")
    page.screenshot(path=str(output_dir / "report-th-form.png"), full_page=True)
    page.click("button[type=submit]")

    page.wait_for_selector("#receipt-code")
    code = page.inner_text("#receipt-code").strip()
    stored_codes.append(code)
    assert CODE.match(code)
    assert THAI.search(page.inner_text("h1"))

    page.click("#status-link")
    page.wait_for_selector("#report-state")
    assert page.url.endswith(f"/report/{code}?lang=th")
    assert page.inner_text("#report-state") == "ได้รับแล้ว: รอการตรวจสอบ"
    assert page.inner_text("#report-category") == "ลักลอบขนสินค้า"  # the vocabulary's label
    body = page.inner_text("body")
    assert "ผู้แจ้ง-ลับ" not in body and "โรงสี" not in body

    # Look at it: the Thai text must be drawn with a Thai font (Debian fonts-thai-tlwg, Noto).
    page.screenshot(path=str(output_dir / "report-th.png"), full_page=True)
    assert not log.page_errors and not log.console_errors and not log.dialogs
    assert all(url.startswith(live_server) for url in log.requests)
