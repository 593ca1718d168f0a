"""A coordinator triages in headless Chromium (in English; the Thai pages, their layouts,
accessibility and keyboard: test_review_workspace.py): sign-in, the queue, one incident whole, its
possible duplicate, a verification with a note that opens the next report, the history, and a
refused transition."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gis.models import Incident, IncidentEvent
from gis.types import IncidentCategory, Role
from tests.browser.committed import Committed
from tests.browser.conftest import sign_in
from tests.images import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.db]

ARANYA = (102.5066, 13.6928)  # Aranyaprathet market (TH2706)
NEAR = (102.5084, 13.6928)  # about 195 m east
NOTE = "Patrol 7 saw the boats; confirmed with the village head"


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


def test_a_coordinator_verifies_a_new_report_with_a_note(
    live_server, page_and_log, browser_context, output_dir, committed, engine
):
    page, log = page_and_log
    suffix = uuid.uuid4().hex[:8]
    coordinator = committed.user(
        Role.COORDINATOR, f"triage-coord-{suffix}", "Somchai (MWCC)", district="TH2706"
    )
    officer = committed.user(Role.OFFICER, f"triage-officer-{suffix}", district="TH2706")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    first = committed.incident(
        ARANYA,
        occurred_at=now - dt.timedelta(hours=8),
        description="Boxes carried to a long-tail boat",
        reporter=officer,
    )
    contact = f"tel 081-555-{suffix}"
    new = committed.incident(
        NEAR,
        occurred_at=now - dt.timedelta(hours=2),
        description="Boats unloading boxes behind the rice mill",
        contact=contact,
    )
    photo = committed.photo(new, jpeg((120, 80)))
    fraud = committed.incident(  # same place and time, another category: not a duplicate
        NEAR, category=IncidentCategory.ONLINE_FRAUD, occurred_at=now - dt.timedelta(hours=3)
    )

    sign_in(page, live_server, coordinator.username)
    page.goto(live_server + "/review?status=new")
    row_link = page.locator(f'a[href="/review/incidents/{new}?status=new"]')  # the view kept
    assert row_link.count() == 1
    row_link.click()
    page.wait_for_selector("#incident-facts")
    assert page.url == f"{live_server}/review/incidents/{new}?status=new"
    assert page.inner_text("h1") == f"Report #{new}: Smuggling of goods"
    assert page.inner_text("#incident-status") == "New"
    assert page.inner_text("#incident-district") == "Aranyaprathet, Sa Kaeo"
    assert page.inner_text("#incident-description") == "Boats unloading boxes behind the rice mill"
    assert page.inner_text("#incident-contact") == contact  # a coordinator of the district
    # the photo, from the photos API
    image = page.locator("#incident-photos img")
    assert image.count() == 1
    assert image.get_attribute("src") == f"/api/incidents/{new}/photos/{photo}"
    page.wait_for_function("() => document.querySelector('#incident-photos img').complete")
    assert page.evaluate("() => document.querySelector('#incident-photos img').naturalWidth") == 120
    # the small map draws the place
    page.wait_for_selector("#incident-map.leaflet-container path.leaflet-interactive")

    # the possible duplicate: linked, with its distance
    duplicates = page.locator("#incident-duplicates > li")
    assert duplicates.count() == 1
    assert duplicates.first.locator("a").inner_text() == f"#{first} Smuggling of goods"
    metres = int(duplicates.first.locator(".rv-distance").inner_text().removesuffix(" m"))
    assert 150 < metres < 250
    # a second tab keeps the page as it is now, with the actions of a new report
    stale = browser_context.new_page()
    stale_errors: list[str] = []
    stale.on("pageerror", lambda error: stale_errors.append(str(error)))
    stale_questions: list[str] = []
    stale.on("dialog", lambda d: (stale_questions.append(d.message), d.accept()))
    stale.goto(page.url)
    page.screenshot(path=str(output_dir / "triage-incident-new.png"), full_page=True)

    verify = page.locator('form[data-action="verify"]')
    verify.locator("textarea[name=note]").fill(NOTE)
    verify.locator("button[type=submit]").click()
    page.wait_for_selector(".bw-flash-done")
    # the next new report of the same view opens (the fraud report: the newer one)
    assert page.url == f"{live_server}/review/incidents/{fraud}?status=new"
    assert page.inner_text(".bw-flash-done") == f"Report #{new} verified."
    page.goto(f"{live_server}/review/incidents/{new}")
    assert page.inner_text("#incident-status") == "Verified"
    last = page.locator("#incident-history > li").last
    assert last.locator(".rv-event-what").inner_text() == "Verified"
    assert last.locator(".rv-event-who").inner_text() == coordinator.username
    change = last.locator(".rv-event-change").inner_text().split()
    assert change == ["New", "→", "to", "Verified"]  # "→" is read as "to"
    assert last.locator(".bw-note").inner_text() == NOTE
    page.screenshot(path=str(output_dir / "triage-incident-verified.png"), full_page=True)
    with Session(engine) as session:
        row = session.get(Incident, new)
        assert row is not None and row.status == "verified"
        steps = session.execute(
            select(IncidentEvent.action, IncidentEvent.note)
            .where(IncidentEvent.incident_id == new)
            .order_by(IncidentEvent.id)
        ).all()
        assert [tuple(s) for s in steps if s.action != "photo_added"] == [
            ("created", None),
            ("verify", NOTE),
        ]

    # the stale tab still offers "reject" (asking first): the state machine refuses it, naming
    # the status, and the tab comes back to the report
    stale.locator('form[data-action="reject"] button[type=submit]').click()
    stale.wait_for_selector(".bw-flash-error")
    assert stale_questions == [f"Reject report #{new}? This cannot be undone."]
    assert stale.inner_text(".bw-flash-error") == (
        f"Report #{new}: cannot reject an incident whose status is verified"
    )
    assert stale.url == f"{live_server}/review/incidents/{new}?status=new"
    assert stale.inner_text("#incident-status") == "Verified"
    # the same refusal from the JSON API: 409 naming the current status
    answer = page.evaluate(
        """async (id) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const resp = await fetch(`/api/incidents/${id}/actions`, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                body: JSON.stringify({action: "reject", note: "too late"}),
            });
            return {status: resp.status, body: await resp.json()};
        }""",
        new,
    )
    assert answer["status"] == 409
    assert answer["body"]["current"] == "verified"
    assert "status is verified" in answer["body"]["message"]
    with Session(engine) as session:
        count = len(
            session.scalars(select(IncidentEvent.id).where(IncidentEvent.incident_id == new)).all()
        )
        assert count == len(steps)  # the refusals wrote nothing

    # the only console error is Chromium's note of the refused request above
    assert [e for e in log.console_errors if "409 (CONFLICT)" not in e] == []
    assert len(log.console_errors) == 1
    assert not log.page_errors and not log.dialogs, vars(log)
    assert not stale_errors
    assert all(url.startswith(live_server) for url in log.requests)
