"""incident_period stays equal to the incidents it counts through inserts, updates (status,
category, the day across Thai midnight, district) and deletes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, func, select, update

from gis.models import Incident, IncidentPeriod
from gis.parsing import THAI_TIME
from tests.factories import make_incident

pytestmark = pytest.mark.db

FIRST, LAST = dt.date(2018, 4, 1), dt.date(2018, 6, 30)


def from_periods(session, unit: str) -> dict[tuple, int]:
    d = IncidentPeriod
    rows = session.execute(
        select(d.start, d.district_id, d.category, d.status, d.channel, func.sum(d.n))
        .where(d.unit == unit, d.start >= FIRST, d.start <= LAST)
        .group_by(d.start, d.district_id, d.category, d.status, d.channel)
    ).all()
    return {tuple(r[:5]): r[5] for r in rows if r[5]}


def from_incidents(session, unit: str) -> dict[tuple, int]:
    i = Incident
    start = func.date(func.date_trunc(unit, func.timezone("Asia/Bangkok", i.occurred_at)))
    rows = session.execute(
        select(start, i.district_id, i.category, i.status, i.channel, func.count())
        .where(start >= FIRST, start <= LAST)
        .group_by(start, i.district_id, i.category, i.status, i.channel)
    ).all()
    return {tuple(r[:5]): r[5] for r in rows}


def same(session) -> bool:
    return all(from_periods(session, u) == from_incidents(session, u) for u in ("week", "month"))


def test_the_weekly_and_monthly_counts_follow_every_change(session):
    # Sunday 6 May 2018, 23:30 Thai time (16:30 UTC): the next hours fall in another week, and
    # 30 April / 1 May crossings test the month
    when = dt.datetime(2018, 5, 6, 23, 30, tzinfo=THAI_TIME)
    rows = [
        make_incident(session, district_name=name, occurred_at=when + dt.timedelta(hours=h),
                      reported_at=when + dt.timedelta(hours=h + 1), category=category)
        for h, name, category in [
            (0, "Chiang Khong", "smuggling"), (0, "Chiang Khong", "smuggling"),
            (1, "Chiang Khong", "illegal_entry"), (30, "Chiang Saen", "smuggling"),
            (50, "Aranyaprathet", "online_fraud"),
        ]
    ]  # fmt: skip
    assert same(session)
    assert sum(from_periods(session, "week").values()) == 5
    assert sum(from_periods(session, "month").values()) == 5
    assert len({key[0] for key in from_periods(session, "week")}) == 2  # two Mondays
    ids = [r.id for r in rows]
    session.execute(update(Incident).where(Incident.id == ids[0]).values(status="verified"))
    session.execute(update(Incident).where(Incident.id == ids[1]).values(category="other"))
    back = dt.datetime(2018, 4, 30, 23, 30, tzinfo=THAI_TIME)
    session.execute(
        update(Incident).where(Incident.id.in_(ids[2:4])).values(occurred_at=back)
    )  # into another week and month, several rows in one statement
    session.execute(
        update(Incident).where(Incident.id == ids[4]).values(district_id=rows[0].district_id)
    )
    assert same(session)
    session.execute(delete(Incident).where(Incident.id.in_(ids[:2])))
    assert same(session)
    assert sum(from_periods(session, "month").values()) == 3
