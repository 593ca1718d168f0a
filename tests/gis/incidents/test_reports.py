"""Incident reports: parsing at the edge, routing and derived fields, storing each key once."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from gis.errors import InvalidInput, OutsideWatchArea
from gis.incidents.reports import IncidentInput, create_incident, parse_incident
from gis.models import District, Incident, IncidentEvent, NaturalCrossing, ParallelArea
from gis.types import Channel, IncidentCategory, IncidentStatus
from tests.dbtools import run_at_once

NOW = dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)
ARANYAPRATHET = (102.5066, 13.6928)
POIPET = (102.5635, 13.6590)
BANGKOK = (100.5018, 13.7563)


def report(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "lon": ARANYAPRATHET[0],
        "lat": ARANYAPRATHET[1],
        "category": "smuggling",
        "occurred_at": "2026-11-21T08:30:00+07:00",
        "idempotency_key": str(uuid.uuid4()),
    }
    payload.update(overrides)
    return {k: v for k, v in payload.items() if v is not ...}


def incident_input(lon: float, lat: float, **overrides: Any) -> IncidentInput:
    return replace(parse_incident(report(lon=lon, lat=lat), NOW), **overrides)


# Parsing (no database) ----------------------------------------------------------------------


def test_a_minimal_report_parses_with_defaults():
    payload = report(description="  ")
    data = parse_incident(payload, NOW)
    assert (data.lon, data.lat) == ARANYAPRATHET
    assert data.category is IncidentCategory.SMUGGLING
    assert data.occurred_at == dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC)
    assert data.idempotency_key == uuid.UUID(payload["idempotency_key"])
    assert data.severity == 3 and data.description is None
    assert data.channel is Channel.OFFICER_APP
    assert data.reporter_id is None and data.reporter_contact is None


@pytest.mark.parametrize(
    "value",
    ["2026-11-21T01:30:00Z", "2026-11-21t01:30:00z", "2026-11-21T08:30:00.123456789+07:00"],
)
def test_rfc3339_forms_are_accepted(value):
    when = parse_incident(report(occurred_at=value), NOW).occurred_at
    assert abs(when - dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC)) < dt.timedelta(seconds=1)


def test_reporter_contact_only_on_the_public_channel():
    payload = report(reporter_contact="line: somchai")
    with pytest.raises(InvalidInput) as exc:
        parse_incident(payload, NOW)
    assert exc.value.field == "reporter_contact"
    data = parse_incident(payload, NOW, channel=Channel.ONLINE_PUBLIC)
    assert data.reporter_contact == "line: somchai"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"lon": ...}, "lon"),
        ({"lat": None}, "lat"),
        ({"category": ...}, "category"),
        ({"occurred_at": ...}, "occurred_at"),
        ({"idempotency_key": ...}, "idempotency_key"),
        ({"lon": "102.5"}, "lon"),
        ({"lat": True}, "lat"),
        ({"lat": math.nan}, "lat"),
        ({"lon": math.inf}, "lon"),
        ({"lon": -math.inf}, "lon"),
        ({"lat": 91}, "lat"),
        ({"lat": -90.0001}, "lat"),
        ({"lon": 181}, "lon"),
        ({"lon": 10**400}, "lon"),
        # Swapped: latitude 102.5 is out of range, and the message hints nothing else.
        ({"lon": ARANYAPRATHET[1], "lat": ARANYAPRATHET[0]}, "lat"),
        ({"category": "piracy"}, "category"),
        ({"category": 3}, "category"),
        ({"occurred_at": "2026-11-21T09:00:01Z"}, "occurred_at"),  # > 1 h in the future
        ({"occurred_at": "1999-12-31T23:59:59Z"}, "occurred_at"),
        ({"occurred_at": "2026-11-21T01:30:00"}, "occurred_at"),  # no offset
        ({"occurred_at": "2026-11-21"}, "occurred_at"),
        ({"occurred_at": "21/11/2026 01:30"}, "occurred_at"),
        ({"occurred_at": "2026-02-30T01:30:00Z"}, "occurred_at"),
        ({"occurred_at": 1763688600}, "occurred_at"),
        ({"severity": 0}, "severity"),
        ({"severity": 6}, "severity"),
        ({"severity": 2.5}, "severity"),
        ({"severity": "3"}, "severity"),
        ({"description": "x" * 5001}, "description"),
        ({"description": 42}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"description": "a\ud800b"}, "description"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
        ({"idempotency_key": 12345}, "idempotency_key"),
        ({"district_id": 1}, "district_id"),
        ({"status": "verified"}, "status"),
        ({"reporter_id": 1}, "reporter_id"),
        ({"id": 1}, "id"),
        ({"channel": "patrol"}, "channel"),
        ({"geometry": {"type": "Point", "coordinates": [102.5, 13.7]}}, "geometry"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_reports_are_refused_naming_the_field(overrides, field):
    with pytest.raises(InvalidInput) as exc:
        parse_incident(report(**overrides), NOW)
    assert exc.value.field == field
    assert exc.value.message


def test_swapped_coordinates_name_lat_and_hint_the_swap():
    with pytest.raises(InvalidInput, match="swapped") as exc:
        parse_incident(report(lon=ARANYAPRATHET[1], lat=ARANYAPRATHET[0]), NOW)
    assert exc.value.field == "lat"


@pytest.mark.parametrize("value", [[1], {"a": 1}, None])
def test_odd_json_values_are_refused_not_crashed_on(value):
    for field in ("category", "occurred_at", "idempotency_key", "severity", "description"):
        payload = report(**{field: value})
        if value is None and field in ("severity", "description"):
            continue  # optional: null means absent
        with pytest.raises(InvalidInput) as exc:
            parse_incident(payload, NOW)
        assert exc.value.field == field


def test_server_set_fields_say_so():
    with pytest.raises(InvalidInput, match="status is set by the server"):
        parse_incident(report(status="verified"), NOW)


def test_a_description_of_5000_characters_is_accepted():
    assert len(parse_incident(report(description="ก" * 5000), NOW).description or "") == 5000


def test_a_report_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidInput) as exc:
        parse_incident([1, 2], NOW)  # type: ignore[arg-type]
    assert exc.value.field == "body"


# Storing (PostGIS) --------------------------------------------------------------------------


def count_incidents(session: Session) -> int:
    return session.execute(select(func.count()).select_from(Incident)).scalar_one()


@pytest.fixture
def demo_crossing(session: Session) -> NaturalCrossing:
    """A path south of Aranyaprathet / Poipet."""
    aranya = session.execute(select(District).where(District.name == "Aranyaprathet")).scalar_one()
    crossing = NaturalCrossing(
        code="test:incidents-1",
        name="test path",
        district_id=aranya.id,
        is_demo=True,
        geom="SRID=4326;MULTILINESTRING((102.52 13.62, 102.56 13.60, 102.60 13.59))",
    )
    session.add(crossing)
    session.flush()
    return crossing


def geodesic(session: Session, sql: str, lon: float, lat: float) -> Any:
    """Run ``sql`` with ``:pt`` bound to the point as geography."""
    pt = "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography"
    return session.execute(text(sql.replace(":pt", pt)), {"lon": lon, "lat": lat}).one()


@pytest.mark.db
def test_incident_is_routed_and_measured_as_independent_queries_say(session, demo_crossing):
    lon, lat = ARANYAPRATHET
    incident, created = create_incident(session, incident_input(lon, lat, severity=4))
    assert created
    covering = session.execute(
        select(District.id).where(
            District.target,
            func.ST_Covers(District.geom, func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)),
        )
    ).scalar_one()
    assert incident.district_id == covering
    assert incident.parallel_area_id is None
    assert incident.status is IncidentStatus.NEW and incident.severity == 4
    assert incident.channel is Channel.OFFICER_APP
    assert incident.reported_at is not None and incident.reporter_id is None

    border = geodesic(
        session, "SELECT min(ST_Distance(geom::geography, :pt)) FROM border_segment", lon, lat
    )[0]
    assert incident.border_distance_m == pytest.approx(border, rel=0.01)
    checkpoint = geodesic(
        session,
        "SELECT id, ST_Distance(geom::geography, :pt) AS m FROM checkpoint ORDER BY m LIMIT 1",
        lon,
        lat,
    )
    assert incident.nearest_checkpoint_id == checkpoint.id
    assert incident.nearest_checkpoint_m == pytest.approx(checkpoint.m, rel=0.01)
    crossing = geodesic(
        session,
        "SELECT id, ST_Distance(geom::geography, :pt) AS m FROM natural_crossing"
        " ORDER BY m LIMIT 1",
        lon,
        lat,
    )
    assert incident.nearest_crossing_id == crossing.id == demo_crossing.id
    assert incident.nearest_crossing_m == pytest.approx(crossing.m, rel=0.01)
    assert session.execute(
        select(func.ST_X(Incident.geom), func.ST_Y(Incident.geom)).where(Incident.id == incident.id)
    ).one() == pytest.approx((lon, lat))


@pytest.mark.db
def test_a_point_across_the_border_goes_to_the_paired_district(session):
    incident, created = create_incident(session, incident_input(*POIPET))
    assert created
    poipet = session.execute(select(ParallelArea).where(ParallelArea.name == "Poipet")).scalar_one()
    assert incident.parallel_area_id == poipet.id
    district = session.get(District, incident.district_id)
    assert district is not None and district.name == "Aranyaprathet"
    assert poipet in district.parallel_areas
    assert incident.border_distance_m is not None and incident.border_distance_m > 0


@pytest.mark.db
def test_a_point_far_outside_is_refused_with_its_distance_and_nothing_written(session):
    before = count_incidents(session)
    with pytest.raises(OutsideWatchArea) as exc:
        create_incident(session, incident_input(*BANGKOK))
    assert exc.value.distance_m == pytest.approx(174_900, rel=0.01)
    assert exc.value.field == "location"
    assert count_incidents(session) == before


@pytest.mark.db
def test_the_first_event_records_the_creation(session):
    incident, _ = create_incident(session, incident_input(*ARANYAPRATHET))
    events = (
        session.execute(select(IncidentEvent).where(IncidentEvent.incident_id == incident.id))
        .scalars()
        .all()
    )
    assert len(events) == 1
    event = events[0]
    assert event.action == "created"
    assert event.from_status is None and event.to_status is IncidentStatus.NEW
    assert event.actor_id is None  # anonymous until accounts exist


@pytest.mark.db
def test_replayed_report_is_stored_once(session):
    data = incident_input(*ARANYAPRATHET)
    before = count_incidents(session)
    first, created = create_incident(session, data)
    again, created_again = create_incident(session, data)
    assert created and not created_again
    assert again.id == first.id
    assert count_incidents(session) == before + 1
    n_events = session.execute(
        select(func.count()).where(IncidentEvent.incident_id == first.id)
    ).scalar_one()
    assert n_events == 1


@pytest.mark.db
def test_a_replay_with_other_content_returns_the_original_unchanged(session):
    data = incident_input(*ARANYAPRATHET, description="first")
    first, _ = create_incident(session, data)
    changed = replace(data, lon=POIPET[0], lat=POIPET[1], description="second", severity=5)
    again, created = create_incident(session, changed)
    assert not created and again.id == first.id
    session.expire_all()
    stored = session.get(Incident, first.id)
    assert stored is not None
    assert stored.description == "first" and stored.severity == 3
    assert stored.parallel_area_id is None


@pytest.mark.db
def test_concurrent_submissions_of_one_key_store_one_row(engine):
    """Eight sessions on their own connections send the same key at once (committed, not inside
    the test transaction); the rows are removed at the end."""
    data = incident_input(*ARANYAPRATHET)
    threads = 8

    def submit(ready) -> tuple[int, bool]:
        with Session(engine) as session:
            ready()
            incident, created = create_incident(session, data)
            session.commit()
            return incident.id, created

    try:
        results = run_at_once(threads, submit)
        assert sum(created for _, created in results) == 1
        assert len({incident_id for incident_id, _ in results}) == 1
        with Session(engine) as session:
            rows = (
                session.execute(
                    select(Incident.id).where(Incident.idempotency_key == data.idempotency_key)
                )
                .scalars()
                .all()
            )
            assert rows == [results[0][0]]
            n_events = session.execute(
                select(func.count()).where(IncidentEvent.incident_id == rows[0])
            ).scalar_one()
            assert n_events == 1
    finally:
        with Session(engine) as session, session.begin():
            ids = select(Incident.id).where(Incident.idempotency_key == data.idempotency_key)
            session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id.in_(ids)))
            session.execute(
                delete(Incident).where(Incident.idempotency_key == data.idempotency_key)
            )
