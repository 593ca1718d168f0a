"""The patrol plan API, the printable sheet, the planner page and the coverage layer."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import func, select

from gis.models import Checkpoint, Incident, PatrolPlan, PatrolStop
from gis.parsing import THAI_TIME
from gis.types import Role
from tests.patrol_data import AWAY, HOME, district_id, make_run
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db

TODAY = dt.datetime.now(THAI_TIME).date()


@pytest.fixture
def planner(session):
    return make_user(session, Role.PATROL_PLANNER, "api-planner")


@pytest.fixture
def signed(app, planner):
    client = app.test_client()
    assert sign_in(client, "api-planner").status_code == 302
    return client, csrf_token(client)


def body(hotspots, **kw):
    return {
        "district": "TH5703",
        "hotspot_ids": [h.id for h in hotspots],
        "unit": "border_patrol_police",
        "planned_for": (TODAY + dt.timedelta(days=1)).isoformat(),
        **kw,
    }


def post(client, token, path, payload):
    return client.post(path, json=payload, headers={"X-CSRFToken": token})


def plans(session) -> int:
    return session.execute(select(func.count()).select_from(PatrolPlan)).scalar_one()


def test_planner_makes_a_plan_and_reads_it_back(session, signed):
    client, token = signed
    hotspots = make_run(session, [HOME, (100.43, 20.29), (100.37, 20.22)], hours=[[21], [22], [0]])
    resp = post(client, token, "/api/patrols", body(hotspots))
    assert resp.status_code == 201, resp.get_json()
    plan = resp.get_json()
    assert resp.headers["Location"] == f"/api/patrols/{plan['id']}"
    assert plan["type"] == "Feature" and plan["geometry"]["type"] == "LineString"
    coords = plan["geometry"]["coordinates"]
    assert coords[0] == coords[-1] and len(coords) == 5
    p = plan["properties"]
    assert p["stops"] == 3 and p["unit"] == "border_patrol_police"
    assert p["start"]["kind"] == "coordination_centre"
    assert p["window"] == {"start": "21:00", "end": "01:00", "time_zone": "+07:00"}
    assert p["length_m"] > 0 and plan["tour"]["method"].startswith("pgr_TSPeuclidean")
    assert [f["properties"]["seq"] for f in plan["stops"]["features"]] == [1, 2, 3]
    assert plan["links"]["sheet"] == f"/patrols/{plan['id']}/sheet"
    again = client.get(resp.headers["Location"])
    assert again.status_code == 200
    assert again.get_json()["geometry"] == plan["geometry"]
    listed = client.get(f"/api/patrols?district=TH5703&from={TODAY}&to={TODAY + dt.timedelta(2)}")
    assert plan["id"] in [i["id"] for i in listed.get_json()["items"]]
    none = client.get(f"/api/patrols?from={TODAY + dt.timedelta(5)}").get_json()["items"]
    assert plan["id"] not in [i["id"] for i in none]


@pytest.mark.parametrize(
    "change,field",
    [
        ({"hotspot_ids": []}, "hotspot_ids"),
        ({"hotspot_ids": list(range(1, 27))}, "hotspot_ids"),
        ({"unit": "navy"}, "unit"),
        ({"planned_for": "tomorrow"}, "planned_for"),
        ({"planned_for": "2026-13-01"}, "planned_for"),
        ({"district": "Nowhere"}, "district"),
        ({"start_checkpoint_id": 999_999_999}, "start_checkpoint_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_input_is_400_naming_the_field_and_stores_nothing(session, signed, change, field):
    client, token = signed
    hotspots = make_run(session, [HOME])
    before = plans(session)
    resp = post(client, token, "/api/patrols", body(hotspots, **change))
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["field"] == field
    assert plans(session) == before


def test_out_of_scope_is_403_naming_the_field_and_stores_nothing(session, signed):
    client, token = signed
    home = make_run(session, [HOME])
    away = make_run(session, [AWAY], pcode="TH2706")
    away_cp = (
        session.execute(
            select(Checkpoint.id).where(Checkpoint.district_id == district_id(session, "TH2706"))
        )
        .scalars()
        .first()
    )
    before = plans(session)
    cases = [
        (body(away), "hotspot_ids"),
        (body(home, district="TH2706"), "district"),
        (body(home, start_checkpoint_id=away_cp), "start_checkpoint_id"),
    ]
    for payload, field in cases:
        resp = post(client, token, "/api/patrols", payload)
        assert resp.status_code == 403, (field, resp.get_json())
        assert resp.get_json()["field"] == field
    assert plans(session) == before


def test_not_json_and_no_csrf(session, signed):
    client, token = signed
    resp = client.post("/api/patrols", data="x", headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and resp.get_json()["field"] == "body"
    resp = client.post("/api/patrols", json=body(make_run(session, [HOME])))
    assert resp.status_code == 400  # no CSRF token


def test_bad_list_parameters(signed):
    client, _ = signed
    assert client.get("/api/patrols?from=yesterday").get_json()["field"] == "from"
    resp = client.get(f"/api/patrols?from={TODAY}&to={TODAY - dt.timedelta(1)}")
    assert resp.status_code == 400 and resp.get_json()["field"] == "from"
    assert client.get("/api/patrols?district=TH2706").status_code == 403
    assert client.get("/api/patrols?page=2").get_json()["field"] == "page"


def test_officer_records_an_incident_found_once(app, session, signed):
    client, token = signed
    hotspots = make_run(session, [HOME, (100.43, 20.29)])
    plan = post(client, token, "/api/patrols", body(hotspots)).get_json()
    make_user(session, Role.OFFICER, "api-officer")
    officer = app.test_client()
    sign_in(officer, "api-officer")
    otoken = csrf_token(officer)
    path = f"/api/patrols/{plan['id']}/stops/2/outcome"
    found = {"outcome": "incident_found", "incident": {"category": "drug_trafficking"}}
    first = post(officer, otoken, path, found)
    assert first.status_code == 201, first.get_json()
    incident_id = first.get_json()["incident_id"]
    assert first.headers["Location"] == f"/api/incidents/{incident_id}"
    again = post(officer, otoken, path, found)
    assert again.status_code == 200 and again.get_json()["incident_id"] == incident_id
    assert (
        session.execute(
            select(func.count()).select_from(Incident).where(Incident.channel == "patrol")
        ).scalar_one()
        == 1
    )
    linked = session.execute(
        select(PatrolStop.incident_id).where(PatrolStop.plan_id == plan["id"], PatrolStop.seq == 2)
    ).scalar_one()
    assert linked == incident_id
    shown = officer.get(f"/api/incidents/{incident_id}").get_json()
    assert shown["channel"] == "patrol" and shown["category"] == "drug_trafficking"
    conflict = post(officer, otoken, path, {"outcome": "nothing_found"})
    assert conflict.status_code == 409
    stops = client.get(f"/api/patrols/{plan['id']}").get_json()["stops"]["features"]
    assert stops[1]["properties"]["outcome"] == "incident_found"
    bad = post(
        officer, otoken, f"/api/patrols/{plan['id']}/stops/9/outcome", {"outcome": "visited"}
    )
    assert bad.status_code == 404 and bad.get_json()["field"] == "seq"


def test_a_public_report_filed_first_with_the_stops_old_key_does_not_block_the_outcome(
    app, client, session, signed
):
    """The key of a found incident used to be uuid5(constant, "patrol-stop:<id>") of a
    sequential stop id: anyone could file a public report under it first, and the patrol's
    "incident found" then answered 409. The key is keyed with the app's secret now, and a key
    already held by another report is passed over."""
    planner, token = signed
    plan = post(planner, token, "/api/patrols", body(make_run(session, [HOME]))).get_json()
    stop_id = session.execute(
        select(PatrolStop.id).where(PatrolStop.plan_id == plan["id"], PatrolStop.seq == 1)
    ).scalar_one()
    namespace = uuid.UUID("6f7b1c52-57d4-4d8e-9a35-6a1f3f0c2b10")
    guessed = uuid.uuid5(namespace, f"patrol-stop:{stop_id}")
    form = client.get("/report").get_data(as_text=True)
    public_token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    filed = client.post(
        "/report",
        data={
            "csrf_token": public_token,
            "lon": HOME[0],
            "lat": HOME[1],
            "category": "other",
            "occurred_at": dt.datetime.now(THAI_TIME).strftime("%Y-%m-%dT%H:%M"),
            "idempotency_key": str(guessed),
        },
    )
    assert filed.status_code == 201
    path = f"/api/patrols/{plan['id']}/stops/1/outcome"
    found = {"outcome": "incident_found", "incident": {"category": "smuggling"}}
    recorded = post(planner, token, path, found)
    assert recorded.status_code == 201, recorded.get_json()
    incident = session.get(Incident, recorded.get_json()["incident_id"])
    assert incident.channel == "patrol" and incident.idempotency_key != guessed


def test_sheet_prints_without_a_tile_server(session, signed):
    client, token = signed
    hotspots = make_run(session, [HOME, (100.43, 20.29), (100.37, 20.22)], hours=[[5], [6], [7]])
    plan = post(client, token, "/api/patrols", body(hotspots)).get_json()
    resp = client.get(f"/patrols/{plan['id']}/sheet", headers={"Accept-Language": "en"})
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "@page" not in page  # the print rules live in the stylesheet
    assert re.search(r'href="/static/css/sheet\.css\?v=[0-9a-f]{12}"', page)
    assert re.search(r'<path class="bw-sheet-route" d="M [-\d]', page)
    assert page.count('class="bw-sheet-hotspot"') == 3
    assert page.count('class="bw-sheet-stop"') == 3 + 3  # the table rows and the map's circles
    assert "04:00–08:00 Thai time" in page
    assert "Border Patrol Police" in page
    assert re.search(r"UTM 47N \d{6} \d{7}", page)  # Chiang Khong lies in zone 47
    x0, y0, w, h = (float(v) for v in re.search(r'viewBox="([^"]+)"', page).group(1).split())
    assert w / h == pytest.approx(4 / 3, rel=0.01)
    marks = re.findall(r'class="bw-sheet-stop" cx="(-?\d+)" cy="(-?\d+)"', page)
    marks += re.findall(r'class="bw-sheet-start" x="(-?\d+)" y="(-?\d+)"', page)
    assert len(marks) == 4
    for cx, cy in marks:  # every stop and the start well inside the frame
        assert x0 + 0.04 * w < float(cx) < x0 + 0.96 * w
        assert y0 + 0.04 * h < float(cy) < y0 + 0.96 * h
    local = page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in local and "https://" not in local  # no tile, no CDN


def test_planner_page_and_hotspot_list(session, signed):
    client, _ = signed
    hotspots = make_run(session, [HOME, (100.43, 20.29)], hours=[[1, 2], [3]])
    page = client.get("/planner")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="planner-config"' in html and "/static/js/planner.js" in html
    assert "DBSCAN" in html and "Gi*" in html  # which method drew what
    listed = client.get("/api/patrols/hotspots").get_json()
    assert [h["id"] for h in listed["items"]] == [h.id for h in hotspots]
    assert listed["items"][0]["hull"]["type"] == "Polygon"
    members = client.get(f"/api/patrols/hotspots/{hotspots[0].id}/incidents").get_json()
    assert len(members["items"]) == 2 and members["hidden"] == 0
    profile = client.get(f"/api/patrols/profile?hotspots={hotspots[0].id},{hotspots[1].id}")
    assert profile.get_json()["hours"][1:4] == [1, 1, 1]
    assert client.get("/api/patrols/profile?hotspots=x").get_json()["field"] == "hotspots"


def test_coverage_layer_for_planners_only(app, session, signed):
    client, _ = signed
    (spot,) = make_run(session, [HOME])
    doc = client.get("/api/layers/coverage").get_json()
    assert [f["id"] for f in doc["features"]] == [spot.id]
    assert app.test_client().get("/api/layers/coverage").status_code == 404
    names = [layer["name"] for layer in client.get("/api/layers").get_json()["layers"]]
    assert "coverage" in names


def test_top_n_of_a_district_from_a_checkpoint(session, signed):
    client, token = signed
    hotspots = make_run(session, [HOME, (100.43, 20.29), (100.37, 20.22)])
    checkpoint = (
        session.execute(
            select(Checkpoint.id).where(Checkpoint.district_id == district_id(session, "TH5703"))
        )
        .scalars()
        .first()
    )
    payload = {k: v for k, v in body(hotspots).items() if k != "hotspot_ids"}
    resp = post(
        client, token, "/api/patrols", {**payload, "top": 2, "start_checkpoint_id": checkpoint}
    )
    assert resp.status_code == 201, resp.get_json()
    plan = resp.get_json()
    used = {f["properties"]["hotspot"]["id"] for f in plan["stops"]["features"]}
    assert used == {hotspots[0].id, hotspots[1].id}
    assert plan["properties"]["start"]["kind"] == "checkpoint"
    assert plan["properties"]["start"]["checkpoint_id"] == checkpoint


@pytest.mark.parametrize("role,shown", [(Role.COORDINATOR, True), (Role.OFFICER, False)])
def test_the_map_links_planners_to_the_planner_view(app, session, role, shown):
    make_user(session, role, "map-link-user")
    client = app.test_client()
    sign_in(client, "map-link-user")
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('<nav class="bw-nav"') : page.index("</nav>")]  # the shared header's
    assert ('href="/planner"' in nav) is shown
