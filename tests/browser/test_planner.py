"""A patrol planner in headless Chromium: the planner view with hotspot polygons and the ranked
list, a hotspot's profile and incidents, a plan made from three hotspots, the printable sheet.

The hotspot run is written by the test (tests/patrol_data.py), not computed by the hotspot API:
this tests the planner and plans, not clustering.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gis.models import HotspotRun, Incident, PatrolPlan, PatrolStop
from gis.parsing import THAI_TIME
from gis.types import IncidentCategory, PatrolUnit, Role, StopOutcome
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import sign_in
from tests.patrol_data import HOME, make_run

pytestmark = [pytest.mark.browser, pytest.mark.db]

CENTRES = [HOME, (100.445, 20.295), (100.36, 20.215)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def hotspot_run(engine: Engine, committed: Committed) -> Iterator[list[int]]:
    """A finished run of three hotspots in Chiang Khong, committed; removed with the plans made
    from it (before ``committed`` removes the accounts and incidents)."""
    officer = committed.user(
        Role.OFFICER, f"planner-officer-{uuid.uuid4().hex[:8]}", district="TH5703"
    )
    with Session(engine) as session:
        hotspots = make_run(
            session,
            CENTRES,
            hours=[[20, 21, 21, 22, 23], [21, 22], [2, 3, 21]],
            reporter_id=officer.id,
        )
        ids = [h.id for h in hotspots]
        run_id = hotspots[0].run_id
        session.commit()
    try:
        yield ids
    finally:
        with engine.begin() as conn:
            conn.execute(delete(PatrolPlan).where(PatrolPlan.created_by_id.in_(committed.user_ids)))
            conn.execute(delete(HotspotRun).where(HotspotRun.id == run_id))


def test_a_planner_goes_from_hotspots_to_a_printed_plan(
    live_server, page_and_log, output_dir, committed, hotspot_run, engine
):
    page, log = page_and_log
    planner = committed.user(
        Role.PATROL_PLANNER, f"planner-{uuid.uuid4().hex[:8]}", "Anong (planner)", province="TH57"
    )
    sign_in(page, live_server, planner.username)
    page.goto(live_server + "/planner")
    page.wait_for_selector("#pl-hotspots li", timeout=15_000)
    assert page.locator("#pl-hotspots li").count() == 3
    # the hotspots' hulls are drawn on the map as polygons
    page.wait_for_selector("path.bw-planner-hull")
    assert page.locator("path.bw-planner-hull").count() == 3
    # and by the hotspot layer of the map (the listed run's DBSCAN hulls)
    page.wait_for_function("() => document.querySelectorAll('path.bw-layer-hotspots').length === 3")
    assert "DBSCAN" in page.inner_text("#pl-run-info")

    # a hotspot: zoom, profile, incidents inside
    page.click("#pl-hotspots li:first-child .bw-planner-open")
    page.wait_for_selector("#pl-profile svg .bw-planner-bar", state="attached")
    page.wait_for_selector("#pl-incidents li")
    assert page.locator("#pl-incidents li").count() == 5
    assert "Densest 4 hours: 20:00–00:00" in page.inner_text("#pl-profile")
    zoom = page.evaluate("window.borderwatch.planner.map.getZoom()")
    assert zoom >= 12
    page.screenshot(path=str(output_dir / "planner-view.png"))

    # the plan: three hotspots, the MWCC, Border Patrol Police, tomorrow
    for box in page.locator("#pl-hotspots .bw-planner-pick").all():
        box.check()
    assert page.inner_text("#pl-selected").startswith("3 hotspots")
    page.select_option("#pl-unit", "border_patrol_police")
    page.click("#pl-make")
    page.wait_for_url("**/patrols/*/sheet", timeout=20_000)
    plan_id = int(urlparse(page.url).path.split("/")[2])
    with Session(engine) as session:
        plan = session.get_one(PatrolPlan, plan_id)
        assert plan.created_by_id == planner.id and plan.unit == "border_patrol_police"

    # the printable sheet
    page.wait_for_selector("svg.bw-sheet-map path.bw-sheet-route")
    assert page.locator("#sheet-stops tbody tr").count() == 3
    assert page.locator("svg.bw-sheet-map circle.bw-sheet-stop").count() == 3
    assert page.locator("svg.bw-sheet-map path.bw-sheet-hotspot").count() == 3
    assert "Border Patrol Police" in page.inner_text("#sheet-unit")
    assert page.inner_text("#sheet-window") == "20:00–00:00 Thai time"
    page.screenshot(path=str(output_dir / "patrol-sheet.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator(".bw-sheet-nav").is_visible()  # no navigation when printed
    page.screenshot(path=str(output_dir / "patrol-sheet-print.png"), full_page=True)
    page.pdf(path=str(output_dir / "patrol-sheet.pdf"), format="A4")

    assert not page.locator("#sheet-record").is_visible()  # nor the outcome form

    # back from the patrol: an incident found at stop 2, recorded on the sheet; the first try
    # gets no connection, the retry carries the same key of the sheet's own making
    page.emulate_media(media="screen")
    page.select_option("#record-seq", "2")
    page.select_option("#record-outcome", "incident_found")
    page.select_option("#record-category", "illegal_entry")
    page.fill("#record-description", "Six people crossing by boat at dusk")
    sent: list[dict] = []

    def first_one_lost(route) -> None:
        sent.append(route.request.post_data_json)
        if len(sent) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/stops/*/outcome", first_one_lost)
    page.click("#record-save")
    page.wait_for_function(
        "() => document.getElementById('record-status').textContent.startsWith('Not saved')"
    )
    with page.expect_navigation():
        page.click("#record-save")
    page.unroute("**/stops/*/outcome")
    # the browser reports the lost request, and nothing else
    lost = [e for e in log.console_errors if "ERR_INTERNET_DISCONNECTED" in e]
    assert len(lost) <= 1, log.console_errors
    for error in lost:
        log.console_errors.remove(error)
    keys = {body["incident"]["idempotency_key"] for body in sent}
    assert len(sent) == 2 and len(keys) == 1, sent
    (key,) = keys
    assert uuid.UUID(key).version == 4
    row = page.locator('#sheet-stops tr[data-seq="2"]')
    assert "☒ Incident found" in row.inner_text()
    with Session(engine) as session:
        stop = session.execute(
            select(PatrolStop).where(PatrolStop.plan_id == plan_id, PatrolStop.seq == 2)
        ).scalar_one()
        found = session.get_one(Incident, stop.incident_id)
        assert found.channel == "patrol" and found.reporter_id == planner.id
        assert found.category == "illegal_entry"
        assert str(found.idempotency_key) == key
    assert f"Incident no. {stop.incident_id}" in row.inner_text()
    page.screenshot(path=str(output_dir / "patrol-sheet-recorded.png"), full_page=True)

    hosts = {urlparse(u).netloc for u in log.requests if u.startswith("http")}
    assert hosts == {urlparse(live_server).netloc}, hosts
    assert not log.page_errors, log.page_errors
    assert not log.console_errors, log.console_errors
    with Session(engine) as session:
        stops = session.execute(select(PatrolPlan.length_m).where(PatrolPlan.id == plan_id))
        assert stops.scalar_one() > 0


def test_the_planner_view_starts_a_hotspot_run(live_server, page_and_log, committed, engine):
    """The run form sends the filters and the DBSCAN parameters to the hotspot API and follows
    the queued run (the worker is not running here: the run stays queued)."""
    page, log = page_and_log
    planner = committed.user(
        Role.PATROL_PLANNER, f"planner-run-{uuid.uuid4().hex[:8]}", province="TH57"
    )
    try:
        sign_in(page, live_server, planner.username)
        page.goto(live_server + "/planner")
        page.wait_for_selector("#pl-run-info:not(:has-text('Loading'))")
        page.click("#planner-run summary")
        page.fill("#pl-run-form input[name=eps_m]", "1500")
        with page.expect_response(
            lambda r: r.url.endswith("/api/hotspots/runs") and r.request.method == "POST"
        ) as posted:
            page.click("#pl-run-form button[type=submit]")
        assert posted.value.status == 202
        page.wait_for_function(
            "() => document.getElementById('pl-run-status').textContent.startsWith('Run no.')"
        )
        assert "Queued" in page.inner_text("#pl-run-status")  # the run status's label
        with Session(engine) as session:
            run = session.execute(
                select(HotspotRun).where(HotspotRun.created_by_id == planner.id)
            ).scalar_one()
            assert run.params["eps_m"] == 1500
        assert not log.page_errors and not log.console_errors, vars(log)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(HotspotRun).where(HotspotRun.created_by_id == planner.id))


def english_vocabulary(app) -> set[str]:
    """The English labels of the vocabularies a patrol sheet shows."""
    from webapp.vocab import label

    with app.test_request_context(headers={"Accept-Language": "en"}):
        return {
            label(member)
            for vocab in (IncidentCategory, PatrolUnit, StopOutcome)
            for member in vocab
        }


def no_sideways_scroll(page, viewport: dict[str, int]) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width} px wide"


@pytest.mark.parametrize("size,viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_thai_planner_plans_and_prints_a_thai_sheet(
    app, live_server, thai_browser, output_dir, committed, hotspot_run, size, viewport
):
    """In Thai at 390x844 and 1366x900: the planner (its panel behind a button on the phone),
    a plan made and drawn on the map, the sheet on screen and printed; no sideways scrolling,
    no serious or critical axe violation, no English vocabulary on the printed sheet and its
    date in the Buddhist era."""
    page = thai_browser(viewport)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    planner = committed.user(
        Role.PATROL_PLANNER, f"planner-th-{uuid.uuid4().hex[:8]}", "อนงค์ (วางแผน)", province="TH57"
    )
    sign_in(page, live_server, planner.username)
    page.goto(live_server + "/planner")
    assert page.get_attribute("html", "lang") == "th"
    toggle = page.locator("#pl-toggle")
    if size == "phone":
        # the map fills the width; the panel waits behind its button
        assert not page.locator("#planner-side").is_visible()
        assert toggle.is_visible() and toggle.inner_text() == "จุดเสี่ยงและแผน"
        box = page.locator("#planner-map").bounding_box()
        assert box is not None and box["width"] == viewport["width"]
        toggle.click()
        assert page.locator("#planner-side").is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible() and page.locator("#planner-side").is_visible()
    page.wait_for_selector("#pl-hotspots li", timeout=15_000)
    assert page.locator("#pl-hotspots li").count() == 3
    info = page.inner_text("#pl-run-info")
    assert info.startswith("รอบการวิเคราะห์เลขที่") and "DBSCAN" in info
    assert str(dt.datetime.now(THAI_TIME).year + 543) in info  # the run's time, Buddhist era
    assert "ประเภทเหตุ" in page.inner_text("#planner-filters")
    no_sideways_scroll(page, viewport)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"planner-th-{size}.png"))

    # a hotspot's profile and incidents, in Thai words and Thai time
    page.click("#pl-hotspots li:first-child .bw-planner-open")
    page.wait_for_selector("#pl-profile svg .bw-planner-bar", state="attached")
    page.wait_for_selector("#pl-incidents li")
    assert page.inner_text("#pl-detail-title") == "จุดเสี่ยงอันดับ 1 (5 เหตุ)"
    assert "ช่วง 4 ชั่วโมงที่เกิดเหตุมากที่สุด: 20:00–00:00 น. (5 เหตุ)" in page.inner_text("#pl-profile")
    incidents = page.inner_text("#pl-incidents")
    assert incidents.count("ลักลอบขนสินค้า") == 5 and "smuggling" not in incidents
    assert page.locator("#planner-detail").is_visible()
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"planner-th-{size}-hotspot.png"))

    # the plan: three hotspots, a joint patrol, tomorrow
    for pick in page.locator("#pl-hotspots .bw-planner-pick").all():
        pick.check()
    assert page.inner_text("#pl-selected") == "เลือกแล้ว 3 จุดเสี่ยง"
    page.select_option("#pl-unit", "joint_patrol")
    page.locator("#planner-plan").scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / f"planner-th-{size}-form.png"))
    page.click("#pl-make")
    page.wait_for_url("**/patrols/*/sheet", timeout=20_000)
    plan_id = int(urlparse(page.url).path.split("/")[2])

    # back in the planner, the plan is drawn on the map from the recent plans
    page.goto(live_server + "/planner")
    if size == "phone":
        toggle.click()
    show = page.locator(f'#pl-plans li[data-id="{plan_id}"] button')
    show.wait_for(timeout=15_000)
    assert show.inner_text() == "ดูบนแผนที่"
    show.click()
    page.wait_for_selector("path.bw-planner-route")
    assert page.locator(".bw-planner-stop").count() == 3
    if size == "phone":  # the panel closed to show the route
        assert not page.locator("#planner-side").is_visible()
    page.wait_for_timeout(500)  # the map's zoom animation
    no_sideways_scroll(page, viewport)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"planner-th-{size}-plan.png"))

    # the sheet on screen
    page.goto(f"{live_server}/patrols/{plan_id}/sheet")
    page.wait_for_selector("svg.bw-sheet-map path.bw-sheet-route")
    assert page.inner_text("h1").startswith(f"แผนลาดตระเวนเลขที่ {plan_id}: อำเภอเชียงของ")
    assert page.inner_text("#sheet-unit") == "ลาดตระเวนร่วมกับฝ่ายคู่ขนาน"
    no_sideways_scroll(page, viewport)
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"patrol-sheet-th-{size}.png"), full_page=True)

    # printed: no header, no navigation, no form; Thai words and a Buddhist-era date
    page.emulate_media(media="print")
    assert not page.locator("header.bw-bar").is_visible()
    assert not page.locator(".bw-sheet-nav").is_visible()
    assert not page.locator("#sheet-record").is_visible()
    printed = page.inner_text("body")
    english = sorted(word for word in english_vocabulary(app) if word in printed)
    assert english == [], f"English vocabulary on the printed Thai sheet: {english}"
    tomorrow = dt.datetime.now(THAI_TIME).date() + dt.timedelta(days=1)
    assert str(tomorrow.year + 543) in page.inner_text("#sheet-date")
    assert str(tomorrow.year) not in page.inner_text("#sheet-date")
    assert "กม." in page.inner_text("#sheet-length")
    font = page.evaluate("getComputedStyle(document.querySelector('h1')).fontFamily")
    assert font.startswith('"Sarabun"') or font.startswith("Sarabun"), font
    page.set_viewport_size({"width": 718, "height": 1016})  # A4 less its margins, at 96 dpi
    page.screenshot(path=str(output_dir / f"patrol-sheet-th-{size}-print.png"), full_page=True)
    if size == "desktop":
        page.pdf(path=str(output_dir / "patrol-sheet-th.pdf"), format="A4")
    assert errors == []
