"""The reference editor and review pages in headless Chromium, in Thai, at 390x844 and 1366x900.

A coordinator of Chiang Khong moves a checkpoint to where the phone is ("I am here", its
accuracy sent) and draws a natural crossing path; a refusal naming a field is shown under it;
an administrator reviews both proposals (old and new geometry on one map, the differences) and
accepts them; the derived data is recomputed as the worker does it; the map's checkpoint layer
and an incident's nearest checkpoint show the change, and the coordinator's next edit made on the
old version is told that someone else changed it, naming the current version.

Each page (and each state of it the test reaches) is Thai with no English word, scrolls nothing
sideways, passes axe (no serious or critical violation) and leaves a screenshot in
``test-output/reference/``. The reference rows the test changes are put back afterwards.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from gis.models import (
    BorderStretch,
    Checkpoint,
    Incident,
    NaturalCrossing,
    ReferenceChange,
    ReferenceRecompute,
    ReferenceVersion,
)
from gis.reference.corridor import refresh_corridor
from gis.reference.derived import recompute
from gis.types import Role, RunStatus
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.test_workspace import SIZES, check_page, chromium, signed_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.db]

OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "reference"
CHIANG_KHONG = "TH5703"


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def people(committed: Committed) -> dict[Role, Any]:
    tag = uuid.uuid4().hex[:6]
    return {
        Role.COORDINATOR: committed.user(
            Role.COORDINATOR, f"rf-coordinator-{tag}", "อรุณี ประสาน", district=CHIANG_KHONG
        ),
        Role.ADMINISTRATOR: committed.user(
            Role.ADMINISTRATOR, f"rf-admin-{tag}", "ประเสริฐ ดูแลระบบ"
        ),
    }


def looked_at(page: Any, name: str) -> None:
    """The page as it is now: Thai, no sideways scrolling, axe; a screenshot."""
    problems = check_page(page, name)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=False)
    assert not problems, f"{name}: {problems}"
    assert_accessible(page)


@pytest.mark.parametrize("size", list(SIZES))
def test_the_pages_open_in_thai(live_server: str, people, chromium: Any, size: str):  # noqa: F811
    coordinator = signed_in(chromium, live_server, people[Role.COORDINATOR].username, size)
    coordinator.goto(live_server + "/reference/edit")
    coordinator.wait_for_load_state("networkidle")
    assert coordinator.locator("#rf-district").get_attribute("value") == CHIANG_KHONG
    # the district's outlines, the Mekong and the border are drawn under the features, and the
    # editor does not make them editable
    coordinator.wait_for_function(
        "() => document.querySelectorAll('.leaflet-rf-context-pane path').length >= 3"
    )
    assert (
        coordinator.evaluate(
            "() => { const e = borderwatch.referenceEditor.map; let n = 0;"
            " e.eachLayer(l => { if (l.options && l.options.pane === 'rf-context' && l.pm"
            " && !l.options.pmIgnore) n += 1; }); return n; }"
        )
        == 0
    )
    looked_at(coordinator, f"{size}-coordinator-edit")
    coordinator.context.close()

    admin = signed_in(chromium, live_server, people[Role.ADMINISTRATOR].username, size)
    admin.goto(live_server + f"/reference/edit?district={CHIANG_KHONG}")
    admin.wait_for_load_state("networkidle")
    looked_at(admin, f"{size}-admin-edit")
    admin.goto(live_server + "/reference/review")
    admin.wait_for_load_state("networkidle")
    looked_at(admin, f"{size}-admin-review")
    admin.context.close()


#: Where the coordinator stands: on the Mekong road south of Chiang Khong town, inside the
#: district, about 18 km from Ban Hat Bai's approximate point.
HERE = (100.4185, 20.1800)
#: The crossing path the coordinator draws towards the river (lon, lat).
PATH = [(100.430, 20.200), (100.440, 20.203), (100.450, 20.2045)]
MOVED = "บ้านหาดบ้าย"


@pytest.fixture
def reference_rows(engine: Engine) -> Iterator[dict[str, Any]]:
    """The checkpoint the test moves (its row as it was) and the last ids of what the test
    adds; everything is put back or deleted afterwards, the corridor rebuilt."""
    with Session(engine) as session:
        checkpoint = session.execute(
            select(Checkpoint).where(Checkpoint.name_th == MOVED)
        ).scalar_one()
        columns = [
            attr.key
            for attr in Checkpoint.__mapper__.column_attrs
            if attr.key != "id" and all(c.computed is None for c in attr.columns)
        ]
        saved = {name: getattr(checkpoint, name) for name in columns}
        last = {
            model: session.execute(select(func.coalesce(func.max(model.id), 0))).scalar_one()
            for model in (
                ReferenceChange,
                ReferenceVersion,
                ReferenceRecompute,
                NaturalCrossing,
                BorderStretch,
            )
        }
        last_job = session.execute(
            text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs")
        ).scalar_one()
        found = {"checkpoint_id": checkpoint.id, "last": last}
    try:
        yield found
    finally:
        with Session(engine) as session:
            for model in (
                ReferenceVersion,
                ReferenceChange,
                ReferenceRecompute,
                NaturalCrossing,
                BorderStretch,
            ):
                session.execute(delete(model).where(model.id > last[model]))
            row = session.get_one(Checkpoint, found["checkpoint_id"])
            for name, value in saved.items():
                setattr(row, name, value)
            session.flush()
            refresh_corridor(session)
            session.execute(
                text("DELETE FROM procrastinate.procrastinate_jobs WHERE id > :id"),
                {"id": last_job},
            )
            session.commit()


def run_derived(engine: Engine, after: int) -> int:
    """Run the queued recomputations (as the worker's task does); their number."""
    with Session(engine) as session:
        queued = session.execute(
            select(ReferenceRecompute.id)
            .where(ReferenceRecompute.id > after, ReferenceRecompute.status == RunStatus.QUEUED)
            .order_by(ReferenceRecompute.id)
        ).scalars()
        done = 0
        for recompute_id in list(queued):
            recompute(session, recompute_id, commit=session.commit)
            done += 1
        session.commit()
    return done


def map_point(page: Any, lon: float, lat: float) -> tuple[float, float]:
    """The page coordinates of a place on the editor's map."""
    box = page.locator("#rf-map").bounding_box()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = borderwatch.referenceEditor.map"
        ".latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
        [lat, lon],
    )
    return box["x"] + x, box["y"] + y


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dx = (a[0] - b[0]) * 111_320 * math.cos(math.radians((a[1] + b[1]) / 2))
    dy = (a[1] - b[1]) * 110_574
    return math.hypot(dx, dy)


def coordinator_moves_and_draws(page: Any, base: str, size: str) -> None:
    page.goto(base + "/reference/edit")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("#rf-list .rf-item-open")
    # the checkpoint from the list; the phone's position ("I am here")
    page.locator("#rf-list .rf-item-open", has_text=MOVED).click()
    assert page.locator("#rf-form-box").is_visible()
    assert page.locator("#rf-here").is_visible()
    assert not page.locator("#rf-risk_level").is_visible()  # a crossing's field
    page.click("#rf-here")
    page.wait_for_function("() => document.getElementById('rf-precision').value === 'surveyed'")
    assert "8" in page.inner_text("#rf-here-status")
    # a required name emptied: refused, the message under the field
    page.fill("#rf-name", "")
    page.fill("#rf-reason", "ยืนอยู่ที่ด่านจริงร่วมกับนายอำเภอ")
    page.click("#rf-send")
    page.wait_for_selector("#rf-name-error:not([hidden])")
    assert page.get_attribute("#rf-name", "aria-invalid") == "true"
    looked_at(page, f"{size}-edit-refused")
    page.fill("#rf-name", 'Ban Hat Bai crossing ("Ban Had Ban" in source)')
    page.click("#rf-send")
    page.wait_for_selector("#rf-said:not([hidden])")
    assert "รอผู้ตรวจทาน" in page.inner_text("#rf-said")
    page.wait_for_selector("#rf-list .rf-item-open:has-text('" + MOVED + "') .bw-badge-pending")
    looked_at(page, f"{size}-edit-proposed")

    # a new crossing path: three taps on the map, the last one again to finish
    page.click("#rf-draw-crossing")
    page.locator("#rf-map").scroll_into_view_if_needed()
    page.evaluate(
        "([lat, lon]) => borderwatch.referenceEditor.map.setView([lat, lon], 13, {animate: false})",
        [PATH[1][1], PATH[1][0]],
    )
    for lon, lat in PATH:
        x, y = map_point(page, lon, lat)
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    x, y = map_point(page, *PATH[-1])
    page.mouse.click(x, y)
    page.wait_for_function("() => borderwatch.referenceEditor.state.newLayer !== null")
    page.fill("#rf-name", "ท่าข้ามบ้านห้วยลึก")
    page.select_option("#rf-risk_level", "high")
    page.select_option("#rf-season", "dry_only")
    page.check("#rf-form input[name=crosses][value=people]")
    page.check("#rf-form input[name=crosses][value=goods]")
    page.select_option("#rf-precision", "surveyed")
    page.fill("#rf-note", "ใช้ได้เฉพาะหน้าแล้งเมื่อระดับน้ำโขงลดลง")
    page.fill("#rf-reason", "เดินสำรวจเส้นทางร่วมกับ ชรบ. บ้านห้วยลึก")
    looked_at(page, f"{size}-edit-crossing")
    page.click("#rf-send")
    page.wait_for_function("() => document.getElementById('rf-form-box').hidden")
    assert "รอผู้ตรวจทาน" in page.inner_text("#rf-said")


def administrator_accepts_both(page: Any, base: str, size: str) -> None:
    page.goto(base + "/reference/review")
    page.wait_for_load_state("networkidle")
    items = page.locator("#rr-list .rr-item")
    items.first.wait_for()
    assert items.count() == 2
    page.locator("#rr-list .rr-item", has_text=MOVED).click()
    page.wait_for_selector("#rr-detail:not([hidden])")
    diff = page.inner_text("#rr-diff")
    assert "สำรวจในพื้นที่" in diff  # precision: surveyed on site
    assert "ย้ายไป" in page.inner_text("#rr-moved")  # moved by ... m
    assert page.evaluate("borderwatch.referenceReview.map.hasLayer !== undefined")
    looked_at(page, f"{size}-review-checkpoint")
    page.fill("#rr-note", "ตรวจสอบแล้ว ตรงกับภาพถ่ายดาวเทียม")
    page.click("#rr-accept")
    page.wait_for_selector("#rr-done:not([hidden])")
    assert "อนุมัติแล้ว" in page.inner_text("#rr-done")
    page.wait_for_function("() => document.querySelectorAll('#rr-list .rr-item').length === 1")
    page.locator("#rr-list .rr-item", has_text="ท่าข้ามบ้านห้วยลึก").click()
    page.wait_for_selector("#rr-detail:not([hidden])")
    assert "ท่าข้ามบ้านห้วยลึก" in page.inner_text("#rr-title")
    assert page.locator("#rr-diff tr.rr-changed").count() >= 5  # a new feature: all it has
    looked_at(page, f"{size}-review-crossing")
    page.click("#rr-accept")
    page.wait_for_function("() => document.querySelectorAll('#rr-list .rr-item').length === 0")
    # the accepted change's versions, each older one with "restore"
    page.select_option("#rr-status", "accepted")
    page.locator("#rr-list .rr-item", has_text=MOVED).first.click()
    page.click("#rr-history-open")
    page.wait_for_selector("#rr-versions .rr-version")
    looked_at(page, f"{size}-review-history")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_coordinator_moves_and_draws_an_administrator_accepts(
    live_server: str,
    people,
    committed: Committed,
    reference_rows: dict[str, Any],
    engine: Engine,
    chromium: Any,  # noqa: F811
    size: str,
):
    # an incident near where the checkpoint really is: its nearest checkpoint is another one
    incident = committed.incident((HERE[0] - 0.001, HERE[1] - 0.001))
    with Session(engine) as session:
        before = session.get_one(Incident, incident)
        assert before.nearest_checkpoint_id != reference_rows["checkpoint_id"]

    coordinator = signed_in(chromium, live_server, people[Role.COORDINATOR].username, size)
    # Leaflet-Geoman runs under the strict CSP: no refused script, style or image
    refused: list[str] = []
    coordinator.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    coordinator.context.grant_permissions(["geolocation"], origin=live_server)
    coordinator.context.set_geolocation({"longitude": HERE[0], "latitude": HERE[1], "accuracy": 8})
    coordinator_moves_and_draws(coordinator, live_server, size)

    assert not refused, refused

    admin = signed_in(chromium, live_server, people[Role.ADMINISTRATOR].username, size)
    administrator_accepts_both(admin, live_server, size)
    admin.context.close()

    # the worker's recomputation (both changes' jobs were deferred with their acceptance)
    assert run_derived(engine, reference_rows["last"][ReferenceRecompute]) == 2
    with Session(engine) as session:
        moved = session.get_one(Incident, incident)
        assert moved.nearest_checkpoint_id == reference_rows["checkpoint_id"]
        assert moved.nearest_checkpoint_m is not None and moved.nearest_checkpoint_m < 200
        crossing = session.execute(
            select(NaturalCrossing).where(NaturalCrossing.name == "ท่าข้ามบ้านห้วยลึก")
        ).scalar_one()
        assert crossing.retired_at is None

    # the map's checkpoint layer has it where the phone was; the incident's page names it
    other = coordinator.context.new_page()
    other.goto(live_server + "/")
    other.wait_for_load_state("networkidle")
    features = other.evaluate(
        # not the copy the browser kept when the sign-in opened the map (reference layers are
        # kept a few minutes): the layer as the map asks for it now
        "() => fetch('/api/layers/checkpoints', {cache: 'no-store'})"
        ".then((r) => r.json()).then((d) => d.features)"
    )
    point = next(
        f["geometry"]["coordinates"]
        for f in features
        if str(f.get("id")) == str(reference_rows["checkpoint_id"])
    )
    assert metres(tuple(point), HERE) < 5
    other.goto(live_server + f"/review/incidents/{incident}")
    assert MOVED in other.inner_text("main")
    other.close()

    # the coordinator's editor, still showing what it read before the acceptance: the next
    # edit of the checkpoint is made on version 1 and refused, naming the current version
    coordinator.locator("#rf-list .rf-item-open", has_text=MOVED).click()
    coordinator.fill("#rf-hours", "06:00–18:00")
    coordinator.fill("#rf-reason", "ด่านปิดเร็วขึ้นในฤดูฝน")
    coordinator.click("#rf-send")
    coordinator.wait_for_selector("#rf-conflict:not([hidden])")
    assert "ฉบับที่ 2" in coordinator.inner_text("#rf-conflict-text")
    looked_at(coordinator, f"{size}-edit-conflict")
    coordinator.click("#rf-reload")
    coordinator.wait_for_function("() => document.getElementById('rf-conflict').hidden")
    assert coordinator.input_value("#rf-precision") == "surveyed"
    # what became of the proposals, with the reviewer's note
    coordinator.wait_for_selector("#rf-changes .rf-change")
    decided = coordinator.inner_text("#rf-changes")
    assert "ตรวจสอบแล้ว ตรงกับภาพถ่ายดาวเทียม" in decided
    assert "รอการตรวจทาน" not in decided  # both decided
    coordinator.context.close()


def test_an_administrator_flags_a_stretch_of_the_border(
    live_server: str,
    people,
    reference_rows: dict[str, Any],
    engine: Engine,
    chromium: Any,  # noqa: F811
):
    """Two taps on a border segment of the district flag the stretch between them (an
    administrator's change, accepted at once); the stretch is then one of the district's
    features, named by its segment and fractions."""
    page = signed_in(chromium, live_server, people[Role.ADMINISTRATOR].username, "desktop")
    page.goto(live_server + f"/reference/edit?district={CHIANG_KHONG}")
    page.wait_for_selector("#rf-list .rf-item-open")
    page.click("#rf-flag-stretch")
    page.wait_for_function(
        "() => { const s = borderwatch.referenceEditor.state;"
        " return s.segments && s.segments.getLayers().length > 0; }"
    )
    # two places a quarter and a half along the district's first segment, on the screen
    ends = page.evaluate(
        """() => {
        const s = borderwatch.referenceEditor.state;
        const line = s.segments.getLayers()[0];
        const points = line.getLatLngs().flat(Infinity);
        s.map.fitBounds(line.getBounds(), {animate: false});
        const at = (share) => points[Math.floor(share * (points.length - 1))];
        return [at(0.25), at(0.5)].map((p) => {
            const xy = s.map.latLngToContainerPoint(p);
            return [xy.x, xy.y];
        });
    }"""
    )
    box = page.locator("#rf-map").bounding_box()
    for x, y in ends:
        page.mouse.click(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(150)
    assert page.evaluate("borderwatch.referenceEditor.state.stretch.points.length") == 2
    assert page.locator("#rf-demarcation").input_value() == "unmarked"
    page.fill("#rf-source", "สำรวจร่วมกับฝ่ายลาว ไม่พบหลักเขตตลอดช่วงนี้")
    page.fill("#rf-reason", "ผลการสำรวจร่วมเดือนพฤศจิกายน")
    looked_at(page, "desktop-edit-stretch")
    page.click("#rf-send")
    page.wait_for_selector("#rf-said:not([hidden])")
    assert "อนุมัติ" in page.inner_text("#rf-said")
    with Session(engine) as session:
        stretch = session.execute(
            select(BorderStretch).where(BorderStretch.id > reference_rows["last"][BorderStretch])
        ).scalar_one()
        assert 0 <= stretch.from_fraction < stretch.to_fraction <= 1
        assert stretch.source.startswith("สำรวจร่วม")
    page.wait_for_selector(f"#rf-list .rf-item-open[data-key='stretch:{stretch.id}']")
    page.context.close()
