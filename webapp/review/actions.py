"""A triage action taken by the signed-in coordinator, shared by the JSON API and the page."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.incidents.review import apply_action
from gis.incidents.review_queue import HistoryEntry, get_reviewable_incident, history_entry
from gis.models import Incident, User
from webapp.review.schemas import ActionInput


def take_action(
    session: Session, incident_id: int, data: ActionInput, actor: User
) -> tuple[Incident, HistoryEntry]:
    """Apply ``data`` to an incident of the actor's districts; the caller commits.

    Raises:
        NotFound: no such incident, or one outside the actor's scope.
        InvalidInput, Conflict: from :func:`gis.incidents.review.apply_action`.
    """
    incident = get_reviewable_incident(session, incident_id, actor)
    result = apply_action(
        session,
        incident.id,
        data.action,
        actor.id,
        note=data.note,
        duplicate_of=data.duplicate_of,
        agency=data.agency,
    )
    return incident, history_entry(session, result.event_id)
