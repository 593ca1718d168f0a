"""What each reader reads of an incident over HTTP (gis.incidents.disclosure): the free text of
a report no coordinator has checked goes only to its reporter and the district's coordinators,
and its idempotency key only to its reporter, in the incident API, the review API and the
incident page alike."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from geoalchemy2.elements import WKTElement

from gis.models import Incident
from gis.types import Role
from tests.factories import district
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

ARANYAPRATHET = (102.5066, 13.6928)
#: Free text that may name an informant until a coordinator has checked it.
UNCHECKED_TEXT = "informant Somchai, phone 081 234 5678, saw the boat"


@pytest.fixture(autouse=True)
def _without_csrf(app):
    """These tests read; the one action they take is posted as JSON without the token."""
    app.config["WTF_CSRF_ENABLED"] = False


def public_report(session, *, status: str = "new") -> Incident:
    """An anonymous public report of Aranyaprathet, as the public form stores one."""
    row = Incident(
        idempotency_key=uuid.uuid4(),
        category="smuggling",
        status=status,
        channel="online_public",
        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=5),
        district_id=district(session, "Aranyaprathet").id,
        description=UNCHECKED_TEXT,
        reporter_contact="LINE secret-contact",
        receipt_code="7KQ2M-AAAAA-BBBBB-CCCCC",
        geom=WKTElement(f"POINT({ARANYAPRATHET[0]} {ARANYAPRATHET[1]})", srid=4326),
    )
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def readers(app, session):
    """Clients signed in as the staff in scope of Aranyaprathet (TH2706), by role."""
    accounts = {
        "officer": (Role.OFFICER, {"district": "TH2706"}),
        "colleague": (Role.OFFICER, {"district": "TH2706"}),
        "coordinator": (Role.COORDINATOR, {"district": "TH2706"}),
        "planner": (Role.PATROL_PLANNER, {"province": "TH27"}),
        "hq": (Role.HQ_ANALYST, {}),
        "admin": (Role.ADMINISTRATOR, {}),
    }
    clients = {}
    for name, (role, scope) in accounts.items():
        make_user(session, role, f"{name}-aranya", **scope)
        c = app.test_client()
        assert sign_in(c, f"{name}-aranya").status_code == 302
        clients[name] = c
    return clients


@pytest.mark.parametrize("status", ["new", "rejected", "duplicate"])
def test_unchecked_text_and_the_key_are_withheld_from_those_who_do_not_triage(
    session, readers, status
):
    """The officers, planners, HQ analysts and administrators of the district read no unchecked
    text of a public report (ids are sequential: anyone in scope could walk them); only the
    district's coordinators, who triage it, do. Nobody gets the key of a public report."""
    row = public_report(session, status=status)
    url = f"/api/incidents/{row.id}"
    for who in ("officer", "planner", "hq", "admin"):
        resp = readers[who].get(url)
        assert resp.status_code == 200, who
        body = resp.get_json()
        assert body["id"] == row.id and body["description"] is None, who
        assert "idempotency_key" not in body, who
        text = resp.get_data(as_text=True)
        assert "Somchai" not in text and str(row.idempotency_key) not in text, who
    resp = readers["coordinator"].get(url)
    assert resp.get_json()["description"] == UNCHECKED_TEXT
    assert "idempotency_key" not in resp.get_json()
    assert str(row.idempotency_key) not in resp.get_data(as_text=True)


def test_checked_text_is_read_by_everyone_in_scope(session, readers):
    row = public_report(session, status="verified")
    for who in ("officer", "planner", "hq", "admin", "coordinator"):
        body = readers[who].get(f"/api/incidents/{row.id}").get_json()
        assert body["description"] == UNCHECKED_TEXT, who
        assert "idempotency_key" not in body, who


def test_a_reporter_reads_their_own_report_whole_and_a_colleague_does_not(readers):
    key = str(uuid.uuid4())
    payload = {
        "lon": ARANYAPRATHET[0],
        "lat": ARANYAPRATHET[1],
        "category": "smuggling",
        "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
        "description": UNCHECKED_TEXT,
        "idempotency_key": key,
    }
    created = readers["officer"].post("/api/incidents", json=payload)
    assert created.status_code == 201
    assert created.get_json()["idempotency_key"] == key
    assert created.get_json()["description"] == UNCHECKED_TEXT
    url = created.headers["Location"]
    own = readers["officer"].get(url).get_json()
    assert own["description"] == UNCHECKED_TEXT and own["idempotency_key"] == key
    seen = readers["colleague"].get(url).get_json()
    assert seen["description"] is None and "idempotency_key" not in seen
    assert readers["coordinator"].get(url).get_json()["description"] == UNCHECKED_TEXT


def test_the_review_page_and_json_withhold_unchecked_text_from_reviewers_who_do_not_triage(
    session, readers
):
    """Administrators and HQ analysts open the incident page of a district's report but read
    its text only once a coordinator has verified it; the coordinator reads it to triage it."""
    row = public_report(session)
    key = str(row.idempotency_key)
    for who in ("admin", "hq"):
        page = readers[who].get(f"/review/incidents/{row.id}")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Somchai" not in text and key not in text, who
        assert 'id="incident-description-withheld"' in text, who
        body = readers[who].get(f"/api/review/incidents/{row.id}").get_json()
        assert body["description"] is None and "idempotency_key" not in body, who
    coordinator = readers["coordinator"]
    text = coordinator.get(f"/review/incidents/{row.id}").get_data(as_text=True)
    assert UNCHECKED_TEXT in text and key not in text
    assert 'id="incident-description-withheld"' not in text
    body = coordinator.get(f"/api/review/incidents/{row.id}").get_json()
    assert body["description"] == UNCHECKED_TEXT and "idempotency_key" not in body
    verified = coordinator.post(f"/api/incidents/{row.id}/actions", json={"action": "verify"})
    assert verified.status_code == 200
    assert verified.get_json()["incident"]["description"] == UNCHECKED_TEXT
    assert "idempotency_key" not in verified.get_json()["incident"]
    assert UNCHECKED_TEXT in readers["admin"].get(f"/review/incidents/{row.id}").get_data(
        as_text=True
    )


def test_the_withheld_text_is_said_in_thai_on_the_thai_page(session, readers):
    row = public_report(session)
    page = readers["admin"].get(f"/review/incidents/{row.id}?lang=th").get_data(as_text=True)
    assert "ปิดไว้จนกว่าผู้ประสานงานของอำเภอจะตรวจสอบรายงานแล้ว" in page
