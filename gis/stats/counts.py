"""Reports counted for the dashboard: per period by category and status, per district and
parallel area, and public reports against the officers' with the share verified.

Every count is of ``incident`` rows in the filter's districts (the viewer's scope narrowed by the
chosen province or district), of its category and channel if chosen, that occurred in the window
(``occurred_at``, the time the map, the hotspot runs and the exports filter by; weeks and months
in Thai time). They are read from ``incident_period`` (the same rows counted per week and per
month in Thai time, kept exact by triggers, migration 0019).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, select, true
from sqlalchemy.orm import Session

from gis.filters import in_scope, in_window
from gis.geojson import json_object
from gis.models import DisplayShape, District, Incident, IncidentPeriod, ParallelArea, Province
from gis.parsing import THAI_TIME
from gis.reference.layers import display_collection, display_polygons, display_precision
from gis.stats.params import DashboardFilter, Window
from gis.types import Channel, IncidentStatus

#: Statuses of reports the district's staff accepted as true (verified, then maybe referred or
#: closed): "verified" in the dashboard's share.
ACCEPTED = (IncidentStatus.VERIFIED, IncidentStatus.REFERRED, IncidentStatus.CLOSED)


def matching(f: DashboardFilter, window: Window | None = None) -> ColumnElement[bool]:
    """Filter: incidents of the filter's districts, category and channel (and ``window``)."""
    conditions: list[ColumnElement[bool]] = [in_scope(f.districts)]
    if f.category is not None:
        conditions.append(Incident.category == f.category)
    if f.channel is not None:
        conditions.append(Incident.channel == f.channel)
    if window is not None:
        conditions.append(in_window(window.start, window.end))
    return and_(true(), *conditions)


def period_matching(f: DashboardFilter, window: Window) -> ColumnElement[bool]:
    """Filter on ``incident_period``: the filter's districts, category and channel, its kind of
    period, the weeks or months that begin in ``window`` (whole periods: its instants are the
    Thai midnights that begin and end them)."""
    d = IncidentPeriod
    conditions: list[ColumnElement[bool]] = [
        d.unit == f.period.value,
        in_scope(f.districts, d.district_id),
        d.start >= window.start.astimezone(THAI_TIME).date(),
        d.start < window.end.astimezone(THAI_TIME).date(),
    ]
    if f.category is not None:
        conditions.append(d.category == f.category.value)
    if f.channel is not None:
        conditions.append(d.channel == f.channel.value)
    return and_(true(), *conditions)


@dataclass(frozen=True, slots=True)
class Step:
    """One period of the series: its start and end (Thai time) and its counts."""

    start: dt.datetime
    end: dt.datetime
    total: int
    by_category: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)


def series(session: Session, f: DashboardFilter) -> list[Step]:
    """Reports per period (week or month), by category and by status, the last step the chosen
    period; periods without reports count zero."""
    windows = f.steps()
    d = IncidentPeriod
    rows = session.execute(
        select(d.start.label("bucket"), d.category, d.status, func.sum(d.n).label("n"))
        .where(period_matching(f, Window(windows[0].start, windows[-1].end)))
        .group_by(d.start, d.category, d.status)
    ).all()
    by_category: dict[dt.date, Counter[str]] = {}
    by_status: dict[dt.date, Counter[str]] = {}
    for row in rows:
        by_category.setdefault(row.bucket, Counter())[str(row.category)] += row.n
        by_status.setdefault(row.bucket, Counter())[str(row.status)] += row.n
    steps = []
    for w in windows:
        key = w.start.astimezone(THAI_TIME).date()
        categories = by_category.get(key, Counter())
        steps.append(
            Step(
                start=w.start,
                end=w.end,
                total=sum(categories.values()),
                by_category=dict(categories),
                by_status=dict(by_status.get(key, Counter())),
            )
        )
    return steps


@dataclass(frozen=True, slots=True)
class PlaceCount:
    """Reports of one district (or parallel area) in the period and in the previous one."""

    id: int
    pcode: str
    name: str
    name_th: str | None
    province: str | None
    province_th: str | None
    count: int
    previous: int


def _period_counts(f: DashboardFilter, column: Any) -> Any:
    current, previous = f.current, f.previous
    is_current = IncidentPeriod.start >= current.start.astimezone(THAI_TIME).date()
    return (
        select(
            column.label("place_id"),
            func.coalesce(func.sum(IncidentPeriod.n).filter(is_current), 0).label("count"),
            func.coalesce(func.sum(IncidentPeriod.n).filter(~is_current), 0).label("previous"),
        )
        .where(period_matching(f, Window(previous.start, current.end)))
        .group_by(column)
        .subquery("counts")
    )


def district_counts(session: Session, f: DashboardFilter) -> list[PlaceCount]:
    """Every target district of the filter, with its reports in the period and the previous
    one (zero when none), in the order of the target list."""
    counts = _period_counts(f, IncidentPeriod.district_id)
    rows = session.execute(
        select(
            District.id,
            District.pcode,
            District.name,
            District.name_th,
            Province.name.label("province"),
            Province.name_th.label("province_th"),
            func.coalesce(counts.c.count, 0).label("count"),
            func.coalesce(counts.c.previous, 0).label("previous"),
        )
        .join(Province, Province.id == District.province_id)
        .outerjoin(counts, counts.c.place_id == District.id)
        .where(District.target, in_scope(f.districts, District.id))
        .order_by(District.target_no, District.id)
    ).all()
    return [PlaceCount(**row._asdict()) for row in rows]


def parallel_area_counts(session: Session, f: DashboardFilter) -> list[PlaceCount]:
    """The parallel areas across the border that reports of the filter were routed through,
    with their counts in the period and the previous one (areas with none are left out)."""
    counts = _period_counts(f, IncidentPeriod.parallel_area_id)
    rows = session.execute(
        select(
            ParallelArea.id,
            ParallelArea.code.label("pcode"),
            ParallelArea.name,
            literal(None).label("name_th"),
            ParallelArea.province,
            literal(None).label("province_th"),
            counts.c.count,
            counts.c.previous,
        )
        .join(counts, counts.c.place_id == ParallelArea.id)
        .order_by(counts.c.count.desc(), ParallelArea.name)
    ).all()
    return [PlaceCount(**row._asdict()) for row in rows]


@dataclass(frozen=True, slots=True)
class ChannelShare:
    """Public reports (the online form) or the officers' (every other channel) in the period:
    how many, and how many the staff accepted as true (:data:`ACCEPTED`)."""

    public: bool
    total: int
    verified: int

    @property
    def share_verified(self) -> float | None:
        return None if self.total == 0 else self.verified / self.total


def channel_shares(session: Session, f: DashboardFilter) -> list[ChannelShare]:
    """Public reports against officers' reports in the period, and how many were verified."""
    public = (IncidentPeriod.channel == Channel.ONLINE_PUBLIC.value).label("public")
    accepted = IncidentPeriod.status.in_([s.value for s in ACCEPTED])
    total, ok = func.sum(IncidentPeriod.n), func.sum(IncidentPeriod.n).filter(accepted)
    rows = {
        row.public: row
        for row in session.execute(
            select(public, total.label("total"), func.coalesce(ok, 0).label("ok"))
            .where(period_matching(f, f.current))
            .group_by(public)
        ).all()
    }
    found = []
    for is_public in (True, False):
        row = rows.get(is_public)
        found.append(ChannelShare(is_public, row.total if row else 0, row.ok if row else 0))
    return found


def change(current: int, previous: int) -> float | None:
    """The relative change from ``previous`` to ``current`` (0.25 for +25 %); ``None`` from 0."""
    return None if previous == 0 else (current - previous) / previous


#: Zoom the choropleth's shapes are simplified for (the border's 43 districts on a phone).
MAP_ZOOM = 8


def district_map(session: Session, f: DashboardFilter) -> str:
    """The choropleth's districts: the target districts of the filter as display shapes (kept
    for :data:`MAP_ZOOM`), with the counts of :func:`district_counts`.

    Returns:
        FeatureCollection JSON text; feature ids are district ids, properties ``pcode``,
        ``name``, ``name_th``, ``province``, ``province_th``, ``count`` and ``previous``.
    """
    counts = _period_counts(f, IncidentPeriod.district_id)
    precision = display_precision(MAP_ZOOM)
    properties = {
        "pcode": District.pcode,
        "name": District.name,
        "name_th": District.name_th,
        "province": Province.name,
        "province_th": Province.name_th,
        "count": func.coalesce(counts.c.count, 0),
        "previous": func.coalesce(counts.c.previous, 0),
    }
    kept = (
        select(DisplayShape.geom)
        .where(
            DisplayShape.source == District.__tablename__,
            DisplayShape.source_id == District.id,
            DisplayShape.zoom == MAP_ZOOM,
        )
        .scalar_subquery()
    )
    rows = (
        select(
            District.id.label("id"),
            func.coalesce(kept, display_polygons(District.geom, precision)).label("geom"),
            json_object(properties).label("properties"),
        )
        .join(Province, Province.id == District.province_id)
        .outerjoin(counts, counts.c.place_id == District.id)
        .where(District.target, in_scope(f.districts, District.id))
    )
    return display_collection(session, rows, precision)
