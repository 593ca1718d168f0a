"""Patrol plans: hotspots turned into a routed round trip from an MWCC or a checkpoint.

A plan (``POST /api/patrols``, :func:`parse_plan` then :func:`create_plan`) names its district,
the hotspots to visit (ids, or the top N of the district in the latest finished hotspot run), the
start (a checkpoint, or by default the district's NTS-MWCC), the patrol unit and the day. The
stops are the hotspots' centroids, ordered by :func:`gis.patrols.tour.plan_tour` (pgRouting's
``pgr_TSPeuclidean`` in UTM 48N, made exact up to 14 stops) from the start and back. The route is
the straight legs start → stops → start (there is no road network); its length is geodesic
metres on the WGS 84 spheroid (``ST_Length`` on geography). The suggested time window is the
densest ``window_hours`` (default 4) hours of the day, in Thai time, of the hotspots' incidents
(:func:`densest_window`, wrapping around midnight).

Who: planners (:data:`PLANNERS`: patrol planners, HQ analysts and the MWCC coordinators of the
district) make plans; they and the district's officers (:data:`READERS`) read plans, print their
sheets and record stop outcomes (:mod:`gis.patrols.outcomes`). Administrators and volunteers do
not: where and when patrols go is need-to-know. Plans are scoped like incidents: a plan belongs
to its district, and an account sees the plans of the districts in its scope
(:func:`gis.accounts.scope.scope_district_ids`); any other plan is "not found". One function
states this rule, :func:`readable_plans`: the patrol API and pages and the export's
``patrol_plans`` collection (file downloads and the OGC API) read plans through it, and the
map's patrol coverage layer is for the same :data:`READERS`.

Refusals name the field: ``InvalidInput`` (400) for malformed or impossible input, ``Forbidden``
(403) for a district, start or hotspot outside the planner's scope; nothing is stored then.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, Integer, cast, false, func, or_, select, text, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.db import METRIC_SRID
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.filters import scope_covers
from gis.models import (
    Checkpoint,
    CoordinationCentre,
    District,
    Hotspot,
    HotspotMember,
    HotspotRun,
    Incident,
    PatrolPlan,
    PatrolStop,
    User,
)
from gis.parsing import (
    THAI_TIME,
    THAI_ZONE,
    parse_choice,
    parse_day,
    parse_integer,
    refuse_unknown,
)
from gis.patrols.tour import Tour, plan_tour
from gis.reference.districts import find_district
from gis.text import N_
from gis.types import PatrolUnit, Role, RunStatus

#: Most stops of a plan (and most hotspots of a "top N").
MAX_STOPS = 25
DEFAULT_WINDOW_HOURS = 4
MAX_WINDOW_HOURS = 12
#: How far ahead a plan may be made (days), and how far back (a patrol recorded afterwards).
MAX_DAYS_AHEAD = 366
MAX_DAYS_BACK = 7

PLANNERS = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.COORDINATOR})
READERS = PLANNERS | {Role.OFFICER}

PLAN_FIELDS = (
    "district",
    "hotspot_ids",
    "top",
    "start_checkpoint_id",
    "unit",
    "planned_for",
    "window_hours",
)


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """A checked plan request (:func:`parse_plan`); scope is checked by :func:`create_plan`."""

    district: str
    unit: PatrolUnit
    planned_for: dt.date
    hotspot_ids: tuple[int, ...] = ()
    top: int | None = None
    start_checkpoint_id: int | None = None
    window_hours: int = DEFAULT_WINDOW_HOURS


def _day(value: Any, today: dt.date) -> dt.date:
    field = "planned_for"
    day = parse_day(value, field)
    if day < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise InvalidInput(
            N_("{field} lies more than {max_days_back} days back"),
            field=field,
            max_days_back=MAX_DAYS_BACK,
        )
    if day > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(N_("{field} lies more than a year ahead"), field=field)
    return day


def _hotspot_ids(value: Any) -> tuple[int, ...]:
    field = "hotspot_ids"
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value
    ):
        raise InvalidInput(N_("{field} must be a list of hotspot ids"), field=field)
    if not value:
        raise InvalidInput(N_("a plan needs at least one stop: hotspot_ids is empty"), field=field)
    if len(value) > MAX_STOPS:
        raise InvalidInput(
            N_("a plan has at most {max_stops} stops"), field=field, max_stops=MAX_STOPS
        )
    if len(set(value)) != len(value):
        raise InvalidInput(N_("{field} names a hotspot twice"), field=field)
    return tuple(value)


def parse_plan(payload: Any, today: dt.date) -> PlanRequest:
    """Check a plan request's JSON object.

    Args:
        payload: the decoded JSON: ``district`` (P-code, DOPA code or name), ``unit``
            (:class:`~gis.types.PatrolUnit`), ``planned_for`` (``YYYY-MM-DD``), either
            ``hotspot_ids`` (1 to 25 ids) or ``top`` (1 to 25: the district's best hotspots
            of the latest run), optional ``start_checkpoint_id`` and ``window_hours`` (1-12).
        today: today in Thai time.

    Returns:
        The checked request.

    Raises:
        InvalidInput: naming the member that is unknown, missing or wrong.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput(N_("the plan must be a JSON object"), field="body")
    refuse_unknown(payload, PLAN_FIELDS)
    for name in ("district", "unit", "planned_for"):
        if payload.get(name) is None:
            raise InvalidInput(N_("{field} is required"), field=name)
    district = payload["district"]
    if not isinstance(district, str) or not 0 < len(district.strip()) <= 80:
        raise InvalidInput(N_("district must be a district's P-code or name"), field="district")
    unit = parse_choice(payload["unit"], "unit", PatrolUnit)
    has_ids, has_top = payload.get("hotspot_ids") is not None, payload.get("top") is not None
    if has_ids == has_top:
        raise InvalidInput(N_("give either hotspot_ids or top (not both)"), field="hotspot_ids")
    start = payload.get("start_checkpoint_id")
    return PlanRequest(
        district=district.strip(),
        unit=unit,
        planned_for=_day(payload["planned_for"], today),
        hotspot_ids=_hotspot_ids(payload["hotspot_ids"]) if has_ids else (),
        top=parse_integer(payload["top"], "top", 1, MAX_STOPS) if has_top else None,
        start_checkpoint_id=(
            None if start is None else parse_integer(start, "start_checkpoint_id", 1, 2**31)
        ),
        window_hours=parse_integer(
            payload.get("window_hours", DEFAULT_WINDOW_HOURS), "window_hours", 1, MAX_WINDOW_HOURS
        ),
    )


# --------------------------------------------------------------------------- scope


def readable_plans(viewer: User, scope: frozenset[int] | None) -> ColumnElement[bool]:
    """SQL condition: the plans ``viewer`` may read.

    None unless the account is active and its role reads plans (:data:`READERS`: not
    administrators or volunteers, whatever their scope); else the plans of its districts.

    Args:
        viewer: the account.
        scope: its districts (:func:`gis.accounts.scope.scope_district_ids`; ``None``: all).

    Returns:
        A condition on :class:`~gis.models.PatrolPlan` for a ``WHERE`` clause.
    """
    if not viewer.is_active or Role(viewer.role) not in READERS:
        return false()
    if scope is None:
        return true()
    return PatrolPlan.district_id.in_(sorted(scope))


def hotspot_districts(session: Session, ids: Sequence[int]) -> dict[int, list[int]]:
    """The districts of each hotspot: its ``district_ids``, or those its hull touches."""
    touched = (
        select(func.jsonb_agg(District.id))
        .where(func.ST_Intersects(District.geom, Hotspot.hull))
        .scalar_subquery()
    )
    rows = session.execute(
        select(Hotspot.id, func.coalesce(Hotspot.district_ids, touched)).where(Hotspot.id.in_(ids))
    )
    return {hid: [int(d) for d in (districts or [])] for hid, districts in rows}


def latest_run_id(
    session: Session,
    district_id: int | None = None,
    scope: frozenset[int] | None = None,
    *,
    visible_to: frozenset[int] | None = None,
) -> int | None:
    """The latest finished hotspot run: with a hotspot in ``district_id`` if given, covering a
    district of ``scope`` if given (a run's ``district_ids``; ``NULL`` is a national run), and
    one an account of the districts ``visible_to`` may see if given: a run of its districts
    only, never a national run (the rule of :func:`gis.hotspots.queries.readable_runs`, so that
    the planner never offers a run whose map layer the account may not open)."""
    q = select(HotspotRun.id).where(HotspotRun.status == RunStatus.DONE)
    if visible_to is not None:
        q = q.where(
            HotspotRun.district_ids.is_not(None),
            HotspotRun.district_ids.contained_by(cast(sorted(visible_to), ARRAY(Integer))),
        )
    if district_id is not None:
        q = q.where(
            select(Hotspot.id)
            .where(Hotspot.run_id == HotspotRun.id, _touches(district_id))
            .exists()
        )
    if scope is not None:
        q = q.where(
            or_(HotspotRun.district_ids.is_(None), HotspotRun.district_ids.overlap(sorted(scope)))
        )
    q = q.order_by(HotspotRun.finished_at.desc().nulls_last(), HotspotRun.id.desc()).limit(1)
    return session.execute(q).scalar_one_or_none()


def _touches(district_id: int) -> Any:
    return func.coalesce(
        Hotspot.district_ids.contains([district_id]),
        select(District.id)
        .where(District.id == district_id, func.ST_Intersects(District.geom, Hotspot.hull))
        .exists(),
    )


def _chosen_hotspots(
    session: Session, req: PlanRequest, district: District, scope: frozenset[int] | None
) -> list[int]:
    if req.top is not None:
        run = latest_run_id(session, district.id, visible_to=scope)
        ids = []
        if run is not None:
            ids = list(
                session.execute(
                    select(Hotspot.id)
                    .where(Hotspot.run_id == run, _touches(district.id))
                    .order_by(Hotspot.rank)
                    .limit(req.top)
                ).scalars()
            )
        if not ids:
            raise InvalidInput(
                N_("the latest hotspot run has no hotspot in {district}"),
                field="top",
                district=district.name,
            )
        return ids
    found = hotspot_districts(session, req.hotspot_ids)
    missing = [i for i in req.hotspot_ids if i not in found]
    if missing:
        raise InvalidInput(N_("no hotspot with id {hid}"), field="hotspot_ids", hid=missing[0])
    for hid in req.hotspot_ids:
        if scope is not None and not set(found[hid]) & scope:
            raise Forbidden(
                N_("hotspot {hid} lies outside your districts"), field="hotspot_ids", hid=hid
            )
    return list(req.hotspot_ids)


@dataclass(frozen=True, slots=True)
class _Start:
    geom: Any
    checkpoint_id: int | None


def _start(
    session: Session, req: PlanRequest, district: District, scope: frozenset[int] | None
) -> _Start:
    if req.start_checkpoint_id is not None:
        checkpoint = session.get(Checkpoint, req.start_checkpoint_id)
        if checkpoint is None:
            raise InvalidInput(N_("no checkpoint with this id"), field="start_checkpoint_id")
        if not scope_covers(scope, checkpoint.district_id):
            raise Forbidden(
                N_("the checkpoint lies outside your districts"), field="start_checkpoint_id"
            )
        geom = select(Checkpoint.geom).where(Checkpoint.id == checkpoint.id)
        return _Start(geom.scalar_subquery(), checkpoint.id)
    centre = select(CoordinationCentre.geom).where(CoordinationCentre.district_id == district.id)
    if session.execute(centre).first() is None:
        raise InvalidInput(
            N_("{district} has no coordination centre: give start_checkpoint_id"),
            field="start_checkpoint_id",
            district=district.name,
        )
    return _Start(centre.scalar_subquery(), None)


# --------------------------------------------------------------------------- time window


def densest_window(counts: Sequence[int], width: int) -> tuple[int, int] | None:
    """The ``width`` consecutive hours of the day (wrapping at midnight) holding most incidents.

    Args:
        counts: incidents per hour of the day, 24 numbers.
        width: hours in the window (1-24).

    Returns:
        ``(first hour, incidents inside)``, the earliest start among equals; ``None`` when
        there is no incident.
    """
    if len(counts) != 24 or not 1 <= width <= 24:
        raise ValueError("24 hourly counts and a width of 1 to 24 hours")
    if not any(counts):
        return None
    sums = [sum(counts[(h + k) % 24] for k in range(width)) for h in range(24)]
    best = max(sums)
    return sums.index(best), best


def hour_profile(session: Session, hotspot_ids: Sequence[int]) -> list[int]:
    """Incidents of the hotspots per hour of the day (Thai time), 24 numbers."""
    hour = func.extract("hour", func.timezone(THAI_ZONE, Incident.occurred_at))
    rows = session.execute(
        select(hour, func.count(func.distinct(Incident.id)))
        .join(HotspotMember, HotspotMember.incident_id == Incident.id)
        .where(HotspotMember.hotspot_id.in_(hotspot_ids))
        .group_by(hour)
    )
    counts = [0] * 24
    for h, n in rows:
        counts[int(h)] = int(n)
    return counts


def hotspot_profile(
    session: Session, ids: Sequence[int], viewer: User, window_hours: int = DEFAULT_WINDOW_HOURS
) -> dict[str, Any]:
    """When the incidents of some hotspots happened: by hour of the day and by day of the week
    (Monday first), in Thai time, and the densest ``window_hours`` window.

    Raises:
        InvalidInput: no id, more than 100, or an unknown hotspot (``hotspots``).
        Forbidden: a hotspot outside the viewer's districts (``hotspots``).
    """
    if not ids or len(ids) > 100:
        raise InvalidInput(N_("hotspots: give 1 to 100 hotspot ids"), field="hotspots")
    found = hotspot_districts(session, ids)
    scope = scope_district_ids(session, viewer)
    for hid in ids:
        if hid not in found:
            raise InvalidInput(N_("no hotspot with id {hid}"), field="hotspots", hid=hid)
        if scope is not None and not set(found[hid]) & scope:
            raise Forbidden(
                N_("hotspot {hid} lies outside your districts"), field="hotspots", hid=hid
            )
    local = func.timezone(THAI_ZONE, Incident.occurred_at)
    hour, dow = func.extract("hour", local), func.extract("isodow", local)
    rows = session.execute(
        select(hour, dow, func.count(func.distinct(Incident.id)))
        .join(HotspotMember, HotspotMember.incident_id == Incident.id)
        .where(HotspotMember.hotspot_id.in_(list(ids)))
        .group_by(hour, dow)
    )
    hours, days = [0] * 24, [0] * 7
    for h, d, n in rows:
        hours[int(h)] += int(n)
        days[int(d) - 1] += int(n)
    window = densest_window(hours, window_hours)
    return {
        "hotspots": list(ids),
        "time_zone": "+07:00",
        "hours": hours,
        "weekdays": days,
        "total": sum(hours),
        "window": None
        if window is None
        else {
            "start": f"{window[0]:02d}:00",
            "end": f"{(window[0] + window_hours) % 24:02d}:00",
            "hours": window_hours,
            "incidents": window[1],
        },
    }


# --------------------------------------------------------------------------- creation


@dataclass(frozen=True, slots=True)
class CreatedPlan:
    plan: PatrolPlan
    tour: Tour
    window_incidents: int


def create_plan(session: Session, req: PlanRequest, planner: User) -> CreatedPlan:
    """Store a routed plan: its stops in tour order, the route, its length and time window.

    Args:
        session: open session; flushed, the caller commits.
        req: the checked request.
        planner: the account making the plan (its scope decides what it may use).

    Returns:
        The plan, the tour found and how many incidents the suggested window holds.

    Raises:
        InvalidInput: an unknown district, checkpoint or hotspot, no hotspot for ``top``, a
            district without a coordination centre and no checkpoint given.
        Forbidden: the district, the start or a hotspot lies outside the planner's scope.
    """
    scope = scope_district_ids(session, planner)
    try:
        district = find_district(session, req.district)
    except NotFound:
        raise InvalidInput(
            N_("no district matches {district!r}"), field="district", district=req.district
        ) from None
    if not scope_covers(scope, district.id):
        raise Forbidden(N_("the district lies outside your districts"), field="district")
    start = _start(session, req, district, scope)
    ids = _chosen_hotspots(session, req, district, scope)
    metric = lambda g: func.ST_Transform(g, METRIC_SRID)  # noqa: E731
    start_xy = session.execute(
        select(func.ST_X(metric(start.geom)), func.ST_Y(metric(start.geom)))
    ).one()
    rows = session.execute(
        select(
            Hotspot.id, func.ST_X(metric(Hotspot.centroid)), func.ST_Y(metric(Hotspot.centroid))
        ).where(Hotspot.id.in_(ids))
    ).all()
    xy = {hid: (float(x), float(y)) for hid, x, y in rows}
    points = [(float(start_xy[0]), float(start_xy[1]))] + [xy[i] for i in ids]
    tour = plan_tour(session, points)
    window = densest_window(hour_profile(session, ids), req.window_hours)
    plan = PatrolPlan(
        district_id=district.id,
        created_by_id=planner.id,
        unit=req.unit,
        planned_for=req.planned_for,
        window_start=None if window is None else dt.time(window[0]),
        window_end=None if window is None else dt.time((window[0] + req.window_hours) % 24),
        start_checkpoint_id=start.checkpoint_id,
        start=start.geom,
    )
    session.add(plan)
    session.flush()
    for seq, index in enumerate(tour.order, start=1):
        hid = ids[index]
        session.add(
            PatrolStop(
                plan_id=plan.id,
                seq=seq,
                hotspot_id=hid,
                geom=select(Hotspot.centroid).where(Hotspot.id == hid).scalar_subquery(),
            )
        )
    session.flush()
    _route(session, plan.id)
    session.refresh(plan)
    return CreatedPlan(plan, tour, 0 if window is None else window[1])


def _route(session: Session, plan_id: int) -> None:
    """The plan's route (start → stops by ``seq`` → start) and its geodesic length."""
    session.execute(
        text(
            """
            UPDATE patrol_plan p SET route = r.line, length_m = ST_Length(r.line::geography)
            FROM (
              SELECT ST_MakeLine(ARRAY[pp.start] || array_agg(s.geom ORDER BY s.seq)
                                 || ARRAY[pp.start]) AS line
              FROM patrol_plan pp JOIN patrol_stop s ON s.plan_id = pp.id
              WHERE pp.id = :id GROUP BY pp.start
            ) r
            WHERE p.id = :id
            """
        ),
        {"id": plan_id},
    )


# --------------------------------------------------------------------------- reading


def get_plan(session: Session, plan_id: int, viewer: User) -> PatrolPlan:
    """The plan if ``viewer`` may read it (:func:`readable_plans`).

    Raises:
        NotFound: no such plan, or one the viewer may not read (the same answer).
    """
    readable = readable_plans(viewer, scope_district_ids(session, viewer))
    plan = session.execute(
        select(PatrolPlan).where(PatrolPlan.id == plan_id, readable)
    ).scalar_one_or_none()
    if plan is None:
        raise NotFound(N_("no such patrol plan"), field="id")
    return plan


def list_plans(
    session: Session,
    viewer: User,
    *,
    district: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Plans the viewer may read (:func:`readable_plans`), by day (newest first), optionally
    filtered.

    Args:
        district: a district (P-code, DOPA code or name); must lie in the viewer's scope.
        since, until: first and last day of ``planned_for`` (inclusive).
        limit: most plans listed.

    Raises:
        InvalidInput: an unknown district (``district``).
        Forbidden: a district outside the viewer's scope.
    """
    scope = scope_district_ids(session, viewer)
    q = (
        select(PatrolPlan.id)
        .where(readable_plans(viewer, scope))
        .order_by(PatrolPlan.planned_for.desc(), PatrolPlan.id.desc())
    )
    if district is not None:
        try:
            found = find_district(session, district)
        except NotFound:
            raise InvalidInput(
                N_("no district matches {district!r}"), field="district", district=district
            ) from None
        if not scope_covers(scope, found.id):
            raise Forbidden(N_("the district lies outside your districts"), field="district")
        q = q.where(PatrolPlan.district_id == found.id)
    if since is not None:
        q = q.where(PatrolPlan.planned_for >= since)
    if until is not None:
        q = q.where(PatrolPlan.planned_for <= until)
    ids = list(session.execute(q.limit(limit)).scalars())
    return [plan_summary(session, i) for i in ids]


def plan_summary(session: Session, plan_id: int) -> dict[str, Any]:
    """A plan's properties (no geometry): as listed and as the detail's ``properties``."""
    p = PatrolPlan
    row: Any = session.execute(
        select(
            p.id,
            p.unit,
            p.planned_for,
            p.window_start,
            p.window_end,
            p.length_m,
            p.created_at,
            p.start_checkpoint_id,
            District.pcode,
            District.name,
            District.name_th,
            User.display_name,
            select(func.count())
            .select_from(PatrolStop)
            .where(PatrolStop.plan_id == p.id)
            .scalar_subquery(),
            select(func.count())
            .select_from(PatrolStop)
            .where(PatrolStop.plan_id == p.id, PatrolStop.outcome.is_not(None))
            .scalar_subquery(),
            Checkpoint.name,
            CoordinationCentre.name,
            cast(func.ST_X(p.start), Float),
            cast(func.ST_Y(p.start), Float),
        )
        .join(District, District.id == p.district_id)
        .outerjoin(User, User.id == p.created_by_id)
        .outerjoin(Checkpoint, Checkpoint.id == p.start_checkpoint_id)
        .outerjoin(CoordinationCentre, CoordinationCentre.district_id == p.district_id)
        .where(p.id == plan_id)
    ).one()
    (pid, unit, day, w0, w1, length, created, cp_id, pcode, name, name_th, by, n, done) = row[:14]
    cp_name, centre_name, lon, lat = row[14:]
    start = (
        {"kind": "checkpoint", "checkpoint_id": cp_id, "name": cp_name}
        if cp_id is not None
        else {"kind": "coordination_centre", "name": centre_name}
    )
    return {
        "id": pid,
        "district": {"pcode": pcode, "name": name, "name_th": name_th},
        "unit": str(unit),
        "planned_for": day.isoformat(),
        "window": None
        if w0 is None
        else {"start": w0.strftime("%H:%M"), "end": w1.strftime("%H:%M"), "time_zone": "+07:00"},
        "start": {**start, "lon": lon, "lat": lat},
        "length_m": None if length is None else round(length, 1),
        "stops": n,
        "stops_done": done,
        "created_at": created.astimezone(THAI_TIME).isoformat(timespec="seconds"),
        "created_by": by,
    }


def plan_stops(session: Session, plan_id: int) -> list[dict[str, Any]]:
    """The stops of a plan in order, with their hotspot, UTM coordinates and outcome."""
    zone = cast(func.floor((func.ST_X(PatrolStop.geom) + 180) / 6) + 1, Integer)
    utm = func.ST_Transform(PatrolStop.geom, 32600 + zone)
    rows = session.execute(
        select(
            PatrolStop,
            cast(func.ST_X(PatrolStop.geom), Float),
            cast(func.ST_Y(PatrolStop.geom), Float),
            zone,
            func.ST_X(utm),
            func.ST_Y(utm),
            Hotspot,
        )
        .outerjoin(Hotspot, Hotspot.id == PatrolStop.hotspot_id)
        .where(PatrolStop.plan_id == plan_id)
        .order_by(PatrolStop.seq)
    ).all()
    stops = []
    for stop, lon, lat, z, easting, northing, hotspot in rows:
        stops.append(
            {
                "seq": stop.seq,
                "lon": round(lon, 6),
                "lat": round(lat, 6),
                "utm": f"{int(z)}N {round(easting):06d} {round(northing):07d}",
                "hotspot": None if hotspot is None else _hotspot_json(hotspot),
                "outcome": None if stop.outcome is None else str(stop.outcome),
                "outcome_at": None
                if stop.outcome_at is None
                else stop.outcome_at.astimezone(THAI_TIME).isoformat(timespec="seconds"),
                "incident_id": stop.incident_id,
                "note": stop.note,
            }
        )
    return stops


def _hotspot_json(h: Hotspot) -> dict[str, Any]:
    return {
        "id": h.id,
        "run_id": h.run_id,
        "rank": h.rank,
        "score": round(h.score, 3),
        "n_incidents": h.n_incidents,
        "categories": h.categories,
        "first_seen": h.first_seen.astimezone(THAI_TIME).date().isoformat(),
        "last_seen": h.last_seen.astimezone(THAI_TIME).date().isoformat(),
        "trend": h.trend,
        "nearest_crossing_m": None if h.nearest_crossing_m is None else round(h.nearest_crossing_m),
        "nearest_checkpoint_m": None
        if h.nearest_checkpoint_m is None
        else round(h.nearest_checkpoint_m),
    }


def plan_geojson(session: Session, plan: PatrolPlan) -> dict[str, Any]:
    """A plan as a GeoJSON Feature (the route) with its stops as a FeatureCollection member."""
    route = session.execute(
        select(func.ST_AsGeoJSON(PatrolPlan.route, 6)).where(PatrolPlan.id == plan.id)
    ).scalar_one()
    stops = plan_stops(session, plan.id)
    return {
        "type": "Feature",
        "id": plan.id,
        "geometry": None if route is None else json.loads(route),
        "properties": plan_summary(session, plan.id),
        "stops": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "id": s["seq"],
                    "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
                    "properties": s,
                }
                for s in stops
            ],
        },
    }


__all__ = [
    "MAX_STOPS",
    "PLANNERS",
    "READERS",
    "CreatedPlan",
    "PlanRequest",
    "create_plan",
    "densest_window",
    "get_plan",
    "hotspot_profile",
    "hour_profile",
    "latest_run_id",
    "list_plans",
    "parse_plan",
    "plan_geojson",
    "plan_stops",
    "plan_summary",
    "readable_plans",
]
