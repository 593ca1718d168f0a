"""Budget: amounts in baht with two decimals, allocations inside their fiscal year, no overspend
without a reason, and sums that equal the lines at every level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.audit import changes_of
from gis.cooperation.budget import (
    add_spending,
    budget_summary,
    create_allocation,
    parse_allocation,
    parse_amount,
    parse_spending,
)
from gis.errors import Forbidden, InvalidInput
from gis.models import BudgetAllocation, CooperationChange, District, SpendingLine
from gis.types import CooperationRecord, Role
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body

pytestmark = pytest.mark.db


@pytest.mark.parametrize(
    ("value", "amount"),
    [(80000, "80000.00"), ("80000", "80000.00"), ("1,250.5", "1250.50"), (0.1, "0.10")],
)
def test_an_amount_is_baht_with_two_decimals(value, amount):
    assert parse_amount(value, "amount") == Decimal(amount)


@pytest.mark.parametrize(
    "value", [0, -5, "1.005", "NaN", float("inf"), True, None, "abc", "10000000000", [1]]
)
def test_a_bad_amount_is_refused_by_name(value):
    with pytest.raises(InvalidInput) as caught:
        parse_amount(value, "amount")
    assert caught.value.field == "amount"


def test_an_allocation_defaults_to_its_whole_fiscal_year():
    data = parse_allocation(
        {"district": "TH5703", "fiscal_year": 2569, "amount": 80000, "source": "MRCF"}
    )
    assert (data.starts_on, data.ends_on) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"fiscal_year": 2026}, "fiscal_year"),
        ({"starts_on": "2025-09-30"}, "starts_on"),
        ({"ends_on": "2026-10-01"}, "ends_on"),
        ({"starts_on": "2026-09-15", "ends_on": "2026-06-15"}, "ends_on"),
        ({"source": ""}, "source"),
        ({"amount": "12.345"}, "amount"),
    ],
)
def test_a_bad_allocation_is_refused_by_name(overrides, field):
    body = {
        "district": "TH5703",
        "fiscal_year": 2569,
        "amount": 80000,
        "source": "MRCF",
        **overrides,
    }
    with pytest.raises(InvalidInput) as caught:
        parse_allocation(body)
    assert caught.value.field == field


def _allocate(session, admin, pcode, amount, **period):
    body = {
        "district": pcode,
        "fiscal_year": 2569,
        "amount": amount,
        "source": "กองทุนแม่โขง-เกาหลี ผ่าน ปค.",
        **period,
    }
    return create_allocation(session, parse_allocation(body), admin)


def _spend(session, user, allocation, amount, **extra):
    body = {
        "allocation_id": allocation.id,
        "spent_on": "2026-07-01",
        "item": "ค่าอาหาร",
        "amount": amount,
        **extra,
    }
    return add_spending(session, parse_spending(body), user)


def test_only_administrators_allocate_and_only_the_districts_coordinator_spends(session):
    admin = make_user(session, Role.ADMINISTRATOR)
    for role in (Role.COORDINATOR, Role.HQ_ANALYST):
        with pytest.raises(Forbidden):
            _allocate(session, make_user(session, role, f"no-{role.value}"), "TH5703", 1000)
    allocation = _allocate(
        session, admin, "TH5703", 80000, starts_on="2026-06-15", ends_on="2026-09-15"
    )
    for role in (Role.OFFICER, Role.HQ_ANALYST):
        with pytest.raises(Forbidden):
            _spend(session, make_user(session, role, f"nospend-{role.value}"), allocation, 10)
    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    with pytest.raises(InvalidInput) as caught:
        _spend(session, away, allocation, 10)
    assert caught.value.field == "allocation_id"
    coordinator = make_user(session, Role.COORDINATOR)
    with pytest.raises(InvalidInput) as caught:
        _spend(session, coordinator, allocation, 10, spent_on="2026-06-14")
    assert caught.value.field == "spent_on"
    line = _spend(session, coordinator, allocation, "2500.50")
    (change,) = changes_of(session, CooperationRecord.SPENDING, line.id)
    assert change.new_value["amount"] == "2500.50" and change.by_id == coordinator.id
    assert changes_of(session, CooperationRecord.ALLOCATION, allocation.id)[0].action == "created"


def test_no_overspend_without_a_stated_reason(session):
    admin = make_user(session, Role.ADMINISTRATOR)
    coordinator = make_user(session, Role.COORDINATOR)
    allocation = _allocate(session, admin, "TH5703", "1000.00")
    _spend(session, coordinator, allocation, "999.99")
    before = session.execute(select(func.count()).select_from(CooperationChange)).scalar_one()
    with pytest.raises(InvalidInput) as caught:
        _spend(session, coordinator, allocation, "0.02")
    assert caught.value.field == "overspend_reason"
    assert (
        session.execute(select(func.count()).select_from(CooperationChange)).scalar_one() == before
    )
    line = _spend(session, coordinator, allocation, "0.02", overspend_reason="ค่าเช่าเต็นท์เพิ่ม")
    assert line.overspend_reason == "ค่าเช่าเต็นท์เพิ่ม"


def test_a_line_on_an_activity_of_another_district_is_refused(session):
    admin = make_user(session, Role.ADMINISTRATOR)
    coordinator = make_user(session, Role.COORDINATOR)
    allocation = _allocate(session, admin, "TH5703", 5000)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    assert (
        _spend(session, coordinator, allocation, 10, activity_id=activity.id).activity_id
        == activity.id
    )
    with pytest.raises(InvalidInput) as caught:
        _spend(session, coordinator, allocation, 10, activity_id=2_000_000_000)
    assert caught.value.field == "activity_id"


def test_sums_equal_the_lines_for_each_district_province_and_the_whole(session):
    admin = make_user(session, Role.ADMINISTRATOR)
    spent_by = {}
    # Chiang Khong and Chiang Saen (Chiang Rai), Aranyaprathet (Sa Kaeo)
    for pcode, amounts in (
        ("TH5703", ["100.10", "200.20"]),
        ("TH5708", ["0.01"]),
        ("TH2706", ["5000"]),
    ):
        allocation = _allocate(session, admin, pcode, 80000)
        district = session.execute(select(District).where(District.pcode == pcode)).scalar_one()
        spender = make_user(session, Role.COORDINATOR, f"coord-{pcode}", district=pcode)
        for amount in amounts:
            _spend(session, spender, allocation, amount)
        spent_by[district.id] = sum(Decimal(a) for a in amounts)
    _allocate(session, admin, "TH5703", "0.50", starts_on="2026-06-15", ends_on="2026-09-15")

    def lines(district_ids) -> Decimal:
        return session.execute(
            select(func.coalesce(func.sum(SpendingLine.amount), 0))
            .join(BudgetAllocation)
            .where(
                BudgetAllocation.fiscal_year == 2569, BudgetAllocation.district_id.in_(district_ids)
            )
        ).scalar_one()

    def allocated(district_ids) -> Decimal:
        return session.execute(
            select(func.coalesce(func.sum(BudgetAllocation.amount), 0)).where(
                BudgetAllocation.fiscal_year == 2569, BudgetAllocation.district_id.in_(district_ids)
            )
        ).scalar_one()

    rows = budget_summary(session, make_user(session, Role.HQ_ANALYST), 2569)
    targets = dict(
        session.execute(select(District.id, District.province_id).where(District.target)).all()
    )
    district_rows = [r for r in rows if r.district_id is not None]
    assert {r.district_id for r in district_rows} == set(targets)
    assert len(district_rows) == 43  # the programme table lists 43 (No. 33 is missing)
    for row in district_rows:
        assert row.spent == lines([row.district_id]) == spent_by.get(row.district_id, 0)
        assert row.allocated == allocated([row.district_id])
    for row in (r for r in rows if r.district_id is None and r.province_id is not None):
        ids = [d for d, p in targets.items() if p == row.province_id]
        assert row.spent == lines(ids) and row.allocated == allocated(ids)
    (whole,) = [r for r in rows if r.province_id is None]
    assert whole.spent == lines(list(targets)) == Decimal("5300.31")
    assert whole.allocated == allocated(list(targets)) == Decimal("240000.50")

    # a planner of Chiang Rai sums its province only
    planner_rows = budget_summary(session, make_user(session, Role.PATROL_PLANNER), 2569)
    (planner_whole,) = [r for r in planner_rows if r.province_id is None]
    assert planner_whole.spent == Decimal("300.31")
