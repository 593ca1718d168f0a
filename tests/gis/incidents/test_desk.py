"""Reports taken at the MWCC desk and on the hotline: checked as public reports, recorded only
for the taker's district, marked with the taker, given a receipt code the public status page
reads, and nothing written when refused."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gis.incidents.desk import (
    parse_desk_report,
    receipt_slip,
    record_desk_report,
)
from gis.incidents.public import PublicState, report_status
from gis.models import Incident, IncidentEvent
from gis.types import Channel, IncidentStatus, Role
from tests.factories import inside, make_user

NOW = dt.datetime.now(dt.UTC)
MAX_DISTANCE_M = 10_000.0


def payload(where: tuple[float, float], **extra):
    return {
        "lon": where[0],
        "lat": where[1],
        "category": "drug_trafficking",
        "occurred_at": (NOW - dt.timedelta(hours=3)).isoformat(),
        "idempotency_key": str(uuid.uuid4()),
        "description": "ชาวบ้านเห็นเรือขนของข้ามแม่น้ำตอนตีสอง",
        "channel": "mwcc_walk_in",
        **extra,
    }


def incident_count(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Incident)).scalar_one()


# Parsing (no database) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": None}, "channel"),
        ({"channel": "officer_app"}, "channel"),
        ({"channel": "fax"}, "channel"),
        ({"updates_consent": "yes"}, "updates_consent"),
        ({"updates_consent": True}, "updates_consent"),  # no contact to send them to
        ({"lat": None}, "lat"),
        ({"lon": 200}, "lon"),
        ({"category": "weather"}, "category"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"description": "x" * 5001}, "description"),
        ({"reporter_contact": "x" * 501}, "reporter_contact"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
        ({"district_id": 3}, "district_id"),
        ({"taken_by_id": 3}, "taken_by_id"),
    ],
)
def test_a_bad_desk_report_is_refused_naming_its_field(change, field):
    body = {k: v for k, v in payload((100.4, 20.26), **change).items() if v is not None}
    if change.get("channel", "") is None:
        body.pop("channel", None)
    with pytest.raises(InvalidInput) as caught:
        parse_desk_report(body, NOW)
    assert caught.value.field == field


def test_a_desk_report_keeps_the_contact_and_consent_of_the_public_form():
    desk = parse_desk_report(
        payload(
            (100.4, 20.26),
            channel="hotline",
            reporter_contact="081 234 5678",
            updates_consent=True,
        ),
        NOW,
    )
    assert desk.report.channel is Channel.HOTLINE
    assert desk.report.reporter_contact == "081 234 5678"
    assert desk.updates_consent is True
    assert desk.report.reporter_id is None


# Storing --------------------------------------------------------------------------------------


@pytest.mark.db
def test_a_walk_in_is_stored_new_marked_with_its_taker_and_readable_by_its_code(session):
    officer = make_user(session, Role.OFFICER)
    desk = parse_desk_report(
        payload(
            inside(session, "Chiang Khong"),
            reporter_contact="somchai@example.org",
            updates_consent=True,
        ),
        NOW,
    )
    incident, code = record_desk_report(session, desk, officer, MAX_DISTANCE_M)
    session.flush()
    session.refresh(incident)
    assert incident.status == IncidentStatus.NEW
    assert incident.channel == Channel.MWCC_WALK_IN
    assert incident.taken_by_id == officer.id
    assert incident.reporter_id is None
    assert incident.reporter_contact == "somchai@example.org"
    assert incident.updates_consent is True
    assert incident.receipt_code == code
    created = session.execute(
        select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
    ).scalar_one()
    assert (created.action, created.actor_id) == ("created", officer.id)
    status = report_status(session, code.lower())
    assert status.state is PublicState.RECEIVED


@pytest.mark.db
def test_a_place_in_another_district_is_refused_naming_lon_and_nothing_is_written(session):
    coordinator = make_user(session, Role.COORDINATOR)  # Chiang Khong
    before = incident_count(session)
    desk = parse_desk_report(payload(inside(session, "Aranyaprathet")), NOW)
    with pytest.raises(InvalidInput) as caught:
        record_desk_report(session, desk, coordinator, MAX_DISTANCE_M)
    assert caught.value.field == "lon"
    assert "Aranyaprathet" in caught.value.message
    assert incident_count(session) == before


@pytest.mark.db
@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PATROL_PLANNER, Role.HQ_ANALYST])
def test_other_roles_do_not_take_reports(session, role):
    account = make_user(session, role)
    before = incident_count(session)
    desk = parse_desk_report(payload(inside(session, "Chiang Khong")), NOW)
    with pytest.raises(Forbidden):
        record_desk_report(session, desk, account, MAX_DISTANCE_M)
    assert incident_count(session) == before


@pytest.mark.db
def test_a_form_sent_twice_is_stored_once_and_another_content_is_refused(session):
    officer = make_user(session, Role.OFFICER)
    body = payload(inside(session, "Chiang Khong"), channel="hotline")
    first, code = record_desk_report(session, parse_desk_report(body, NOW), officer)
    again, code_again = record_desk_report(session, parse_desk_report(body, NOW), officer)
    assert (again.id, code_again) == (first.id, code)
    other = parse_desk_report({**body, "description": "something else"}, NOW)
    with pytest.raises(Conflict):
        record_desk_report(session, other, officer)
    colleague = make_user(session, Role.COORDINATOR)
    with pytest.raises(Conflict):
        record_desk_report(session, parse_desk_report(body, NOW), colleague)


@pytest.mark.db
def test_the_database_refuses_consent_without_a_contact_and_a_taker_on_other_channels(session):
    officer = make_user(session, Role.OFFICER)
    incident, _code = record_desk_report(
        session, parse_desk_report(payload(inside(session, "Chiang Khong")), NOW), officer
    )
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        incident.updates_consent = True
        session.flush()
    session.refresh(incident)
    with pytest.raises(IntegrityError), session.begin_nested():
        incident.channel = Channel.OFFICER_APP
        session.flush()


@pytest.mark.db
def test_the_slip_is_for_the_taker_and_the_districts_coordinators_only(session):
    officer = make_user(session, Role.OFFICER)
    incident, code = record_desk_report(
        session, parse_desk_report(payload(inside(session, "Chiang Khong")), NOW), officer
    )
    session.flush()
    slip = receipt_slip(session, incident.id, officer)
    assert slip.receipt_code == code
    assert slip.district == "Chiang Khong"
    assert slip.channel is Channel.MWCC_WALK_IN
    coordinator = make_user(session, Role.COORDINATOR)
    assert receipt_slip(session, incident.id, coordinator).receipt_code == code
    for other in (
        make_user(session, Role.OFFICER, "another-officer"),
        make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706"),
        make_user(session, Role.HQ_ANALYST),
        make_user(session, Role.VOLUNTEER),
    ):
        with pytest.raises(NotFound):
            receipt_slip(session, incident.id, other)
