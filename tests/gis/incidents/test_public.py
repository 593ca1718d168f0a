"""Public reports: receipt codes, storing an anonymous report once, and what its code shows."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.errors import Conflict, NotFound, OutsideWatchArea
from gis.incidents import public
from gis.incidents.public import (
    ALPHABET,
    CODE_BITS,
    PublicState,
    create_public_report,
    new_receipt_code,
    normalise_code,
    report_status,
)
from gis.incidents.reports import create_incident, parse_incident
from gis.models import Incident
from gis.parsing import THAI_TIME
from gis.types import Channel, IncidentCategory, IncidentStatus

NOW = dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)
ARANYAPRATHET = (102.5066, 13.6928)
BANGKOK = (100.5018, 13.7563)
MAX_DISTANCE_M = 10_000.0


def public_input(lon: float = ARANYAPRATHET[0], lat: float = ARANYAPRATHET[1], **extra):
    payload = {
        "lon": lon,
        "lat": lat,
        "category": "human_trafficking",
        "occurred_at": "2026-11-21T08:30:00+07:00",
        "idempotency_key": str(uuid.uuid4()),
        "description": "Seen at the market pier",
        "reporter_contact": "line: informant-77",
        **extra,
    }
    return parse_incident(payload, NOW, channel=Channel.ONLINE_PUBLIC)


# Codes (no database) --------------------------------------------------------------------------


def test_a_receipt_code_carries_at_least_80_random_bits():
    code = new_receipt_code()
    symbols = code.replace("-", "")
    assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
    assert CODE_BITS == len(symbols) * math.log2(len(ALPHABET)) >= 80
    assert all(s in ALPHABET for s in symbols)
    assert [len(g) for g in code.split("-")] == [5, 5, 5, 5]
    assert len(code) <= 40  # incident.receipt_code is String(40)
    assert len({new_receipt_code() for _ in range(1000)}) == 1000


def test_codes_have_no_ambiguous_letters():
    assert not set("ILOU") & set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    ["abcde-fghjk-mnpqr-stvwx", " ABCDE FGHJK MNPQR STVWX ", "ABCDEFGHJKMNPQRSTVWX"],
)
def test_a_code_is_read_as_typed_in_any_case_and_grouping(typed):
    assert normalise_code(typed) == "ABCDE-FGHJK-MNPQR-STVWX"


def test_lookalike_letters_are_read_as_digits():
    assert normalise_code("OOOOO-IIIII-LLLLL-00000") == "00000-11111-11111-00000"


@pytest.mark.parametrize(
    "typed",
    ["", "ABC", "ABCDE-FGHJK-MNPQR-STVWU", "ABCDE-FGHJK-MNPQR-STVWXY", "x" * 10_000, "'; --"],
)
def test_malformed_codes_are_none(typed):
    assert normalise_code(typed) is None


# Storing and reading (PostGIS) ----------------------------------------------------------------


@pytest.mark.db
def test_a_public_report_is_stored_new_with_its_receipt_code(session: Session):
    incident, code = create_public_report(session, public_input(), MAX_DISTANCE_M)
    assert incident.channel is Channel.ONLINE_PUBLIC
    assert incident.status is IncidentStatus.NEW
    assert incident.reporter_id is None
    assert incident.reporter_contact == "line: informant-77"
    stored = session.execute(select(Incident.receipt_code).where(Incident.id == incident.id))
    assert stored.scalar_one() == code == normalise_code(code)


@pytest.mark.db
def test_a_resent_form_is_stored_once_with_the_same_code(session: Session):
    data = public_input()
    first, code = create_public_report(session, data, MAX_DISTANCE_M)
    again, code_again = create_public_report(session, data, MAX_DISTANCE_M)
    assert (again.id, code_again) == (first.id, code)
    count = select(func.count()).select_from(Incident).where(Incident.receipt_code == code)
    assert session.execute(count).scalar_one() == 1


@pytest.mark.db
def test_a_colliding_code_is_drawn_again(session: Session, monkeypatch):
    _first, taken = create_public_report(session, public_input(), MAX_DISTANCE_M)
    fresh = "22222-22222-22222-22222"
    codes = iter([taken, fresh])
    monkeypatch.setattr(public, "new_receipt_code", lambda: next(codes))
    second, code = create_public_report(session, public_input(), MAX_DISTANCE_M)
    assert code == fresh
    assert session.get(Incident, second.id).receipt_code == fresh


@pytest.mark.db
def test_a_key_of_an_officer_report_is_not_taken_over(session: Session):
    data = public_input()
    officer = replace(data, channel=Channel.OFFICER_APP, reporter_contact=None)
    create_incident(session, officer)
    with pytest.raises(Conflict):
        create_public_report(session, data, MAX_DISTANCE_M)


@pytest.mark.db
def test_a_point_outside_the_watch_area_is_refused(session: Session):
    with pytest.raises(OutsideWatchArea):
        create_public_report(session, public_input(*BANGKOK), MAX_DISTANCE_M)


@pytest.mark.db
def test_only_anonymous_public_reports_are_taken(session: Session):
    with pytest.raises(ValueError):
        create_public_report(session, replace(public_input(), reporter_id=1), MAX_DISTANCE_M)


@pytest.mark.db
def test_the_status_shows_only_state_day_and_category(session: Session):
    incident, code = create_public_report(session, public_input(), MAX_DISTANCE_M)
    status = report_status(session, code.lower().replace("-", " "))
    assert set(status.__dataclass_fields__) == {"state", "reported_on", "category"}
    assert status.state is PublicState.RECEIVED
    assert status.category is IncidentCategory.HUMAN_TRAFFICKING
    assert status.reported_on == incident.reported_at.astimezone(THAI_TIME).date()


@pytest.mark.db
@pytest.mark.parametrize(
    ("status", "state"),
    [
        (IncidentStatus.NEW, PublicState.RECEIVED),
        (IncidentStatus.VERIFIED, PublicState.IN_PROGRESS),
        (IncidentStatus.REFERRED, PublicState.IN_PROGRESS),
        (IncidentStatus.CLOSED, PublicState.CLOSED),
        (IncidentStatus.REJECTED, PublicState.CLOSED),
    ],
)
def test_rejection_reads_as_closed(session: Session, status, state):
    incident, code = create_public_report(session, public_input(), MAX_DISTANCE_M)
    session.execute(update(Incident).where(Incident.id == incident.id).values(status=status))
    assert report_status(session, code).state is state


def test_every_status_has_a_public_state():
    assert set(public.PUBLIC_STATE) == set(IncidentStatus)


@pytest.mark.db
@pytest.mark.parametrize("code", ["22222-22222-22222-22222", "not a code", "", "%"])
def test_unknown_and_malformed_codes_are_the_same_not_found(session: Session, code):
    with pytest.raises(NotFound) as exc:
        report_status(session, code)
    assert (exc.value.message, exc.value.field) == ("no report with this receipt code", "code")
