"""The statistics dashboard in Thai at phone and desktop size, as an HQ analyst and a coordinator:
the charts drawn (Chart.js, after the Thai font), the choropleth's districts and legend, each
table beside its chart, no English word, no sideways scrolling, no serious or critical axe
violation, a full-page screenshot each under ``test-output/dashboard/`` (look at them), and the
strict CSP holding (no violation reported by the browser)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from gis.types import IncidentCategory, Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.test_workspace import check_page, chromium, signed_in  # noqa: F401
from tests.patrol_data import AWAY, HOME

pytestmark = [pytest.mark.browser, pytest.mark.db]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "dashboard"


@pytest.fixture
def accounts(engine: Engine) -> Iterator[dict[Role, Any]]:
    rows = Committed(engine)
    tag = uuid.uuid4().hex[:6]
    try:
        users = {
            Role.HQ_ANALYST: rows.user(Role.HQ_ANALYST, f"db-analyst-{tag}", "วิภา วิเคราะห์"),
            Role.COORDINATOR: rows.user(
                Role.COORDINATOR, f"db-coordinator-{tag}", "อรุณี ประสาน", district="TH5703"
            ),
        }
        now = dt.datetime.now(dt.UTC)
        categories = list(IncidentCategory)
        for i in range(8):
            rows.incident(
                AWAY if i % 3 == 0 else (HOME[0] + 0.01 * i, HOME[1]),
                category=categories[i % len(categories)],
                occurred_at=now - dt.timedelta(hours=3 + 5 * i),
                reporter=users[Role.COORDINATOR] if i % 2 else None,
            )
        yield users
    finally:
        rows.clean_up()


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("role", [Role.HQ_ANALYST, Role.COORDINATOR])
def test_the_dashboard_in_thai(live_server, accounts, chromium, size, role):  # noqa: F811
    page = signed_in(chromium, live_server, accounts[role].username, size)
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    answer = page.goto(live_server + "/dashboard")
    assert answer is not None and answer.ok
    page.wait_for_function("document.documentElement.dataset.chartsDrawn === 'true'")
    page.wait_for_selector("#db-map path.leaflet-interactive")
    page.wait_for_load_state("networkidle")
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('.db-canvas canvas')]"
        ".filter(c => window.Chart.getChart(c)).length"
    )
    assert drawn == page.locator(".db-canvas canvas").count() == 7
    districts = page.locator("#db-map path.leaflet-interactive").count()
    assert districts == (1 if role is Role.COORDINATOR else 43)
    assert page.locator("#db-legend li").count() >= 2
    assert page.locator("#table-districts tbody tr").count() == districts
    assert "เชียงของ" in page.inner_text("#table-districts")
    assert page.inner_text("#fig-reports .db-figure").strip() == (
        "5" if role is Role.COORDINATOR else "8"
    )
    problems = check_page(page, f"dashboard-{size}-{role.value}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{size}-{role.value}.png"), full_page=True)
    assert not problems, problems
    assert_accessible(page)
    assert not refused, refused
    page.context.close()


def test_a_csv_download_from_the_page(live_server, accounts, chromium):  # noqa: F811
    page = signed_in(chromium, live_server, accounts[Role.HQ_ANALYST].username, "desktop")
    page.goto(live_server + "/dashboard?period=week")
    with page.expect_download() as caught:
        page.click("#table-categories ~ * a, .db-card:has(#table-categories) .db-download a")
    path = caught.value.path()
    body = Path(path).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "ประเภท" in body.decode("utf-8-sig").splitlines()[0]
    page.context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_weekly_brief_in_thai_and_on_a4(live_server, accounts, chromium, size):  # noqa: F811
    page = signed_in(chromium, live_server, accounts[Role.HQ_ANALYST].username, size)
    page.goto(live_server + "/dashboard")
    page.click(".db-brief-link a")
    page.wait_for_load_state("networkidle")
    assert "/dashboard/brief" in page.url
    assert page.inner_text("h1").startswith("สรุปรายสัปดาห์")
    problems = check_page(page, f"brief-{size}")
    assert not problems, problems
    assert_accessible(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"brief-{size}.png"), full_page=True)
    if size == "desktop":
        pdf = page.pdf(path=str(OUTPUT / "brief-a4.pdf"), format="A4", print_background=True)
        assert pdf.startswith(b"%PDF")
        pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
        assert pages == 1, f"the brief prints on {pages} A4 pages"
        page.emulate_media(media="print")
        assert not page.locator(".bw-bar").is_visible()
        assert not page.locator(".bw-brief-nav").is_visible()
    page.context.close()
