"""The export page (``GET /export``) in headless Chromium at phone size, in Thai: the sensitive
export form for an HQ analyst only, and no serious or critical axe-core violation."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine

from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.db]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def thai_phone() -> Iterator[Callable[[], Any]]:
    """New pages of a headless Chromium with a Thai locale (its ``Accept-Language``) at phone
    size, each in a fresh context."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new_page() -> Any:
            context = browser.new_context(locale="th-TH", viewport=PHONE)
            return context.new_page()

        try:
            yield new_page
        finally:
            browser.close()


def test_an_hq_analyst_gets_the_export_page_in_thai_on_a_phone(
    live_server, thai_phone, output_dir, committed
):
    analyst = committed.user(Role.HQ_ANALYST, f"export-hq-{uuid.uuid4().hex[:8]}", "Malee (HQ)")
    page = thai_phone()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, analyst.username)

    response = page.goto(live_server + "/export")
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "ส่งออกข้อมูล"
    # sign-out is in the account's menu, behind the header's menu button on a phone
    page.click(".bw-bar-toggle")
    page.click(".bw-account summary")
    assert page.locator("header button", has_text="ออกจากระบบ").is_visible()
    page.click(".bw-bar-toggle")  # closed again
    assert page.locator("h2", has_text="ส่งออกเหตุการณ์พร้อมข้อมูลอ่อนไหว").is_visible()
    form = page.locator("#sensitive-export")
    assert form.is_visible()
    assert form.locator("textarea[name=reason]").is_visible()
    # one button per format: GeoJSON, CSV, GeoPackage, Shapefile, KML, FlatGeobuf, GeoParquet
    assert form.locator("button[type=submit]").count() == 7
    assert form.locator("button", has_text="KML (Google Earth)").is_visible()
    # every collection an analyst reads (the cooperation activities too), with its download links
    assert page.locator("#export-collections tbody tr").count() == 12
    # nothing is wider than the phone: no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    assert_accessible(page)
    page.screenshot(path=str(output_dir / "export-phone-th.png"), full_page=True)
    assert errors == []


def test_an_officer_gets_no_sensitive_export_form(live_server, thai_phone, committed):
    officer = committed.user(
        Role.OFFICER, f"export-officer-{uuid.uuid4().hex[:8]}", district="TH2706"
    )
    page = thai_phone()
    sign_in(page, live_server, officer.username)

    response = page.goto(live_server + "/export")
    assert response is not None and response.status == 200
    assert page.inner_text("h1") == "ส่งออกข้อมูล"
    assert page.locator("#export-collections tbody tr").count() > 0
    assert page.locator("#sensitive-export").count() == 0
    assert page.locator("textarea[name=reason]").count() == 0
    assert_accessible(page)


def test_the_axe_check_fails_on_a_serious_violation(thai_phone):
    """The check is not vacuous: a button without a name and an image without a text
    alternative (both critical) fail it, by rule name."""
    page = thai_phone()
    page.set_content(
        '<html lang="th"><body><main><button></button><img src="data:,"></main></body></html>'
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "button-name (critical)" in str(failure.value)
    assert "image-alt (critical)" in str(failure.value)
