"""Reports of the register for a period: per district or per province (activities, participants
by side and group, topics, agreements and their status, budget used), and the national roll-up of
the target districts (which have met their counterparts, which have not). Every number is a SQL
aggregate over the districts of the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from gis.accounts.scope import find_province
from gis.cooperation.access import readable_scope, target_district
from gis.cooperation.agreements import OPEN_STATUSES
from gis.errors import InvalidInput
from gis.models import (
    ActionItem,
    Activity,
    ActivityArea,
    ActivityParticipants,
    ActivityTopic,
    BudgetAllocation,
    District,
    Province,
    SpendingLine,
    User,
)
from gis.text import N_
from gis.types import ActionStatus, ActivityKind, CooperationTopic, ParticipantGroup, Side

#: Longest period a report covers.
MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class Place:
    """What a report is about: one district or the target districts of a province."""

    district_ids: tuple[int, ...]
    name: str
    name_th: str
    pcode: str
    is_province: bool


@dataclass(frozen=True, slots=True)
class ActivityLine:
    id: int
    title: str
    kind: ActivityKind
    starts_on: dt.date
    ends_on: dt.date
    district: str
    district_th: str
    participants: int
    women: int


@dataclass(frozen=True, slots=True)
class ActionLine:
    activity_id: int
    text: str
    owner_side: Side
    owner_agency: str | None
    due_on: dt.date | None
    status: ActionStatus
    overdue: bool


@dataclass(frozen=True, slots=True)
class Report:
    """A place's register for a period (both days included)."""

    place: Place
    since: dt.date
    until: dt.date
    activities: tuple[ActivityLine, ...]
    by_kind: dict[ActivityKind, int]
    participants: dict[tuple[Side, ParticipantGroup], tuple[int, int]]
    topics: dict[CooperationTopic, int]
    actions: tuple[ActionLine, ...]
    by_status: dict[ActionStatus, int]
    allocated: Decimal
    spent: Decimal

    @property
    def total_participants(self) -> tuple[int, int]:
        """All participants and the women among them."""
        return (
            sum(t for t, _ in self.participants.values()),
            sum(w for _, w in self.participants.values()),
        )

    @property
    def overdue(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def check_period(
    since: dt.date | None, until: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The period's days: by default the last 12 months up to ``today``.

    Raises:
        InvalidInput: ``from`` after ``to`` (field ``from``), or longer than three years
            (field ``to``).
    """
    named_since = since is not None
    until = until or today
    if since is None:
        try:
            since = until - dt.timedelta(days=364)
        except OverflowError:  # a "to" in the first year of the calendar
            since = dt.date.min
    if since > until:
        raise InvalidInput(N_("from lies after to"), field="from")
    if (until - since).days > MAX_DAYS:
        field = "from" if named_since and until == today else "to"
        raise InvalidInput(N_("{field}: a report covers at most three years"), field=field)
    return since, until


def find_place(session: Session, viewer: User, district: str | None, province: str | None) -> Place:
    """The district (in the viewer's scope) or the province (its target districts in the scope)
    a report is about; the viewer's own district when neither is named.

    Raises:
        InvalidInput: naming ``district`` or ``province``: unknown, outside the scope, not a
            target district, a province with no target district in the scope, or both named.
    """
    if district and province:
        raise InvalidInput(N_("give a district or a province, not both"), field="province")
    if province:
        found = find_province(session, province)
        scope = readable_scope(session, viewer)
        query = select(District.id).where(District.province_id == found.id, District.target)
        if scope is not None:
            query = query.where(District.id.in_(scope))
        ids = tuple(session.execute(query.order_by(District.target_no)).scalars())
        if not ids:
            raise InvalidInput(N_("{field} has no target district in your scope"), field="province")
        return Place(ids, found.name, found.name_th, found.pcode, True)
    one = target_district(session, district, viewer)
    return Place((one.id,), one.name, one.name_th, one.pcode, False)


def _in_period(since: dt.date, until: dt.date) -> ColumnElement[bool]:
    return and_(Activity.starts_on <= until, Activity.ends_on >= since)


def place_report(
    session: Session, viewer: User, place: Place, since: dt.date, until: dt.date, today: dt.date
) -> Report:
    """The register of ``place`` for the days ``since``..``until``.

    Args:
        place: from :func:`find_place` (already in the viewer's scope).
        today: the day overdue items are judged on.
    """
    readable_scope(session, viewer)
    ids = list(place.district_ids)
    chosen = and_(Activity.district_id.in_(ids), _in_period(since, until))
    heads = (
        select(
            ActivityParticipants.activity_id,
            func.sum(ActivityParticipants.total).label("total"),
            func.sum(ActivityParticipants.women).label("women"),
        )
        .group_by(ActivityParticipants.activity_id)
        .subquery()
    )
    lines = session.execute(
        select(
            Activity.id, Activity.title, Activity.kind, Activity.starts_on, Activity.ends_on,
            District.name, District.name_th,
            func.coalesce(heads.c.total, 0), func.coalesce(heads.c.women, 0),
        )
        .join(District, District.id == Activity.district_id)
        .outerjoin(heads, heads.c.activity_id == Activity.id)
        .where(chosen)
        .order_by(Activity.starts_on, Activity.id)
    ).all()  # fmt: skip
    by_kind = dict(
        session.execute(
            select(Activity.kind, func.count()).where(chosen).group_by(Activity.kind)
        ).all()
    )
    counted = session.execute(
        select(
            ActivityParticipants.side, ActivityParticipants.group,
            func.sum(ActivityParticipants.total), func.sum(ActivityParticipants.women),
        )
        .join(Activity, Activity.id == ActivityParticipants.activity_id)
        .where(chosen)
        .group_by(ActivityParticipants.side, ActivityParticipants.group)
    ).all()  # fmt: skip
    topics = dict(
        session.execute(
            select(ActivityTopic.topic, func.count())
            .join(Activity, Activity.id == ActivityTopic.activity_id)
            .where(chosen)
            .group_by(ActivityTopic.topic)
        ).all()
    )
    items = session.execute(
        select(ActionItem)
        .join(Activity, Activity.id == ActionItem.activity_id)
        .where(chosen)
        .order_by(ActionItem.due_on.asc().nulls_last(), ActionItem.id)
    ).scalars()
    actions = tuple(
        ActionLine(
            i.activity_id, i.text, i.owner_side, i.owner_agency, i.due_on, i.status,
            bool(i.due_on and i.due_on < today and i.status in OPEN_STATUSES),
        )
        for i in items
    )  # fmt: skip
    by_status: dict[ActionStatus, int] = {}
    for a in actions:
        by_status[a.status] = by_status.get(a.status, 0) + 1
    allocated = session.execute(
        select(func.coalesce(func.sum(BudgetAllocation.amount), 0)).where(
            BudgetAllocation.district_id.in_(ids),
            BudgetAllocation.starts_on <= until,
            BudgetAllocation.ends_on >= since,
        )
    ).scalar_one()
    spent = session.execute(
        select(func.coalesce(func.sum(SpendingLine.amount), 0))
        .join(BudgetAllocation, BudgetAllocation.id == SpendingLine.allocation_id)
        .where(
            BudgetAllocation.district_id.in_(ids),
            SpendingLine.spent_on.between(since, until),
        )
    ).scalar_one()
    return Report(
        place=place,
        since=since,
        until=until,
        activities=tuple(ActivityLine(*row) for row in lines),
        by_kind=by_kind,
        participants={(s, g): (int(t), int(w)) for s, g, t, w in counted},
        topics=topics,
        actions=actions,
        by_status=by_status,
        allocated=Decimal(allocated),
        spent=Decimal(spent),
    )


@dataclass(frozen=True, slots=True)
class DistrictRow:
    """One target district in the national roll-up."""

    district_id: int
    target_no: int | None
    pcode: str
    name: str
    name_th: str
    province: str
    province_th: str
    activities: int
    mwcc_meetings: int
    met: bool
    last_activity: dt.date | None
    open_actions: int
    overdue_actions: int
    spent: Decimal


def national_rollup(
    session: Session, viewer: User, since: dt.date, until: dt.date, today: dt.date
) -> list[DistrictRow]:
    """Every target district of the viewer's scope for the period: how many activities and MWCC
    meetings, whether it met its counterparts (an activity with a parallel area, or others
    named), the last activity, open and overdue agreements, and the money spent.

    Raises:
        Forbidden: the role does not read the register.
    """
    scope = readable_scope(session, viewer)
    of_district = and_(Activity.district_id == District.id, _in_period(since, until))
    count = select(func.count()).where(of_district).correlate(District).scalar_subquery()
    mwcc = (
        select(func.count())
        .where(of_district, Activity.kind == ActivityKind.MWCC_MEETING)
        .correlate(District)
        .scalar_subquery()
    )
    with_area = exists(
        select(ActivityArea.activity_id).where(ActivityArea.activity_id == Activity.id)
    )
    met = exists(
        select(Activity.id)
        .where(of_district, or_(with_area, Activity.other_areas.is_not(None)))
        .correlate(District)
    )
    last = (
        select(func.max(Activity.starts_on))
        .where(of_district)
        .correlate(District)
        .scalar_subquery()
    )
    open_items = and_(
        ActionItem.activity_id == Activity.id,
        Activity.district_id == District.id,
        ActionItem.status.in_(OPEN_STATUSES),
    )
    open_count = (
        select(func.count())
        .select_from(ActionItem, Activity)
        .where(open_items)
        .correlate(District)
        .scalar_subquery()
    )
    overdue_count = (
        select(func.count())
        .select_from(ActionItem, Activity)
        .where(open_items, ActionItem.due_on < today)
        .correlate(District)
        .scalar_subquery()
    )
    spent = (
        select(func.coalesce(func.sum(SpendingLine.amount), 0))
        .join(BudgetAllocation, BudgetAllocation.id == SpendingLine.allocation_id)
        .where(
            BudgetAllocation.district_id == District.id,
            SpendingLine.spent_on.between(since, until),
        )
        .correlate(District)
        .scalar_subquery()
    )
    query = (
        select(
            District.id, District.target_no, District.pcode, District.name, District.name_th,
            Province.name, Province.name_th, count, mwcc, met, last, open_count, overdue_count,
            spent,
        )
        .join(Province, Province.id == District.province_id)
        .where(District.target)
        .order_by(District.target_no)
    )  # fmt: skip
    if scope is not None:
        query = query.where(District.id.in_(scope))
    return [
        DistrictRow(*row[:-1], spent=Decimal(row[-1]))  # type: ignore[misc]
        for row in session.execute(query)
    ]


def met_share(rows: list[DistrictRow]) -> tuple[int, int]:
    """How many of the districts met their counterparts, of how many."""
    return sum(1 for r in rows if r.met), len(rows)
