"""Triage of incident reports: the status state machine, its audit trail, possible duplicates.

Allowed transitions (anything else is a :class:`~gis.errors.Conflict` naming the current state):

============  =========================================
from          actions (resulting status)
============  =========================================
new           verify (verified), reject (rejected), mark_duplicate (duplicate), refer (referred)
verified      mark_duplicate (duplicate), refer (referred), close (closed)
referred      close (closed)
rejected,
duplicate,
closed        none: final
============  =========================================

Every action appends one ``incident_event`` row (who, when, from, to, note, details, and the note
for the reporter). The ``note`` stays with the district's staff; the ``reporter_note`` is written
for the incident's reporter, who reads it on "My reports". Whether the actor may act on the
incident (role and district scope) is checked by the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.errors import Conflict, InvalidInput, NotFound
from gis.models import Incident, IncidentEvent
from gis.parsing import parse_choice, parse_text
from gis.reference.measure import to_metric
from gis.text import N_
from gis.types import Agency, IncidentStatus

S = IncidentStatus

#: action -> (statuses it may start from, resulting status)
ACTIONS: dict[str, tuple[frozenset[IncidentStatus], IncidentStatus]] = {
    "verify": (frozenset({S.NEW}), S.VERIFIED),
    "reject": (frozenset({S.NEW}), S.REJECTED),
    "mark_duplicate": (frozenset({S.NEW, S.VERIFIED}), S.DUPLICATE),
    "refer": (frozenset({S.NEW, S.VERIFIED}), S.REFERRED),
    "close": (frozenset({S.VERIFIED, S.REFERRED}), S.CLOSED),
}

#: action -> the refusal of that action from a status it may not start from ({status}).
REFUSED: dict[str, str] = {
    "verify": N_("cannot verify an incident whose status is {status}"),
    "reject": N_("cannot reject an incident whose status is {status}"),
    "mark_duplicate": N_("cannot mark duplicate an incident whose status is {status}"),
    "refer": N_("cannot refer an incident whose status is {status}"),
    "close": N_("cannot close an incident whose status is {status}"),
}

#: Longest note kept with an action (the staff's note and the note for the reporter alike).
MAX_NOTE = 2_000
#: Control characters refused in a note for the reporter (line breaks and tabs are kept).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Possible duplicates: same category within this distance (metres) and time window.
DUPLICATE_RADIUS_M = 500.0
DUPLICATE_WINDOW = dt.timedelta(hours=48)


def allowed_actions(status: IncidentStatus | str) -> list[str]:
    """The actions that may be taken on an incident in ``status``, in a stable order."""
    return [a for a, (sources, _) in ACTIONS.items() if IncidentStatus(status) in sources]


@dataclass(frozen=True, slots=True)
class ActionResult:
    incident_id: int
    from_status: IncidentStatus
    to_status: IncidentStatus
    event_id: int


def apply_action(
    session: Session,
    incident_id: int,
    action: str,
    actor_id: int | None,
    *,
    note: str | None = None,
    duplicate_of: int | None = None,
    agency: str | None = None,
    reporter_note: str | None = None,
) -> ActionResult:
    """Apply a triage action to an incident and record it; the caller commits.

    The row is locked (``SELECT ... FOR UPDATE``) so that two coordinators acting at once are
    serialised: the second sees the first one's status and may get a conflict.

    Args:
        session: open session.
        incident_id: the incident.
        action: one of :data:`ACTIONS`.
        actor_id: the account acting.
        note: optional note (at most :data:`MAX_NOTE` characters).
        duplicate_of: for ``mark_duplicate``, the incident this one repeats.
        agency: for ``refer``, one of :class:`~gis.types.Agency`.
        reporter_note: optional note for the incident's reporter, who reads it on "My reports"
            (stripped, blank is none; see :func:`check_reporter_note`).

    Returns:
        The transition made and the id of its audit event.

    Raises:
        InvalidInput: unknown action, a missing or bad ``duplicate_of`` / ``agency``, a long note,
            a bad ``reporter_note``.
        NotFound: no such incident (or no such original for a duplicate).
        Conflict: the action is not allowed from the incident's current status.
    """
    if action not in ACTIONS:
        raise InvalidInput(
            N_("action must be one of {actions}"), field="action", actions=", ".join(ACTIONS)
        )
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInput(
            N_("note is longer than {max_note} characters"), field="note", max_note=MAX_NOTE
        )
    reporter_note = check_reporter_note(reporter_note)
    # populate_existing: a copy already loaded in the session (the caller's scope check) is
    # refreshed from the locked row, so the status checked below is the committed one.
    incident = session.execute(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if incident is None:
        raise NotFound(N_("no such incident"), field="id")
    sources, target = ACTIONS[action]
    current = IncidentStatus(incident.status)
    if current not in sources:
        raise Conflict(
            REFUSED[action],
            current=current.value,
            field="action",
            status=current,
        )
    changes: dict[str, Any] = {}
    if action == "mark_duplicate":
        original = _original(session, incident, duplicate_of)
        incident.duplicate_of_id = original.id
        changes["duplicate_of"] = original.id
    elif duplicate_of is not None:
        raise InvalidInput(N_("duplicate_of is only for mark_duplicate"), field="duplicate_of")
    if action == "refer":
        incident.referred_to = parse_choice(agency, "agency", Agency)
        changes["referred_to"] = agency
    elif agency is not None:
        raise InvalidInput(N_("agency is only for refer"), field="agency")
    incident.status = target
    incident.updated_at = func.now()
    event = IncidentEvent(
        incident_id=incident.id,
        actor_id=actor_id,
        action=action,
        from_status=current,
        to_status=target,
        note=note,
        reporter_note=reporter_note,
        changes=changes or None,
    )
    session.add(event)
    session.flush()
    return ActionResult(incident.id, current, target, event.id)


def check_reporter_note(value: object) -> str | None:
    """A note for the reporter as it is stored: stripped, ``None`` when absent or blank.

    Raises:
        InvalidInput: naming ``reporter_note``: not a string, longer than :data:`MAX_NOTE`
            characters, a lone surrogate, or a control character other than a line break or a tab.
    """
    field = "reporter_note"
    text = parse_text(value.strip() if isinstance(value, str) else value, field, MAX_NOTE)
    if text is not None and CONTROL.search(text):
        raise InvalidInput(N_("{field} contains a control character"), field=field)
    return text


def _original(session: Session, incident: Incident, duplicate_of: int | None) -> Incident:
    if duplicate_of is None:
        raise InvalidInput(N_("duplicate_of is required to mark a duplicate"), field="duplicate_of")
    if duplicate_of == incident.id:
        raise InvalidInput(N_("an incident cannot duplicate itself"), field="duplicate_of")
    original = session.get(Incident, duplicate_of)
    if original is None or original.district_id != incident.district_id:
        # Another district's incident is out of the coordinator's scope: not found.
        raise NotFound(N_("no such incident to mark as the original"), field="duplicate_of")
    if original.status in (S.DUPLICATE, S.REJECTED):
        raise Conflict(
            N_("the original must not itself be {status}"),
            current=str(original.status),
            field="duplicate_of",
            status=IncidentStatus(original.status),
        )
    return original


def possible_duplicates(
    session: Session,
    incident_id: int,
    radius_m: float = DUPLICATE_RADIUS_M,
    window: dt.timedelta = DUPLICATE_WINDOW,
) -> list[tuple[int, float]]:
    """Incidents that may report the same event: same category and district, within ``radius_m``
    and ``window`` of the incident's place and time, not rejected and not duplicates themselves.

    Returns:
        ``(incident id, metres)`` pairs, nearest first.
    """
    me = session.get(Incident, incident_id)
    if me is None:
        raise NotFound(N_("no such incident"), field="id")
    other = Incident.__table__.alias("other")
    here = select(Incident.geom).where(Incident.id == incident_id).scalar_subquery()
    metres = func.ST_Distance(to_metric(other.c.geom), to_metric(here))
    # The bounding-box test on the stored geometry uses its GiST index (0.01 degree > 1 km).
    rows = session.execute(
        select(other.c.id, metres.label("m"))
        .where(
            other.c.id != incident_id,
            other.c.category == me.category,
            other.c.district_id == me.district_id,
            other.c.status.not_in([S.REJECTED.value, S.DUPLICATE.value]),
            other.c.occurred_at.between(me.occurred_at - window, me.occurred_at + window),
            other.c.geom.op("&&")(func.ST_Expand(here, 0.01)),
            metres <= radius_m,
        )
        .order_by("m", other.c.id)
    ).all()
    return [(r.id, float(r.m)) for r in rows]


def history(session: Session, incident_id: int) -> list[IncidentEvent]:
    """The incident's audit trail, oldest first."""
    return list(
        session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident_id)
            .order_by(IncidentEvent.at, IncidentEvent.id)
        )
    )
