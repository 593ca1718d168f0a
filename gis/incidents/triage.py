"""A triage action taken by a coordinator on an incident of their districts.

The one entry point for the review API and the review page: the scope check of
:mod:`gis.incidents.review_queue`, the state machine of :mod:`gis.incidents.review`, and the
history entry the action added.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gis.incidents.review import apply_action
from gis.incidents.review_queue import HistoryEntry, get_reviewable_incident, history_entry
from gis.models import Incident, User


@dataclass(frozen=True, slots=True)
class ActionInput:
    """A checked triage action (the rules of each action are checked by
    ``gis.incidents.review``)."""

    action: str
    note: str | None = None
    duplicate_of: int | None = None
    agency: str | None = None
    #: the note for the incident's reporter (``note`` stays with the district's staff)
    reporter_note: str | None = None


def take_action(
    session: Session, incident_id: int, data: ActionInput, actor: User
) -> tuple[Incident, HistoryEntry]:
    """Apply ``data`` to an incident of the actor's districts; the caller commits.

    Args:
        session: The session to write with; it is flushed, not committed.
        incident_id: The incident to act on.
        data: The action and its note, duplicate, agency or note for the reporter.
        actor: The coordinator taking the action.

    Returns:
        The incident after the action, and the audit event the action added.

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
        reporter_note=data.reporter_note,
    )
    return incident, history_entry(session, result.event_id)
