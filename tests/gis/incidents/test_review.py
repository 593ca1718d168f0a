"""Triage: the state machine, its audit trail and possible duplicates."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gis.errors import Conflict, InvalidInput, NotFound
from gis.incidents.review import (
    ACTIONS,
    allowed_actions,
    apply_action,
    history,
    possible_duplicates,
)
from gis.models import Incident, IncidentEvent
from gis.types import IncidentStatus
from tests.factories import make_incident

pytestmark = pytest.mark.db

T0 = dt.datetime(2026, 6, 1, 22, 0, tzinfo=dt.UTC)
#: Aranyaprathet market, Sa Kaeo; the incidents below are east of it.
LON, LAT = 102.5066, 13.6928


def status(session, incident_id: int) -> str:
    return session.scalar(select(Incident.status).where(Incident.id == incident_id))


@pytest.mark.parametrize(
    ("path", "final"),
    [
        (["verify", "close"], "closed"),
        (["verify", "refer", "close"], "closed"),
        (["reject"], "rejected"),
        (["refer", "close"], "closed"),
    ],
)
def test_allowed_paths_are_recorded_in_the_history(session, path, final):
    inc = make_incident(session, where=(LON, LAT), occurred_at=T0)
    for action in path:
        apply_action(
            session,
            inc.id,
            action,
            None,
            note=f"step {action}",
            agency="customs" if action == "refer" else None,
        )
    assert status(session, inc.id) == final
    events = history(session, inc.id)
    assert [e.action for e in events] == path
    assert str(events[0].from_status) == "new"
    assert str(events[-1].to_status) == final
    assert all(e.note == f"step {e.action}" for e in events)


@pytest.mark.parametrize(
    ("before", "action"),
    [
        (["reject"], "verify"),
        (["verify"], "verify"),
        (["verify", "close"], "refer"),
        ([], "close"),
        (["refer"], "reject"),
    ],
)
def test_invalid_transitions_conflict_naming_the_current_state(session, before, action):
    inc = make_incident(session, where=(LON, LAT), occurred_at=T0)
    for a in before:
        apply_action(session, inc.id, a, None, agency="police" if a == "refer" else None)
    current = status(session, inc.id)
    events = session.scalar(select(func.count()).where(IncidentEvent.incident_id == inc.id))
    with pytest.raises(Conflict) as exc:
        apply_action(session, inc.id, action, None, agency="police" if action == "refer" else None)
    assert exc.value.current == current
    assert current in exc.value.message
    assert status(session, inc.id) == current
    assert session.scalar(select(func.count()).where(IncidentEvent.incident_id == inc.id)) == events


def test_state_machine_table_matches_allowed_actions():
    assert allowed_actions("new") == ["verify", "reject", "mark_duplicate", "refer"]
    assert allowed_actions("verified") == ["mark_duplicate", "refer", "close"]
    assert allowed_actions("referred") == ["close"]
    for final in ("rejected", "duplicate", "closed"):
        assert allowed_actions(final) == []
    assert set(ACTIONS) == {"verify", "reject", "mark_duplicate", "refer", "close"}


def test_mark_duplicate_links_the_original(session):
    original = make_incident(session, where=(LON, LAT), occurred_at=T0)
    copy = make_incident(session, where=(102.5070, LAT), occurred_at=T0)
    apply_action(session, copy.id, "mark_duplicate", None, duplicate_of=original.id)
    row = session.get(Incident, copy.id)
    assert str(row.status) == "duplicate" and row.duplicate_of_id == original.id
    assert history(session, copy.id)[-1].changes == {"duplicate_of": original.id}


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"action": "approve"}, InvalidInput, "action"),
        ({"action": "mark_duplicate"}, InvalidInput, "duplicate_of"),
        ({"action": "mark_duplicate", "duplicate_of": "self"}, InvalidInput, "duplicate_of"),
        ({"action": "mark_duplicate", "duplicate_of": 0}, NotFound, "duplicate_of"),
        ({"action": "mark_duplicate", "duplicate_of": "other_district"}, NotFound, "duplicate_of"),
        ({"action": "refer"}, InvalidInput, "agency"),
        ({"action": "refer", "agency": "army"}, InvalidInput, "agency"),
        ({"action": "verify", "agency": "police"}, InvalidInput, "agency"),
        ({"action": "verify", "note": "x" * 2_001}, InvalidInput, "note"),
        ({"action": "verify", "reporter_note": "x" * 2_001}, InvalidInput, "reporter_note"),
        ({"action": "verify", "reporter_note": "bell\x07"}, InvalidInput, "reporter_note"),
        ({"action": "verify", "reporter_note": "esc\x1b[2J"}, InvalidInput, "reporter_note"),
        ({"action": "verify", "reporter_note": "nul\x00"}, InvalidInput, "reporter_note"),
        ({"action": "verify", "reporter_note": "\ud800"}, InvalidInput, "reporter_note"),
        ({"action": "verify", "reporter_note": 12}, InvalidInput, "reporter_note"),
    ],
)
def test_bad_actions_are_named_and_change_nothing(session, kwargs, error, field):
    inc = make_incident(session, where=(LON, LAT), occurred_at=T0)
    elsewhere = make_incident(
        session, district_name="Mueang Nong Khai", where=(102.75, 17.88), occurred_at=T0
    )
    kwargs = dict(kwargs)
    if kwargs.get("duplicate_of") == "self":
        kwargs["duplicate_of"] = inc.id
    if kwargs.get("duplicate_of") == "other_district":
        kwargs["duplicate_of"] = elsewhere.id
    action = kwargs.pop("action")
    with pytest.raises(error) as exc:
        apply_action(session, inc.id, action, None, **kwargs)
    assert exc.value.field == field
    assert status(session, inc.id) == "new"
    assert history(session, inc.id) == []


def test_unknown_incident_is_not_found(session):
    with pytest.raises(NotFound):
        apply_action(session, 0, "verify", None)


def test_possible_duplicates_same_category_500_m_48_h(session):
    me = make_incident(session, where=(LON, LAT), occurred_at=T0)
    near = make_incident(session, where=(102.5100, LAT), occurred_at=T0)  # ~370 m east
    far = make_incident(session, where=(102.5150, LAT), occurred_at=T0)  # ~900 m east
    other_category = make_incident(
        session, where=(102.5067, LAT), occurred_at=T0, category="illegal_entry"
    )
    too_late = make_incident(
        session, where=(102.5067, LAT), occurred_at=T0 + dt.timedelta(hours=49)
    )
    in_window = make_incident(
        session, where=(102.5067, LAT), occurred_at=T0 - dt.timedelta(hours=47)
    )
    rejected = make_incident(session, where=(102.5067, LAT), occurred_at=T0)
    apply_action(session, rejected.id, "reject", None)
    found = possible_duplicates(session, me.id)
    ids = [i for i, _ in found]
    assert ids == [in_window.id, near.id]
    assert found[1][1] == pytest.approx(365, rel=0.05)
    for excluded in (far, other_category, too_late, rejected):
        assert excluded.id not in ids
    assert IncidentStatus(status(session, me.id)) is IncidentStatus.NEW


def test_the_status_checked_is_the_locked_rows_not_a_stale_copy(session):
    """A copy loaded before another coordinator's action (here: an UPDATE behind the ORM's back)
    does not let a second transition from the old status through."""
    inc = make_incident(session, where=(LON, LAT), occurred_at=T0)
    assert session.get(Incident, inc.id).status == "new"  # loaded, as a scope check does
    session.execute(
        Incident.__table__.update().where(Incident.id == inc.id).values(status="rejected")
    )
    with pytest.raises(Conflict) as exc:
        apply_action(session, inc.id, "verify", None)
    assert exc.value.current == "rejected"
