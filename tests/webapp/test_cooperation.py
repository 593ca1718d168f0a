"""The cooperation register over HTTP: the JSON API and the pages, with their refusals naming
the field and writing nothing, and the scope of each role."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.models import Activity, BudgetAllocation, CooperationChange, SpendingLine
from gis.types import Role
from tests.gis.cooperation.data import activity_body, pair_ids
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.cooperation.schemas import thai_today

pytestmark = pytest.mark.db


def _count(session, table) -> int:
    return session.execute(select(func.count()).select_from(table)).scalar_one()


def _as(client, session, role, username=None, **scope):
    user = make_user(session, role, username, **scope)
    assert sign_in(client, user.username).status_code == 302
    return csrf_token(client)


def test_a_coordinator_records_an_activity_and_an_agreement_by_the_api(client, session):
    token = _as(client, session, Role.COORDINATOR)
    resp = client.post(
        "/api/cooperation/activities", json=activity_body(session), headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 201, resp.get_json()
    activity_id = resp.get_json()["id"]
    assert resp.headers["Location"].endswith(f"/api/cooperation/activities/{activity_id}")
    resp = client.post(
        f"/api/cooperation/activities/{activity_id}/actions",
        json={"text": "ลาดตระเวนร่วม", "owner_side": "LAO", "due_on": "2020-01-31"},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 201 and resp.get_json()["overdue"] is True
    body = client.get(f"/api/cooperation/activities/{activity_id}").get_json()
    assert [a["text"] for a in body["actions"]] == ["ลาดตระเวนร่วม"]
    overdue = client.get("/api/cooperation/actions?overdue=1").get_json()["items"]
    assert [i["activity_id"] for i in overdue] == [activity_id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_on": "2026-11-01"}, "ends_on"),
        ({"parallel_areas": [2_000_000_000]}, "parallel_areas"),
        ({"district": "TH2706"}, "district"),
        (
            {"participants": [{"side": "THA", "group": "youth", "total": -3}]},
            "participants[0].total",
        ),
    ],
)
def test_a_refused_activity_names_the_field_and_writes_nothing(client, session, overrides, field):
    token = _as(client, session, Role.OFFICER)
    before = _count(session, Activity), _count(session, CooperationChange)
    resp = client.post(
        "/api/cooperation/activities",
        json=activity_body(session, **overrides),
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 400
    assert resp.get_json()["field"] == field
    assert (_count(session, Activity), _count(session, CooperationChange)) == before


def test_the_form_records_a_meeting_with_two_parallel_areas(client, session):
    _as(client, session, Role.COORDINATOR)
    page = client.get("/cooperation/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    areas = pair_ids(session)
    assert all(f'value="{a}"' for a in areas)
    form = {
        "csrf_token": csrf_token(client),
        "kind": "mwcc_meeting",
        "title": "ประชุม ศปก.อ. ครั้งที่ 1",
        "starts_on": "2026-11-20",
        "ends_on": "2026-11-20",
        "lat": "20.27",
        "lon": "100.41",
        "parallel_areas": [str(a) for a in areas[:2]],
        "topics": ["drug_trafficking", "border_crossings"],
        "total-THA-officials": "10",
        "women-THA-officials": "3",
        "total-LAO-community_leaders": "6",
    }
    resp = client.post("/cooperation/new", data=form)
    assert resp.status_code == 303, resp.get_data(as_text=True)[:2000]
    shown = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "ประชุม ศปก.อ. ครั้งที่ 1" in shown
    assert "ค้ามยาเสพติด" in shown or "ยาเสพติด" in shown
    assert "html" in html


def test_a_refused_form_comes_back_naming_the_field_with_nothing_written(client, session):
    _as(client, session, Role.COORDINATOR)
    before = _count(session, Activity)
    form = {
        "csrf_token": csrf_token(client),
        "kind": "mwcc_meeting",
        "title": "ประชุม",
        "starts_on": "2026-11-20",
        "ends_on": "2026-11-19",
        "lat": "20.27",
        "lon": "100.41",
        "total-THA-youth": "4",
        "women-THA-youth": "5",
    }
    resp = client.post("/cooperation/new", data=form)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'data-field="ends_on"' in html
    assert 'value="ประชุม"' in html  # what was typed stays
    assert _count(session, Activity) == before


def test_budget_by_the_api_and_the_pages(client, session):
    token = _as(client, session, Role.ADMINISTRATOR, "coop-admin")
    resp = client.post(
        "/api/cooperation/allocations",
        json={"district": "TH5703", "fiscal_year": 2569, "amount": "80000", "source": "MRCF"},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 201, resp.get_json()
    allocation_id = resp.get_json()["id"]
    assert client.get("/cooperation/budget?year=2569").status_code == 200
    client.post("/logout", data={"csrf_token": token})
    token = _as(client, session, Role.COORDINATOR)
    resp = client.post(
        "/api/cooperation/spending",
        json={
            "allocation_id": allocation_id,
            "spent_on": "2026-06-01",
            "item": "ค่าอาหาร",
            "amount": 100000,
        },
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 400 and resp.get_json()["field"] == "overspend_reason"
    assert _count(session, SpendingLine) == 0
    resp = client.post(
        "/cooperation/budget/spending",
        data={
            "csrf_token": token,
            "allocation_id": str(allocation_id),
            "spent_on": "2026-06-01",
            "item": "ค่าอาหาร",
            "amount": "1250.50",
            "year": "2569",
        },
    )
    assert resp.status_code == 303
    rows = client.get("/api/cooperation/budget?year=2569").get_json()["rows"]
    (whole,) = [r for r in rows if r["level"] == "all"]
    assert (whole["allocated"], whole["spent"]) == ("80000.00", "1250.50")
    page = client.get("/cooperation/budget?year=2569").get_data(as_text=True)
    assert "1,250.50" in page and "80,000.00" in page
    assert _count(session, BudgetAllocation) == 1


@pytest.mark.parametrize("role", [Role.PATROL_PLANNER, Role.HQ_ANALYST])
def test_readers_read_in_their_scope_and_do_not_record(client, session, role):
    coordinator = make_user(session, Role.COORDINATOR, "coop-writer")
    from gis.cooperation.activities import create_activity, parse_activity

    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    token = _as(client, session, role)
    assert client.get(f"/api/cooperation/activities/{activity.id}").status_code == 200
    assert client.get(f"/cooperation/activities/{activity.id}").status_code == 200
    assert client.get("/cooperation").status_code == 200
    resp = client.post(
        "/api/cooperation/activities", json=activity_body(session), headers={"X-CSRFToken": token}
    )
    assert resp.status_code == 403


def test_another_districts_officer_gets_404_and_a_volunteer_403(client, session):
    coordinator = make_user(session, Role.COORDINATOR, "coop-writer")
    from gis.cooperation.activities import create_activity, parse_activity

    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    _as(client, session, Role.OFFICER, "coop-away", district="TH2706")
    assert client.get(f"/api/cooperation/activities/{activity.id}").status_code == 404
    assert client.get(f"/cooperation/activities/{activity.id}/edit").status_code == 404
    assert activity_body(session)["title"] not in client.get("/cooperation").get_data(as_text=True)


def test_the_twin_town_layer_shows_the_recorded_meeting_to_its_readers_only(client, session):
    token = _as(client, session, Role.COORDINATOR)
    first = pair_ids(session)[0]
    body = activity_body(session, parallel_areas=[first])
    body["starts_on"] = body["ends_on"] = thai_today().isoformat()
    resp = client.post("/api/cooperation/activities", json=body, headers={"X-CSRFToken": token})
    assert resp.status_code == 201
    links = client.get("/api/layers/twin_towns").get_json()["features"]
    (link,) = [f for f in links if f["id"] == f"TH5703-{first}"]
    assert link["properties"]["level"] == "some"
    assert link["properties"]["mwcc_overdue"] is False
    assert body["title"] in link["properties"]["latest"]
    points = client.get("/api/layers/cooperation_activities").get_json()["features"]
    assert [p["properties"]["title"] for p in points] == [body["title"]]
    client.post("/logout", data={"csrf_token": token})
    _as(client, session, Role.VOLUNTEER)
    assert client.get("/api/layers/twin_towns").status_code == 404
    assert client.get("/api/layers/cooperation_activities").status_code == 404


def test_an_agreement_about_an_incident_shows_on_the_incident_page(client, session):
    from tests.factories import make_incident

    token = _as(client, session, Role.COORDINATOR)
    incident = make_incident(session, district_name="Chiang Khong")
    resp = client.post(
        "/api/cooperation/activities", json=activity_body(session), headers={"X-CSRFToken": token}
    )
    activity_id = resp.get_json()["id"]
    form = {
        "csrf_token": token,
        "text": "เฝ้าระวังร่วมที่ท่าเรือ",
        "owner_side": "LAO",
        "incident_id": f"#{incident.id}",
    }
    assert (
        client.post(f"/cooperation/activities/{activity_id}/actions", data=form).status_code == 303
    )
    page = client.get(f"/review/incidents/{incident.id}").get_data(as_text=True)
    assert 'id="coop-about"' in page and "เฝ้าระวังร่วมที่ท่าเรือ" in page
    assert f"/cooperation/activities/{activity_id}" in page
    bad = {**form, "incident_id": "2000000000"}
    client.post(f"/cooperation/activities/{activity_id}/actions", data=bad)
    items = client.get(f"/api/cooperation/activities/{activity_id}").get_json()["actions"]
    assert [i["incident_id"] for i in items] == [incident.id]  # the unknown one was refused
    other = make_incident(session, district_name="Chiang Khong")
    assert 'id="coop-about"' not in client.get(f"/review/incidents/{other.id}").get_data(True)
