"""What a reader may read of an incident they see: its free text and its idempotency key.

Which incidents a reader sees at all is decided elsewhere (:func:`gis.incidents.reports.may_see`,
the layer's :func:`gis.incidents.map_layer.visible_to`, the review queue's scope). This module
decides two things about an incident already seen, the same way wherever an incident is shown:
its JSON in the API, the incidents layer and its popups, the review pages and the export.

- **The description.** The free text of a report may name an informant, a witness or a
  suspect until a coordinator of its district has checked it (and perhaps edited it:
  :mod:`gis.incidents.edits`). The text of an incident in one of the :data:`CHECKED` statuses
  (verified, referred, closed) is read by everyone who sees the incident. The text of any other
  (new, rejected, duplicate: unchecked, or set aside without being checked) is read only by
  its reporter and by the coordinators whose scope holds its district, who triage it; for
  everyone else it is withheld (``None``). The export's sensitive projection (HQ analysts who
  give a reason) reads every text: :meth:`Reader.everything`.
- **The idempotency key.** Only the account that made a report gets its key back (a retried
  pin drop compares it). Anyone else holding a report's key could replay it: public reports
  have no account, so their key is never shown.

:class:`Reader` holds what the rule needs to know of the reader; :func:`reads_text` is the rule
for one incident in Python and :func:`readable_text` the same rule as SQL over ``incident``
(the layer and the export build their features in PostgreSQL). A test checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, false, or_
from sqlalchemy.orm import Session

from gis.accounts.scope import Scoped, scope_district_ids
from gis.filters import in_scope, scope_covers
from gis.models import Incident
from gis.types import IncidentStatus, Role

#: Statuses in which a coordinator has checked the report: its text is read by everyone who
#: sees the incident.
CHECKED = frozenset({IncidentStatus.VERIFIED, IncidentStatus.REFERRED, IncidentStatus.CLOSED})
#: Roles that triage the reports of their districts, and so read them unchecked.
TRIAGE_ROLES = frozenset({Role.COORDINATOR})


@dataclass(frozen=True, slots=True)
class Reader:
    """Who reads incidents, as far as what they read of one depends on them.

    Attributes:
        account_id: the reader's account: its own reports it reads whole, key included
            (``None``: no account, or one that reads nothing of its own).
        triage_scope: the districts whose unchecked reports the reader triages and so reads
            (``None``: every district; empty: none).
    """

    account_id: int | None = None
    triage_scope: frozenset[int] | None = frozenset()

    @classmethod
    def everything(cls, account_id: int | None = None) -> Reader:
        """A reader of every text (the export's sensitive projection, given with a reason)."""
        return cls(account_id, None)


def reader_of(session: Session, viewer: Scoped | None) -> Reader:
    """The :class:`Reader` that ``viewer`` is (``None`` or a disabled account: a reader of
    checked text only).

    Args:
        session: open session (a planner's province is read to know its districts).
        viewer: the signed-in account (a ``User``, or the web app's account of the request),
            or ``None``.

    Returns:
        The viewer's own reports and, for coordinators, the districts of their scope.
    """
    if viewer is None or not viewer.is_active:
        return Reader()
    if Role(viewer.role) in TRIAGE_ROLES:
        return Reader(viewer.id, scope_district_ids(session, viewer))
    return Reader(viewer.id)


def reads_text(reader: Reader, incident: Any) -> bool:
    """Whether ``reader`` reads the description of ``incident`` (the rule of the module's
    docstring).

    Args:
        reader: who reads.
        incident: an ``Incident``, or a row with its ``status``, ``reporter_id`` and
            ``district_id``.
    """
    return (
        IncidentStatus(incident.status) in CHECKED
        or owns(reader, incident)
        or scope_covers(reader.triage_scope, incident.district_id)
    )


def readable_text(reader: Reader) -> ColumnElement[bool]:
    """:func:`reads_text` as an SQL condition over ``incident``'s columns (true or false, never
    null: an anonymous report is nobody's own)."""
    own = (
        false()
        if reader.account_id is None
        else Incident.reporter_id.is_not_distinct_from(reader.account_id)
    )
    return or_(Incident.status.in_(sorted(CHECKED)), own, in_scope(reader.triage_scope))


def owns(reader: Reader, incident: Any) -> bool:
    """Whether ``incident`` was reported by ``reader``'s account (who then gets its key)."""
    return reader.account_id is not None and incident.reporter_id == reader.account_id


def description_for(reader: Reader, incident: Any) -> str | None:
    """The incident's description if ``reader`` reads it (:func:`reads_text`), else ``None``."""
    return incident.description if reads_text(reader, incident) else None


def description_column(reader: Reader, text: Any = Incident.description) -> ColumnElement[Any]:
    """``text`` (by default the description) where ``reader`` reads it, else ``NULL``: the SQL
    side of :func:`description_for`."""
    return case((readable_text(reader), text), else_=None)


__all__ = [
    "CHECKED",
    "TRIAGE_ROLES",
    "Reader",
    "description_column",
    "description_for",
    "owns",
    "readable_text",
    "reader_of",
    "reads_text",
]
