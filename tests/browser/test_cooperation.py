"""The cooperation register in a Thai browser at phone and desktop size, as issue 17 asks: a
coordinator records an MWCC meeting with two parallel areas on the phone-first form (the place
tapped on the map), an agreement with a due day and a spending line, sees the meeting on the
twin-town layer of the map, and HQ's national roll-up shows the district as having met its
counterparts. Every page: Thai, no English word, no sideways scrolling, no serious or critical
axe violation, a screenshot under ``test-output/cooperation/`` (look at them)."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session

from gis.cooperation.budget import parse_allocation, store_allocation
from gis.cooperation.fiscal import fiscal_year
from gis.models import Activity, BudgetAllocation, CooperationChange, District, SpendingLine
from gis.parsing import THAI_TIME
from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.test_workspace import check_page, chromium, signed_in  # noqa: F401
from tests.images import jpeg_with_gps
from tests.pdfs import pdf_with_metadata

pytestmark = [pytest.mark.browser, pytest.mark.db]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "cooperation"
#: How many lines the map's twin-town layer has drawn (its group holds GeoJSON layers).
DRAWN = """() => {
    const entry = borderwatch.findLayer(borderwatch.maps[0].map, 'twin_towns');
    let n = 0;
    const walk = (layer) => layer.eachLayer ? layer.eachLayer(walk) : n++;
    if (entry) walk(entry.group);
    return n > 0;
}"""
TITLE = "ประชุม ศปก.อ.เชียงของ กับเมืองห้วยทราย"
#: Whether the map's checkpoints layer has loaded its features.
CHECKPOINTS_LOADED = """() => {
    const entry = borderwatch.findLayer(borderwatch.maps[0].map, 'checkpoints');
    return Boolean(entry && entry.count > 0);
}"""
#: Opens the popup of one checkpoint, as a tap on it does.
OPEN_POPUP = """(id) => {
    const entry = borderwatch.findLayer(borderwatch.maps[0].map, 'checkpoints');
    const walk = (layer) => {
        if (layer.eachLayer) { layer.eachLayer(walk); return; }
        if (layer.feature && layer.feature.id === id) layer.openPopup();
    };
    walk(entry.group);
}"""


@pytest.fixture
def accounts(engine: Engine) -> Iterator[dict[str, Any]]:
    """A coordinator of Chiang Khong, an HQ analyst, and this fiscal year's allocation of Chiang
    Khong; afterwards every register row of the test is deleted with them."""
    rows = Committed(engine)
    tag = uuid.uuid4().hex[:6]
    today = dt.datetime.now(THAI_TIME).date()
    users = {
        "coordinator": rows.user(
            Role.COORDINATOR, f"co-coordinator-{tag}", "อรุณี ประสาน", district="TH5703"
        ),
        "hq": rows.user(Role.HQ_ANALYST, f"co-analyst-{tag}", "วิภา วิเคราะห์"),
    }
    with Session(engine) as session:
        district = session.execute(select(District).where(District.pcode == "TH5703")).scalar_one()
        allocation = store_allocation(
            session,
            parse_allocation(
                {"fiscal_year": fiscal_year(today), "amount": "80000", "source": "กองทุนแม่โขง"}
            ),
            district.id,
            None,
        )
        allocation_id = allocation.id
        session.commit()
    try:
        yield {**users, "allocation": allocation_id, "today": today}
    finally:
        ids = [u.id for u in users.values()]
        with engine.begin() as conn:
            conn.execute(delete(SpendingLine).where(SpendingLine.allocation_id == allocation_id))
            conn.execute(delete(Activity).where(Activity.created_by_id.in_(ids)))
            conn.execute(delete(BudgetAllocation).where(BudgetAllocation.id == allocation_id))
            conn.execute(
                delete(CooperationChange).where(
                    or_(
                        CooperationChange.by_id.in_(ids),
                        CooperationChange.record_id == allocation_id,
                    )
                )
            )
        rows.clean_up()


def look(page: Any, name: str) -> None:
    """The page is Thai, fits the screen and passes axe; its screenshot is saved."""
    problems = check_page(page, f"cooperation-{name}")
    assert_accessible(page)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert not problems, problems


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_coordinator_records_a_meeting_that_hq_sees(live_server, accounts, chromium, size):  # noqa: F811
    today = accounts["today"]
    page = signed_in(chromium, live_server, accounts["coordinator"].username, size)
    answer = page.goto(live_server + "/cooperation")
    assert answer is not None and answer.ok
    look(page, f"{size}-index")

    # the meeting: kind, title, days, the place tapped on the map, two parallel areas, counts
    page.click("#coop-new")
    page.wait_for_selector("#coop-map .leaflet-container, #coop-map.leaflet-container")
    assert page.get_attribute("#coop-map .leaflet-control-zoom-in", "title") == "ซูมเข้า"
    page.select_option("#coop-kind", "mwcc_meeting")
    page.fill("#coop-title", TITLE)
    page.fill("#coop-starts", today.isoformat())
    page.fill("#coop-ends", today.isoformat())
    page.locator("#coop-map").click()
    assert page.input_value("#coop-lat") and page.input_value("#coop-lon")
    areas = page.locator("input[name=parallel_areas]")
    assert areas.count() >= 2
    areas.nth(0).check()
    areas.nth(1).check()
    page.check("input[name=topics][value=drug_trafficking]")
    page.check("input[name=topics][value=border_crossings]")
    page.fill("#total-THA-officials", "12")
    page.fill("#women-THA-officials", "5")
    page.fill("#total-LAO-officials", "8")
    page.fill("#women-LAO-officials", "2")
    page.fill("#coop-summary", "ตกลงลาดตระเวนร่วมตามช่องทางธรรมชาติ")
    look(page, f"{size}-form")
    page.click("#coop-save")
    page.wait_for_selector("#coop-title")
    assert page.inner_text("#coop-title") == TITLE
    assert "ยาเสพติด" in page.inner_text("main")

    # an agreement with a due day
    page.fill("#coop-action-text", "ลาดตระเวนร่วมที่ท่าเรือบั๊ก")
    page.fill("#coop-action-agency", "สภ.เชียงของ")
    page.fill("#coop-action-due", (today + dt.timedelta(days=14)).isoformat())
    checkpoint = int(page.eval_on_selector("#coop-action-checkpoint", "s => s.options[1].value"))
    page.select_option("#coop-action-checkpoint", index=1)  # a checkpoint of the district
    page.click("#coop-action-save")
    page.wait_for_selector("#coop-actions")
    assert "ลาดตระเวนร่วมที่ท่าเรือบั๊ก" in page.inner_text("#coop-actions")
    assert "เกี่ยวกับจุดผ่านแดน" in page.inner_text("#coop-actions")

    # the minutes as a PDF: kept without the author and software that made it
    page.set_input_files(
        "#coop-minutes",
        files=[
            {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": pdf_with_metadata()}
        ],
    )
    page.click("#coop-minutes-save")
    page.wait_for_selector("#coop-minutes a")
    stored = page.request.get(
        live_server + page.locator("#coop-minutes a").first.get_attribute("href")
    )
    assert stored.ok and stored.headers["content-type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(stored.body())) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
    look(page, f"{size}-activity")

    # a spending line on the meeting
    page.goto(live_server + "/cooperation/budget")
    page.select_option("#coop-spend-allocation", str(accounts["allocation"]))
    page.select_option("#coop-spend-activity", label=TITLE)
    page.fill("#coop-spend-item", "ค่าอาหารว่างผู้เข้าร่วมประชุม")
    page.fill("#coop-spend-amount", "2500.50")
    page.click("#coop-spend-save")
    page.wait_for_selector(".bw-flash-done")
    assert "2,500.50" in page.inner_text("#coop-allocations")
    # its receipt, a photo from the phone
    line = page.locator("#coop-lines-table tr", has_text="ค่าอาหารว่างผู้เข้าร่วมประชุม")
    line.locator("input[type=file]").set_input_files(
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    line.locator("button[type=submit]").click()
    page.wait_for_selector(".bw-flash-done")
    line = page.locator("#coop-lines-table tr", has_text="ค่าอาหารว่างผู้เข้าร่วมประชุม")
    assert "ใบเสร็จฉบับที่ 1" in line.inner_text()
    look(page, f"{size}-budget")

    # the twin-town layer of the map: the link to the meeting's first area, "some" activity
    page.goto(live_server + "/")
    if not page.locator("#bw-layers-panel").is_visible():  # behind a button on a phone
        page.click("#bw-layers-button")
    with page.expect_response(lambda r: "/api/layers/twin_towns" in r.url) as response:
        page.check("#bw-layers-panel li[data-layer=twin_towns] input")
    links = response.value.json()["features"]
    ours = [f for f in links if TITLE in (f["properties"]["latest"] or "")]
    assert len(ours) == 2  # the district's links to the two areas that took part
    assert all(f["properties"]["level"] in ("some", "many") for f in ours)
    assert not ours[0]["properties"]["mwcc_overdue"]
    page.wait_for_function(DRAWN)
    # the checkpoint's popup lists the agreement about it, with a link to the meeting
    page.wait_for_function(CHECKPOINTS_LOADED)
    page.evaluate(OPEN_POPUP, checkpoint)
    page.wait_for_selector(".bw-popup-about a")
    assert "ลาดตระเวนร่วมที่ท่าเรือบั๊ก" in page.inner_text(".bw-popup-about")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{size}-map.png"))
    page.context.close()

    # HQ's national roll-up: Chiang Khong met its counterparts
    page = signed_in(chromium, live_server, accounts["hq"].username, size)
    page.goto(live_server + "/cooperation/national")
    row = page.locator("#coop-row-TH5703")
    assert "พบปะแล้ว" in row.inner_text()
    assert page.locator("#coop-national tbody tr").count() == 43
    look(page, f"{size}-national")
    page.goto(live_server + "/cooperation/report?district=TH5703")
    assert TITLE in page.inner_text("#coop-report-activities")
    look(page, f"{size}-report")
    page.context.close()
