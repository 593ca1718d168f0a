"""The incidents layer in headless Chromium: a coordinator signs in, the district's incidents
cluster with counts that add up to the data, popups show text as text, the filter form reloads
the layer, a new report appears without a reload, and the review page maps its queue."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine, delete, or_, select, text
from sqlalchemy.orm import Session

from gis.incidents.map_layer import cell_degrees
from gis.models import AccountChange, Incident, IncidentEvent, User
from gis.types import Role
from tests.browser.conftest import sign_in
from tests.factories import make_incident, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]

#: Inside Chiang Khong (TH5703): the coordinator's district.
CENTRE = (100.36, 20.20)
#: A lone incident, far enough from the others to stay a single marker at zoom 11.
LONE = (100.52, 20.30)
XSS = '<img src=x onerror="window.__bwXss=1"> `${window.__bwXss=2}` & </script>'
T0 = dt.datetime(2026, 6, 1, 5, 0, tzinfo=dt.UTC)

#: What the map shows of the incidents layer: cluster numbers, single markers, loaded features.
DRAWN = """() => {
    const map = borderwatch.maps[0].map;
    const layer = borderwatch.findLayer(map, 'incidents');
    const clusters = [...document.querySelectorAll('.marker-cluster')];
    return {
        clusters: clusters.length,
        inClusters: clusters.reduce(
            (n, c) => n + Number(c.textContent.trim().replace(/,/g, '')), 0),
        singles: document.querySelectorAll('path.bw-layer-incidents').length,
        loaded: layer.count,
        total: layer.total,
        truncated: layer.truncated,
        notice: document.querySelector('#bw-filters-incidents .bw-filters-notice').textContent,
        controller: layer.controller !== null,
    };
}"""


@dataclass
class Rows:
    """Rows committed where the live server reads them; deleted after the test."""

    engine: Engine
    user_ids: list[int] = field(default_factory=list)
    incident_ids: list[int] = field(default_factory=list)

    def user(self, role: Role, district: str) -> User:
        with Session(self.engine, expire_on_commit=False) as session:
            name = f"layer-{role.value[:5]}-{uuid.uuid4().hex[:8]}"
            user = make_user(session, role, name, district=district)
            session.commit()
        self.user_ids.append(user.id)
        return user

    def incident(self, where, *, district="Chiang Khong", **values: Any) -> int:
        """A verified incident of ``district`` at ``where``, committed (removed by clean_up)."""
        values = {
            "status": "verified",
            "occurred_at": T0,
            "description": "boxes carried to a boat",
            **values,
        }
        with Session(self.engine) as session:
            row = make_incident(session, district_name=district, where=where, **values)
            session.commit()
            self.incident_ids.append(row.id)
            return row.id

    def clean_up(self) -> None:
        with self.engine.begin() as conn:
            ids = select(Incident.id).where(
                or_(Incident.id.in_(self.incident_ids), Incident.reporter_id.in_(self.user_ids))
            )
            found = list(conn.execute(ids).scalars())
            conn.execute(
                delete(IncidentEvent).where(
                    or_(
                        IncidentEvent.incident_id.in_(found),
                        IncidentEvent.actor_id.in_(self.user_ids),
                    )
                )
            )
            conn.execute(delete(Incident).where(Incident.id.in_(found)))
            conn.execute(delete(AccountChange).where(AccountChange.user_id.in_(self.user_ids)))
            conn.execute(delete(User).where(User.id.in_(self.user_ids)))


@pytest.fixture
def rows(engine: Engine) -> Iterator[Rows]:
    made = Rows(engine)
    try:
        yield made
    finally:
        made.clean_up()


def grid(n: int, step: float = 0.004) -> list[tuple[float, float]]:
    """``n`` points on a small grid around :data:`CENTRE`."""
    return [(CENTRE[0] + (i % 6) * step, CENTRE[1] + (i // 6) * step) for i in range(n)]


def sql_count(engine: Engine, query: str, where: str = "") -> int:
    """What the coordinator of Chiang Khong may see in the box of a layer request, counted
    with SQL written independently of gis/incidents/map_layer.py."""
    args = parse_qs(urlsplit(query).query)
    minx, miny, maxx, maxy = (float(v) for v in args["bbox"][0].split(","))
    statuses = args.get("status", ["new,verified,referred,closed"])[0].split(",")
    sql = f"""
        SELECT count(*) FROM incident i JOIN district d ON d.id = i.district_id
        WHERE d.name = 'Chiang Khong' AND i.status = ANY(:statuses)
          AND NOT (i.channel = 'online_public' AND i.status = 'new')
          AND i.geom && ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, 4326) {where}
    """
    with engine.connect() as conn:
        return conn.execute(
            text(sql),
            {"statuses": statuses, "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy},
        ).scalar_one()


def settle(page, expected: int) -> dict:
    """Wait until the layer holds ``expected`` features and the clusters are drawn."""
    page.wait_for_function(
        f"""() => {{
            const layer = borderwatch.findLayer(borderwatch.maps[0].map, 'incidents');
            return layer && layer.controller === null && layer.count === {expected};
        }}""",
        timeout=20_000,
    )
    page.wait_for_timeout(600)  # markercluster's animations
    return page.evaluate(DRAWN)


def test_a_coordinator_sees_clustered_incidents_that_add_up(
    live_server, page_and_log, output_dir, rows, engine
):
    page, log = page_and_log
    coordinator = rows.user(Role.COORDINATOR, "TH5703")
    for i, where in enumerate(grid(30)):
        rows.incident(where, category="drug_trafficking" if i % 3 == 0 else "smuggling")
    rows.incident(grid(31)[30], status="rejected")
    rows.incident(grid(32)[31], status="new", channel="online_public")  # unverified public
    lone = rows.incident(LONE, description=XSS, category="human_trafficking")
    rows.incident((102.5066, 13.6928), district="Aranyaprathet")  # another district

    answers: list[tuple[str, dict]] = []

    def on_response(response) -> None:
        if "/api/layers/incidents" in response.url and response.status == 200:
            answers.append((response.url, json.loads(response.text())))

    page.on("response", on_response)
    sign_in(page, live_server, coordinator.username)
    page.goto(live_server + "/")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    page.evaluate(
        f"() => borderwatch.maps[0].map.setView([{CENTRE[1] + 0.03}, {CENTRE[0] + 0.06}], 11, "
        "{animate: false})"
    )
    drawn = settle(page, 31)  # 30 in the grid and the lone one
    url, answer = answers[-1]
    assert "zoom=11" in url, url
    assert answer["total"] == len(answer["features"]) == 31 and answer["truncated"] is False
    assert sql_count(engine, url) == 31
    assert drawn["clusters"] >= 1, drawn
    assert drawn["inClusters"] + drawn["singles"] == drawn["loaded"] == 31, drawn
    assert drawn["notice"] == "31 on the map"
    page.screenshot(path=str(output_dir / "incidents-map.png"))

    # The lone incident's popup: the description is text, no element and no script from it.
    point = page.evaluate(
        f"""() => {{
            const map = borderwatch.maps[0].map;
            const p = map.latLngToContainerPoint([{LONE[1]}, {LONE[0]}]);
            const box = map.getContainer().getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }}"""
    )
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup .bw-popup")
    popup = page.locator(".leaflet-popup .bw-popup")
    assert XSS in popup.inner_text()
    assert "Human trafficking" in popup.inner_text()  # the category's label
    assert str(lone) in popup.inner_text()
    assert "1 Jun 2026, 12:00" in popup.inner_text()  # T0 is 05:00 UTC: noon in Thai time
    assert popup.locator("img, script").count() == 0
    assert page.evaluate("() => window.__bwXss") is None
    page.screenshot(path=str(output_dir / "incidents-popup.png"))
    page.keyboard.press("Escape")

    # The filter form: drug trafficking only, then rejected ones, then everything again.
    page.click("#bw-filters-incidents summary")
    page.check(".bw-filter[data-param=category] input[value=drug_trafficking]")
    page.click("#bw-filters-incidents button[type=submit]")
    drawn = settle(page, 10)
    url, answer = answers[-1]
    assert parse_qs(urlsplit(url).query)["category"] == ["drug_trafficking"]
    assert sql_count(engine, url, "AND i.category = 'drug_trafficking'") == 10
    assert drawn["inClusters"] + drawn["singles"] == 10, drawn

    page.uncheck(".bw-filter[data-param=category] input[value=drug_trafficking]")
    page.check(".bw-filter[data-param=status] input[value=rejected]")
    page.click("#bw-filters-incidents button[type=submit]")
    drawn = settle(page, 1)
    assert drawn["inClusters"] + drawn["singles"] == 1

    page.fill(".bw-filter[data-param=since] input", "2026-06-02")
    page.fill(".bw-filter[data-param=until] input", "2026-06-01")
    page.click("#bw-filters-incidents button[type=submit]")
    page.wait_for_selector("#bw-filters-incidents .bw-filters-error:not([hidden])")
    assert page.inner_text("#bw-filters-incidents .bw-filters-error").startswith("From (day):")

    page.click("#bw-filters-incidents button[type=reset]")
    drawn = settle(page, 31)
    assert drawn["inClusters"] + drawn["singles"] == 31

    # A report stored by the pin drop shows at once (the event's incident is the API's JSON).
    new_id = rows.incident(
        (CENTRE[0] - 0.01, CENTRE[1]), description="<b>new</b>", category="illegal_entry"
    )
    incident = page.evaluate(
        f"() => fetch('/api/incidents/{new_id}').then((r) => r.json())",
    )
    assert incident["id"] == new_id
    page.evaluate(
        "(incident) => borderwatch.maps[0].map.fire('bw:incidentcreated', {incident})", incident
    )
    drawn = settle(page, 32)
    assert drawn["inClusters"] + drawn["singles"] == 32, drawn
    # the same report again (a retried answer) is not drawn twice
    page.evaluate(
        "(incident) => borderwatch.maps[0].map.fire('bw:incidentcreated', {incident})", incident
    )
    drawn = settle(page, 32)
    assert drawn["inClusters"] + drawn["singles"] == 32, drawn
    assert page.evaluate(f"() => borderwatch.showIncident(borderwatch.maps[0].map, {new_id})")
    page.wait_for_selector(".leaflet-popup .bw-popup")
    assert "<b>new</b>" in page.inner_text(".leaflet-popup .bw-popup")

    assert not log.page_errors and not log.console_errors and not log.dialogs, vars(log)
    assert all(url.startswith(live_server) for url in log.requests)


def test_the_notice_asks_to_zoom_in_when_the_answer_is_cut(
    live_server, page_and_log, output_dir, rows, engine
):
    page, log = page_and_log
    coordinator = rows.user(Role.COORDINATOR, "TH5703")
    with engine.begin() as conn:
        district_id = conn.execute(
            text("SELECT id FROM district WHERE name = 'Chiang Khong'")
        ).scalar_one()
        made = conn.execute(
            text(
                """
                INSERT INTO incident (idempotency_key, category, status, channel, occurred_at,
                                      district_id, geom)
                SELECT gen_random_uuid(), 'smuggling', 'verified', 'patrol',
                       :t0 + g * interval '1 minute', :district,
                       ST_SetSRID(ST_MakePoint(100.30 + (g % 80) * 0.0004,
                                               20.15 + (g / 80) * 0.0004), 4326)
                FROM generate_series(1, 5010) AS g
                RETURNING id
                """
            ),
            {"t0": T0, "district": district_id},
        )
        rows.incident_ids.extend(made.scalars())

    sign_in(page, live_server, coordinator.username)
    page.goto(live_server + "/")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    page.evaluate("() => borderwatch.maps[0].map.setView([20.2, 100.38], 11, {animate: false})")
    crowded = settle(page, 5010)  # far more than POINTS_AT_MOST: counted cells, all of them
    assert crowded["truncated"] is False and crowded["inClusters"] == 5010, crowded
    assert crowded["notice"] == "5,010 on the map", crowded
    page.evaluate("() => borderwatch.maps[0].map.setView([20.1625, 100.316], 15, {animate: false})")
    drawn = settle(page, 5000)  # points from zoom 15 on: the newest 5,000
    assert drawn["truncated"] is True and drawn["total"] == 5010
    assert drawn["inClusters"] + drawn["singles"] == 5000, drawn
    assert re.fullmatch(
        r"Only the newest 5,000 of 5,010 are shown: zoom in or filter to see all\.",
        drawn["notice"],
    ), drawn["notice"]
    page.screenshot(path=str(output_dir / "incidents-map-truncated.png"))
    assert not log.page_errors and not log.console_errors and not log.dialogs, vars(log)


def test_the_review_page_maps_the_queue(live_server, page_and_log, output_dir, rows):
    page, log = page_and_log
    coordinator = rows.user(Role.COORDINATOR, "TH5703")
    public = rows.incident(grid(1)[0], status="new", channel="online_public", description=XSS)
    for where in grid(4)[1:]:
        rows.incident(where, status="new")
    sign_in(page, live_server, coordinator.username)
    page.goto(live_server + "/review?status=new")
    page.wait_for_selector("#review-map .leaflet-marker-icon, #review-map path.bw-review-marker")
    listed = page.locator("#review-list > li").count()
    assert listed == 4
    markers = page.locator("#review-map path.bw-review-marker").count()
    assert markers == listed
    # the unverified public report is in the queue's map (not on any layer)
    page.evaluate(f"() => borderwatch.review.markers[{public}].openPopup()")
    popup = page.locator("#review-map .leaflet-popup")
    assert f"#{public}" in popup.inner_text()
    assert "1 Jun 2026, 12:00" in popup.inner_text()  # Thai time, the page's language
    assert popup.locator("img").count() == 0
    opens = popup.locator(".bw-popup a")
    assert opens.get_attribute("href") == f"/review/incidents/{public}?status=new"
    page.screenshot(path=str(output_dir / "review-map.png"), full_page=True)
    assert not log.page_errors and not log.console_errors and not log.dialogs, vars(log)


def test_a_crowded_view_draws_counted_cells_that_add_up(
    live_server, page_and_log, output_dir, rows, engine, monkeypatch
):
    """Above POINTS_AT_MOST incidents in the box the server counts per cell: the map draws the
    cells as bubbles whose numbers add up to an independent SQL count; a click zooms in until
    the box holds few enough incidents to come as points again."""
    monkeypatch.setattr("gis.incidents.map_layer.POINTS_AT_MOST", 20)  # the live server's module
    page, _log = page_and_log
    coordinator = rows.user(Role.COORDINATOR, "TH5703")
    size = cell_degrees(9)  # the points lie in one counting cell at zoom 9: one bubble
    middle = ((math.floor(100.40 / size) + 0.5) * size, (math.floor(20.20 / size) + 0.5) * size)
    for i in range(30):
        where = (middle[0] - 0.01 + (i % 6) * 0.004, middle[1] - 0.01 + (i // 6) * 0.004)
        rows.incident(where, category="drug_trafficking" if i % 6 < 2 else "smuggling")
    answers: list[tuple[str, dict]] = []

    def on_response(response) -> None:
        if "/api/layers/incidents" in response.url and response.status == 200:
            answers.append((response.url, json.loads(response.text())))

    page.on("response", on_response)
    sign_in(page, live_server, coordinator.username)
    page.goto(live_server + "/")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    page.evaluate(
        f"() => borderwatch.maps[0].map.setView([{middle[1]}, {middle[0]}], 9, {{animate: false}})"
    )
    drawn = settle(page, 30)
    url, answer = answers[-1]
    assert "zoom=9" in url and answer["aggregated"] is True, answer
    assert answer["total"] == sql_count(engine, url) == 30
    assert drawn["inClusters"] == 30 and drawn["singles"] == 0, drawn
    assert drawn["notice"] == "30 on the map"
    page.screenshot(path=str(output_dir / "incidents-counted-cells.png"))
    tooltip_owner = page.locator(".leaflet-marker-icon.marker-cluster").first
    tip = tooltip_owner.get_attribute("title") or ""
    assert "30 incidents here" in tip and "Drug trafficking: 10" in tip
    assert "Smuggling of goods: 20" in tip  # the categories' labels
    before = page.evaluate("() => borderwatch.maps[0].map.getZoom()")
    tooltip_owner.click()
    page.wait_for_function(f"() => borderwatch.maps[0].map.getZoom() > {before}")
