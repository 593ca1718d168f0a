"""``POST /api/incidents`` and ``GET /api/incidents/<id>``: 201 + Location, replays, bad input."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from gis.models import Incident, IncidentEvent
from gis.types import Role
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

ARANYAPRATHET = (102.5066, 13.6928)
BANGKOK = (100.5018, 13.7563)


@pytest.fixture(autouse=True)
def _without_csrf(app):
    """These tests are about the report itself: CSRF on this route belongs to the auth tests
    (the setting is read per request)."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def officer(session):
    """An officer of Aranyaprathet."""
    return make_user(session, Role.OFFICER, "officer-aranya", district="TH2706")


@pytest.fixture
def client(app, officer):
    """A client signed in as the officer (the reports below are hers)."""
    c = app.test_client()
    assert sign_in(c, officer.username).status_code == 302
    return c


def iso(delta: dt.timedelta = dt.timedelta(0)) -> str:
    return (dt.datetime.now(dt.UTC) + delta).isoformat()


def report(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "lon": ARANYAPRATHET[0],
        "lat": ARANYAPRATHET[1],
        "category": "drug_trafficking",
        "occurred_at": iso(-dt.timedelta(hours=2)),
        "severity": 4,
        "description": "Two men carrying sacks to the canal <b>at night</b>",
        "idempotency_key": str(uuid.uuid4()),
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not ...}


def post(client, payload: Any):
    return client.post("/api/incidents", json=payload)


def counts(session) -> tuple[int, int]:
    incidents = session.execute(select(func.count()).select_from(Incident)).scalar_one()
    events = session.execute(select(func.count()).select_from(IncidentEvent)).scalar_one()
    return incidents, events


def test_a_report_is_created_with_location_and_body(client, session):
    payload = report()
    before = counts(session)
    resp = post(client, payload)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert resp.headers["Location"] == f"/api/incidents/{body['id']}"
    assert body["idempotency_key"] == payload["idempotency_key"]
    assert (body["lon"], body["lat"]) == pytest.approx(ARANYAPRATHET)
    assert body["category"] == "drug_trafficking" and body["severity"] == 4
    assert body["status"] == "new" and body["channel"] == "officer_app"
    assert body["description"] == payload["description"]
    assert body["district"]["name"] == "Aranyaprathet"
    assert body["parallel_area_id"] is None
    assert body["border_distance_m"] > 0
    assert body["nearest_checkpoint"]["id"] and body["nearest_checkpoint"]["distance_m"] > 0
    assert dt.datetime.fromisoformat(body["occurred_at"]) == dt.datetime.fromisoformat(
        payload["occurred_at"]
    )
    assert "reporter_id" not in body and "reporter_contact" not in body
    assert counts(session) == (before[0] + 1, before[1] + 1)

    shown = client.get(resp.headers["Location"])
    assert shown.status_code == 200
    assert shown.get_json() == body


def test_the_phones_accuracy_is_kept_and_the_coordinators_read_it(app, client, session):
    from_phone = post(client, report(location_accuracy_m=23.46))
    assert from_phone.status_code == 201, from_phone.get_json()
    assert from_phone.get_json()["location_accuracy_m"] == pytest.approx(23.46)
    on_map = post(client, report())
    assert on_map.status_code == 201 and on_map.get_json()["location_accuracy_m"] is None
    coordinator = make_user(session, Role.COORDINATOR, "accuracy-coord", district="TH2706")
    reader = app.test_client()
    assert sign_in(reader, coordinator.username).status_code == 302
    thai = {"Accept-Language": "th"}
    page = reader.get(f"/review/incidents/{from_phone.get_json()['id']}", headers=thai)
    assert re.search(
        r'<dd id="incident-accuracy">ตำแหน่งจากโทรศัพท์ คลาดเคลื่อนไม่เกิน 23 ม\.</dd>',
        page.get_data(as_text=True),
    )
    page = reader.get(f"/review/incidents/{on_map.get_json()['id']}", headers=thai)
    assert '<dd id="incident-accuracy">เลือกบนแผนที่</dd>' in page.get_data(as_text=True)


def test_a_replay_answers_200_with_the_original(client, session):
    payload = report()
    first = post(client, payload)
    assert first.status_code == 201
    before = counts(session)
    again = post(client, {**payload, "severity": 1, "description": "changed"})
    assert again.status_code == 200
    assert "Location" not in again.headers
    assert again.get_json() == first.get_json()
    assert counts(session) == before


def test_an_unknown_incident_is_404(client):
    resp = client.get("/api/incidents/999999999")
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"


def raw(body: bytes | str, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": body, "content_type": content_type}


BAD = [
    ("malformed JSON", raw('{"lon": 102.5,'), 400, "body"),
    ("not an object", raw("[1, 2]"), 400, "body"),
    ("empty body", raw(""), 400, "body"),
    ("invalid UTF-8", raw(b'{"description": "\xff"}'), 400, "body"),
    ("wrong content type", raw(json.dumps(report()), "text/plain"), 400, "body"),
    ("form post", raw("lon=102.5&lat=13.7", "application/x-www-form-urlencoded"), 400, "body"),
    ("oversized body", raw(json.dumps(report(description="x" * 70_000))), 400, "body"),
    ("member twice", raw('{"lon": 102.5, "lon": 102.6}'), 400, "lon"),
    ("missing lon", report(lon=...), 400, "lon"),
    ("missing category", report(category=...), 400, "category"),
    ("missing occurred_at", report(occurred_at=...), 400, "occurred_at"),
    ("missing key", report(idempotency_key=...), 400, "idempotency_key"),
    ("NaN", raw(json.dumps(report()).replace('"lat": 13.6928', '"lat": NaN')), 400, "lat"),
    (
        "Infinity",
        raw(json.dumps(report()).replace('"lon": 102.5066', '"lon": Infinity')),
        400,
        "lon",
    ),
    (
        "-Infinity",
        raw(json.dumps(report()).replace('"lat": 13.6928', '"lat": -Infinity')),
        400,
        "lat",
    ),
    (
        "overflow to infinity",
        raw(json.dumps(report()).replace('"lat": 13.6928', '"lat": 1e999')),
        400,
        "lat",
    ),
    ("lat 91", report(lat=91), 400, "lat"),
    ("lon 181", report(lon=181), 400, "lon"),
    ("swapped lat/lon", report(lon=ARANYAPRATHET[1], lat=ARANYAPRATHET[0]), 400, "lat"),
    ("coordinates as strings", report(lon="102.5066"), 400, "lon"),
    ("unknown category", report(category="piracy"), 400, "category"),
    ("occurred_at in 2 hours", report(occurred_at=iso(dt.timedelta(hours=2))), 400, "occurred_at"),
    ("occurred_at in 1999", report(occurred_at="1999-06-01T12:00:00+07:00"), 400, "occurred_at"),
    ("occurred_at not RFC 3339", report(occurred_at="yesterday"), 400, "occurred_at"),
    ("severity 9", report(severity=9), 400, "severity"),
    ("negative accuracy", report(location_accuracy_m=-1), 400, "location_accuracy_m"),
    ("accuracy of 200 km", report(location_accuracy_m=200_000), 400, "location_accuracy_m"),
    ("accuracy as text", report(location_accuracy_m="12"), 400, "location_accuracy_m"),
    ("accuracy true", report(location_accuracy_m=True), 400, "location_accuracy_m"),
    ("5,001-char description", report(description="x" * 5001), 400, "description"),
    ("lone surrogate", raw(json.dumps(report(description="\ud800"))), 400, "description"),
    ("description not text", report(description=["a"]), 400, "description"),
    ("sets district_id", report(district_id=1), 400, "district_id"),
    ("sets status", report(status="verified"), 400, "status"),
    ("sets reporter_id", report(reporter_id=1), 400, "reporter_id"),
    ("sets id", report(id=1), 400, "id"),
    ("sets reporter_contact", report(reporter_contact="+66 81 234 5678"), 400, "reporter_contact"),
    ("bad uuid", report(idempotency_key="1234"), 400, "idempotency_key"),
    ("point in Bangkok", report(lon=BANGKOK[0], lat=BANGKOK[1]), 422, "location"),
]


@pytest.mark.parametrize(
    ("request_kwargs", "status", "field"),
    [pytest.param(kwargs, status, field, id=name) for name, kwargs, status, field in BAD],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client, session, request_kwargs, status, field
):
    before = counts(session)
    if "content_type" in request_kwargs:
        resp = client.post("/api/incidents", **request_kwargs)
    else:
        resp = post(client, request_kwargs)
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["field"] == field
    assert body["message"]
    assert counts(session) == before


def test_a_point_outside_answers_422_with_the_distance(client):
    resp = post(client, report(lon=BANGKOK[0], lat=BANGKOK[1]))
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["error"] == "outside_watch_area"
    assert body["distance_m"] == pytest.approx(174_900, rel=0.01)


def test_a_point_on_the_other_side_of_the_world_is_a_422_and_nothing_is_stored(client, session):
    before = counts(session)
    resp = post(client, report(lon=10.60249787806643, lat=0.0))
    assert resp.status_code == 422, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["error"] == "outside_watch_area" and body["field"] == "location"
    assert 9_000_000 < body["distance_m"] < 11_000_000
    assert counts(session) == before


# --------------------------------------------------------------------------- who may do what


def test_anonymous_callers_get_401_and_nothing_is_written(app, session):
    anonymous = app.test_client()
    before = counts(session)
    resp = post(anonymous, report())
    assert resp.status_code == 401
    assert counts(session) == before


@pytest.mark.parametrize("role", [Role.HQ_ANALYST, Role.PATROL_PLANNER, Role.ADMINISTRATOR])
def test_roles_that_do_not_report_get_403(app, session, role):
    c = app.test_client()
    make_user(session, role, "someone")
    assert sign_in(c, "someone").status_code == 302
    before = counts(session)
    assert post(c, report()).status_code == 403
    assert counts(session) == before


def test_incidents_outside_the_viewers_scope_are_404(app, session, client):
    created = post(client, report()).get_json()  # Aranyaprathet
    url = f"/api/incidents/{created['id']}"
    seen = {}
    for role, username, scope in [
        (Role.COORDINATOR, "coord-aranya", {"district": "TH2706"}),
        (Role.COORDINATOR, "coord-chiangkhong", {"district": "TH5703"}),
        (Role.PATROL_PLANNER, "planner-sakaeo", {"province": "TH27"}),
        (Role.PATROL_PLANNER, "planner-chiangrai", {"province": "TH57"}),
        (Role.HQ_ANALYST, "hq-analyst", {}),
        (Role.VOLUNTEER, "vol-aranya", {"district": "TH2706"}),
    ]:
        make_user(session, role, username, **scope)
        c = app.test_client()
        assert sign_in(c, username).status_code == 302
        seen[username] = c.get(url).status_code
    assert seen == {
        "coord-aranya": 200,
        "coord-chiangkhong": 404,
        "planner-sakaeo": 200,
        "planner-chiangrai": 404,
        "hq-analyst": 200,
        "vol-aranya": 404,  # volunteers see their own reports only
    }
    assert app.test_client().get(url).status_code == 401


def test_a_volunteer_sees_her_own_report_wherever_it_is(app, session):
    make_user(session, Role.VOLUNTEER, "vol-chiangkhong", district="TH5703")
    c = app.test_client()
    assert sign_in(c, "vol-chiangkhong").status_code == 302
    created = post(c, report())  # reported in Aranyaprathet, outside her district
    assert created.status_code == 201
    assert c.get(created.headers["Location"]).status_code == 200


def test_another_reporters_key_is_a_conflict_not_a_disclosure(app, session, client):
    payload = report()
    assert post(client, payload).status_code == 201
    make_user(session, Role.OFFICER, "officer-two", district="TH2706")
    other = app.test_client()
    assert sign_in(other, "officer-two").status_code == 302
    before = counts(session)
    resp = post(other, payload)
    assert resp.status_code == 409
    assert resp.get_json()["field"] == "idempotency_key"
    assert "description" not in resp.get_json()
    assert counts(session) == before
