"""The dashboard's filters: the period, the places, the category and the channel.

The period is a calendar week (Monday to Sunday) or a calendar month in Thai time, the one that
holds ``day``; the previous period is the week or month before it, and the series runs over
:data:`STEPS` periods ending with it. The places narrow the viewer's scope: a district or a
province outside it is refused naming its field (nothing of it is counted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.scope import find_province, scope_district_ids
from gis.errors import InvalidInput, NotFound
from gis.models import District, User
from gis.parsing import BETWEEN, THAI_TIME, parse_choice, parse_day, refuse_unknown
from gis.reference.districts import find_district
from gis.text import N_
from gis.types import Channel, IncidentCategory, Role, StrEnum

#: Who opens the dashboard: HQ analysts (national), planners and coordinators (their scope).
READERS = frozenset({Role.HQ_ANALYST, Role.PATROL_PLANNER, Role.COORDINATOR})
#: Periods in the series (the chosen one and those before it).
STEPS = 12
FIELDS = ("period", "day", "province", "district", "category", "channel")


class StatsPeriod(StrEnum):
    """The length of the dashboard's period and of the steps of its series."""

    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open interval of instants ``[start, end)``."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """Checked filters, the places resolved to the district ids counted.

    ``districts`` is ``None`` for every district (national), else the ids counted (possibly
    empty: a disabled account).
    """

    period: StatsPeriod
    day: dt.date
    districts: frozenset[int] | None
    district: str | None = None
    province: str | None = None
    category: IncidentCategory | None = None
    channel: Channel | None = None

    @property
    def current(self) -> Window:
        """The period that holds ``day``."""
        return period_window(self.period, self.day)

    @property
    def previous(self) -> Window:
        """The period before :attr:`current`."""
        start = self.current.start.date()
        return period_window(self.period, start - dt.timedelta(days=1))

    def steps(self, n: int = STEPS) -> list[Window]:
        """``n`` periods in order, the last one :attr:`current`."""
        windows = [self.current]
        while len(windows) < n:
            windows.insert(0, period_window(self.period, windows[0].start.date() - dt.timedelta(1)))
        return windows


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), THAI_TIME)


def period_window(period: StatsPeriod, day: dt.date) -> Window:
    """The calendar week (Monday first) or month, in Thai time, that holds ``day``."""
    if period is StatsPeriod.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Window(_midnight(monday), _midnight(monday + dt.timedelta(days=7)))
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Window(_midnight(first), _midnight(following))


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _district_ids(
    session: Session, viewer: User, district: str | None, province: str | None
) -> frozenset[int] | None:
    scope = scope_district_ids(session, viewer)
    ids = scope
    if province is not None:
        found = session.execute(
            select(District.id).where(District.province_id == find_province(session, province).id)
        ).scalars()
        wanted = frozenset(found)
        if scope is not None and not wanted & scope:
            raise InvalidInput(N_("{field} is not one of your provinces"), field="province")
        ids = wanted if scope is None else wanted & scope
    if district is not None:
        try:
            place = find_district(session, district)
        except NotFound as exc:
            raise InvalidInput(exc.template, **{**exc.values, "field": "district"}) from exc
        if ids is not None and place.id not in ids:
            raise InvalidInput(N_("{field} is not one of your districts"), field="district")
        ids = frozenset({place.id})
    return ids


def parse_filter(
    session: Session, viewer: User, args: Mapping[str, str], today: dt.date
) -> DashboardFilter:
    """Check the dashboard's query parameters and resolve its places in the viewer's scope.

    Args:
        session: open session.
        viewer: the signed-in account (its scope bounds every count).
        args: ``period`` (``week`` or ``month``, default month), ``day`` (a day of the period,
            default ``today``), ``province`` and ``district`` (P-code or name), ``category``,
            ``channel``; blanks are ignored.
        today: the day in Thai time.

    Returns:
        The checked filter.

    Raises:
        InvalidInput: an unknown parameter, a bad value, or a place outside the viewer's scope,
            naming the field.
    """
    refuse_unknown(args.keys(), (*FIELDS, "lang"))  # lang: the answer's language (webapp)
    raw = {key: _blank(args.get(key)) for key in FIELDS}
    period = parse_choice(raw["period"] or "month", "period", StatsPeriod)
    day = parse_day(raw["day"], "day") if raw["day"] else today
    if not dt.date(2000, 1, 1) <= day <= dt.date(2100, 12, 31):
        raise InvalidInput(BETWEEN, field="day", low="2000-01-01", high="2100-12-31")
    category = raw["category"]
    channel = raw["channel"]
    return DashboardFilter(
        period=period,
        day=day,
        districts=_district_ids(session, viewer, raw["district"], raw["province"]),
        district=raw["district"],
        province=raw["province"],
        category=None if category is None else parse_choice(category, "category", IncidentCategory),
        channel=None if channel is None else parse_choice(channel, "channel", Channel),
    )
