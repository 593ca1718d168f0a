"""Patrol plans: routed stop order, route line, time window, scope and bad input."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random

import pytest
from sqlalchemy import func, select

from gis.db import METRIC_SRID
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.models import Checkpoint, CoordinationCentre, PatrolPlan, PatrolStop
from gis.patrols.plans import (
    MAX_STOPS,
    PlanRequest,
    create_plan,
    densest_window,
    get_plan,
    hotspot_profile,
    list_plans,
    parse_plan,
)
from gis.types import PatrolUnit, Role
from tests.patrol_data import AWAY, HOME, make_run
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 11, 21)


def request(ids, **kw) -> PlanRequest:
    base = {"district": "TH5703", "unit": PatrolUnit.POLICE, "planned_for": TODAY}
    return PlanRequest(**{**base, "hotspot_ids": tuple(h.id for h in ids), **kw})


def metric_points(session, plan_id: int) -> list[tuple[float, float]]:
    """The start, then the stops in plan order, in UTM 48N."""
    start = session.execute(
        select(
            func.ST_X(func.ST_Transform(PatrolPlan.start, METRIC_SRID)),
            func.ST_Y(func.ST_Transform(PatrolPlan.start, METRIC_SRID)),
        ).where(PatrolPlan.id == plan_id)
    ).one()
    stops = session.execute(
        select(
            func.ST_X(func.ST_Transform(PatrolStop.geom, METRIC_SRID)),
            func.ST_Y(func.ST_Transform(PatrolStop.geom, METRIC_SRID)),
        )
        .where(PatrolStop.plan_id == plan_id)
        .order_by(PatrolStop.seq)
    ).all()
    return [tuple(start)] + [tuple(s) for s in stops]


def closed_length(points) -> float:
    path = [*points, points[0]]
    return sum(math.dist(a, b) for a, b in itertools.pairwise(path))


def random_centres(seed: int, n: int) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    return [
        (HOME[0] + rnd.uniform(-0.08, 0.08), HOME[1] + rnd.uniform(-0.08, 0.08)) for _ in range(n)
    ]


@pytest.fixture
def planner(session):
    return make_user(session, Role.PATROL_PLANNER, "plan-test-planner")


@pytest.mark.parametrize("seed,n", [(1, 3), (2, 4), (3, 5), (4, 6), (5, 7), (6, 7), (7, 6), (8, 7)])
def test_stop_order_of_small_plans_is_optimal(session, planner, seed, n):
    hotspots = make_run(session, random_centres(seed, n))
    plan = create_plan(session, request(hotspots), planner).plan
    points = metric_points(session, plan.id)
    start, stops = points[0], points[1:]
    best = min(closed_length([start, *p]) for p in itertools.permutations(stops))
    assert closed_length(points) == pytest.approx(best, rel=1e-9)
    seen = session.execute(
        select(PatrolStop.hotspot_id).where(PatrolStop.plan_id == plan.id)
    ).scalars()
    assert sorted(seen) == sorted(h.id for h in hotspots)


def test_route_starts_and_ends_at_the_start_through_every_stop(session, planner):
    hotspots = make_run(session, random_centres(11, 5))
    plan = create_plan(session, request(hotspots), planner).plan
    row = session.execute(
        select(
            func.ST_Equals(func.ST_StartPoint(PatrolPlan.route), PatrolPlan.start),
            func.ST_Equals(func.ST_EndPoint(PatrolPlan.route), PatrolPlan.start),
            func.ST_NPoints(PatrolPlan.route),
            func.ST_Length(func.Geography(PatrolPlan.route)),
            PatrolPlan.length_m,
        ).where(PatrolPlan.id == plan.id)
    ).one()
    assert row[0] and row[1]
    assert row[2] == 5 + 2
    assert plan.length_m == pytest.approx(row[3], rel=1e-9)  # geodesic metres
    utm = closed_length(metric_points(session, plan.id))
    assert plan.length_m == pytest.approx(utm, rel=0.01)  # UTM 48N within 1 % of geodesic
    centre = session.execute(
        select(func.ST_Equals(CoordinationCentre.geom, PatrolPlan.start))
        .join(PatrolPlan, PatrolPlan.district_id == CoordinationCentre.district_id)
        .where(PatrolPlan.id == plan.id)
    ).scalar_one()
    assert centre  # no checkpoint given: the district's MWCC


def test_a_checkpoint_start(session, planner):
    hotspots = make_run(session, random_centres(12, 3))
    checkpoint = (
        session.execute(
            select(Checkpoint).where(Checkpoint.district_id == planner_district(session))
        )
        .scalars()
        .first()
    )
    assert checkpoint is not None
    plan = create_plan(session, request(hotspots, start_checkpoint_id=checkpoint.id), planner).plan
    same = session.execute(
        select(func.ST_Equals(PatrolPlan.start, Checkpoint.geom))
        .join(Checkpoint, Checkpoint.id == PatrolPlan.start_checkpoint_id)
        .where(PatrolPlan.id == plan.id)
    ).scalar_one()
    assert same and plan.start_checkpoint_id == checkpoint.id


def planner_district(session) -> int:
    from tests.patrol_data import district_id

    return district_id(session, "TH5703")


def test_time_window_is_the_densest_four_hours_of_the_hotspots_incidents(session, planner):
    hotspots = make_run(session, [HOME, (HOME[0] + 0.02, HOME[1])], hours=[[22, 23, 1], [0, 12]])
    made = create_plan(session, request(hotspots), planner)
    assert (made.plan.window_start, made.plan.window_end) == (dt.time(22), dt.time(2))
    assert made.window_incidents == 4


def test_no_incident_times_no_window(session, planner):
    made = create_plan(session, request(make_run(session, [HOME])), planner)
    assert made.plan.window_start is None and made.plan.window_end is None


@pytest.mark.parametrize(
    "counts,width,want",
    [
        ([0] * 24, 4, None),
        ([1] + [0] * 23, 4, (0, 1)),  # earliest among equals
        ([0] * 20 + [1, 1, 1, 1], 4, (20, 4)),
        ([2] + [0] * 21 + [3, 3], 4, (21, 8)),  # wraps around midnight
        ([0] * 10 + [5] + [0] * 13, 1, (10, 5)),
    ],
)
def test_densest_window(counts, width, want):
    assert densest_window(counts, width) == want


def test_profile_by_hour_and_weekday(session, planner):
    hotspots = make_run(session, [HOME], hours=[[6, 6, 7, 20]])
    profile = hotspot_profile(session, [hotspots[0].id], planner, 2)
    assert profile["hours"][6] == 2 and profile["hours"][7] == 1 and profile["hours"][20] == 1
    assert sum(profile["weekdays"]) == 4 and profile["total"] == 4
    assert profile["window"] == {"start": "06:00", "end": "08:00", "hours": 2, "incidents": 3}


def test_top_n_of_the_district_from_the_latest_run(session, planner):
    old = make_run(
        session, random_centres(20, 3), finished_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    latest = make_run(session, random_centres(21, 4))
    plan = create_plan(session, request([], top=2, hotspot_ids=()), planner).plan
    used = set(
        session.execute(
            select(PatrolStop.hotspot_id).where(PatrolStop.plan_id == plan.id)
        ).scalars()
    )
    assert used == {latest[0].id, latest[1].id}
    assert not used & {h.id for h in old}


# --------------------------------------------------------------------------- scope


def plan_count(session) -> int:
    return session.execute(select(func.count()).select_from(PatrolPlan)).scalar_one()


def test_district_outside_scope_is_forbidden_and_nothing_is_stored(session, planner):
    hotspots = make_run(session, [HOME])
    before = plan_count(session)
    with pytest.raises(Forbidden) as err:
        create_plan(session, request(hotspots, district="TH2706"), planner)
    assert err.value.field == "district"
    assert plan_count(session) == before


def test_hotspot_outside_scope_is_forbidden(session, planner):
    away = make_run(session, [AWAY], pcode="TH2706")
    with pytest.raises(Forbidden) as err:
        create_plan(session, request(away), planner)
    assert err.value.field == "hotspot_ids"


def test_start_outside_scope_is_forbidden(session, planner):
    hotspots = make_run(session, [HOME])
    away_cp = (
        session.execute(
            select(Checkpoint.id)
            .where(Checkpoint.district_id != planner_district(session))
            .where(Checkpoint.district_id.is_not(None))
        )
        .scalars()
        .first()
    )
    coordinator = make_user(session, Role.COORDINATOR, "plan-test-coord")
    with pytest.raises(Forbidden) as err:
        create_plan(session, request(hotspots, start_checkpoint_id=away_cp), coordinator)
    assert err.value.field == "start_checkpoint_id"


def test_unknown_hotspot_and_checkpoint_name_their_field(session, planner):
    hotspots = make_run(session, [HOME])
    with pytest.raises(InvalidInput) as err:
        create_plan(session, request(hotspots, hotspot_ids=(hotspots[0].id, 999_999_999)), planner)
    assert err.value.field == "hotspot_ids"
    with pytest.raises(InvalidInput) as err:
        create_plan(session, request(hotspots, start_checkpoint_id=999_999_999), planner)
    assert err.value.field == "start_checkpoint_id"


def test_plans_are_seen_only_within_scope(session, planner):
    hq = make_user(session, Role.HQ_ANALYST, "plan-test-hq")
    away_officer = make_user(session, Role.OFFICER, "plan-test-away", district="TH2706")
    home_officer = make_user(session, Role.OFFICER, "plan-test-home")
    home = create_plan(session, request(make_run(session, [HOME])), planner).plan
    away = create_plan(
        session, request(make_run(session, [AWAY], pcode="TH2706"), district="TH2706"), hq
    ).plan
    assert get_plan(session, home.id, home_officer).id == home.id
    with pytest.raises(NotFound):
        get_plan(session, away.id, planner)
    with pytest.raises(NotFound):
        get_plan(session, home.id, away_officer)
    assert {p["id"] for p in list_plans(session, planner)} >= {home.id}
    assert away.id not in {p["id"] for p in list_plans(session, planner)}
    assert {p["id"] for p in list_plans(session, hq, district="TH2706")} == {away.id}
    with pytest.raises(Forbidden):
        list_plans(session, planner, district="TH2706")


# --------------------------------------------------------------------------- parsing

GOOD = {"district": "TH5703", "unit": "police", "planned_for": "2026-11-25", "hotspot_ids": [1, 2]}


@pytest.mark.parametrize(
    "change,field",
    [
        ({"hotspot_ids": []}, "hotspot_ids"),
        ({"hotspot_ids": list(range(1, MAX_STOPS + 2))}, "hotspot_ids"),
        ({"hotspot_ids": [1, 1]}, "hotspot_ids"),
        ({"hotspot_ids": ["1"]}, "hotspot_ids"),
        ({"hotspot_ids": None}, "hotspot_ids"),  # neither ids nor top
        ({"top": 3}, "hotspot_ids"),  # both
        ({"unit": "army"}, "unit"),
        ({"unit": None}, "unit"),
        ({"planned_for": "2026-02-30"}, "planned_for"),
        ({"planned_for": "25/11/2026"}, "planned_for"),
        ({"planned_for": "2028-01-01"}, "planned_for"),
        ({"planned_for": "2026-01-01"}, "planned_for"),
        ({"district": 5703}, "district"),
        ({"start_checkpoint_id": "x"}, "start_checkpoint_id"),
        ({"window_hours": 0}, "window_hours"),
        ({"window_hours": 13}, "window_hours"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_plan_requests_name_the_field(change, field):
    payload = {**GOOD, **change}
    payload = {k: v for k, v in payload.items() if v is not None}
    with pytest.raises(InvalidInput) as err:
        parse_plan(payload, TODAY)
    assert err.value.field == field


def test_top_n_bounds():
    with pytest.raises(InvalidInput) as err:
        parse_plan({**{k: v for k, v in GOOD.items() if k != "hotspot_ids"}, "top": 26}, TODAY)
    assert err.value.field == "top"
    req = parse_plan({**{k: v for k, v in GOOD.items() if k != "hotspot_ids"}, "top": 25}, TODAY)
    assert req.top == 25 and req.hotspot_ids == ()
