"""The bell in the header shows a new report to the district's coordinator without a reload
(headless Chromium, Thai, 390x844 and 1366x900): the coordinator's notifications page is open,
an officer's report is stored with its notification, the bell asks again (as it does every 30
seconds and when the page is shown again) and shows 1; the list then names the report. Each
state passes the account pages' checks (Thai, no English word, no sideways scrolling, axe) and
leaves a screenshot in ``test-output/accounts/notify-*.png``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis.models import Incident
from gis.notify.outbox import notify_new_report
from gis.types import Role
from tests.browser.committed import Committed
from tests.browser.test_account_pages import SIZES, check, chromium, sign_in, thai_page
from tests.factories import inside

pytestmark = [pytest.mark.browser, pytest.mark.db]

__all__ = ["chromium"]


@pytest.fixture
def rows(engine: Engine) -> Iterator[Committed]:
    made = Committed(engine)
    try:
        yield made
    finally:
        made.clean_up()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_bell_shows_a_new_report_without_a_reload(live_server, chromium, rows, engine, size):
    tag = uuid.uuid4().hex[:8]
    coordinator = rows.user(Role.COORDINATOR, f"bellcoord{tag}", "อรุณี ประสาน", district="TH5703")
    officer = rows.user(Role.OFFICER, f"bellofficer{tag}", "สมชาย ตรวจการ", district="TH5703")
    page, seen = thai_page(chromium, size)
    sign_in(page, live_server, coordinator.username)
    with page.expect_response(lambda r: r.url.endswith("/api/notifications/unread")):
        page.goto(live_server + "/notifications")
    assert page.locator("#bw-bell-count").is_hidden()
    check(page, f"notify-{size}-empty", {"bellcoord"})

    with Session(engine) as session:
        where = inside(session, "Chiang Khong")
    incident_id = rows.incident(where, reporter=officer)
    with Session(engine) as session:
        notify_new_report(session, session.get_one(Incident, incident_id))
        session.commit()

    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_selector("#bw-bell-count:not([hidden])", timeout=10_000)
    assert page.inner_text("#bw-bell-count") == "1"
    assert "ยังไม่ได้อ่าน 1" in page.locator("#bw-bell-label").text_content()
    assert page.url.endswith("/notifications")  # no reload, no navigation
    page.screenshot(path=str(check.__globals__["OUTPUT"] / f"notify-{size}-bell.png"))

    page.click("#bw-bell")
    page.wait_for_load_state()
    assert f"รายงานใหม่ เลขที่ {incident_id}" in page.inner_text("#inbox")
    check(page, f"notify-{size}-list", {"bellcoord"})
    page.click("#read-all")
    page.wait_for_load_state()
    page.wait_for_selector("#bw-bell-count[hidden]", state="attached")
    assert seen == []
