"""Flagged border stretches on the main map, in Thai: drawn in orange dashes over the border, named
in the layer list and the legend, a popup with the demarcation, the district and the day of the
last change (Buddhist-era year); the source of the knowledge for a signed-in account, never for
the public. axe-core finds no serious or critical violation; screenshots under ``test-output/``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from gis.models import BorderSegment, BorderStretch, District
from gis.types import Demarcation, Role
from layers import styles
from tests.browser.axe import assert_accessible
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.db]

#: A border segment of Aranyaprathet (TH2706), flagged between 30 % and 40 % of its length.
SEGMENT = 65
SOURCE = "ชรบ. บ้านคลองลึก เดินสำรวจ"
DRAWN = "() => document.querySelectorAll('path.bw-layer-border_stretches').length > 0"


@pytest.fixture
def stretch(engine: Engine) -> Iterator[tuple[float, float]]:
    """A committed unmarked stretch; yields its middle (lat, lon)."""
    with Session(engine) as session:
        cut = (
            select(func.ST_LineSubstring(BorderSegment.geom, 0.3, 0.4))
            .where(BorderSegment.id == SEGMENT)
            .scalar_subquery()
        )
        row = BorderStretch(
            segment_id=SEGMENT,
            district_id=session.scalar(select(District.id).where(District.pcode == "TH2706")),
            from_fraction=0.3,
            to_fraction=0.4,
            demarcation=Demarcation.UNMARKED,
            source=SOURCE,
            geom=cut,
        )
        session.add(row)
        session.commit()
        middle = func.ST_LineInterpolatePoint(BorderStretch.geom, 0.5)
        lat, lon = session.execute(
            select(func.ST_Y(middle), func.ST_X(middle)).where(BorderStretch.id == row.id)
        ).one()
        stretch_id = row.id
    try:
        yield lat, lon
    finally:
        with Session(engine) as session:
            session.execute(delete(BorderStretch).where(BorderStretch.id == stretch_id))
            session.commit()


def open_popup(page, live_server: str, where: tuple[float, float]) -> str:
    page.goto(live_server + "/")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    page.evaluate(
        f"() => borderwatch.maps[0].map.setView([{where[0]}, {where[1]}], 13, {{animate: false}})"
    )
    page.wait_for_function(DRAWN, timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => borderwatch.findLayer(borderwatch.maps[0].map, 'border_stretches')"
        ".group.eachLayer((layer) => layer.openPopup())"
    )
    popup = page.locator(".leaflet-popup .bw-popup")
    popup.wait_for()
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
    )
    return popup.inner_text()


@pytest.mark.parametrize("role", ["public", "officer"])
def test_a_flagged_stretch_on_the_map_in_thai(
    live_server, thai_browser, output_dir, committed, stretch, role
):
    page = thai_browser({"width": 390, "height": 844})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if role == "officer":
        user = committed.user(Role.OFFICER, f"st-of-{uuid.uuid4().hex[:8]}", district="TH2706")
        sign_in(page, live_server, user.username)

    shown = open_popup(page, live_server, stretch)
    assert "ยังไม่ปักปันเขตแดน" in shown  # the demarcation's label
    assert "อรัญประเทศ" in shown  # the district's Thai name
    assert str(dt.date.today().year + 543) in shown  # the day of the change, Buddhist era
    if role == "public":
        assert SOURCE not in shown and "แหล่งที่มาของข้อมูล" not in shown
    else:
        assert SOURCE in shown and "แหล่งที่มาของข้อมูล" in shown
    assert_accessible(page)
    page.screenshot(path=str(output_dir / f"map-stretch-{role}-th-popup.png"))

    page.click(".leaflet-popup-close-button")
    stroke = page.get_attribute("path.bw-layer-border_stretches", "stroke")
    assert stroke == styles.STRETCH_UNMARKED
    assert page.get_attribute("path.bw-layer-border_stretches", "stroke-dasharray")
    page.click("#bw-layers-button")
    assert "ช่วงแนวชายแดนที่อำเภอระบุ" in page.inner_text("#bw-layers-panel")
    page.click("#bw-legend-button")
    legend = page.inner_text("#bw-legend-panel .bw-legend")
    assert "ช่วงแนวชายแดนที่อำเภอระบุ" in legend
    assert "อำเภอระบุว่ายังไม่มีหลักเขตหรือยังไม่ปักปันเขตแดน" in legend
    assert_accessible(page)
    section = page.locator(".bw-legend-section", has_text="ช่วงแนวชายแดนที่อำเภอระบุ")
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / f"map-stretch-{role}-th-legend.png"))
    assert errors == []
