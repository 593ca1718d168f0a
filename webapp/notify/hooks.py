"""What the views that make an event call before their one commit, so that the event and its
notifications are stored together (:mod:`gis.notify.outbox`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from gis.incidents.review_queue import HistoryEntry
from gis.models import Incident, PatrolPlan, User
from gis.notify.outbox import notify_new_report, notify_patrol_plan, notify_status_change


def report_made(
    session: Session, incident: Incident | Any, coordinators: Sequence[int] | None = None
) -> None:
    """A report was stored (or replayed: the outbox keeps one row per delivery key).

    ``coordinators``: the district's active coordinators when the store statement read them
    (:class:`gis.incidents.reports.StoredReport`), else they are looked up."""
    notify_new_report(session, incident, coordinators=coordinators)


def action_taken(session: Session, incident: Incident, event: HistoryEntry, actor: User) -> None:
    """A triage action changed a report's status."""
    if event.from_status is None or event.to_status is None:
        return
    if event.from_status == event.to_status:
        return
    notify_status_change(
        session,
        incident,
        event.from_status,
        event.to_status,
        event_id=event.id,
        actor_id=actor.id,
    )


def plan_made(session: Session, plan: PatrolPlan) -> None:
    """A patrol plan was stored."""
    notify_patrol_plan(session, plan)
