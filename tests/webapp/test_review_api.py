"""Triage over HTTP: the review queue (JSON and page), actions, history, possible duplicates."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial

import pytest
from sqlalchemy import func, select, text

from gis.models import Incident, IncidentEvent
from gis.types import Role
from tests.factories import district, make_incident
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
ARANYA = (102.5066, 13.6928)
CHIANG_KHONG = (100.4086, 20.2617)

#: An incident of Aranyaprathet's market, with the ``created`` event the app writes.
add_incident = partial(make_incident, where=ARANYA, with_event=True)


@pytest.fixture(autouse=True)
def _without_csrf(app):
    """Most tests are about triage; the CSRF tests turn it back on (read per request)."""
    app.config["WTF_CSRF_ENABLED"] = False


def events(session) -> int:
    return session.execute(select(func.count()).select_from(IncidentEvent)).scalar_one()


def status_of(session, incident_id: int) -> str:
    session.expire_all()
    return session.scalar(select(Incident.status).where(Incident.id == incident_id)).value


@pytest.fixture
def users(session):
    return {
        "coordinator": make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706"),
        "other_coordinator": make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703"),
        "officer": make_user(session, Role.OFFICER, "officer-aranya", district="TH2706"),
        "volunteer": make_user(session, Role.VOLUNTEER, "vol-aranya", district="TH2706"),
        "planner": make_user(session, Role.PATROL_PLANNER, "planner-sk", province="TH27"),
        "hq": make_user(session, Role.HQ_ANALYST),
        "admin": make_user(session, Role.ADMINISTRATOR),
    }


@pytest.fixture
def as_user(app, users):
    """A function: a client signed in as one of ``users`` (``None``: anonymous)."""

    def signed_in(who: str | None):
        c = app.test_client()
        if who is not None:
            assert sign_in(c, users[who].username).status_code == 302
        return c

    return signed_in


@pytest.fixture
def coordinator(as_user):
    return as_user("coordinator")


def act(client, incident_id: int, **body):
    return client.post(f"/api/incidents/{incident_id}/actions", json=body)


# --------------------------------------------------------------------------- the queue


def test_coordinator_sees_only_their_district_and_total_is_counted_independently(
    session, coordinator, as_user
):
    mine = [add_incident(session, occurred_at=NOW - dt.timedelta(hours=h)) for h in (5, 1, 3)]
    add_incident(session, where=CHIANG_KHONG, district_name="Chiang Khong")
    aranya = district(session, "Aranyaprathet").id
    expected = session.execute(
        text("SELECT count(*) FROM incident WHERE district_id = :d"), {"d": aranya}
    ).scalar_one()
    assert expected >= 3

    resp = coordinator.get("/api/review/incidents?limit=2")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["total"] == expected
    assert len(body["items"]) == 2
    assert {i["district"]["id"] for i in body["items"]} == {aranya}
    assert [i["id"] for i in body["items"]] == [mine[1].id, mine[2].id]  # newest first
    first = body["items"][0]
    assert first["allowed_actions"] == ["verify", "reject", "mark_duplicate", "refer"]
    assert (first["lon"], first["lat"]) == pytest.approx(ARANYA)
    assert set(first) >= {"category", "status", "severity", "occurred_at", "district"}
    assert "description" not in first and "reporter_id" not in first

    everything = session.execute(text("SELECT count(*) FROM incident")).scalar_one()
    assert as_user("hq").get("/api/review/incidents").get_json()["total"] == everything


def test_filters_narrow_the_queue(session, coordinator):
    old = add_incident(
        session, category="drug_trafficking", occurred_at=NOW - dt.timedelta(days=10)
    )
    new = add_incident(session, category="smuggling", occurred_at=NOW - dt.timedelta(hours=1))
    verified = add_incident(session, category="smuggling", status="verified")

    def ids(query: str) -> set[int]:
        resp = coordinator.get(f"/api/review/incidents?{query}")
        assert resp.status_code == 200, resp.get_json()
        body = resp.get_json()
        assert body["total"] >= len(body["items"])
        return {i["id"] for i in body["items"]}

    assert verified.id in ids("status=verified") and new.id not in ids("status=verified")
    assert old.id in ids("category=drug_trafficking")
    assert new.id not in ids("category=drug_trafficking")
    since = (NOW - dt.timedelta(days=2)).isoformat().replace("+00:00", "Z")
    assert new.id in ids(f"since={since}") and old.id not in ids(f"since={since}")
    until = (NOW - dt.timedelta(days=2)).isoformat()
    assert old.id in ids(f"until={until.replace('+', '%2B')}")
    assert new.id not in ids(f"until={until.replace('+', '%2B')}")
    page = coordinator.get("/api/review/incidents?limit=1&offset=1").get_json()
    assert len(page["items"]) == 1 and page["total"] >= 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("district=1", "district"),
        ("status=bogus", "status"),
        ("category=arson", "category"),
        ("since=yesterday", "since"),
        ("since=2026-11-21T06:30:00", "since"),  # no offset
        ("until=2026-02-30T00:00:00Z", "until"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("offset=-1", "offset"),
        ("status=new&status=verified", "status"),
    ],
)
def test_bad_queue_parameters_are_named(coordinator, query, field):
    resp = coordinator.get(f"/api/review/incidents?{query}")
    assert resp.status_code == 400
    assert resp.get_json()["field"] == field


# --------------------------------------------------------------------------- who may do what


@pytest.mark.parametrize(
    ("who", "queue", "action", "history", "duplicates"),
    [
        (None, 401, 401, 401, 401),
        ("volunteer", 403, 403, 404, 403),
        ("officer", 403, 403, 200, 403),
        ("planner", 403, 403, 200, 403),
        ("other_coordinator", 200, 404, 404, 404),
        ("coordinator", 200, 200, 200, 200),
        ("hq", 200, 403, 200, 200),
        ("admin", 200, 403, 200, 200),
    ],
)
def test_roles_and_scope(session, as_user, who, queue, action, history, duplicates):
    inc = add_incident(session)
    c = as_user(who)
    assert c.get("/api/review/incidents").status_code == queue
    assert c.get(f"/api/incidents/{inc.id}/history").status_code == history
    assert c.get(f"/api/incidents/{inc.id}/duplicates").status_code == duplicates
    before = events(session)
    assert act(c, inc.id, action="verify").status_code == action
    assert events(session) == before + (1 if action == 200 else 0)


def test_an_unknown_incident_is_404_for_every_route(coordinator):
    assert act(coordinator, 999_999_999, action="verify").status_code == 404
    assert coordinator.get("/api/incidents/999999999/history").status_code == 404
    assert coordinator.get("/api/incidents/999999999/duplicates").status_code == 404


# --------------------------------------------------------------------------- actions, history


def test_verify_then_close_is_audited_with_the_actor(session, coordinator, users, as_user):
    inc = add_incident(session, reporter=users["officer"])
    resp = act(coordinator, inc.id, action="verify", note="seen by patrol <b>7</b>")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["incident"]["id"] == inc.id and body["incident"]["status"] == "verified"
    assert body["event"]["who"] == "coord-aranya"
    assert (body["event"]["from"], body["event"]["to"]) == ("new", "verified")
    assert body["event"]["note"] == "seen by patrol <b>7</b>"
    assert status_of(session, inc.id) == "verified"  # committed before the reply

    assert act(coordinator, inc.id, action="close").status_code == 200
    history = coordinator.get(f"/api/incidents/{inc.id}/history").get_json()["events"]
    steps = [(e["action"], e["from"], e["to"], e["who"]) for e in history]
    assert steps == [
        ("created", None, "new", None),  # the reporter is not named to others
        ("verify", "new", "verified", "coord-aranya"),
        ("close", "verified", "closed", "coord-aranya"),
    ]
    assert all(dt.datetime.fromisoformat(e["when"]) for e in history)
    # the reporter sees their own name
    own = as_user("officer").get(f"/api/incidents/{inc.id}/history").get_json()["events"]
    assert own[0]["who"] == "officer-aranya"


def test_a_coordinators_own_report_hides_only_the_report_not_the_actions(
    session, coordinator, users, as_user
):
    inc = add_incident(session, reporter=users["coordinator"])
    assert act(coordinator, inc.id, action="verify").status_code == 200
    seen = as_user("hq").get(f"/api/incidents/{inc.id}/history").get_json()["events"]
    assert [(e["action"], e["who"]) for e in seen] == [
        ("created", None),
        ("verify", "coord-aranya"),
    ]


def test_refer_and_mark_duplicate_record_their_details(session, coordinator):
    original = add_incident(session)
    copy = add_incident(session)
    resp = act(coordinator, copy.id, action="mark_duplicate", duplicate_of=original.id)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["event"]["details"] == {"duplicate_of": original.id}
    resp = act(coordinator, original.id, action="refer", agency="customs")
    assert resp.get_json()["event"]["details"] == {"referred_to": "customs"}
    assert status_of(session, original.id) == "referred"


def test_an_invalid_transition_is_409_naming_the_current_status(session, coordinator):
    inc = add_incident(session, status="verified")
    before = events(session)
    resp = act(coordinator, inc.id, action="reject")
    assert resp.status_code == 409
    assert resp.get_json()["current"] == "verified"
    assert "verified" in resp.get_json()["message"]
    assert events(session) == before and status_of(session, inc.id) == "verified"


def test_mark_duplicate_of_an_out_of_scope_original_is_404(session, coordinator):
    elsewhere = add_incident(session, where=CHIANG_KHONG, district_name="Chiang Khong")
    inc = add_incident(session)
    before = events(session)
    resp = act(coordinator, inc.id, action="mark_duplicate", duplicate_of=elsewhere.id)
    assert resp.status_code == 404
    assert resp.get_json()["field"] == "duplicate_of"
    assert events(session) == before and status_of(session, inc.id) == "new"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "action"),
        ({"action": "approve"}, "action"),
        ({"action": 3}, "action"),
        ({"action": "verify", "status": "closed"}, "status"),
        ({"action": "verify", "note": "x" * 2001}, "note"),
        ({"action": "verify", "note": 5}, "note"),
        ({"action": "verify", "reporter_note": "x" * 2001}, "reporter_note"),
        ({"action": "verify", "reporter_note": ["thanks"]}, "reporter_note"),
        ({"action": "verify", "reporter_note": "thanks\x07"}, "reporter_note"),
        ({"action": "mark_duplicate"}, "duplicate_of"),
        ({"action": "mark_duplicate", "duplicate_of": "12"}, "duplicate_of"),
        ({"action": "mark_duplicate", "duplicate_of": True}, "duplicate_of"),
        ({"action": "refer"}, "agency"),
        ({"action": "refer", "agency": "fbi"}, "agency"),
        ({"action": "verify", "agency": "customs"}, "agency"),
        ({"action": "verify", "duplicate_of": 1}, "duplicate_of"),
    ],
)
def test_bad_actions_are_400_naming_the_field_and_write_nothing(session, coordinator, body, field):
    inc = add_incident(session)
    before = events(session)
    resp = act(coordinator, inc.id, **body)
    assert resp.status_code == 400, resp.get_json()
    assert resp.get_json()["field"] == field
    assert events(session) == before and status_of(session, inc.id) == "new"


def test_a_body_that_is_not_json_is_400(session, coordinator):
    inc = add_incident(session)
    before = events(session)
    resp = coordinator.post(f"/api/incidents/{inc.id}/actions", data="action=verify")
    assert resp.status_code == 400 and resp.get_json()["field"] == "body"
    assert events(session) == before


def test_the_action_route_refuses_a_missing_csrf_token(app, session, coordinator):
    inc = add_incident(session)
    app.config["WTF_CSRF_ENABLED"] = True
    before = events(session)
    resp = act(coordinator, inc.id, action="verify")
    assert resp.status_code == 400
    assert events(session) == before and status_of(session, inc.id) == "new"
    token = csrf_token(coordinator)
    resp = coordinator.post(
        f"/api/incidents/{inc.id}/actions",
        json={"action": "verify"},
        headers={"X-CSRFToken": token},
    )
    assert resp.status_code == 200
    assert status_of(session, inc.id) == "verified"


# --------------------------------------------------------------------------- duplicates


def test_possible_duplicates_are_near_and_of_the_same_category(session, coordinator):
    inc = add_incident(session, occurred_at=NOW - dt.timedelta(hours=5))
    near = add_incident(
        session, where=(ARANYA[0] + 0.002, ARANYA[1]), occurred_at=NOW - dt.timedelta(hours=20)
    )
    add_incident(session, where=(ARANYA[0] + 0.002, ARANYA[1]), category="drug_trafficking")
    add_incident(session, where=(ARANYA[0] + 0.02, ARANYA[1]))  # about 2 km away
    add_incident(session, occurred_at=NOW - dt.timedelta(days=4))  # too long before
    resp = coordinator.get(f"/api/incidents/{inc.id}/duplicates")
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    assert [i["id"] for i in items] == [near.id]
    assert 150 < items[0]["distance_m"] < 300
    assert items[0]["category"] == "smuggling"


# --------------------------------------------------------------------------- the page


def test_the_queue_page_lists_actions_and_an_action_from_it_works(app, session, coordinator):
    inc = add_incident(session)
    add_incident(session, where=CHIANG_KHONG, district_name="Chiang Khong")
    app.config["WTF_CSRF_ENABLED"] = True
    page = coordinator.get("/review?status=new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"/review/incidents/{inc.id}/actions" in html
    assert "Chiang Khong" not in html
    # no inline code: only the queue map's script files and its data (JSON, never run)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert all("src=" in tag or 'type="application/json"' in tag for tag in scripts)
    assert not re.search(r"\son[a-z]+=", html)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    before = events(session)
    refused = coordinator.post(f"/review/incidents/{inc.id}/actions", data={"action": "verify"})
    assert refused.status_code == 400 and events(session) == before

    resp = coordinator.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "note": "ok", "csrf_token": token, "back": "status=new&x=1"},
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/review?status=new"
    assert status_of(session, inc.id) == "verified" and events(session) == before + 1
    after = coordinator.get("/review").get_data(as_text=True)
    assert f"รายงาน #{inc.id} ตรวจสอบแล้ว" in after  # the page's language: Thai by default

    # an invalid transition from the page: a message, nothing written
    resp = coordinator.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "reject", "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert resp.status_code == 303 and events(session) == before + 1
    assert "status is verified" in coordinator.get("/review").get_data(as_text=True)


def test_the_queue_page_accepts_dates_and_is_for_coordinators(session, as_user):
    eleventh = dt.datetime(2026, 3, 10, 20, 0, tzinfo=dt.UTC)  # the 11th at +07
    inc = add_incident(session, occurred_at=eleventh)
    c = as_user("coordinator")
    card = f'id="report-{inc.id}"'
    assert card in c.get("/review?since=2026-03-11&until=2026-03-11").get_data(True)
    assert card not in c.get("/review?until=2026-03-10").get_data(as_text=True)
    assert as_user("officer").get("/review").status_code == 403
    assert as_user(None).get("/review").status_code == 302
    assert as_user("hq").get("/review").status_code == 403
