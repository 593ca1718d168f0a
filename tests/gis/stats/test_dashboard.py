"""The dashboard's numbers equal independent counts of the same rows, its response times those
of a hand-made history, and each role counts only its scope."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from geoalchemy2.elements import WKTElement
from sqlalchemy import func, select

from gis.errors import InvalidInput
from gis.models import District, IncidentEvent, PatrolPlan, PatrolStop
from gis.parsing import THAI_TIME
from gis.stats.dashboard import dashboard_json, dashboard_numbers
from gis.stats.params import StatsPeriod, parse_filter, period_window
from gis.types import Role
from tests.factories import make_incident, make_user
from tests.patrol_data import HOME, make_run

pytestmark = pytest.mark.db

#: A day in a month no other test writes to: March 2019 (Thai time); February is the previous.
DAY = dt.date(2019, 3, 15)
NOW = dt.datetime(2019, 3, 20, 12, 0, tzinfo=THAI_TIME)


def at(day: int, hour: int = 10, month: int = 3) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, 0, tzinfo=THAI_TIME)


def incident(session, district: str, when: dt.datetime, **values):
    values.setdefault("reported_at", when)
    return make_incident(session, district_name=district, occurred_at=when, **values)


@pytest.fixture
def world(session):
    """Reports of March 2019 and February 2019 in three districts of two provinces, and a few
    just outside the month (the last minute of February, the first of April, Thai time)."""
    rows = [
        ("Chiang Khong", at(1, 0), "smuggling", "officer_app", "new"),
        ("Chiang Khong", at(2), "smuggling", "online_public", "verified"),
        ("Chiang Khong", at(3), "drug_trafficking", "online_public", "rejected"),
        ("Chiang Khong", at(31, 23), "drug_trafficking", "patrol", "closed"),
        ("Chiang Saen", at(10), "illegal_entry", "officer_app", "referred"),
        ("Chiang Saen", at(11), "smuggling", "online_public", "new"),
        ("Aranyaprathet", at(12), "smuggling", "hotline", "verified"),
        ("Aranyaprathet", at(12), "online_fraud", "online_public", "duplicate"),
        ("Chiang Khong", at(5, month=2), "smuggling", "officer_app", "closed"),
        ("Chiang Saen", at(28, 23, month=2), "smuggling", "officer_app", "new"),
        ("Aranyaprathet", at(1, 0, month=4), "other", "hotline", "new"),
    ]  # fmt: skip
    made = []
    for district, when, category, channel, status in rows:
        made.append(
            incident(session, district, when, category=category, channel=channel, status=status)
        )
    return made


def board(session, user, **args):
    f = parse_filter(session, user, {"day": DAY.isoformat(), **args}, NOW.date())
    return dashboard_json(dashboard_numbers(session, user, f, NOW))


def in_month(rows, month: int):
    window = period_window(StatsPeriod.MONTH, dt.date(2019, month, 1))
    start, end = window.start, window.end
    return [r for r in rows if start <= r.occurred_at < end]


def test_month_counts_equal_independent_counts_of_the_rows(session, world):
    hq = make_user(session, Role.HQ_ANALYST)
    numbers = board(session, hq)
    march, february = in_month(world, 3), in_month(world, 2)
    assert numbers["total"] == {"count": 8, "previous": 2, "change": 3.0}
    assert len(march) == 8 and len(february) == 2
    by_category = {c["code"]: (c["count"], c["previous"]) for c in numbers["by_category"]}
    now_c, before_c = Counter(r.category for r in march), Counter(r.category for r in february)
    assert by_category == {k: (now_c[k], before_c[k]) for k in set(now_c) | set(before_c)}
    by_status = {c["code"]: c["count"] for c in numbers["by_status"] if c["count"]}
    assert by_status == dict(Counter(r.status for r in march))
    ids = {d["pcode"]: d for d in numbers["districts"]}
    targets = session.scalar(select(func.count()).where(District.target))
    assert len(ids) == targets  # every target district, zero where nothing happened
    per = Counter(r.district_id for r in march)
    for d in numbers["districts"]:
        assert d["count"] == per.get(d["id"], 0)
    assert sum(d["previous"] for d in numbers["districts"]) == 2


def test_series_has_twelve_steps_ending_with_the_period(session, world):
    hq = make_user(session, Role.HQ_ANALYST)
    steps = board(session, hq)["series"]
    assert len(steps) == 12
    assert (steps[-1]["start"], steps[-1]["end"]) == ("2019-03-01", "2019-04-01")
    assert steps[0]["start"] == "2018-04-01"
    assert [s["total"] for s in steps[-3:]] == [0, 2, 8]
    weeks = board(session, hq, period="week")["series"]
    assert weeks[-1]["start"] == "2019-03-11"  # the Monday of 15 March 2019
    monday = dt.datetime(2019, 3, 11, tzinfo=THAI_TIME)
    week = [r for r in world if monday <= r.occurred_at < monday + dt.timedelta(days=7)]
    assert weeks[-1]["total"] == len(week) == 3


def test_public_reports_and_the_share_verified(session, world):
    hq = make_user(session, Role.HQ_ANALYST)
    channels = {c["public"]: c for c in board(session, hq)["channels"]}
    march = in_month(world, 3)
    public = [r for r in march if r.channel == "online_public"]
    accepted = {"verified", "referred", "closed"}
    assert channels[True]["total"] == len(public) == 4
    assert channels[True]["verified"] == sum(r.status in accepted for r in public) == 1
    assert channels[True]["share_verified"] == 0.25
    assert channels[False]["total"] == 4
    assert channels[False]["verified"] == 3


def test_filters_by_category_channel_and_province(session, world):
    hq = make_user(session, Role.HQ_ANALYST)
    march = in_month(world, 3)
    smuggling = [r for r in march if r.category == "smuggling"]
    assert board(session, hq, category="smuggling")["total"]["count"] == len(smuggling) == 4
    assert board(session, hq, channel="online_public")["total"]["count"] == 4
    chiang_rai = board(session, hq, province="TH57")
    assert chiang_rai["total"]["count"] == 6
    assert {d["province"] for d in chiang_rai["districts"]} == {"Chiang Rai"}


def test_a_coordinator_counts_only_the_district(session, world):
    coordinator = make_user(session, Role.COORDINATOR)  # Chiang Khong
    numbers = board(session, coordinator)
    assert numbers["total"]["count"] == 4
    assert [d["name"] for d in numbers["districts"]] == ["Chiang Khong"]
    with pytest.raises(InvalidInput) as refused:
        board(session, coordinator, district="Aranyaprathet")
    assert refused.value.field == "district"
    with pytest.raises(InvalidInput) as refused:
        board(session, coordinator, province="TH27")
    assert refused.value.field == "province"


def test_a_planner_of_a_province_counts_its_districts(session, world):
    planner = make_user(session, Role.PATROL_PLANNER)  # Chiang Rai
    numbers = board(session, planner)
    assert numbers["total"]["count"] == 6
    assert all(d["province"] == "Chiang Rai" for d in numbers["districts"])
    assert board(session, planner, district="Chiang Saen")["total"]["count"] == 2


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"period": "year"}, "period"),
        ({"day": "2019-02-30"}, "day"),
        ({"day": "1900-01-01"}, "day"),
        ({"category": "spying"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"district": "Atlantis"}, "district"),
        ({"province": "TH99"}, "province"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_filters_are_refused_naming_the_field(session, args, field):
    hq = make_user(session, Role.HQ_ANALYST)
    with pytest.raises(InvalidInput) as refused:
        parse_filter(session, hq, args, DAY)
    assert refused.value.field == field


def event(session, row, hours: float, action: str, to_status: str | None = None):
    session.add(
        IncidentEvent(
            incident_id=row.id,
            action=action,
            to_status=to_status,
            at=row.reported_at + dt.timedelta(hours=hours),
        )
    )
    session.flush()


def test_response_times_against_a_hand_made_history(session):
    rows = [incident(session, "Chiang Khong", at(day)) for day in (4, 5, 6)]
    slow = incident(session, "Chiang Saen", at(7))
    for row in [*rows, slow]:
        event(session, row, 0, "created", "new")
    event(session, rows[0], 1, "edited")  # not a triage action
    event(session, rows[0], 2, "verify", "verified")
    event(session, rows[0], 10, "close", "closed")
    event(session, rows[1], 5, "reject", "rejected")
    event(session, slow, 30, "refer", "referred")
    hq = make_user(session, Role.HQ_ANALYST)
    response = board(session, hq)["response"]
    first, second, overall = response
    assert first["name"] == "Chiang Saen"  # slowest to act first
    assert (first["reports"], first["acted"], first["act_median_h"]) == (1, 1, 30.0)
    assert first["closed"] == 0 and first["close_median_h"] is None
    assert second["name"] == "Chiang Khong"
    assert (second["reports"], second["acted"], second["closed"]) == (3, 2, 2)
    assert second["act_median_h"] == pytest.approx(3.5)  # of 2 h and 5 h
    assert second["act_p90_h"] == pytest.approx(4.7)
    assert second["close_median_h"] == pytest.approx(7.5)  # of 10 h and 5 h
    assert second["close_p90_h"] == pytest.approx(9.5)
    assert overall["district_id"] is None
    assert (overall["reports"], overall["acted"]) == (4, 3)
    assert overall["act_median_h"] == pytest.approx(5.0)  # of 2, 5 and 30 h


def test_backlog_by_age(session):
    ages = [2, 23.9, 24, 30, 47.9, 48, 100]
    for hours in ages:
        when = NOW - dt.timedelta(hours=hours)
        incident(session, "Chiang Khong", when, status="new")
    incident(session, "Chiang Khong", NOW - dt.timedelta(hours=90), status="verified")
    incident(session, "Chiang Saen", NOW - dt.timedelta(hours=60), status="new")
    hq = make_user(session, Role.HQ_ANALYST)
    backlog = board(session, hq)["backlog"]
    overall = backlog[-1]
    assert (overall["under_24h"], overall["one_to_two_days"], overall["over_2_days"]) == (2, 3, 3)
    assert overall["total"] == 8
    coordinator = make_user(session, Role.COORDINATOR)
    mine = board(session, coordinator)["backlog"][-1]
    assert (mine["under_24h"], mine["one_to_two_days"], mine["over_2_days"]) == (2, 3, 2)


def test_patrol_effort(session):
    home = session.execute(select(District).where(District.pcode == "TH5703")).scalar_one()
    hotspots = make_run(session, [HOME, (HOME[0] + 0.05, HOME[1])])
    plan = PatrolPlan(
        district_id=home.id,
        unit="police",
        planned_for=dt.date(2019, 3, 9),
        start=WKTElement(f"POINT({HOME[0]} {HOME[1]})", srid=4326),
    )
    other = PatrolPlan(
        district_id=home.id,
        unit="police",
        planned_for=dt.date(2019, 4, 1),
        start=WKTElement(f"POINT({HOME[0]} {HOME[1]})", srid=4326),
    )
    session.add_all([plan, other])
    session.flush()
    now = dt.datetime.now(dt.UTC)
    outcomes = [("visited", hotspots[0].id), ("incident_found", None), (None, None)]
    for seq, (outcome, hotspot_id) in enumerate(outcomes, start=1):
        session.add(
            PatrolStop(
                plan_id=plan.id,
                seq=seq,
                hotspot_id=hotspot_id,
                outcome=outcome,
                outcome_at=now if outcome else None,
                geom=WKTElement(f"POINT({HOME[0] + seq} {HOME[1]})", srid=4326),
            )
        )
    session.add(PatrolStop(plan_id=other.id, seq=1, outcome="visited", outcome_at=now,
                           geom=WKTElement("POINT(100 20)", srid=4326)))  # fmt: skip
    session.flush()
    coordinator = make_user(session, Role.COORDINATOR)
    f = parse_filter(session, coordinator, {"day": DAY.isoformat()}, DAY)
    effort = dashboard_json(dashboard_numbers(session, coordinator, f, now))["effort"]
    assert effort == {
        "plans": 1,
        "stops": 3,
        "stops_visited": 2,
        "incidents_found": 1,
        "not_patrolled": 1,  # the second hotspot; the first was visited today
        "not_patrolled_days": 14,
    }
