"""The hotspot API and layers: queued runs executed by the worker's function, scope, bad input
(400/403 naming the field, nothing stored), the ranked GeoJSON, a hotspot's incidents and the
map layers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.hotspots import runs as clustering
from gis.models import HotspotRun
from gis.types import Role, RunStatus
from tests import hotspot_data
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db

BODY = {
    "since": "2025-11-01",
    "until": "2026-11-01T00:00:00Z",
    "corridor_only": False,
    "districts": ["TH5703"],
}


def _signed_in(client, session, role: Role, **scope):
    user = make_user(session, role, username=f"hs-{role.value.replace('_', '-')}", **scope)
    assert sign_in(client, user.username).status_code == 302
    return user, csrf_token(client)


def _post(client, token, body):
    return client.post("/api/hotspots/runs", json=body, headers={"X-CSRFToken": token})


def _runs(session) -> int:
    return session.execute(select(func.count()).select_from(HotspotRun)).scalar_one()


def test_planner_queues_a_run_the_worker_executes_it_and_the_ranking_is_served(client, session):
    hand = hotspot_data.build(session)
    _user, token = _signed_in(client, session, Role.PATROL_PLANNER, province="TH57")
    answer = _post(client, token, BODY)
    assert answer.status_code == 202
    location = answer.headers["Location"]
    assert location.endswith(f"/api/hotspots/runs/{answer.json['id']}")
    assert answer.json["status"] == "queued" and answer.json["progress"] == 0

    run = session.get(HotspotRun, answer.json["id"])
    assert run is not None
    clustering.execute_run(session, run.id)  # what `borderwatch worker` does

    status = client.get(location).json
    assert (status["status"], status["progress"], status["n_clusters"]) == ("done", 1.0, 3)
    doc = client.get(location + "/hotspots").json
    assert doc["type"] == "FeatureCollection"
    ranks = [f["properties"]["rank"] for f in doc["features"]]
    assert ranks == [1, 2, 3]
    scores = [f["properties"]["score"] for f in doc["features"]]
    assert scores == sorted(scores, reverse=True)
    props = doc["features"][0]["properties"]
    for key in (
        "id",
        "score",
        "n_incidents",
        "categories",
        "first_seen",
        "last_seen",
        "trend",
        "districts",
        "parallel_areas",
        "nearest_crossing_m",
        "nearest_checkpoint",
        "nearest_checkpoint_m",
    ):
        assert key in props
    for feature in doc["features"]:  # the names of exactly the hotspot's districts
        found = feature["properties"]
        assert len(found["districts"]) == len(found["district_ids"]) >= 1
        assert len(found["parallel_areas"]) == len(found["parallel_area_ids"])
    assert "Chiang Khong" in props["districts"]
    assert doc["features"][0]["geometry"]["type"] == "Polygon"

    spot = next(f for f in doc["features"] if f["properties"]["n_incidents"] == 8)
    inside = client.get(f"/api/hotspots/{spot['id']}/incidents").json
    assert {f["id"] for f in inside["features"]} == set(hand.groups["straddle"])

    latest = client.get("/api/hotspots/runs?latest=1").json["runs"]
    assert [r["id"] for r in latest] == [run.id]
    layer = client.get("/api/layers/hotspots?bbox=99,19,102,21").json
    assert len(layer["features"]) == 3 and layer["run"]["id"] == run.id
    gistar = client.get(f"/api/layers/gistar?run={run.id}").json
    assert gistar["features"] and "Gi*" in gistar["method"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"eps_m": 0}, "eps_m"),
        ({"eps_m": 60_000}, "eps_m"),
        ({"min_points": 1}, "min_points"),
        ({"since": "2026-11-02", "until": "2026-11-01"}, "since"),
        ({"since": "1999-01-01"}, "since"),
        ({"until": "2030-01-01"}, "until"),
        ({"categories": ["piracy"]}, "categories"),
        ({"districts": ["TH0000"]}, "districts"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(client, session, body, field):
    _signed_in(client, session, Role.HQ_ANALYST)
    token = csrf_token(client)
    before = _runs(session)
    answer = _post(client, token, body)
    assert answer.status_code == 400
    assert answer.json["field"] == field
    assert _runs(session) == before


def test_nan_and_non_json_bodies_are_refused(client, session):
    _user, token = _signed_in(client, session, Role.HQ_ANALYST)
    answer = client.post(
        "/api/hotspots/runs",
        data='{"eps_m": NaN}',
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json["field"] == "eps_m"


def test_districts_outside_the_scope_are_a_403_naming_districts(client, session):
    _user, token = _signed_in(client, session, Role.PATROL_PLANNER, district="TH5703")
    before = _runs(session)
    answer = _post(client, token, {**BODY, "districts": ["TH2706"]})
    assert answer.status_code == 403
    assert answer.json["field"] == "districts"
    assert _runs(session) == before


def test_planners_see_only_runs_within_their_scope(client, session):
    national = clustering.start_run(session, {}, None)
    away = clustering.start_run(session, {"districts": ["TH2706"]}, None)
    home = clustering.start_run(session, {"districts": ["TH5703"]}, None)
    _signed_in(client, session, Role.PATROL_PLANNER, district="TH5703")
    assert client.get(f"/api/hotspots/runs/{home.id}").status_code == 200
    for other in (national, away):
        assert client.get(f"/api/hotspots/runs/{other.id}").status_code == 404
        assert client.get(f"/api/hotspots/runs/{other.id}/hotspots").status_code == 404
    listed = {r["id"] for r in client.get("/api/hotspots/runs").json["runs"]}
    assert home.id in listed and not listed & {national.id, away.id}


def test_a_failed_run_reports_its_error(client, session, monkeypatch):
    hotspot_data.build(session)
    run = clustering.start_run(session, BODY, None)

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(clustering, "dbscan_labels", broken)
    clustering.execute_run(session, run.id)
    _signed_in(client, session, Role.HQ_ANALYST)
    status = client.get(f"/api/hotspots/runs/{run.id}").json
    assert status["status"] == "failed" and "RuntimeError" in status["error"]
    assert run.status == RunStatus.FAILED


def test_layers_are_not_public_and_corridor_and_hexagons_are_served(client, session):
    hotspot_data.build(session)
    for name in ("corridor", "hotspots", "hexagons", "gistar"):
        assert client.get(f"/api/layers/{name}").status_code == 404
    _signed_in(client, session, Role.HQ_ANALYST)
    names = {layer["name"] for layer in client.get("/api/layers").json["layers"]}
    assert {"corridor", "hotspots", "hexagons", "gistar"} <= names
    corridor = client.get("/api/layers/corridor?bbox=99,19,102,21&zoom=8").json
    assert corridor["features"][0]["properties"]["width_km"] == 5.0
    hexes = client.get("/api/layers/hexagons?bbox=99,19,102,21&size=2000").json
    assert sum(f["properties"]["n"] for f in hexes["features"]) == 26
    assert client.get("/api/layers/hexagons?size=5").json["field"] == "size"
    assert client.get("/api/layers/hotspots?run=abc").json["field"] == "run"
    empty = client.get("/api/layers/hotspots").json  # no run yet: an empty collection
    assert empty["features"] == [] and empty["run"] is None


def test_administrator_flags_a_segment_and_others_may_not(client, session):
    _signed_in(client, session, Role.ADMINISTRATOR)
    token = csrf_token(client)
    answer = client.post(
        "/api/border-segments/1/demarcation",
        json={"demarcation": "demarcated", "note": "joint survey"},
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200 and answer.json["demarcation"] == "demarcated"
    bad = client.post(
        "/api/border-segments/1/demarcation",
        json={"demarcation": "maybe"},
        headers={"X-CSRFToken": token},
    )
    assert bad.status_code == 400 and bad.json["field"] == "demarcation"


def test_hexagon_sizes_follow_the_zoom_and_too_many_cells_are_refused(client, session):
    hotspot_data.build(session)
    _signed_in(client, session, Role.HQ_ANALYST)
    coarse = client.get("/api/layers/hexagons?bbox=99,19,102,21&zoom=7").json
    fine = client.get("/api/layers/hexagons?bbox=99,19,102,21&zoom=13").json
    assert coarse["size_m"] > fine["size_m"]
    assert len(coarse["features"]) < len(fine["features"])
    assert sum(f["properties"]["n"] for f in fine["features"]) == 26
    ticked = client.get("/api/layers/hexagons?bbox=99,19,102,21&size=2000,500").json
    assert ticked["size_m"] == 500


def test_hexagon_cells_are_capped(client, session, monkeypatch):
    from gis.hotspots import queries as hotspot_queries

    hotspot_data.build(session)
    monkeypatch.setattr(hotspot_queries, "MAX_HEXAGONS", 3)
    _signed_in(client, session, Role.HQ_ANALYST)
    answer = client.get("/api/layers/hexagons?bbox=99,19,102,21&size=250")
    assert answer.status_code == 400 and answer.json["field"] == "size"
