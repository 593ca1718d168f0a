"""The help pages (``/help``) in headless Chromium, in Thai, at phone and desktop size: the list
of guides leads to each guide, nothing is wider than the screen, no serious or critical axe-core
violation; screenshots in test-output."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.browser.axe import assert_accessible
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.db]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
GUIDES = ("officer", "coordinator", "planner", "analyst", "administrator", "public-report")


@pytest.fixture
def thai_browser() -> Iterator[Callable[[dict[str, int]], Any]]:
    """New pages of a headless Chromium with a Thai locale, each in a fresh context."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new_page(viewport: dict[str, int]) -> Any:
            return browser.new_context(locale="th-TH", viewport=viewport).new_page()

        try:
            yield new_page
        finally:
            browser.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_guides_read_in_thai_on_a_phone_and_a_desktop(
    live_server, thai_browser, output_dir, size
):
    viewport = SIZES[size]
    page = thai_browser(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    response = page.goto(live_server + "/help")
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "วิธีใช้ borderwatch"
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"help-index-{size}-th.png"), full_page=True)

    for name in GUIDES:
        page.goto(live_server + "/help")
        page.click(f'article a[href="/help/{name}"]')
        page.wait_for_load_state()
        assert page.url.endswith(f"/help/{name}")
        assert page.locator("article h1").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], name
        assert_accessible(page)
        page.screenshot(path=str(output_dir / f"help-{name}-{size}-th.png"), full_page=True)
    assert errors == []
