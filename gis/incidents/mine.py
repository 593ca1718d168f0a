"""The reports an account made itself ("My reports"): newest first, paged, counted by status.

Only the viewer's own reports (``incident.reporter_id``) are read, whatever the viewer's scope:
a coordinator sees here what they reported, not their district's queue. Each report comes with
its last change, read from the audit trail (``incident_event``): when, which action and the
status it led to. Of the actions' notes only those written for the reporter
(``incident_event.reporter_note``) are read, newest first, each with the role of the account that
wrote it, never its name; the staff's ``note`` and the actions' details stay with the district's
staff (:func:`gis.incidents.review_queue.sees_internal_notes`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from gis.models import District, Incident, IncidentEvent, Province, User
from gis.types import IncidentCategory, IncidentStatus, Role

#: Reports on one page.
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ReporterNote:
    """A note written for the reporter with an action on their report: when, and the role of
    the account that wrote it (``None`` when the account is unknown)."""

    at: dt.datetime
    role: Role | None
    text: str


@dataclass(frozen=True, slots=True)
class MyReport:
    """One of the viewer's reports, as "My reports" lists it.

    ``last_at``, ``last_action`` and ``last_status`` describe the latest event of the report's
    audit trail (``created`` when nothing happened since it was made; ``None`` for a report
    stored without one).
    """

    id: int
    category: IncidentCategory
    status: IncidentStatus
    severity: int
    occurred_at: dt.datetime
    reported_at: dt.datetime
    district: str
    district_th: str
    province: str
    province_th: str
    last_at: dt.datetime | None
    last_action: str | None
    last_status: IncidentStatus | None
    #: the notes written for the reporter, newest first
    notes: tuple[ReporterNote, ...] = ()


@dataclass(frozen=True, slots=True)
class MyReportsPage:
    """A page of the viewer's reports and the counts of all of them by status."""

    items: list[MyReport]
    #: every status with the number of the viewer's reports in it (zero included)
    counts: dict[IncidentStatus, int]
    #: the viewer's reports matching the filter
    matching: int
    page: int
    pages: int
    per_page: int

    @property
    def total(self) -> int:
        """All the viewer's reports, whatever their status."""
        return sum(self.counts.values())


def reported_by(viewer: User) -> ColumnElement[bool]:
    """Incidents the viewer reported."""
    return Incident.reporter_id == viewer.id


def with_status(status: IncidentStatus | None) -> ColumnElement[bool]:
    """Incidents in ``status``; every incident for ``None``."""
    return true() if status is None else Incident.status == status


def count_by_status(session: Session, viewer: User) -> dict[IncidentStatus, int]:
    """The viewer's reports counted by status, every status present (zero when none)."""
    counts = dict.fromkeys(IncidentStatus, 0)
    rows = session.execute(
        select(Incident.status, func.count()).where(reported_by(viewer)).group_by(Incident.status)
    )
    for status, n in rows:
        counts[IncidentStatus(status)] = int(n)
    return counts


def my_reports(
    session: Session,
    viewer: User,
    *,
    status: IncidentStatus | None = None,
    page: int = 1,
    per_page: int = PAGE_SIZE,
) -> MyReportsPage:
    """A page of the reports ``viewer`` made, newest report first.

    Args:
        session: open session.
        viewer: the signed-in account; only its own reports are read.
        status: only the reports in this status (``None``: all of them).
        page: the page, from 1; a page past the last one has no items.
        per_page: reports on a page.

    Returns:
        The page's reports with their district, last change and notes for the reporter, the
        counts of all the viewer's reports by status, and the number of pages of those matching
        ``status``.
    """
    counts = count_by_status(session, viewer)
    matching = counts[status] if status is not None else sum(counts.values())
    last = (
        select(IncidentEvent.at, IncidentEvent.action, IncidentEvent.to_status)
        .where(IncidentEvent.incident_id == Incident.id)
        .order_by(IncidentEvent.at.desc(), IncidentEvent.id.desc())
        .limit(1)
        .lateral("last")
    )
    rows = session.execute(
        select(
            Incident.id,
            Incident.category,
            Incident.status,
            Incident.severity,
            Incident.occurred_at,
            Incident.reported_at,
            District.name,
            District.name_th,
            Province.name,
            Province.name_th,
            last.c.at,
            last.c.action,
            last.c.to_status,
        )
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .outerjoin(last, true())
        .where(reported_by(viewer), with_status(status))
        .order_by(Incident.reported_at.desc(), Incident.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    notes = reporter_notes(session, [r[0] for r in rows])
    items = [
        MyReport(
            id=r[0],
            category=IncidentCategory(r[1]),
            status=IncidentStatus(r[2]),
            severity=r[3],
            occurred_at=r[4],
            reported_at=r[5],
            district=r[6],
            district_th=r[7],
            province=r[8],
            province_th=r[9],
            last_at=r[10],
            last_action=r[11],
            last_status=None if r[12] is None else IncidentStatus(r[12]),
            notes=tuple(notes.get(r[0], ())),
        )
        for r in rows
    ]
    pages = max(1, -(-matching // per_page))
    return MyReportsPage(items, counts, matching, page, pages, per_page)


def reporter_notes(session: Session, incident_ids: list[int]) -> dict[int, list[ReporterNote]]:
    """The notes written for the reporter on these incidents, newest first per incident.

    Only ``incident_event.reporter_note`` is read, never the staff's ``note``; the writer is
    given by role only.
    """
    notes: dict[int, list[ReporterNote]] = {}
    if not incident_ids:
        return notes
    rows = session.execute(
        select(IncidentEvent.incident_id, IncidentEvent.at, User.role, IncidentEvent.reporter_note)
        .outerjoin(User, User.id == IncidentEvent.actor_id)
        .where(
            IncidentEvent.incident_id.in_(incident_ids),
            IncidentEvent.reporter_note.is_not(None),
        )
        .order_by(IncidentEvent.at.desc(), IncidentEvent.id.desc())
    )
    for incident_id, at, role, text in rows:
        notes.setdefault(incident_id, []).append(
            ReporterNote(at, None if role is None else Role(role), text or "")
        )
    return notes
