"""Stop outcomes (a found incident is stored once and linked) and the coverage layer."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import partial

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.errors import Conflict, InvalidInput, NotFound
from gis.incidents.reports import IncidentInput, create_incident
from gis.models import Incident, IncidentEvent, PatrolStop
from gis.patrols.outcomes import coverage_geojson, record_outcome, stop_key
from gis.patrols.plans import PlanRequest, create_plan
from gis.types import Channel, IncidentCategory, IncidentStatus, PatrolUnit, Role, StopOutcome
from tests.patrol_data import AWAY, HOME, make_run
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

NOW = dt.datetime.now(dt.UTC)
#: The server's secret in these tests (the app passes its SECRET_KEY).
SECRET = b"outcome-test-secret"
#: record_outcome with the tests' secret.
record = partial(record_outcome, key_secret=SECRET)


@pytest.fixture
def people(session):
    return {
        "planner": make_user(session, Role.PATROL_PLANNER, "out-planner"),
        "officer": make_user(session, Role.OFFICER, "out-officer"),
        "away": make_user(session, Role.OFFICER, "out-away", district="TH2706"),
    }


def plan_of(session, planner, hotspots, district="TH5703"):
    req = PlanRequest(
        district=district,
        unit=PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS,
        planned_for=NOW.date(),
        hotspot_ids=tuple(h.id for h in hotspots),
    )
    return create_plan(session, req, planner).plan


def incidents(session) -> int:
    return session.execute(select(func.count()).select_from(Incident)).scalar_one()


def test_incident_found_creates_a_linked_patrol_incident_once(session, people):
    plan = plan_of(session, people["planner"], make_run(session, [HOME, (100.42, 20.27)]))
    before = incidents(session)
    body = {"outcome": "incident_found", "note": "boat", "incident": {"category": "smuggling"}}
    first = record(session, plan.id, 1, body, people["officer"], NOW)
    assert first.incident_created and first.incident is not None
    incident = first.incident
    assert incident.channel == Channel.PATROL and incident.status == IncidentStatus.NEW
    assert incident.reporter_id == people["officer"].id
    assert incident.idempotency_key == stop_key(SECRET, first.stop.id)
    at_stop = session.execute(
        select(func.ST_Equals(Incident.geom, PatrolStop.geom))
        .join(PatrolStop, PatrolStop.incident_id == Incident.id)
        .where(Incident.id == incident.id)
    ).scalar_one()
    assert at_stop  # at the stop, linked to it
    assert (
        session.execute(
            select(IncidentEvent.action).where(IncidentEvent.incident_id == incident.id)
        ).scalar_one()
        == "created"
    )
    # the same outcome again (a retry), also by another recorder: stored once
    again = record(session, plan.id, 1, body, people["planner"], NOW)
    assert not again.incident_created and again.incident.id == incident.id
    assert incidents(session) == before + 1
    with pytest.raises(Conflict):
        record(session, plan.id, 1, {"outcome": "visited"}, people["officer"], NOW)


def test_client_key_and_place_are_used(session, people):
    plan = plan_of(session, people["planner"], make_run(session, [HOME]))
    key = uuid.uuid4()
    body = {
        "outcome": "incident_found",
        "incident": {
            "category": "illegal_entry",
            "severity": 4,
            "lon": HOME[0] + 0.001,
            "lat": HOME[1],
            "idempotency_key": str(key),
        },
    }
    found = record(session, plan.id, 1, body, people["officer"], NOW)
    assert found.incident.idempotency_key == key and found.incident.severity == 4


@pytest.mark.parametrize(
    "body,field",
    [
        ({"outcome": "seen"}, "outcome"),
        ({}, "outcome"),
        ({"outcome": "visited", "colour": 1}, "colour"),
        ({"outcome": "visited", "note": 5}, "note"),
        ({"outcome": "visited", "incident": {"category": "smuggling"}}, "incident"),
        ({"outcome": "incident_found"}, "incident.category"),
        ({"outcome": "incident_found", "incident": {"category": "x"}}, "incident.category"),
        (
            {"outcome": "incident_found", "incident": {"category": "other", "severity": 9}},
            "incident.severity",
        ),
        (
            {"outcome": "incident_found", "incident": {"category": "other", "district": 1}},
            "incident.district",
        ),
    ],
)
def test_bad_outcomes_name_the_field_and_store_nothing(session, people, body, field):
    plan = plan_of(session, people["planner"], make_run(session, [HOME]))
    before = incidents(session)
    with pytest.raises(InvalidInput) as err:
        record(session, plan.id, 1, body, people["officer"], NOW)
    assert err.value.field == field
    assert incidents(session) == before
    stop = session.execute(select(PatrolStop).where(PatrolStop.plan_id == plan.id)).scalar_one()
    assert stop.outcome is None


def test_outcomes_may_be_corrected_until_an_incident_is_linked(session, people):
    plan = plan_of(session, people["planner"], make_run(session, [HOME]))
    first = record(session, plan.id, 1, {"outcome": "visited"}, people["officer"], NOW)
    assert first.changed and first.stop.outcome == StopOutcome.VISITED
    same = record(session, plan.id, 1, {"outcome": "visited"}, people["officer"], NOW)
    assert not same.changed
    fixed = record(
        session, plan.id, 1, {"outcome": "nothing_found", "note": "quiet"}, people["planner"], NOW
    )
    assert fixed.stop.outcome == StopOutcome.NOTHING_FOUND and fixed.stop.note == "quiet"
    assert fixed.stop.outcome_by_id == people["planner"].id


def test_unknown_stop_and_plan_out_of_scope_are_not_found(session, people):
    plan = plan_of(session, people["planner"], make_run(session, [HOME]))
    with pytest.raises(NotFound) as err:
        record(session, plan.id, 2, {"outcome": "visited"}, people["officer"], NOW)
    assert err.value.field == "seq"
    with pytest.raises(NotFound):
        record(session, plan.id, 1, {"outcome": "visited"}, people["away"], NOW)


# --------------------------------------------------------------------------- coverage


def coverage_ids(session, viewer, now=NOW) -> dict[int, dict]:
    doc = json.loads(coverage_geojson(session, viewer, now=now))
    assert doc["type"] == "FeatureCollection"
    return {f["id"]: f["properties"] for f in doc["features"]}


def test_coverage_lists_hotspots_not_patrolled_in_14_days(session, people):
    planner, officer = people["planner"], people["officer"]
    make_run(session, [(100.30, 20.20)], finished_at=NOW - dt.timedelta(days=30))  # older run
    a, b, c = make_run(session, [HOME, (100.43, 20.28), (100.45, 20.30)])
    assert set(coverage_ids(session, planner)) == {a.id, b.id, c.id}
    plan = plan_of(session, planner, [a, b])
    seq_of = dict(
        session.execute(
            select(PatrolStop.hotspot_id, PatrolStop.seq).where(PatrolStop.plan_id == plan.id)
        ).all()
    )
    record(session, plan.id, seq_of[a.id], {"outcome": "visited"}, officer, NOW)
    record(
        session,
        plan.id,
        seq_of[b.id],
        {"outcome": "nothing_found"},
        officer,
        NOW - dt.timedelta(days=20),
    )
    shown = coverage_ids(session, planner)
    assert set(shown) == {b.id, c.id}  # a was visited today; b 20 days ago
    assert shown[b.id]["last_patrolled"].startswith(
        (NOW - dt.timedelta(days=20))
        .astimezone(dt.timezone(dt.timedelta(hours=7)))
        .date()
        .isoformat()
    )
    assert shown[c.id]["last_patrolled"] is None
    # 15 days on, a's visit is too old too
    assert a.id in coverage_ids(session, planner, now=NOW + dt.timedelta(days=15))


def test_a_stop_of_an_older_plan_inside_the_hull_counts(session, people):
    planner = people["planner"]
    (old,) = make_run(session, [HOME], finished_at=NOW - dt.timedelta(days=10))
    plan = plan_of(session, planner, [old])
    record(session, plan.id, 1, {"outcome": "visited"}, people["officer"], NOW)
    (new,) = make_run(session, [(HOME[0] + 0.001, HOME[1])])  # same place, new run
    assert new.id not in coverage_ids(session, planner)


def test_coverage_respects_scope(session, people):
    (home,) = make_run(session, [HOME])
    (away,) = make_run(session, [AWAY], pcode="TH2706")  # later, of another province
    assert set(coverage_ids(session, people["planner"])) == {home.id}
    assert set(coverage_ids(session, people["away"])) == {away.id}
    # a later national run is not theirs to see (gis.hotspots.queries.readable_runs): each
    # planner keeps the latest run of its own districts
    make_run(session, [AWAY], pcode="TH2706", national=True)
    assert set(coverage_ids(session, people["planner"])) == {home.id}
    assert set(coverage_ids(session, people["away"])) == {away.id}


def test_concurrent_incident_found_at_one_stop_stores_one_incident(engine):
    """Four recorders send "incident found" for the same stop at once, each with its own client
    key (committed, on their own connections): the stop's row lock lets one store the incident;
    the others get it back. The rows are removed at the end."""
    from sqlalchemy import delete

    from gis.models import AccountChange, HotspotRun, PatrolPlan, User
    from tests.dbtools import run_at_once

    suffix = uuid.uuid4().hex[:8]
    with Session(engine) as session:
        planner = make_user(session, Role.PATROL_PLANNER, f"conc-planner-{suffix}")
        recorders = [
            make_user(session, Role.OFFICER, f"conc-officer-{i}-{suffix}") for i in range(4)
        ]
        (spot,) = make_run(session, [HOME])
        plan = plan_of(session, planner, [spot])
        ids = {
            "plan": plan.id,
            "run": spot.run_id,
            "users": [planner.id] + [u.id for u in recorders],
        }
        session.commit()

    def record(ready) -> tuple[int, bool]:
        index = record.counter.pop()
        with Session(engine) as session:
            me = session.get_one(User, ids["users"][index + 1])
            ready()
            body = {
                "outcome": "incident_found",
                "incident": {"category": "smuggling", "idempotency_key": str(uuid.uuid4())},
            }
            done = record_outcome(session, ids["plan"], 1, body, me, NOW, key_secret=SECRET)
            session.commit()
            return done.incident.id, done.incident_created

    record.counter = [0, 1, 2, 3]  # type: ignore[attr-defined]
    try:
        results = run_at_once(4, record)
        assert sum(created for _, created in results) == 1
        assert len({incident_id for incident_id, _ in results}) == 1
    finally:
        with Session(engine) as session, session.begin():
            found = list(
                session.execute(
                    select(Incident.id).where(Incident.reporter_id.in_(ids["users"]))
                ).scalars()
            )
            session.execute(delete(PatrolPlan).where(PatrolPlan.id == ids["plan"]))
            session.execute(delete(HotspotRun).where(HotspotRun.id == ids["run"]))
            session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id.in_(found)))
            session.execute(delete(Incident).where(Incident.id.in_(found)))
            session.execute(delete(AccountChange).where(AccountChange.user_id.in_(ids["users"])))
            session.execute(delete(User).where(User.id.in_(ids["users"])))


# ------------------------------------------------------------------------ keys of found incidents


def _public_report(session, key: uuid.UUID) -> Incident:
    """A public report filed with ``key`` (as anyone may, with a key of their choice)."""
    incident, created = create_incident(
        session,
        IncidentInput(
            lon=HOME[0] + 0.01,
            lat=HOME[1],
            category=IncidentCategory.OTHER,
            occurred_at=NOW - dt.timedelta(hours=1),
            channel=Channel.ONLINE_PUBLIC,
            idempotency_key=key,
        ),
    )
    assert created
    return incident


def test_a_stops_key_is_keyed_with_the_servers_secret():
    """Stop ids are sequential: the key of a stop's incident must not follow from its id."""
    assert stop_key(SECRET, 7) == stop_key(SECRET, 7)
    assert stop_key(SECRET, 7) != stop_key(SECRET, 8)
    assert stop_key(SECRET, 7) != stop_key(b"another secret", 7)
    namespace = uuid.UUID("6f7b1c52-57d4-4d8e-9a35-6a1f3f0c2b10")  # the old, public derivation
    assert stop_key(SECRET, 7) != uuid.uuid5(namespace, "patrol-stop:7")


def test_a_key_spent_in_advance_does_not_block_the_patrols_record(session, people):
    """Someone files public reports under every key the stop's incident could get (the old
    derivation from the stop id, the keyed one, the key the client sends): the patrol's record
    still stores its own incident, and the reports filed first are left as they are."""
    plan = plan_of(session, people["planner"], make_run(session, [HOME]))
    stop_id = session.execute(
        select(PatrolStop.id).where(PatrolStop.plan_id == plan.id, PatrolStop.seq == 1)
    ).scalar_one()
    client_key = uuid.uuid4()
    namespace = uuid.UUID("6f7b1c52-57d4-4d8e-9a35-6a1f3f0c2b10")
    spent = [
        _public_report(session, key)
        for key in (
            uuid.uuid5(namespace, f"patrol-stop:{stop_id}"),
            stop_key(SECRET, stop_id),
            client_key,
        )
    ]
    body = {
        "outcome": "incident_found",
        "incident": {"category": "smuggling", "idempotency_key": str(client_key)},
    }
    found = record_outcome(session, plan.id, 1, body, people["officer"], NOW, key_secret=SECRET)
    assert found.incident_created and found.incident is not None
    assert found.incident.id not in {s.id for s in spent}
    assert found.incident.channel == Channel.PATROL
    assert found.incident.reporter_id == people["officer"].id
    assert found.stop.incident_id == found.incident.id
    assert found.incident.idempotency_key not in {s.idempotency_key for s in spent}
    for report in spent:
        session.refresh(report)
        assert report.channel == Channel.ONLINE_PUBLIC and report.reporter_id is None
    # sent again (a retry of the same outcome): the linked incident, nothing new
    again = record_outcome(session, plan.id, 1, body, people["officer"], NOW, key_secret=SECRET)
    assert not again.incident_created and again.incident.id == found.incident.id
