"""Every number of the dashboard at once, as JSON-ready data.

The page, its CSV downloads and the weekly brief read the same :func:`dashboard_numbers`: each
number is a count of rows in the viewer's scope, and the docstrings of :mod:`gis.stats.counts`,
:mod:`gis.stats.response` and :mod:`gis.stats.effort` say which.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from gis.models import User
from gis.parsing import THAI_TIME
from gis.stats.counts import (
    ChannelShare,
    PlaceCount,
    Step,
    change,
    channel_shares,
    district_counts,
    parallel_area_counts,
    series,
)
from gis.stats.effort import PatrolEffort, patrol_effort
from gis.stats.params import DashboardFilter
from gis.stats.response import Backlog, ResponseTimes, backlog, response_times


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The dashboard's numbers for one filter."""

    filter: DashboardFilter
    steps: list[Step]
    districts: list[PlaceCount]
    parallel_areas: list[PlaceCount]
    response: list[ResponseTimes]
    backlog: list[Backlog]
    channels: list[ChannelShare]
    effort: PatrolEffort

    @property
    def total(self) -> int:
        return self.steps[-1].total

    @property
    def previous_total(self) -> int:
        return self.steps[-2].total


def dashboard_numbers(
    session: Session, viewer: User, f: DashboardFilter, now: dt.datetime
) -> Dashboard:
    """Count everything the dashboard shows for ``f`` (already resolved in ``viewer``'s scope).

    Args:
        session: open session.
        viewer: the signed-in account (the hotspots not patrolled follow its runs).
        f: the checked filter (:func:`gis.stats.params.parse_filter`).
        now: the current time (the backlog's ages).

    Returns:
        The numbers.
    """
    return Dashboard(
        filter=f,
        steps=series(session, f),
        districts=district_counts(session, f),
        parallel_areas=parallel_area_counts(session, f),
        response=response_times(session, f),
        backlog=backlog(session, f, now),
        channels=channel_shares(session, f),
        effort=patrol_effort(session, viewer, f, now),
    )


def _day(value: dt.datetime) -> str:
    return value.astimezone(THAI_TIME).date().isoformat()


def _counts(current: dict[str, int], previous: dict[str, int]) -> list[dict[str, Any]]:
    keys = sorted(set(current) | set(previous))
    return [
        {
            "code": key,
            "count": current.get(key, 0),
            "previous": previous.get(key, 0),
            "change": change(current.get(key, 0), previous.get(key, 0)),
        }
        for key in keys
    ]


def dashboard_json(board: Dashboard) -> dict[str, Any]:
    """The numbers as JSON-ready data (days in Thai time, hours as numbers, shares 0 to 1)."""
    f = board.filter
    current, previous = board.steps[-1], board.steps[-2]
    return {
        "filter": {
            "period": f.period.value,
            "day": f.day.isoformat(),
            "start": _day(f.current.start),
            "end": _day(f.current.end - dt.timedelta(days=1)),
            "province": f.province,
            "district": f.district,
            "category": None if f.category is None else f.category.value,
            "channel": None if f.channel is None else f.channel.value,
        },
        "total": {
            "count": board.total,
            "previous": board.previous_total,
            "change": change(board.total, board.previous_total),
        },
        "by_category": _counts(current.by_category, previous.by_category),
        "by_status": _counts(current.by_status, previous.by_status),
        "series": [
            {**asdict(step), "start": _day(step.start), "end": _day(step.end)}
            for step in board.steps
        ],
        "districts": [asdict(d) for d in board.districts],
        "parallel_areas": [asdict(p) for p in board.parallel_areas],
        "response": [asdict(r) for r in board.response],
        "backlog": [{**asdict(b), "total": b.total} for b in board.backlog],
        "channels": [{**asdict(c), "share_verified": c.share_verified} for c in board.channels],
        "effort": asdict(board.effort),
    }
