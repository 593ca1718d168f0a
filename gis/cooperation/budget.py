"""Budget: allocations per district and Thai fiscal year (administrators), spending lines
against them (the district's coordinators), and spent against allocated per district, province
and nationally. A line that takes an allocation past its amount needs a stated reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.cooperation.access import (
    ALLOCATORS,
    SPENDERS,
    readable_scope,
    require_role,
    target_district,
)
from gis.cooperation.activities import get_activity
from gis.cooperation.audit import record_change
from gis.cooperation.fiscal import fiscal_year_bounds
from gis.errors import InvalidInput, NotFound
from gis.models import BudgetAllocation, District, Province, SpendingLine, User
from gis.parsing import parse_day, parse_integer, parse_text, refuse_unknown
from gis.text import N_
from gis.types import CooperationRecord

#: The largest amount a numeric(12, 2) column holds.
MAX_AMOUNT = Decimal("9999999999.99")
#: Fiscal years the register accepts (Buddhist era).
FIRST_YEAR, LAST_YEAR = 2560, 2600


def parse_amount(value: Any, field: str) -> Decimal:
    """An amount in baht: more than 0, at most two decimals, a JSON number or its text.

    Raises:
        InvalidInput: not a number, NaN or infinite, not positive, too large, or with more than
            two decimals.
    """
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidInput(N_("{field} must be an amount in baht such as 1250.50"), field=field)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidInput(
            N_("{field} must be an amount in baht such as 1250.50"), field=field
        ) from None
    if not amount.is_finite():
        raise InvalidInput(N_("{field} must be a finite number (not NaN or Infinity)"), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(N_("{field} has more than two decimals (satang)"), field=field)
    if not Decimal(0) < amount <= MAX_AMOUNT:
        raise InvalidInput(
            N_("{field} must be more than 0 and at most 9,999,999,999.99 baht"), field=field
        )
    return amount.quantize(Decimal("0.01"))


# --------------------------------------------------------------------------- allocations


@dataclass(frozen=True, slots=True)
class AllocationInput:
    district: str | None
    fiscal_year: int
    starts_on: dt.date
    ends_on: dt.date
    amount: Decimal
    source: str


def parse_allocation(body: Mapping[str, Any]) -> AllocationInput:
    """Check an allocation: the period defaults to the whole fiscal year and must lie in it.

    Raises:
        InvalidInput: naming the member that is missing or malformed.
    """
    refuse_unknown(body, ("district", "fiscal_year", "starts_on", "ends_on", "amount", "source"))
    raw_year = body.get("fiscal_year")
    if isinstance(raw_year, str) and raw_year.strip().isdigit():
        raw_year = int(raw_year)
    year = parse_integer(raw_year, "fiscal_year", FIRST_YEAR, LAST_YEAR)
    first, last = fiscal_year_bounds(year)
    starts = body.get("starts_on")
    ends = body.get("ends_on")
    starts_on = parse_day(starts, "starts_on") if starts not in (None, "") else first
    ends_on = parse_day(ends, "ends_on") if ends not in (None, "") else last
    if not first <= starts_on <= last:
        raise InvalidInput(
            N_("{field} lies outside fiscal year {year}"), field="starts_on", year=year
        )
    if not first <= ends_on <= last:
        raise InvalidInput(
            N_("{field} lies outside fiscal year {year}"), field="ends_on", year=year
        )
    if ends_on < starts_on:
        raise InvalidInput(N_("{field} lies before the first day"), field="ends_on")
    source = parse_text(body.get("source"), "source", 200)
    if source is None:
        raise InvalidInput(N_("{field} is required"), field="source")
    district = body.get("district")
    if district is not None and not isinstance(district, str):
        raise InvalidInput(N_("{field} must be a string"), field="district")
    return AllocationInput(
        district=district or None,
        fiscal_year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        amount=parse_amount(body.get("amount"), "amount"),
        source=source.strip(),
    )


def _allocation_snapshot(row: BudgetAllocation) -> dict[str, Any]:
    return {
        "district_id": row.district_id,
        "fiscal_year": row.fiscal_year,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
        "amount": row.amount,
        "source": row.source,
    }


def create_allocation(session: Session, data: AllocationInput, viewer: User) -> BudgetAllocation:
    """Store an allocation (administrators), audited.

    Raises:
        Forbidden: the role does not make allocations.
        InvalidInput: the district is missing, unknown or not a target district.
    """
    require_role(viewer, ALLOCATORS)
    district = target_district(session, data.district, viewer)
    return store_allocation(session, data, district.id, viewer)


def store_allocation(
    session: Session, data: AllocationInput, district_id: int, by: User | None
) -> BudgetAllocation:
    """Store a checked allocation with its record of change (``by``: ``None`` for the demo
    loader). Callers check the role and the district first (:func:`create_allocation`)."""
    row = BudgetAllocation(
        district_id=district_id,
        fiscal_year=data.fiscal_year,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        amount=data.amount,
        source=data.source,
        created_by_id=by.id if by else None,
    )
    session.add(row)
    session.flush()
    record_change(
        session,
        by=by,
        district_id=district_id,
        record=CooperationRecord.ALLOCATION,
        record_id=row.id,
        action="created",
        new=_allocation_snapshot(row),
    )
    return row


def get_allocation(session: Session, allocation_id: int, viewer: User) -> BudgetAllocation:
    """An allocation of a district the viewer reads.

    Raises:
        NotFound: no such allocation in the viewer's scope.
    """
    scope = readable_scope(session, viewer)
    row = session.get(BudgetAllocation, allocation_id)
    if row is None or (scope is not None and row.district_id not in scope):
        raise NotFound(N_("no such allocation"), field="id")
    return row


# --------------------------------------------------------------------------- spending


@dataclass(frozen=True, slots=True)
class SpendingInput:
    allocation_id: int
    activity_id: int | None
    spent_on: dt.date
    item: str
    amount: Decimal
    overspend_reason: str | None


def parse_spending(body: Mapping[str, Any]) -> SpendingInput:
    """Check a spending line's members.

    Raises:
        InvalidInput: naming the member that is missing or malformed.
    """
    refuse_unknown(
        body, ("allocation_id", "activity_id", "spent_on", "item", "amount", "overspend_reason")
    )

    def whole(name: str) -> int | None:
        raw = body.get(name)
        if raw in (None, ""):
            return None
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw)
        return parse_integer(raw, name, 1, 2**31 - 1)

    allocation_id = whole("allocation_id")
    if allocation_id is None:
        raise InvalidInput(N_("{field} is required"), field="allocation_id")
    item = parse_text(body.get("item"), "item", 200)
    if item is None:
        raise InvalidInput(N_("{field} is required"), field="item")
    return SpendingInput(
        allocation_id=allocation_id,
        activity_id=whole("activity_id"),
        spent_on=parse_day(body.get("spent_on"), "spent_on"),
        item=item.strip(),
        amount=parse_amount(body.get("amount"), "amount"),
        overspend_reason=parse_text(body.get("overspend_reason"), "overspend_reason", 2000),
    )


def add_spending(session: Session, data: SpendingInput, viewer: User) -> SpendingLine:
    """Record a spending line of the viewer's district, audited.

    The allocation's row is locked while its lines are summed, so that two lines written at the
    same time cannot overspend unnoticed.

    Raises:
        Forbidden: the role does not record spending.
        InvalidInput: an allocation not of the viewer's district (``allocation_id``), a day
            outside its period (``spent_on``), an activity of another district
            (``activity_id``), an overspend without a reason (``overspend_reason``).
    """
    require_role(viewer, SPENDERS)
    allocation = session.execute(
        select(BudgetAllocation).where(BudgetAllocation.id == data.allocation_id).with_for_update()
    ).scalar_one_or_none()
    if allocation is None or allocation.district_id != viewer.district_id:
        raise InvalidInput(
            N_("{field}: no such allocation of your district"), field="allocation_id"
        )
    if not allocation.starts_on <= data.spent_on <= allocation.ends_on:
        raise InvalidInput(N_("{field} lies outside the allocation's period"), field="spent_on")
    if data.activity_id is not None:
        try:
            activity = get_activity(session, data.activity_id, viewer)
        except NotFound:
            activity = None
        if activity is None or activity.district_id != allocation.district_id:
            raise InvalidInput(
                N_("{field}: no such activity of your district"), field="activity_id"
            )
    spent = session.execute(
        select(func.coalesce(func.sum(SpendingLine.amount), 0)).where(
            SpendingLine.allocation_id == allocation.id
        )
    ).scalar_one()
    if spent + data.amount > allocation.amount and data.overspend_reason is None:
        raise InvalidInput(
            N_("{field} is required: this line spends more than the allocation"),
            field="overspend_reason",
        )
    return store_spending(session, allocation, data, viewer)


def store_spending(
    session: Session, allocation: BudgetAllocation, data: SpendingInput, by: User | None
) -> SpendingLine:
    """Store a checked spending line of ``allocation`` with its record of change (``by``:
    ``None`` for the demo loader). Callers check role, period, activity and overspend first
    (:func:`add_spending`)."""
    line = SpendingLine(
        allocation_id=allocation.id,
        activity_id=data.activity_id,
        spent_on=data.spent_on,
        item=data.item,
        amount=data.amount,
        overspend_reason=data.overspend_reason,
        created_by_id=by.id if by else None,
    )
    session.add(line)
    session.flush()
    record_change(
        session,
        by=by,
        district_id=allocation.district_id,
        record=CooperationRecord.SPENDING,
        record_id=line.id,
        action="created",
        new={
            "allocation_id": line.allocation_id,
            "activity_id": line.activity_id,
            "spent_on": line.spent_on,
            "item": line.item,
            "amount": line.amount,
            "overspend_reason": line.overspend_reason,
        },
    )
    return line


# --------------------------------------------------------------------------- sums


@dataclass(frozen=True, slots=True)
class BudgetRow:
    """Allocated and spent for one district, one province (``district_id`` ``None``) or the
    whole country (both ``None``)."""

    province_id: int | None
    district_id: int | None
    name: str
    name_th: str | None
    allocated: Decimal
    spent: Decimal


def budget_summary(session: Session, viewer: User, fiscal_year: int) -> list[BudgetRow]:
    """Allocated and spent in a fiscal year for every target district in the viewer's scope,
    then each province, then the whole (a roll-up in SQL).

    Raises:
        Forbidden: the role does not read the register.
    """
    scope = readable_scope(session, viewer)
    allocated = (
        select(BudgetAllocation.district_id, func.sum(BudgetAllocation.amount).label("allocated"))
        .where(BudgetAllocation.fiscal_year == fiscal_year)
        .group_by(BudgetAllocation.district_id)
        .subquery()
    )
    spent = (
        select(BudgetAllocation.district_id, func.sum(SpendingLine.amount).label("spent"))
        .join(SpendingLine, SpendingLine.allocation_id == BudgetAllocation.id)
        .where(BudgetAllocation.fiscal_year == fiscal_year)
        .group_by(BudgetAllocation.district_id)
        .subquery()
    )
    query = (
        select(
            District.province_id,
            District.id,
            func.sum(func.coalesce(allocated.c.allocated, 0)),
            func.sum(func.coalesce(spent.c.spent, 0)),
        )
        .outerjoin(allocated, allocated.c.district_id == District.id)
        .outerjoin(spent, spent.c.district_id == District.id)
        .where(District.target)
        .group_by(func.rollup(District.province_id, District.id))
    )
    if scope is not None:
        query = query.where(District.id.in_(scope))
    names = {
        ("d", i): (n, t)
        for i, n, t in session.execute(select(District.id, District.name, District.name_th))
    }
    names.update(
        {
            ("p", i): (n, t)
            for i, n, t in session.execute(select(Province.id, Province.name, Province.name_th))
        }
    )
    rows = []
    for province_id, district_id, alloc, used in session.execute(query):
        if district_id is not None:
            name, name_th = names[("d", district_id)]
        elif province_id is not None:
            name, name_th = names[("p", province_id)]
        else:
            name, name_th = "", None  # the whole: the page names it
        rows.append(
            BudgetRow(province_id, district_id, name, name_th, Decimal(alloc), Decimal(used))
        )
    rows.sort(
        key=lambda r: (r.province_id is None, r.province_id or 0, r.district_id is None, r.name)
    )
    return rows


def allocations_of(
    session: Session, viewer: User, fiscal_year: int, district_id: int | None = None
) -> list[tuple[BudgetAllocation, Decimal]]:
    """Allocations of a fiscal year the viewer reads, each with its spending so far."""
    scope = readable_scope(session, viewer)
    spent = func.coalesce(
        select(func.sum(SpendingLine.amount))
        .where(SpendingLine.allocation_id == BudgetAllocation.id)
        .scalar_subquery(),
        0,
    )
    query = (
        select(BudgetAllocation, spent)
        .where(BudgetAllocation.fiscal_year == fiscal_year)
        .order_by(BudgetAllocation.district_id, BudgetAllocation.starts_on, BudgetAllocation.id)
    )
    if scope is not None:
        query = query.where(BudgetAllocation.district_id.in_(scope))
    if district_id is not None:
        query = query.where(BudgetAllocation.district_id == district_id)
    return [(row, Decimal(used)) for row, used in session.execute(query)]


def spending_of(session: Session, allocation_id: int) -> list[SpendingLine]:
    """An allocation's lines by day (the caller checked that the viewer reads it)."""
    return list(
        session.execute(
            select(SpendingLine)
            .where(SpendingLine.allocation_id == allocation_id)
            .order_by(SpendingLine.spent_on, SpendingLine.id)
        ).scalars()
    )


def spending_lines(
    session: Session, viewer: User, fiscal_year: int
) -> list[tuple[SpendingLine, BudgetAllocation]]:
    """The spending lines of a fiscal year's allocations that the viewer reads, with their
    allocation, by district, day and line."""
    scope = readable_scope(session, viewer)
    query = (
        select(SpendingLine, BudgetAllocation)
        .join(BudgetAllocation, BudgetAllocation.id == SpendingLine.allocation_id)
        .where(BudgetAllocation.fiscal_year == fiscal_year)
        .order_by(BudgetAllocation.district_id, SpendingLine.spent_on, SpendingLine.id)
    )
    if scope is not None:
        query = query.where(BudgetAllocation.district_id.in_(scope))
    return [(line, allocation) for line, allocation in session.execute(query).all()]
