"""How fast the districts act on reports, and the reports still waiting.

Response time is read from the audit trail (``incident_event``), from the report's arrival
(``incident.reported_at``):

- to the **first triage action**: the first event whose action is one of the triage actions of
  :data:`gis.incidents.review.ACTIONS` (verify, reject, mark duplicate, refer, close);
- to **closure**: the first event that took the report to a final status (closed, rejected or
  duplicate), where it leaves every desk.

Per district and for all of them: the reports of the period, how many had each, and the median
and 90th percentile in hours (``percentile_cont``: interpolated, as a spreadsheet's PERCENTILE).
The backlog is every report still ``new`` now, by its age since it arrived: under 24 hours, 1 to
2 days, over 2 days (the triage queue marks those as overdue).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Float, cast, func, literal, select
from sqlalchemy.orm import Session

from gis.incidents.review import ACTIONS
from gis.models import District, Incident, IncidentEvent
from gis.stats.counts import matching
from gis.stats.params import DashboardFilter
from gis.types import IncidentStatus

#: Final statuses: a report there is closed for the dashboard.
FINAL = (IncidentStatus.CLOSED, IncidentStatus.REJECTED, IncidentStatus.DUPLICATE)
#: Backlog ages: (name, lower bound, upper bound) in hours; the last has no upper bound.
AGES = (("under_24h", 0, 24), ("1_2_days", 24, 48), ("over_2_days", 48, None))


@dataclass(frozen=True, slots=True)
class ResponseTimes:
    """Response times of one district (``district_id`` ``None``: all of the filter's)."""

    district_id: int | None
    pcode: str | None
    name: str | None
    name_th: str | None
    reports: int
    acted: int
    act_median_h: float | None
    act_p90_h: float | None
    closed: int
    close_median_h: float | None
    close_p90_h: float | None


def _hours(later: Any, earlier: Any) -> Any:
    return cast(func.extract("epoch", later - earlier), Float) / 3600.0


def _percentile(fraction: float, hours: Any) -> Any:
    return func.percentile_cont(fraction).within_group(hours)


def response_times(session: Session, f: DashboardFilter) -> list[ResponseTimes]:
    """Response times per district of the filter's reports in the period, slowest to act first,
    then the row of all of them (``district_id`` ``None``) last."""
    e = IncidentEvent
    firsts = (
        select(
            e.incident_id,
            func.min(e.at).filter(e.action.in_(list(ACTIONS))).label("acted_at"),
            func.min(e.at).filter(e.to_status.in_([s.value for s in FINAL])).label("closed_at"),
        )
        .join(Incident, Incident.id == e.incident_id)
        .where(matching(f, f.current))
        .group_by(e.incident_id)
        .subquery("firsts")
    )
    act = _hours(firsts.c.acted_at, Incident.reported_at)
    close = _hours(firsts.c.closed_at, Incident.reported_at)
    measures = (
        func.count(Incident.id).label("reports"),
        func.count(firsts.c.acted_at).label("acted"),
        _percentile(0.5, act).label("act_median_h"),
        _percentile(0.9, act).label("act_p90_h"),
        func.count(firsts.c.closed_at).label("closed"),
        _percentile(0.5, close).label("close_median_h"),
        _percentile(0.9, close).label("close_p90_h"),
    )
    base = (
        select(Incident.district_id, *measures)
        .outerjoin(firsts, firsts.c.incident_id == Incident.id)
        .where(matching(f, f.current))
    )
    per = base.group_by(Incident.district_id).subquery("per")
    rows = session.execute(
        select(
            per.c.district_id,
            District.pcode,
            District.name,
            District.name_th,
            *(per.c[m.name] for m in measures),
        )
        .join(District, District.id == per.c.district_id)
        .order_by(per.c.act_median_h.desc().nulls_last(), District.target_no)
    ).all()
    overall = session.execute(
        select(
            literal(None).label("district_id"),
            literal(None).label("pcode"),
            literal(None).label("name"),
            literal(None).label("name_th"),
            *measures,
        )
        .outerjoin(firsts, firsts.c.incident_id == Incident.id)
        .where(matching(f, f.current))
    ).one()
    return [ResponseTimes(**row._asdict()) for row in [*rows, overall]]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Reports still ``new`` by age (hours since they arrived), for one district or all
    (``district_id`` ``None``)."""

    district_id: int | None
    under_24h: int
    one_to_two_days: int
    over_2_days: int

    @property
    def total(self) -> int:
        return self.under_24h + self.one_to_two_days + self.over_2_days


def backlog(session: Session, f: DashboardFilter, now: dt.datetime) -> list[Backlog]:
    """The reports of the filter's districts, category and channel still ``new`` at ``now``, by
    age, per district (those with any, most overdue first) and then all of them."""
    age = now - Incident.reported_at
    day = dt.timedelta(hours=24)
    buckets = (
        func.count().filter(age < day).label("under_24h"),
        func.count().filter(age >= day, age < 2 * day).label("one_to_two_days"),
        func.count().filter(age >= 2 * day).label("over_2_days"),
    )
    waiting = matching(f) & (Incident.status == IncidentStatus.NEW) & (Incident.reported_at <= now)
    rows = session.execute(
        select(Incident.district_id, *buckets)
        .where(waiting)
        .group_by(Incident.district_id)
        .order_by(buckets[2].desc(), func.count().desc(), Incident.district_id)
    ).all()
    total = session.execute(select(literal(None).label("district_id"), *buckets).where(waiting))
    return [Backlog(**row._asdict()) for row in [*rows, total.one()]]
