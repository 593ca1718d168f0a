"""A coordinator's triage action: scope checked, the state machine applied, the event returned."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.errors import Conflict, NotFound
from gis.incidents.triage import ActionInput, take_action
from gis.models import Incident, IncidentEvent
from gis.types import IncidentStatus, Role
from tests.factories import make_incident, make_user

pytestmark = pytest.mark.db


def events_of(session, incident_id: int) -> list[str]:
    return list(
        session.scalars(
            select(IncidentEvent.action)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.id)
        )
    )


def test_an_action_on_an_incident_of_the_actors_district_is_applied_and_its_event_returned(
    session,
):
    coordinator = make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706")
    row = make_incident(session, district_name="Aranyaprathet", with_event=True)

    incident, event = take_action(
        session, row.id, ActionInput("refer", note="boat seen twice", agency="customs"), coordinator
    )

    assert incident.id == row.id
    assert incident.status == IncidentStatus.REFERRED
    assert incident.referred_to == "customs"
    assert (event.action, event.who, event.note) == ("refer", "coord-aranya", "boat seen twice")
    assert (event.from_status, event.to_status) == (IncidentStatus.NEW, IncidentStatus.REFERRED)
    assert events_of(session, row.id) == ["created", "refer"]


def test_a_note_for_the_reporter_is_stored_stripped_beside_the_staffs_note(session):
    coordinator = make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706")
    row = make_incident(session, district_name="Aranyaprathet", with_event=True)
    kept = "  Thank you, a patrol will pass by.\n\tขอบคุณครับ  " + "x" * 1_950 + "  "

    _, entry = take_action(
        session, row.id, ActionInput("verify", note="internal", reporter_note=kept), coordinator
    )

    event = session.get_one(IncidentEvent, entry.id)
    assert event.note == "internal"
    assert event.reporter_note == kept.strip()
    assert len(event.reporter_note) <= 2_000 < len(kept)
    # blank is no note
    _, entry = take_action(session, row.id, ActionInput("close", reporter_note=" \n "), coordinator)
    assert session.get_one(IncidentEvent, entry.id).reporter_note is None


def test_an_incident_outside_the_actors_districts_is_not_found_and_stays_as_it_was(session):
    chiang_khong = make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    row = make_incident(session, district_name="Aranyaprathet", with_event=True)

    with pytest.raises(NotFound):
        take_action(session, row.id, ActionInput("verify"), chiang_khong)

    session.expire_all()
    assert session.get_one(Incident, row.id).status == IncidentStatus.NEW
    assert events_of(session, row.id) == ["created"]


def test_an_action_the_state_does_not_allow_is_refused_and_writes_nothing(session):
    coordinator = make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706")
    row = make_incident(session, district_name="Aranyaprathet", status="rejected")
    before = session.scalar(select(func.count()).select_from(IncidentEvent))

    with pytest.raises(Conflict):
        take_action(session, row.id, ActionInput("verify"), coordinator)

    assert session.scalar(select(func.count()).select_from(IncidentEvent)) == before
