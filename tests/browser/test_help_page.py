"""The help pages (``/help``) in headless Chromium, in Thai, at phone and desktop size: the list
of guides leads to each guide, nothing is wider than the screen, no serious or critical axe-core
violation; screenshots in test-output."""

from __future__ import annotations

import pytest

from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.db]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
GUIDES = ("officer", "coordinator", "planner", "analyst", "administrator", "public-report")


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
