"""Reports for a period: per district, per province, and the national roll-up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.agreements import add_action, parse_action
from gis.cooperation.budget import add_spending, create_allocation, parse_allocation, parse_spending
from gis.cooperation.reports import (
    check_period,
    find_place,
    met_share,
    national_rollup,
    place_report,
)
from gis.errors import InvalidInput
from gis.types import ActionStatus, ActivityKind, CooperationTopic, ParticipantGroup, Role, Side
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body, pair_ids

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 12, 7)
SINCE, UNTIL = dt.date(2026, 10, 1), dt.date(2026, 11, 30)


def _world(session):
    """Chiang Khong: two activities in the period, one before it; Chiang Saen: one; Aranyaprathet:
    none. An allocation and spending for Chiang Khong."""
    khong = make_user(session, Role.COORDINATOR, "coord-khong")
    saen = make_user(session, Role.COORDINATOR, "coord-saen", district="TH5708")
    meeting = activity_body(session, starts_on="2026-11-10", ends_on="2026-11-11")
    sports = activity_body(
        session,
        kind="sports",
        starts_on="2026-09-29",
        ends_on="2026-10-02",  # overlaps the period's first day
        topics=["health_care"],
        participants=[{"side": "LAO", "group": "youth", "total": 40, "women": 22}],
    )
    before = activity_body(session, starts_on="2026-06-01", ends_on="2026-06-01")
    made = [create_activity(session, parse_activity(b), khong) for b in (meeting, sports, before)]
    add_action(
        session,
        made[0].id,
        parse_action({"text": "ลาดตระเวนร่วม", "owner_side": "LAO", "due_on": "2026-11-30"}),
        khong,
    )
    add_action(
        session,
        made[0].id,
        parse_action({"text": "ประชุมครั้งหน้า", "owner_side": "THA", "status": "done"}),
        khong,
    )
    other = activity_body(
        session,
        starts_on="2026-11-01",
        ends_on="2026-11-01",
        lon=100.09,
        lat=20.27,
        parallel_areas=pair_ids(session, "TH5708")[:1],
        participants=[{"side": "THA", "group": "officials", "total": 5, "women": 5}],
    )
    create_activity(session, parse_activity(other), saen)
    admin = make_user(session, Role.ADMINISTRATOR)
    allocation = create_allocation(
        session,
        parse_allocation(
            {"district": "TH5703", "fiscal_year": 2570, "amount": "80000", "source": "MRCF"}
        ),
        admin,
    )
    for day, amount in (("2026-10-05", "1000.25"), ("2026-12-01", "50")):  # the second after
        add_spending(
            session,
            parse_spending(
                {
                    "allocation_id": allocation.id,
                    "spent_on": day,
                    "item": "ค่าอาหาร",
                    "amount": amount,
                }
            ),
            khong,
        )
    return khong


def test_a_district_report_counts_its_period(session):
    khong = _world(session)
    place = find_place(session, khong, None, None)
    report = place_report(session, khong, place, SINCE, UNTIL, TODAY)
    assert [a.kind for a in report.activities] == [ActivityKind.SPORTS, ActivityKind.MWCC_MEETING]
    assert report.by_kind == {ActivityKind.SPORTS: 1, ActivityKind.MWCC_MEETING: 1}
    assert report.participants[(Side.LAO, ParticipantGroup.YOUTH)] == (40, 22)
    assert report.participants[(Side.THA, ParticipantGroup.OFFICIALS)] == (12, 4)
    assert report.total_participants == (40 + 12 + 8, 22 + 4 + 2)
    assert report.topics == {
        CooperationTopic.DRUG_TRAFFICKING: 1,
        CooperationTopic.HEALTH_CARE: 2,
    }
    assert report.by_status == {ActionStatus.OPEN: 1, ActionStatus.DONE: 1}
    assert report.overdue == 1
    assert report.spent == Decimal("1000.25")
    assert report.allocated == Decimal("80000.00")


def test_a_province_report_is_the_sum_of_its_districts(session):
    khong = _world(session)
    hq = make_user(session, Role.HQ_ANALYST)
    province = place_report(session, hq, find_place(session, hq, None, "TH57"), SINCE, UNTIL, TODAY)
    districts = [
        place_report(session, hq, find_place(session, hq, pcode, None), SINCE, UNTIL, TODAY)
        for pcode in ("TH5703", "TH5704", "TH5708", "TH5713")
    ]
    assert len(province.activities) == sum(len(d.activities) for d in districts) == 3
    assert province.total_participants == tuple(
        sum(d.total_participants[i] for d in districts) for i in (0, 1)
    )
    assert province.spent == sum(d.spent for d in districts)
    # a coordinator's province report keeps to its own district
    mine = place_report(
        session, khong, find_place(session, khong, None, "TH57"), SINCE, UNTIL, TODAY
    )
    assert len(mine.activities) == 2


@pytest.mark.parametrize(
    ("district", "province", "field"),
    [("TH2706", None, "district"), (None, "TH27", "province"), ("TH5703", "TH57", "province")],
)
def test_a_place_outside_the_scope_is_refused_by_name(session, district, province, field):
    khong = make_user(session, Role.COORDINATOR)
    with pytest.raises(InvalidInput) as caught:
        find_place(session, khong, district, province)
    assert caught.value.field == field


def test_the_period_is_checked():
    assert check_period(None, None, TODAY) == (dt.date(2025, 12, 8), TODAY)
    with pytest.raises(InvalidInput) as caught:
        check_period(dt.date(2026, 2, 1), dt.date(2026, 1, 1), TODAY)
    assert caught.value.field == "from"
    with pytest.raises(InvalidInput) as caught:
        check_period(dt.date(2020, 1, 1), dt.date(2026, 1, 1), TODAY)
    assert caught.value.field == "to"


def test_the_national_rollup_says_which_districts_met_their_counterparts(session):
    _world(session)
    hq = make_user(session, Role.HQ_ANALYST)
    rows = national_rollup(session, hq, SINCE, UNTIL, TODAY)
    assert len(rows) == 43
    by_pcode = {r.pcode: r for r in rows}
    assert by_pcode["TH5703"].activities == 2 and by_pcode["TH5703"].mwcc_meetings == 1
    assert by_pcode["TH5703"].met and by_pcode["TH5708"].met
    assert not by_pcode["TH2706"].met and by_pcode["TH2706"].activities == 0
    assert by_pcode["TH5703"].open_actions == 1 and by_pcode["TH5703"].overdue_actions == 1
    assert by_pcode["TH5703"].spent == Decimal("1000.25")
    assert by_pcode["TH5703"].last_activity == dt.date(2026, 11, 10)
    assert met_share(rows) == (2, 43)
    planner = make_user(session, Role.PATROL_PLANNER)  # Chiang Rai
    assert {r.pcode for r in national_rollup(session, planner, SINCE, UNTIL, TODAY)} == {
        "TH5703",
        "TH5704",
        "TH5708",
        "TH5713",
    }
