"""A coordinator corrects an incident: PATCH /api/incidents/<id>, audited, scoped, validated."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gis.models import Incident, IncidentEvent
from gis.types import Role
from tests.webapp.signin import csrf_token, make_user, sign_in
from tests.webapp.test_review_api import CHIANG_KHONG, NOW, add_incident

pytestmark = pytest.mark.db


@pytest.fixture
def users(session):
    return {
        "coordinator": make_user(session, Role.COORDINATOR, "edit-coord", district="TH2706"),
        "other": make_user(session, Role.COORDINATOR, "edit-coord-ck", district="TH5703"),
        "officer": make_user(session, Role.OFFICER, "edit-officer", district="TH2706"),
        "hq": make_user(session, Role.HQ_ANALYST, "edit-hq"),
    }


def patch(client, incident_id: int, body, **kw):
    token = csrf_token(client)
    return client.patch(
        f"/api/incidents/{incident_id}", json=body, headers={"X-CSRFToken": token}, **kw
    )


def edited_events(session, incident_id: int) -> list[IncidentEvent]:
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id, IncidentEvent.action == "edited")
            .order_by(IncidentEvent.id)
        )
    )


def row(session, incident_id: int) -> Incident:
    session.expire_all()
    return session.get_one(Incident, incident_id)


def test_a_coordinator_corrects_category_severity_time_and_description(client, session, users):
    incident = add_incident(session)
    incident.description = "Boat at the mill; informant Somchai saw it"
    session.flush()
    assert sign_in(client, "edit-coord").status_code == 302
    when = (NOW - dt.timedelta(days=1)).isoformat()
    body = {
        "category": "drug_trafficking",
        "severity": 5,
        "occurred_at": when,
        "description": "Boat at the mill; informant [name removed] saw it",
        "note": "redacted the informant's name",
    }
    resp = patch(client, incident.id, body)
    assert resp.status_code == 200, resp.get_json()
    out = resp.get_json()
    assert out["incident"]["category"] == "drug_trafficking" and out["incident"]["severity"] == 5
    assert out["event"]["action"] == "edited" and out["event"]["who"] == "edit-coord"
    assert out["event"]["note"] == "redacted the informant's name"
    stored = row(session, incident.id)
    assert stored.category.value == "drug_trafficking" and stored.severity == 5
    assert stored.occurred_at == dt.datetime.fromisoformat(when)
    (event,) = edited_events(session, incident.id)
    assert event.changes["category"] == {"from": "smuggling", "to": "drug_trafficking"}
    assert event.changes["severity"] == {"from": 3, "to": 5}
    # A redaction does not survive in the audit trail: only the lengths are kept.
    assert event.changes["description"] == {"from_length": 42, "to_length": 49}
    assert "Somchai" not in str(event.changes) and "Somchai" not in (event.note or "")
    history = client.get(f"/api/incidents/{incident.id}/history").get_json()["events"]
    assert [e["action"] for e in history] == ["created", "edited"]
    assert history[-1]["from"] == history[-1]["to"] == "new"  # an edit keeps the status
    page = client.get(f"/review/incidents/{incident.id}", headers={"Accept-Language": "en"})
    page = page.get_data(as_text=True)
    assert "<li>Category: Smuggling of goods → Drug trafficking</li>" in page
    assert "<li>Description: 42 → 49 characters</li>" in page
    assert "<li>Severity: 3 → 5</li>" in page
    assert "Somchai" not in page


def test_an_edit_that_changes_nothing_writes_nothing(client, session, users):
    incident = add_incident(session)
    assert sign_in(client, "edit-coord").status_code == 302
    resp = patch(client, incident.id, {"category": "smuggling", "severity": 3})
    assert resp.status_code == 200 and resp.get_json()["event"] is None
    assert edited_events(session, incident.id) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lon": 102.5}, "lon"),
        ({"geometry": {"type": "Point", "coordinates": [102.5, 13.7]}}, "geometry"),
        ({"district_id": 1}, "district_id"),
        ({"status": "verified"}, "status"),
        ({"reporter_id": 1}, "reporter_id"),
        ({"category": "piracy"}, "category"),
        ({"category": None}, "category"),
        ({"severity": 6}, "severity"),
        ({"severity": True}, "severity"),
        ({"occurred_at": "2026-13-01T00:00:00Z"}, "occurred_at"),
        ({"occurred_at": "1999-12-31T23:00:00+07:00"}, "occurred_at"),
        ({"occurred_at": (NOW + dt.timedelta(hours=3)).isoformat()}, "occurred_at"),
        ({"description": "x" * 5001}, "description"),
        ({"note": "x" * 2001, "severity": 2}, "note"),
        ({}, "body"),
        ({"note": "only a note"}, "body"),
        ([1, 2], "body"),
    ],
)
def test_bad_edits_are_refused_naming_the_field_and_nothing_changes(
    client, session, users, body, field
):
    incident = add_incident(session)
    assert sign_in(client, "edit-coord").status_code == 302
    resp = patch(client, incident.id, body)
    assert resp.status_code in (400, 422), resp.get_json()
    assert resp.get_json()["field"] == field
    stored = row(session, incident.id)
    assert stored.category.value == "smuggling" and stored.severity == 3
    assert edited_events(session, incident.id) == []


def test_the_event_time_cannot_move_after_the_report(client, session, users):
    incident = add_incident(session)
    incident.reported_at = NOW - dt.timedelta(days=3)
    incident.occurred_at = NOW - dt.timedelta(days=4)
    session.flush()
    assert sign_in(client, "edit-coord").status_code == 302
    resp = patch(client, incident.id, {"occurred_at": (NOW - dt.timedelta(days=1)).isoformat()})
    assert resp.status_code == 400 and resp.get_json()["field"] == "occurred_at"


@pytest.mark.parametrize("status", ["rejected", "duplicate", "closed"])
def test_final_incidents_cannot_be_edited(client, session, users, status):
    original = add_incident(session)
    incident = add_incident(session, status=status)
    if status == "duplicate":
        incident.duplicate_of_id = original.id
        session.flush()
    assert sign_in(client, "edit-coord").status_code == 302
    resp = patch(client, incident.id, {"severity": 1})
    assert resp.status_code == 409
    assert resp.get_json()["current"] == status
    assert row(session, incident.id).severity == 3


def test_only_the_districts_coordinators_may_edit(client, session, users):
    incident = add_incident(session)
    elsewhere = add_incident(session, where=CHIANG_KHONG, district_name="Chiang Khong")
    assert sign_in(client, "edit-coord").status_code == 302
    assert patch(client, elsewhere.id, {"severity": 1}).status_code == 404
    assert patch(client, 2_000_000_000, {"severity": 1}).status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for name in ("edit-officer", "edit-hq"):
        assert sign_in(client, name).status_code == 302
        assert patch(client, incident.id, {"severity": 1}).status_code == 403
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert patch(client, incident.id, {"severity": 1}).status_code == 401
    total = session.execute(select(func.count()).select_from(IncidentEvent)).scalar_one()
    assert edited_events(session, incident.id) == [] and total > 0


def test_an_edit_needs_the_csrf_token(client, session, users):
    incident = add_incident(session)
    assert sign_in(client, "edit-coord").status_code == 302
    resp = client.patch(f"/api/incidents/{incident.id}", json={"severity": 1})
    assert resp.status_code == 400
    assert row(session, incident.id).severity == 3
