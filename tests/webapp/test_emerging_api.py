"""The emerging hot spots layer and the planner's list of new and intensifying places: the
latest analysed run, the viewer's scope, a bad run refused naming it."""

from __future__ import annotations

import pytest

from gis.hotspots import runs as clustering
from gis.types import Role
from tests.gis.hotspots.test_emerging_runs import PARAMS, cluster_in_the_last_week
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def analysed(session):
    spot = cluster_in_the_last_week(session)
    run = clustering.run_hotspots(session, {**PARAMS, "districts": ["TH5703"]})
    return run, spot


def as_role(client, session, role: Role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    return user


def test_the_planner_reads_the_new_places_of_the_latest_analysis(client, session, analysed):
    run, spot = analysed
    clustering.run_hotspots(session, {**PARAMS, "emerging": None})  # newer, not analysed
    as_role(client, session, Role.PATROL_PLANNER)
    body = client.get("/api/hotspots/emerging").get_json()
    assert body["run"]["id"] == run.id
    assert "new_hot" in body["run"]["emerging"]
    places = body["places"]
    assert places and places[0]["category"] == "new_hot"
    assert places[0]["district"] == "Chiang Khong" and places[0]["district_th"] == "เชียงของ"
    assert abs(places[0]["lon"] - spot[0]) < 0.02 and abs(places[0]["lat"] - spot[1]) < 0.02
    assert {p["category"] for p in places} <= {"new_hot", "consecutive_hot", "intensifying_hot"}


def test_the_layer_draws_every_hexagon_with_its_category(client, session, analysed):
    run, _ = analysed
    as_role(client, session, Role.HQ_ANALYST)
    layer = client.get(f"/api/layers/emerging?run={run.id}").get_json()
    categories = {f["properties"]["category"] for f in layer["features"]}
    assert "new_hot" in categories and "no_pattern" in categories
    assert layer["run"]["id"] == run.id
    assert all(f["properties"]["meaning"] == f["properties"]["category"] for f in layer["features"])


def test_a_coordinator_elsewhere_sees_no_run_and_a_bad_run_is_refused(client, session, analysed):
    run, _ = analysed
    as_role(client, session, Role.COORDINATOR)  # Chiang Khong: the run is theirs
    assert client.get("/api/hotspots/emerging").get_json()["run"]["id"] == run.id
    client.post("/logout")
    other = make_user(session, Role.COORDINATOR, "coordinator-aranyaprathet", district="TH2706")
    client2 = client.application.test_client()
    assert sign_in(client2, other.username).status_code == 302
    assert client2.get("/api/hotspots/emerging").get_json() == {"run": None, "places": []}
    assert client2.get(f"/api/hotspots/emerging?run={run.id}").status_code == 404
    refused = client2.get("/api/hotspots/emerging?run=yesterday")
    assert refused.status_code == 400 and refused.get_json()["field"] == "run"


def test_the_dashboard_lists_the_new_places_and_offers_them_as_csv(client, session, analysed):
    run, _ = analysed
    as_role(client, session, Role.HQ_ANALYST)
    html = client.get("/dashboard").get_data(as_text=True)
    assert f"รอบวิเคราะห์ที่ {run.id}" in html
    assert "จุดร้อนใหม่" in html and "เชียงของ" in html
    rows = client.get("/dashboard/emerging.csv").get_data().decode("utf-8-sig").splitlines()
    assert rows[0].startswith("รูปแบบ,อำเภอ,จังหวัด")
    assert any(row.startswith("จุดร้อนใหม่,เชียงของ,เชียงราย") for row in rows[1:])
    assert all(int(row.split(",")[3]) > 0 for row in rows[1:])  # places with incidents only
