"""The triage workspace in Thai in headless Chromium, as a coordinator uses it: the queue and the
incident page on a phone (390x844) and a desktop (1366x900) with no sideways scrolling and no
serious or critical axe-core violation, the map beside the list or behind its button, and one
report triaged with the keyboard alone (Tab and Enter) up to the next report. Screenshots are
saved in test-output/."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from gis.models import Incident, IncidentEvent
from gis.types import IncidentCategory, Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.images import jpeg

pytestmark = [pytest.mark.browser, pytest.mark.db]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "desktop": DESKTOP}
ARANYA = (102.5066, 13.6928)  # Aranyaprathet market (TH2706)
NEAR = (102.5084, 13.6928)  # about 195 m east
#: Latin words a Thai page may show: names, the language switch, the map's credit, units.
NAMES = {"NTS", "Mekong", "Watch", "English", "Leaflet", "km", "MWCC"}
NOTE = "ชุดลาดตระเวนยืนยันแล้ว ผู้ใหญ่บ้านเห็นด้วย"


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def thai_browser() -> Iterator[Callable[[dict[str, int]], Any]]:
    """New pages of a headless Chromium in Thai (its ``Accept-Language``) at a given size, each
    in a fresh context; a page's errors and dialogs are kept on it (``page.errors``)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new_page(viewport: dict[str, int]) -> Any:
            page = browser.new_context(locale="th-TH", viewport=viewport).new_page()
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
            page.on("dialog", lambda d: (page.errors.append(f"dialog: {d.message}"), d.dismiss()))
            return page

        try:
            yield new_page
        finally:
            browser.close()


def desk(committed: Committed, engine: Engine) -> dict[str, Any]:
    """A coordinator of Aranyaprathet and the district's reports: one waiting for 3 days, two
    new today (one with a photo and a possible duplicate), one verified with a note."""
    suffix = uuid.uuid4().hex[:8]
    coordinator = committed.user(
        Role.COORDINATOR, f"desk-coord-{suffix}", "สมชาย ใจดี", district="TH2706"
    )
    officer = committed.user(Role.OFFICER, f"desk-officer-{suffix}", district="TH2706")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    waiting = committed.incident(
        ARANYA,
        category=IncidentCategory.DRUG_TRAFFICKING,
        occurred_at=now - dt.timedelta(days=3, hours=4),
        description="มีคนขนห่อสีดำลงเรือหางยาวตอนกลางคืน",
        contact="โทร 081-555-0101",
    )
    today = committed.incident(
        NEAR,
        occurred_at=now - dt.timedelta(hours=2),
        description="ขนกล่องลงเรือหลังโรงสี",
        reporter=officer,
    )
    committed.photo(today, jpeg((160, 120)))
    earlier = committed.incident(ARANYA, occurred_at=now - dt.timedelta(hours=6))
    checked = committed.incident(
        NEAR, category=IncidentCategory.ILLEGAL_ENTRY, occurred_at=now - dt.timedelta(days=1)
    )
    with Session(engine) as session:
        session.execute(
            update(Incident)
            .where(Incident.id == waiting)
            .values(reported_at=now - dt.timedelta(days=3, hours=3))
        )
        session.execute(update(Incident).where(Incident.id == checked).values(status="verified"))
        session.add(
            IncidentEvent(
                incident_id=checked,
                actor_id=coordinator.id,
                action="verify",
                from_status="new",
                to_status="verified",
                note="ตรวจสอบกับผู้ใหญ่บ้านแล้ว",
            )
        )
        session.commit()
    return {
        "coordinator": coordinator,
        "waiting": waiting,
        "today": today,
        "earlier": earlier,
        "checked": checked,
    }


def latin_words(page: Any) -> set[str]:
    """Latin words the page shows in its main part and header, names aside."""
    text = page.locator("body").inner_text()
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in NAMES}


def no_sideways_scrolling(page: Any, viewport: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width} px wide"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_workspace_in_thai(live_server, thai_browser, output_dir, committed, engine, size):
    world = desk(committed, engine)
    viewport = SIZES[size]
    page = thai_browser(viewport)
    sign_in(page, live_server, world["coordinator"].username)

    response = page.goto(live_server + "/review")
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == "th"
    assert page.inner_text("h1") == "คัดกรองรายงาน"
    # the tabs count each status; the overdue report comes first and says how long it waited
    tabs = page.locator("#review-tabs a").all_inner_texts()
    assert [t.split() for t in tabs[:3]] == [["ทั้งหมด", "4"], ["ใหม่", "3"], ["ตรวจสอบแล้ว", "1"]]
    cards = page.locator("#review-list > li article")
    assert cards.count() == 4
    first = cards.first
    assert first.get_attribute("id") == f"report-{world['waiting']}"
    assert first.locator(".bw-badge-overdue").inner_text() == "รอมา 3 วัน"
    assert "ค้ายาเสพติด" in first.locator("h3").inner_text()
    assert "มีรายงานใหม่ 1 เรื่องที่รอตรวจสอบนานเกิน 48 ชั่วโมง" in page.inner_text("#review-overdue")
    assert re.search(r"\d+ [ก-๙.]+ 25\d\d \d\d:\d\d", first.locator(".rv-meta").inner_text())
    page.wait_for_selector("#review-map path.bw-review-marker", state="attached")
    assert page.locator("#review-map path.bw-review-marker").count() == 4

    toggle = page.locator("#review-map-toggle")
    if size == "phone":  # the list first, the map behind its button
        assert toggle.is_visible() and toggle.inner_text() == "ดูแผนที่"
        assert not page.locator("#review-map").is_visible()
        assert page.locator("#review-list").bounding_box()["y"] < viewport["height"]
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert toggle.inner_text() == "ซ่อนแผนที่"
        assert page.locator("#review-map").is_visible()
        map_box = page.locator("#review-map").bounding_box()
        assert map_box["width"] > 300 and map_box["height"] > 250
    else:  # list and map side by side
        assert not toggle.is_visible()
        listing = page.locator("#review-list").bounding_box()
        drawn = page.locator("#review-map").bounding_box()
        assert drawn["x"] > listing["x"] + listing["width"] - 1
        assert drawn["y"] < listing["y"] + 100 and drawn["height"] > 400
    no_sideways_scrolling(page, viewport)
    assert latin_words(page) == set()
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"review-queue-{size}-th.png"), full_page=True)
    # the filters, opened
    page.locator(".rv-filters > summary").click()
    page.select_option("#filter-category", "drug_trafficking")
    page.locator("#review-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "category=drug_trafficking" in page.url
    assert page.locator("#review-list > li").count() == 1
    assert page.locator(".rv-filters > summary").inner_text() == "ตัวกรอง (ใช้อยู่ 1)"
    no_sideways_scrolling(page, viewport)

    # the incident page of the overdue report
    page.goto(f"{live_server}/review/incidents/{world['today']}")
    page.wait_for_selector("#incident-map.leaflet-container path.leaflet-interactive")
    assert page.inner_text("h1") == f"รายงาน #{world['today']}: ลักลอบขนสินค้า"
    assert page.inner_text("#incident-status") == "ใหม่"
    assert page.locator("#incident-photos img").count() == 1
    assert page.locator("#incident-duplicates > li").count() == 1  # the earlier one nearby
    options = page.locator('form[data-action="mark_duplicate"] select option')
    assert options.count() == 1 and options.first.get_attribute("value") == str(world["earlier"])
    assert page.locator("#incident-actions form").count() == 4
    history = page.locator("#incident-history > li")
    assert history.first.locator(".rv-event-what").inner_text() == "แจ้งรายงาน"
    no_sideways_scrolling(page, viewport)
    assert latin_words(page) == set()
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"review-incident-{size}-th.png"), full_page=True)
    # a verified report's history: who, when, what, the note
    page.goto(f"{live_server}/review/incidents/{world['checked']}")
    last = page.locator("#incident-history > li").last
    assert last.locator(".rv-event-what").inner_text() == "ตรวจสอบแล้ว"
    assert last.locator(".rv-event-who").inner_text() == world["coordinator"].username
    assert last.locator(".bw-note").inner_text() == "ตรวจสอบกับผู้ใหญ่บ้านแล้ว"
    assert_accessible(page)
    assert page.errors == []


def focused(page: Any) -> dict[str, Any]:
    """The focused element: its tag, id, name, link, text, and whether its focus is seen."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name"),
                href: el.getAttribute("href"), text: (el.innerText || "").trim().slice(0, 60),
                ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
                shown: box.width > 0 && box.height > 0,
            };
        }"""
    )


def tab_to(page: Any, wanted: Callable[[dict[str, Any]], bool], limit: int = 80) -> int:
    """Press Tab until ``wanted`` holds for the focused element; each element passed on the
    way shows its focus. Returns the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["tag"] != "body", f"the focus left the page after {presses} presses"
        assert now["shown"] and now["ring"], f"no visible focus on {now}"
        if wanted(now):
            return presses
    raise AssertionError(f"not reached with {limit} presses of Tab")


def test_a_report_is_triaged_with_the_keyboard_alone(
    live_server, thai_browser, output_dir, committed, engine
):
    world = desk(committed, engine)
    page = thai_browser(DESKTOP)
    sign_in(page, live_server, world["coordinator"].username)
    page.goto(live_server + "/review?status=new")
    waiting, following = world["waiting"], world["today"]

    # from the top of the queue to the first report (past the header, tabs, filters and map)
    tab_to(page, lambda f: f["href"] == f"/review/incidents/{waiting}?status=new")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server}/review/incidents/{waiting}?status=new")
    page.wait_for_selector("#incident-map.leaflet-container")
    # down the report (the map is passed like any control) to the note of "verify"
    tab_to(page, lambda f: f["id"] == f"r{waiting}-verify-note")
    page.keyboard.type(NOTE)
    tab_to(page, lambda f: f["tag"] == "button" and f["text"] == f"ยืนยันรายงาน #{waiting}", 1)
    page.screenshot(path=str(output_dir / "review-keyboard-th.png"))
    page.keyboard.press("Enter")

    # the next new report opens, with the message of what was done
    page.wait_for_url(f"{live_server}/review/incidents/{following}?status=new")
    assert page.inner_text(".bw-flash-done") == f"รายงาน #{waiting} ตรวจสอบแล้ว"
    with Session(engine) as session:
        row = session.get_one(Incident, waiting)
        assert row.status == "verified"
        note = session.scalar(
            select(IncidentEvent.note).where(
                IncidentEvent.incident_id == waiting, IncidentEvent.action == "verify"
            )
        )
        assert note == NOTE
    assert page.errors == []
