"""A new report is routed, measured, stored and audited by one SQL statement, and the routing
folded into that statement agrees with :func:`gis.reference.districts.route_point`."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from gis.errors import OutsideWatchArea
from gis.incidents.reports import PREPARED_NAME, IncidentInput, store_incident, store_report
from gis.models import Incident, IncidentEvent
from gis.reference.districts import route_point
from gis.reference.measure import proximity
from gis.types import Channel, IncidentCategory, Role
from tests.factories import make_user

pytestmark = pytest.mark.db

ARANYAPRATHET = (102.5066, 13.6928)
POIPET = (102.5635, 13.6590)
BANGKOK = (100.5018, 13.7563)
THA_BO = (102.58, 17.85)  # a Thai district that is not a target
LUANG_PRABANG = (102.135, 19.885)  # about 38 km beyond the nearest parallel area


def incident_input(lon: float, lat: float) -> IncidentInput:
    return IncidentInput(
        lon=lon,
        lat=lat,
        category=IncidentCategory.SMUGGLING,
        occurred_at=dt.datetime(2026, 11, 21, 1, 30, tzinfo=dt.UTC),
        channel=Channel.OFFICER_APP,
        idempotency_key=uuid.uuid4(),
    )


class Statements:
    """The SQL statements a session sends while the listener is on."""

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        self.sent: list[str] = []

    def __enter__(self) -> list[str]:
        event.listen(self.connection, "before_cursor_execute", self._record)
        return self.sent

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.connection, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.sent.append(statement)


@pytest.mark.parametrize(("lon", "lat"), [ARANYAPRATHET, POIPET], ids=["in Thailand", "across"])
def test_a_new_report_costs_one_statement(session, lon, lat):
    store_incident(session, incident_input(*ARANYAPRATHET))  # prepares it on this connection
    with Statements(session) as sent:
        stored = store_incident(session, incident_input(lon, lat))
    assert stored.created
    assert len(sent) == 1, sent
    assert sent[0].startswith(f"EXECUTE {PREPARED_NAME}(")
    # ... of the statement that routes, measures, inserts the incident and its first event.
    (sql,) = session.execute(
        text("SELECT statement FROM pg_prepared_statements WHERE name = :name"),
        {"name": PREPARED_NAME},
    ).one()
    for part in ("ST_Covers", "ST_DWithin", "INSERT INTO incident ", "border_piece", "checkpoint"):
        assert part in sql
    assert "INSERT INTO incident_event" in sql and "ON CONFLICT (idempotency_key)" in sql
    assert sql.count("INSERT INTO") == 2
    # What the statement returned is what is stored.
    incident = stored.incident
    session.expire_all()
    row = session.get(Incident, incident.id)
    assert row is not None
    assert (row.district_id, row.parallel_area_id) == (
        stored.district.id,
        incident.parallel_area_id,
    )
    near = proximity(session, lon, lat)
    assert row.border_distance_m == pytest.approx(near.border_m)
    assert (row.nearest_checkpoint_id, row.nearest_crossing_id) == (
        near.checkpoint_id,
        near.crossing_id,
    )
    assert row.nearest_checkpoint_m == pytest.approx(near.checkpoint_m)
    events = session.execute(
        select(IncidentEvent.action, IncidentEvent.to_status).where(
            IncidentEvent.incident_id == incident.id
        )
    ).all()
    assert [(a, s.value) for a, s in events] == [("created", "new")]
    routing = route_point(session, lon, lat)
    assert stored.district == routing.district


def test_a_new_report_reads_its_districts_active_coordinators_in_the_same_statement(session):
    first = store_incident(session, incident_input(*ARANYAPRATHET))
    assert first.coordinators == ()  # none yet: an empty tuple, not None
    district = first.district
    here = [
        make_user(session, Role.COORDINATOR, f"coord-{i}", district=district.pcode) for i in (1, 2)
    ]
    gone = make_user(session, Role.COORDINATOR, "coord-gone", district=district.pcode)
    gone.is_active = False
    make_user(session, Role.COORDINATOR, "coord-elsewhere")  # another district
    make_user(session, Role.OFFICER, "officer-here", district=district.pcode)
    session.flush()
    expected = tuple(sorted(u.id for u in here))
    with Statements(session) as sent:
        stored = store_incident(session, incident_input(*ARANYAPRATHET))
        row = store_report(session, incident_input(*ARANYAPRATHET))
    assert stored.coordinators == expected and row.coordinators == expected
    assert len(sent) == 2  # one statement each, the coordinators read with the report
    # A replay reads no coordinators: whoever tells of it looks them up.
    data = incident_input(*ARANYAPRATHET)
    store_report(session, data)
    assert store_report(session, data).coordinators is None


def test_a_replay_costs_two_statements_and_writes_nothing(session):
    data = incident_input(*ARANYAPRATHET)
    first = store_incident(session, data)
    with Statements(session) as sent:
        again = store_incident(session, data)
    assert not again.created and again.incident.id == first.incident.id
    assert again.district == first.district
    assert len(sent) == 2 and not any("INSERT" in s for s in sent[1:])


def _sample_points(session: Session) -> Iterator[tuple[str, float, float]]:
    """Points of every kind routing knows, from the reference data itself."""
    rows = session.execute(
        text(
            """
            WITH target AS (SELECT geom FROM district WHERE target),
            other AS (SELECT geom FROM district WHERE NOT target),
            area AS (SELECT geom, geom_m FROM parallel_area)
            -- inside target districts
            (SELECT 'target', ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(
                ST_CollectionExtract(ST_Collect(geom), 3), 60, 1))).geom AS p FROM target) s)
            UNION ALL
            -- inside non-target Thai districts of the border provinces
            (SELECT 'other', ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(
                ST_CollectionExtract(ST_Collect(geom), 3), 30, 2))).geom AS p FROM other) s)
            UNION ALL
            -- inside parallel areas across the border
            (SELECT 'area', ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(
                ST_CollectionExtract(ST_Collect(geom), 3), 60, 3))).geom AS p FROM area) s)
            UNION ALL
            -- in a band 0-25 km beyond the parallel areas: reach and refusals
            (SELECT 'band', ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(
                ST_Transform(ST_Difference(ST_Buffer(ST_Union(geom_m), 25000, 4),
                                           ST_Union(geom_m)), 4326), 80, 4))).geom AS p
                FROM area) s)
            UNION ALL
            -- vertices of target districts' outlines: on edges shared with other districts
            (SELECT 'vertex', ST_X(p), ST_Y(p) FROM (SELECT (ST_DumpPoints(geom)).geom AS p
                FROM district WHERE target ORDER BY id) s
             ORDER BY ST_X(p), ST_Y(p) LIMIT 60)
            """
        )
    ).all()
    yield from ((kind, lon, lat) for kind, lon, lat in rows)
    yield "fixed", *BANGKOK
    yield "fixed", *THA_BO
    yield "fixed", *LUANG_PRABANG
    yield "fixed", *POIPET


def _routed(session: Session, fn: Any, *args: Any) -> tuple[Any, ...]:
    try:
        return fn(session, *args)
    except OutsideWatchArea as exc:
        return ("outside", exc.message, round(exc.distance_m or 0, 3))


@pytest.mark.parametrize("reach", [10_000.0, 50_000.0])
def test_the_folded_routing_agrees_with_route_point(session, reach):
    def folded(session: Session, lon: float, lat: float) -> tuple[Any, ...]:
        with session.begin_nested():
            stored = store_incident(session, incident_input(lon, lat), reach)
        return ("routed", stored.district.id, stored.incident.parallel_area_id)

    def independent(session: Session, lon: float, lat: float) -> tuple[Any, ...]:
        routing = route_point(session, lon, lat, reach)
        return ("routed", routing.district.id, routing.parallel_area_id)

    kinds: dict[str, set[str]] = {}
    disagreements = []
    points = list(_sample_points(session))
    assert len(points) > 250
    for kind, lon, lat in points:
        mine = _routed(session, folded, lon, lat)
        theirs = _routed(session, independent, lon, lat)
        kinds.setdefault(kind, set()).add(mine[0])
        if mine != theirs:
            disagreements.append((kind, lon, lat, mine, theirs))
    assert not disagreements
    # The sample covers both answers where both exist.
    assert kinds["target"] == {"routed"} and kinds["other"] == {"outside"}
    assert "routed" in kinds["area"]
    if reach == 10_000.0:
        assert kinds["band"] == {"routed", "outside"}
