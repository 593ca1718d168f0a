"""Coordinators' corrections of an incident's attributes, each recorded in its audit trail.

A coordinator may correct the category, the severity, the time it happened and the description
(for instance to redact a name an informant should not have written) while the incident is still
open (``new``, ``verified`` or ``referred``); a rejected, duplicate or closed incident is final.
The place is not editable: it decides the district, and so who is responsible (a wrong place is
a new report and a ``mark_duplicate``).

Each edit that changes something appends one ``incident_event`` (action ``edited``) whose
``changes`` give, per field, the value before and after; for the description only the lengths
before and after are kept, so that a redaction does not survive in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.errors import Conflict, InvalidInput, NotFound
from gis.incidents.reports import (
    MAX_DESCRIPTION,
    parse_category,
    parse_occurred_at,
    parse_severity,
)
from gis.incidents.review import MAX_NOTE
from gis.models import Incident, IncidentEvent
from gis.parsing import parse_text
from gis.text import N_
from gis.types import IncidentStatus

#: Fields a coordinator may correct.
EDITABLE = ("category", "severity", "occurred_at", "description")
#: Statuses in which an incident may still be corrected.
OPEN = frozenset({IncidentStatus.NEW, IncidentStatus.VERIFIED, IncidentStatus.REFERRED})
#: How far after the report the corrected time of the event may lie (clocks drift).
REPORT_TOLERANCE = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Edit:
    """A checked correction: the new values (only the fields given) and an optional note."""

    values: Mapping[str, Any]
    note: str | None = None


def parse_edit(payload: Mapping[str, Any], now: dt.datetime) -> Edit:
    """Check a correction's JSON object: any of :data:`EDITABLE` and an optional ``note``.

    ``description`` may be ``null`` or blank to remove it; the other fields may not be ``null``.

    Raises:
        InvalidInput: not an object, an unknown member (the place, status, district … included),
            nothing to change, or a value that a new report could not have; ``field`` names it.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput(N_("the body must be a JSON object"), field="body")
    for name in payload:
        if name not in EDITABLE and name != "note":
            shown = str(name)[:80]
            raise InvalidInput(
                N_("{field!r} cannot be edited (editable: {editable})"),
                field=shown,
                editable=", ".join(EDITABLE),
            )
    values: dict[str, Any] = {}
    for name in EDITABLE:
        if name not in payload:
            continue
        value = payload[name]
        if value is None and name != "description":
            raise InvalidInput(N_("{field} cannot be removed"), field=name)
        if name == "category":
            values[name] = parse_category(value)
        elif name == "severity":
            values[name] = parse_severity(value)
        elif name == "occurred_at":
            values[name] = parse_occurred_at(value, now)
        else:
            values[name] = parse_text(value, name, MAX_DESCRIPTION)
    if not values:
        raise InvalidInput(
            N_("nothing to edit: give one of {editable}"),
            field="body",
            editable=", ".join(EDITABLE),
        )
    return Edit(values, parse_text(payload.get("note"), "note", MAX_NOTE))


def _shown(name: str, value: Any) -> Any:
    """A value as the audit trail keeps it (JSON)."""
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, IncidentStatus) or hasattr(value, "value"):
        return value.value
    return value


def edit_incident(
    session: Session, incident_id: int, edit: Edit, actor_id: int
) -> tuple[Incident, int | None]:
    """Apply a correction and record it; the caller commits (and has checked the actor's scope).

    The row is locked (``SELECT ... FOR UPDATE``) as triage actions lock it, so an edit and an
    action on the same incident are serialised.

    Returns:
        The incident and the id of the ``edited`` event, or ``None`` when every value given was
        already the stored one (nothing is written then).

    Raises:
        NotFound: no such incident.
        Conflict: the incident is rejected, a duplicate or closed (``current`` names the status).
        InvalidInput: ``occurred_at`` after the time of the report (field ``occurred_at``).
    """
    incident = session.execute(
        select(Incident)
        .where(Incident.id == incident_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if incident is None:
        raise NotFound(N_("no such incident"), field="id")
    current = IncidentStatus(incident.status)
    if current not in OPEN:
        raise Conflict(
            N_("an incident whose status is {status} cannot be edited"),
            current=current.value,
            field="status",
            status=current,
        )
    when = edit.values.get("occurred_at")
    if when is not None and when > incident.reported_at + REPORT_TOLERANCE:
        raise InvalidInput(N_("occurred_at lies after the time of the report"), field="occurred_at")
    changes: dict[str, Any] = {}
    for name, value in edit.values.items():
        before = getattr(incident, name)
        if before == value:
            continue
        if name == "description":
            changes[name] = {"from_length": len(before or ""), "to_length": len(value or "")}
        else:
            changes[name] = {"from": _shown(name, before), "to": _shown(name, value)}
        setattr(incident, name, value)
    if not changes:
        return incident, None
    incident.updated_at = func.now()
    event = IncidentEvent(
        incident_id=incident.id,
        actor_id=actor_id,
        action="edited",
        from_status=current,
        to_status=current,
        note=edit.note,
        changes=changes,
    )
    session.add(event)
    session.flush()
    session.refresh(incident)
    return incident, event.id


__all__ = ["EDITABLE", "Edit", "edit_incident", "parse_edit"]
