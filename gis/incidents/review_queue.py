"""The coordinators' review queue: incidents of the viewer's districts, filtered, overdue first.

Which roles may use the queue is the caller's decision; here the viewer's district scope
(:func:`gis.accounts.scope.scope_district_ids`) decides which incidents are listed: coordinators
their district, planners their province, HQ analysts and administrators every district. Unlike
:func:`gis.incidents.reports.may_see`, reporting an incident does not put it in one's queue.

Order: new reports waiting for triage longer than :data:`OVERDUE_AFTER` since they were reported
come first, the longest waiting first; then every other incident, newest (``occurred_at``) first
(:func:`queue_order`). The next report a coordinator triages is the first new one in that order
(:func:`next_new_incident`).

Filters are small builders (:func:`in_scope`, :func:`with_status`, :func:`with_category`,
:func:`in_district`, :func:`in_window`) combined by :func:`review_queue`; the total is counted by
its own SQL ``count(*)`` over the same conditions, not from the page of items, and the counts of
every status by one grouped query (:func:`count_by_status`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, select, true
from sqlalchemy.orm import Session, aliased

from gis.accounts.scope import scope_district_ids
from gis.errors import NotFound
from gis.filters import in_scope, in_window, scope_covers
from gis.incidents.reports import get_incident
from gis.incidents.review import allowed_actions, possible_duplicates
from gis.models import (
    Checkpoint,
    District,
    Incident,
    IncidentEvent,
    NaturalCrossing,
    ParallelArea,
    Province,
    User,
)
from gis.text import N_
from gis.types import Channel, IncidentCategory, IncidentStatus, Role

#: Largest page of the queue.
MAX_LIMIT = 500
DEFAULT_LIMIT = 100
#: A new report waiting longer than this since it was reported is overdue: it comes first.
OVERDUE_AFTER = dt.timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One incident as the review queue lists it (no description, no reporter)."""

    id: int
    category: IncidentCategory
    status: IncidentStatus
    severity: int
    occurred_at: dt.datetime
    reported_at: dt.datetime
    district_id: int
    district: str
    district_th: str | None
    province: str
    lon: float
    lat: float
    allowed_actions: tuple[str, ...]
    province_th: str | None = None
    #: how long a new report has waited for triage since it was reported (``None`` unless new)
    waiting: dt.timedelta | None = None
    #: how the report came in
    channel: Channel | None = None
    #: the role of the account that took the report on a citizen's behalf (MWCC desk, hotline)
    taken_by_role: Role | None = None

    @property
    def overdue(self) -> bool:
        """A new report waiting longer than :data:`OVERDUE_AFTER`."""
        return self.waiting is not None and self.waiting > OVERDUE_AFTER


@dataclass(frozen=True, slots=True)
class StatusCounts:
    """The incidents matching the queue's filters (all but the status), by status."""

    #: every status, zero included
    by_status: dict[IncidentStatus, int]
    #: the new ones among them waiting longer than :data:`OVERDUE_AFTER`
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True, slots=True)
class DistrictChoice:
    """A district of the viewer's scope, for a filter."""

    id: int
    name: str
    name_th: str | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of the queue and the number of incidents matching the filters in all pages."""

    items: list[QueueItem]
    total: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One audit event; ``who`` is the actor's user name, ``None`` when not shown or unknown."""

    id: int
    who: str | None
    at: dt.datetime
    action: str
    from_status: IncidentStatus | None
    to_status: IncidentStatus | None
    note: str | None
    details: dict[str, object] | None
    #: the note written for the incident's reporter (shown to the staff and to the reporter)
    reporter_note: str | None = None


@dataclass(frozen=True, slots=True)
class DuplicateCandidate:
    """A possible duplicate and its distance (metres) from the incident under review."""

    item: QueueItem
    distance_m: float


# --------------------------------------------------------------------------- filter builders


def with_status(status: IncidentStatus | None) -> ColumnElement[bool]:
    """Incidents in ``status`` (any status when ``None``)."""
    return true() if status is None else Incident.status == status


def with_category(category: IncidentCategory | None) -> ColumnElement[bool]:
    """Incidents of ``category`` (any when ``None``)."""
    return true() if category is None else Incident.category == category


def with_channel(channel: Channel | None) -> ColumnElement[bool]:
    """Incidents that came in through ``channel`` (any when ``None``)."""
    return true() if channel is None else Incident.channel == channel


def in_district(district_id: int | None) -> ColumnElement[bool]:
    """Incidents of one district (any when ``None``); the scope is a filter of its own."""
    return true() if district_id is None else Incident.district_id == district_id


def is_overdue() -> ColumnElement[bool]:
    """New reports waiting longer than :data:`OVERDUE_AFTER` since they were reported."""
    return and_(
        Incident.status == IncidentStatus.NEW,
        Incident.reported_at < func.now() - OVERDUE_AFTER,
    )


def queue_order() -> tuple[Any, ...]:
    """The queue's order: overdue reports first, the longest waiting first; then newest first."""
    overdue = is_overdue()
    return (
        case((overdue, 0), else_=1),
        case((overdue, Incident.reported_at), else_=None).asc().nulls_last(),
        Incident.occurred_at.desc(),
        Incident.id.desc(),
    )


# --------------------------------------------------------------------------- queries


def _items_select() -> Select[*tuple[Any, ...]]:
    taker = aliased(User)
    return (
        select(
            Incident.id,
            Incident.category,
            Incident.status,
            Incident.severity,
            Incident.occurred_at,
            Incident.reported_at,
            Incident.district_id,
            District.name.label("district"),
            District.name_th.label("district_th"),
            Province.name.label("province"),
            Province.name_th.label("province_th"),
            func.ST_X(Incident.geom).label("lon"),
            func.ST_Y(Incident.geom).label("lat"),
            case(
                (Incident.status == IncidentStatus.NEW, func.now() - Incident.reported_at),
                else_=None,
            ).label("waiting"),
            Incident.channel,
            taker.role.label("taken_by_role"),
        )
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .outerjoin(taker, taker.id == Incident.taken_by_id)
    )


def _items(session: Session, statement: Select[*tuple[Any, ...]]) -> list[QueueItem]:
    return [
        QueueItem(
            id=r.id,
            category=IncidentCategory(r.category),
            status=IncidentStatus(r.status),
            severity=r.severity,
            occurred_at=r.occurred_at,
            reported_at=r.reported_at,
            district_id=r.district_id,
            district=r.district,
            district_th=r.district_th,
            province=r.province,
            lon=float(r.lon),
            lat=float(r.lat),
            allowed_actions=tuple(allowed_actions(r.status)),
            province_th=r.province_th,
            waiting=r.waiting,
            channel=Channel(r.channel),
            taken_by_role=None if r.taken_by_role is None else Role(r.taken_by_role),
        )
        for r in session.execute(statement)
    ]


def _filters(
    session: Session,
    viewer: User,
    category: IncidentCategory | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    district: int | None,
    channel: Channel | None = None,
) -> tuple[ColumnElement[bool], ...]:
    """The queue's conditions but the status: the viewer's scope and the filters."""
    return (
        in_scope(scope_district_ids(session, viewer)),
        with_category(category),
        in_district(district),
        in_window(since, until),
        with_channel(channel),
    )


def review_queue(
    session: Session,
    viewer: User,
    *,
    status: IncidentStatus | None = None,
    category: IncidentCategory | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    district: int | None = None,
    channel: Channel | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> QueuePage:
    """A page of the incidents of the viewer's districts in the queue's order (:func:`queue_order`:
    overdue new reports first, then newest ``occurred_at`` first).

    Args:
        session: open session.
        viewer: the account asking; its scope limits the incidents (the caller checks its role).
        status: only incidents in this status.
        category: only incidents of this category.
        since: only incidents that occurred at or after this time.
        until: only incidents that occurred before this time.
        district: only incidents of this district (within the scope: another lists nothing).
        channel: only incidents that came in through this channel.
        limit: page size, 1 to :data:`MAX_LIMIT`.
        offset: incidents skipped before the page.

    Returns:
        The page and the total number of matching incidents (a separate ``count(*)``).

    Raises:
        ValueError: ``limit`` or ``offset`` out of range (the caller parses them).
    """
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise ValueError("limit must be within 1..500 and offset not negative")
    where = (
        *_filters(session, viewer, category, since, until, district, channel),
        with_status(status),
    )
    total = session.execute(select(func.count()).select_from(Incident).where(*where)).scalar_one()
    page = _items_select().where(*where).order_by(*queue_order()).limit(limit).offset(offset)
    return QueuePage(items=_items(session, page), total=total)


def count_by_status(
    session: Session,
    viewer: User,
    *,
    category: IncidentCategory | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    district: int | None = None,
    channel: Channel | None = None,
) -> StatusCounts:
    """The incidents the queue lists with these filters, counted by status, in one query.

    Args:
        session: open session.
        viewer: the account asking; its scope limits the incidents.
        category, since, until, district, channel: the filters of :func:`review_queue` (not the
            status).

    Returns:
        Every status with its count (zero included) and the number of overdue new reports.
    """
    where = _filters(session, viewer, category, since, until, district, channel)
    rows = session.execute(
        select(Incident.status, func.count(), func.count().filter(is_overdue()))
        .where(*where)
        .group_by(Incident.status)
    ).all()
    by_status = dict.fromkeys(IncidentStatus, 0)
    overdue = 0
    for status, count, late in rows:
        by_status[IncidentStatus(status)] = count
        overdue += late
    return StatusCounts(by_status=by_status, overdue=overdue)


def next_new_incident(
    session: Session,
    viewer: User,
    *,
    category: IncidentCategory | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    district: int | None = None,
    channel: Channel | None = None,
    skip: int | None = None,
) -> int | None:
    """The id of the first new report of the queue with these filters (:func:`queue_order`),
    the one a coordinator triages next; ``None`` when no new report is left.

    Args:
        session: open session.
        viewer: the account asking; its scope limits the incidents.
        category, since, until, district, channel: the filters of :func:`review_queue` (not the
            status).
        skip: an incident not to propose (the one just triaged, should it still be new).
    """
    where = _filters(session, viewer, category, since, until, district, channel)
    return session.execute(
        select(Incident.id)
        .where(*where, with_status(IncidentStatus.NEW), Incident.id != (skip or 0))
        .order_by(*queue_order())
        .limit(1)
    ).scalar_one_or_none()


def viewer_districts(session: Session, viewer: User) -> list[DistrictChoice]:
    """The districts of the viewer's scope by name (every target district for a national one).

    Returns:
        The districts, for a district filter; one entry for a district role.
    """
    scope = scope_district_ids(session, viewer)
    condition = District.target.is_(True) if scope is None else District.id.in_(list(scope))
    named = select(District.id, District.name, District.name_th)
    rows = session.execute(named.where(condition).order_by(District.name))
    return [DistrictChoice(*row) for row in rows]


def queue_items(session: Session, ids: Sequence[int]) -> dict[int, QueueItem]:
    """The incidents with these ids as queue items, by id (the caller has checked scope)."""
    if not ids:
        return {}
    return {i.id: i for i in _items(session, _items_select().where(Incident.id.in_(list(ids))))}


def get_reviewable_incident(session: Session, incident_id: int, viewer: User) -> Incident:
    """The incident if it lies in one of the viewer's districts.

    Stricter than :func:`gis.incidents.reports.get_visible_incident`: having reported an incident of
    another district does not make it reviewable.

    Raises:
        NotFound: no such incident, or one outside the viewer's scope (the same answer).
    """
    incident = get_incident(session, incident_id)
    scope = scope_district_ids(session, viewer)
    if not scope_covers(scope, incident.district_id):
        raise NotFound(N_("no such incident"), field="id")
    return incident


def duplicate_candidates(session: Session, incident_id: int) -> list[DuplicateCandidate]:
    """Possible duplicates of an incident (:func:`gis.incidents.review.possible_duplicates`),
    nearest first.

    Raises:
        NotFound: no such incident.
    """
    pairs = possible_duplicates(session, incident_id)
    items = queue_items(session, [i for i, _ in pairs])
    return [DuplicateCandidate(items[i], metres) for i, metres in pairs if i in items]


#: The event that names the reporter (its actor); the API does not name reporters to others.
REPORTING_ACTION = "created"


def _entries(
    session: Session,
    condition: ColumnElement[bool],
    hide_report: bool,
    hidden_actor: int | None = None,
) -> list[HistoryEntry]:
    """Events matching ``condition``, oldest first, with their actors' names; no name on the
    report itself (``hide_report``) nor on any event by ``hidden_actor``."""
    actor = aliased(User)
    rows = session.execute(
        select(IncidentEvent, actor.username)
        .outerjoin(actor, actor.id == IncidentEvent.actor_id)
        .where(condition)
        .order_by(IncidentEvent.at, IncidentEvent.id)
    )
    return [
        HistoryEntry(
            id=event.id,
            who=None
            if (hide_report and event.action == REPORTING_ACTION)
            or (hidden_actor is not None and event.actor_id == hidden_actor)
            else name,
            at=event.at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            note=event.note,
            details=event.changes,
            reporter_note=event.reporter_note,
        )
        for event, name in rows
    ]


def in_viewers_districts(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether the incident lies in one of the viewer's districts (national scope: all)."""
    return scope_covers(scope_district_ids(session, viewer), incident.district_id)


def sees_internal_notes(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether the viewer is staff of the incident's district, who read the triage notes.

    Everyone who may see an incident sees its status changes. The notes and details of the
    actions (duplicate of which incident, referred to which agency) are internal: they are for
    the staff whose scope holds the district, not for a volunteer or an officer of another
    district who only made the report.
    """
    return Role(viewer.role) is not Role.VOLUNTEER and in_viewers_districts(
        session, incident, viewer
    )


def history_entries(session: Session, incident: Incident, viewer: User) -> list[HistoryEntry]:
    """The incident's audit trail, oldest first, with the actors' user names.

    The reporter's identity is not part of what the API shows of an incident, so the event
    that records the report (``created``) names nobody unless the viewer is the reporter. Every
    other event by the reporter (the photo added right after the report, a later action) names
    them only to the reporter and to the viewers who may read the reporter's contact
    (:func:`may_see_contact`: the district's coordinators and HQ analysts, who need the audit);
    for everyone else it names nobody, so that the history does not give away whom the report
    hides. A viewer who sees the incident only as its reporter (:func:`sees_internal_notes` is
    false) gets every status change without its note and details, but with the notes written
    for the reporter; any other viewer without the internal notes gets neither.
    """
    own = incident.reporter_id is not None and incident.reporter_id == viewer.id
    knows_reporter = own or may_see_contact(session, incident, viewer)
    entries = _entries(
        session,
        IncidentEvent.incident_id == incident.id,
        hide_report=not own,
        hidden_actor=None if knows_reporter else incident.reporter_id,
    )
    if sees_internal_notes(session, incident, viewer):
        return entries
    return [
        replace(e, note=None, details=None, reporter_note=e.reporter_note if own else None)
        for e in entries
    ]


def history_entry(session: Session, event_id: int) -> HistoryEntry:
    """One audit event with its actor's user name (for the actor who just made it).

    Raises:
        NotFound: no such event.
    """
    entries = _entries(session, IncidentEvent.id == event_id, False)
    if not entries:
        raise NotFound(N_("no such event"), field="event")
    return entries[0]


# --------------------------------------------------------------------------- one incident whole

#: Roles that read a reporter's contact, for the incidents of their districts: the district's
#: coordinators and HQ analysts. Administrators manage accounts, not cases, and do not.
CONTACT_ROLES = frozenset({Role.COORDINATOR, Role.HQ_ANALYST})


def may_see_contact(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether the viewer may read the incident's ``reporter_contact``.

    Only active coordinators whose scope holds the incident's district and HQ analysts do.
    """
    return (
        viewer.is_active
        and Role(viewer.role) in CONTACT_ROLES
        and in_viewers_districts(session, incident, viewer)
    )


def reporter_contact(session: Session, incident: Incident, viewer: User) -> str | None:
    """The reporter's contact if the viewer may read it (:func:`may_see_contact`), else ``None``."""
    return incident.reporter_contact if may_see_contact(session, incident, viewer) else None


@dataclass(frozen=True, slots=True)
class IncidentPlaces:
    """Names of the places an incident was routed to and measured against."""

    district: str
    district_th: str
    province: str
    province_th: str
    parallel_area: str | None
    checkpoint: str | None
    checkpoint_th: str | None
    crossing: str | None


def incident_places(session: Session, incident: Incident) -> IncidentPlaces:
    """The district, province, parallel area, nearest checkpoint and crossing of an incident.

    Raises:
        NotFound: no such incident.
    """
    row = session.execute(
        select(
            District.name,
            District.name_th,
            Province.name,
            Province.name_th,
            ParallelArea.name,
            Checkpoint.name,
            Checkpoint.name_th,
            NaturalCrossing.name,
        )
        .select_from(Incident)
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .outerjoin(ParallelArea, ParallelArea.id == Incident.parallel_area_id)
        .outerjoin(Checkpoint, Checkpoint.id == Incident.nearest_checkpoint_id)
        .outerjoin(NaturalCrossing, NaturalCrossing.id == Incident.nearest_crossing_id)
        .where(Incident.id == incident.id)
    ).one_or_none()
    if row is None:
        raise NotFound(N_("no such incident"), field="id")
    return IncidentPlaces(*row)


__all__ = [
    "CONTACT_ROLES",
    "OVERDUE_AFTER",
    "DistrictChoice",
    "DuplicateCandidate",
    "HistoryEntry",
    "IncidentPlaces",
    "QueueItem",
    "QueuePage",
    "StatusCounts",
    "count_by_status",
    "duplicate_candidates",
    "get_reviewable_incident",
    "history_entries",
    "history_entry",
    "in_district",
    "in_viewers_districts",
    "incident_places",
    "is_overdue",
    "may_see_contact",
    "next_new_incident",
    "queue_items",
    "queue_order",
    "reporter_contact",
    "review_queue",
    "sees_internal_notes",
    "viewer_districts",
    "with_category",
    "with_channel",
    "with_status",
]
