"""Activities with the parallel areas: parsed at the edge, stored whole (areas, topics,
participant counts) and audited, read in the viewer's scope.

An activity's place is a point on either side of the border. Its parallel areas are the
district's pairs or any other parallel area (by id), and ``other_areas`` names in words those
not in the reference data. Participants are counts by side and group, women counted; never names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from geoalchemy2.shape import to_shape
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gis.cooperation.access import RECORDERS, readable_scope, require_role, target_district
from gis.cooperation.audit import record_change
from gis.db import SRID
from gis.errors import InvalidInput, NotFound
from gis.models import (
    Activity,
    ActivityArea,
    ActivityParticipants,
    ActivityTopic,
    District,
    ParallelArea,
    User,
)
from gis.parsing import (
    parse_choice,
    parse_day,
    parse_integer,
    parse_number,
    parse_text,
    refuse_unknown,
)
from gis.text import N_
from gis.types import ActivityKind, CooperationRecord, CooperationTopic, ParticipantGroup, Side

#: Where a place may lie: Thailand's border provinces and the parallel areas across the border.
LON_RANGE = (97.0, 108.0)
LAT_RANGE = (5.0, 23.0)
#: Most participants of one side and group.
MAX_COUNT = 100_000
#: Longest free texts.
TITLE_CHARS = 200
TEXT_CHARS = 4000

FIELDS = (
    "district",
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "lon",
    "lat",
    "parallel_areas",
    "other_areas",
    "topics",
    "participants",
    "organisers",
    "partners",
    "summary",
)


@dataclass(frozen=True, slots=True)
class Count:
    """Participants of one side and group."""

    side: Side
    group: ParticipantGroup
    total: int
    women: int


@dataclass(frozen=True, slots=True)
class ActivityInput:
    """An activity as parsed from a request (nothing checked against the database yet)."""

    district: str | None
    kind: ActivityKind
    title: str
    starts_on: dt.date
    ends_on: dt.date
    lon: float
    lat: float
    parallel_areas: tuple[int, ...]
    other_areas: str | None
    topics: tuple[CooperationTopic, ...]
    participants: tuple[Count, ...]
    organisers: str | None
    partners: str | None
    summary: str | None


def _ids(value: Any, field: str) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(N_("{field} must be a list"), field=field)
    ids = [parse_integer(v, field, 1, 2**31 - 1) for v in value]
    return tuple(dict.fromkeys(ids))


def _topics(value: Any) -> tuple[CooperationTopic, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(N_("{field} must be a list"), field="topics")
    return tuple(dict.fromkeys(parse_choice(v, "topics", CooperationTopic) for v in value))


def _counts(value: Any) -> tuple[Count, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise InvalidInput(N_("{field} must be a list"), field="participants")
    counts: dict[tuple[Side, ParticipantGroup], Count] = {}
    for i, row in enumerate(value):
        prefix = f"participants[{i}]."
        if not isinstance(row, Mapping):
            raise InvalidInput(N_("{field} must be an object"), field=f"participants[{i}]")
        refuse_unknown(row, ("side", "group", "total", "women"), prefix=prefix)
        side = parse_choice(row.get("side"), prefix + "side", Side)
        group = parse_choice(row.get("group"), prefix + "group", ParticipantGroup)
        total = parse_integer(row.get("total", 0), prefix + "total", 0, MAX_COUNT)
        women = parse_integer(row.get("women", 0), prefix + "women", 0, MAX_COUNT)
        if women > total:
            raise InvalidInput(N_("{field} cannot exceed the total"), field=prefix + "women")
        if (side, group) in counts:
            raise InvalidInput(N_("{field} is given twice"), field=prefix + "group")
        if total:
            counts[(side, group)] = Count(side, group, total, women)
    return tuple(counts.values())


def _required_text(value: Any, field: str, limit: int) -> str:
    text = parse_text(value, field, limit)
    if text is None:
        raise InvalidInput(N_("{field} is required"), field=field)
    return text.strip()


def parse_activity(body: Mapping[str, Any]) -> ActivityInput:
    """Check every member of a JSON object (or a form read into one) describing an activity.

    Raises:
        InvalidInput: naming the first member that is missing, malformed or out of range (dates
            out of order, a negative count, more women than participants, an unknown topic).
    """
    refuse_unknown(body, FIELDS)
    starts_on = parse_day(body.get("starts_on"), "starts_on")
    ends_raw = body.get("ends_on")
    ends_on = parse_day(ends_raw, "ends_on") if ends_raw not in (None, "") else starts_on
    if ends_on < starts_on:
        raise InvalidInput(N_("{field} lies before the first day"), field="ends_on")
    district = body.get("district")
    if district is not None and not isinstance(district, str):
        raise InvalidInput(N_("{field} must be a string"), field="district")
    return ActivityInput(
        district=district or None,
        kind=parse_choice(body.get("kind"), "kind", ActivityKind),
        title=_required_text(body.get("title"), "title", TITLE_CHARS),
        starts_on=starts_on,
        ends_on=ends_on,
        lon=parse_number(body.get("lon"), "lon", *LON_RANGE),
        lat=parse_number(body.get("lat"), "lat", *LAT_RANGE),
        parallel_areas=_ids(body.get("parallel_areas"), "parallel_areas"),
        other_areas=parse_text(body.get("other_areas"), "other_areas", TITLE_CHARS),
        topics=_topics(body.get("topics")),
        participants=_counts(body.get("participants")),
        organisers=parse_text(body.get("organisers"), "organisers", TEXT_CHARS),
        partners=parse_text(body.get("partners"), "partners", TEXT_CHARS),
        summary=parse_text(body.get("summary"), "summary", TEXT_CHARS),
    )


def _check_areas(session: Session, ids: tuple[int, ...]) -> None:
    if not ids:
        return
    known = set(session.execute(select(ParallelArea.id).where(ParallelArea.id.in_(ids))).scalars())
    for area_id in ids:
        if area_id not in known:
            raise InvalidInput(
                N_("{field}: no parallel area {id}"), field="parallel_areas", id=area_id
            )


def snapshot(session: Session, activity: Activity) -> dict[str, Any]:
    """The activity's values as the audit records them (areas, topics and counts included)."""
    point = to_shape(activity.geom) if not isinstance(activity.geom, str) else None
    areas = session.execute(
        select(ActivityArea.parallel_area_id)
        .where(ActivityArea.activity_id == activity.id)
        .order_by(ActivityArea.parallel_area_id)
    ).scalars()
    topics = session.execute(
        select(ActivityTopic.topic).where(ActivityTopic.activity_id == activity.id)
    ).scalars()
    counts = session.execute(
        select(ActivityParticipants).where(ActivityParticipants.activity_id == activity.id)
    ).scalars()
    return {
        "district_id": activity.district_id,
        "kind": activity.kind,
        "title": activity.title,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "lon": point.x if point is not None else None,
        "lat": point.y if point is not None else None,
        "parallel_areas": list(areas),
        "other_areas": activity.other_areas,
        "topics": sorted(t.value for t in topics),
        "participants": sorted([c.side.value, c.group.value, c.total, c.women] for c in counts),
        "organisers": activity.organisers,
        "partners": activity.partners,
        "summary": activity.summary,
    }


def _write(session: Session, activity: Activity, data: ActivityInput) -> None:
    activity.kind = data.kind
    activity.title = data.title
    activity.starts_on = data.starts_on
    activity.ends_on = data.ends_on
    activity.geom = func.ST_SetSRID(func.ST_MakePoint(data.lon, data.lat), SRID)
    activity.other_areas = data.other_areas
    activity.organisers = data.organisers
    activity.partners = data.partners
    activity.summary = data.summary
    session.flush()
    for table in (ActivityArea, ActivityTopic, ActivityParticipants):
        session.execute(delete(table).where(table.activity_id == activity.id))
    session.add_all(
        ActivityArea(activity_id=activity.id, parallel_area_id=a) for a in data.parallel_areas
    )
    session.add_all(ActivityTopic(activity_id=activity.id, topic=t) for t in data.topics)
    session.add_all(
        ActivityParticipants(
            activity_id=activity.id, side=c.side, group=c.group, total=c.total, women=c.women
        )
        for c in data.participants
    )
    session.flush()
    session.refresh(activity)


def create_activity(session: Session, data: ActivityInput, viewer: User) -> Activity:
    """Store a new activity of the viewer's district (or the named one in its scope), audited.

    Raises:
        Forbidden: the viewer's role does not record activities.
        InvalidInput: a district outside the viewer's scope or not a target district
            (``district``), a parallel area that does not exist (``parallel_areas``).
    """
    require_role(viewer, RECORDERS)
    district = target_district(session, data.district, viewer)
    _check_areas(session, data.parallel_areas)
    return store_activity(session, data, district.id, viewer)


def store_activity(
    session: Session, data: ActivityInput, district_id: int, by: User | None
) -> Activity:
    """Store a checked activity of ``district_id`` with its record of change (``by``: the
    account; ``None`` for the demo loader and the command line). Callers check role, scope and
    parallel areas first (:func:`create_activity`)."""
    activity = Activity(district_id=district_id, created_by_id=by.id if by else None)
    session.add(activity)
    _write(session, activity, data)
    record_change(
        session,
        by=by,
        district_id=district_id,
        record=CooperationRecord.ACTIVITY,
        record_id=activity.id,
        action="created",
        new=snapshot(session, activity),
    )
    return activity


def get_activity(session: Session, activity_id: int, viewer: User) -> Activity:
    """The activity if ``viewer`` reads its district's register.

    Raises:
        Forbidden: the role does not read the register.
        NotFound: no such activity, or one outside the viewer's scope (the same answer).
    """
    scope = readable_scope(session, viewer)
    activity = session.get(Activity, activity_id)
    if activity is None or (scope is not None and activity.district_id not in scope):
        raise NotFound(N_("no such activity"), field="id")
    return activity


def update_activity(
    session: Session, activity_id: int, data: ActivityInput, viewer: User
) -> Activity:
    """Replace an activity's values (its district stays), audited with before and after.

    Raises:
        Forbidden: the role does not record activities.
        NotFound: no such activity in the viewer's scope.
        InvalidInput: as :func:`create_activity`; a district other than the activity's.
    """
    require_role(viewer, RECORDERS)
    activity = get_activity(session, activity_id, viewer)
    if data.district is not None:
        district = target_district(session, data.district, viewer)
        if district.id != activity.district_id:
            raise InvalidInput(N_("{field} of an activity cannot change"), field="district")
    _check_areas(session, data.parallel_areas)
    session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    before = snapshot(session, activity)
    _write(session, activity, data)
    activity.updated_at = func.now()
    session.flush()
    record_change(
        session,
        by=viewer,
        district_id=activity.district_id,
        record=CooperationRecord.ACTIVITY,
        record_id=activity.id,
        action="updated",
        old=before,
        new=snapshot(session, activity),
    )
    return activity


def activity_json(session: Session, activity: Activity) -> dict[str, Any]:
    """An activity as the API answers it: its values, district and parallel areas by name."""
    body = snapshot(session, activity)
    district = session.get(District, activity.district_id)
    assert district is not None
    areas = session.execute(
        select(ParallelArea.id, ParallelArea.name, ParallelArea.country)
        .join(ActivityArea, ActivityArea.parallel_area_id == ParallelArea.id)
        .where(ActivityArea.activity_id == activity.id)
        .order_by(ParallelArea.name)
    ).all()
    body["participants"] = [
        {"side": s, "group": g, "total": t, "women": w} for s, g, t, w in body["participants"]
    ]
    body.update(
        id=activity.id,
        kind=activity.kind.value,
        starts_on=activity.starts_on.isoformat(),
        ends_on=activity.ends_on.isoformat(),
        district={"pcode": district.pcode, "name": district.name, "name_th": district.name_th},
        parallel_areas=[{"id": i, "name": n, "country": c.value} for i, n, c in areas],
        created_at=activity.created_at.isoformat(),
        updated_at=activity.updated_at.isoformat(),
    )
    return body


def list_activities(
    session: Session,
    viewer: User,
    *,
    district_ids: list[int] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    limit: int = 500,
) -> list[Activity]:
    """Activities the viewer reads, newest first, optionally of some districts and days.

    Args:
        district_ids: only these districts (already checked against the scope by the caller,
            and intersected with it here again).
        since, until: activities that overlap these days (both included).
        limit: most activities returned.
    """
    scope = readable_scope(session, viewer)
    query = select(Activity).order_by(Activity.starts_on.desc(), Activity.id.desc()).limit(limit)
    if scope is not None:
        query = query.where(Activity.district_id.in_(scope))
    if district_ids is not None:
        query = query.where(Activity.district_id.in_(district_ids))
    if since is not None:
        query = query.where(Activity.ends_on >= since)
    if until is not None:
        query = query.where(Activity.starts_on <= until)
    return list(session.execute(query).scalars())
