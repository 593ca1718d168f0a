"""The ``export_audit`` row of every export: who, which collection and filters, whether sensitive
fields were asked for and why, how many features left, when and how it ended.

:func:`start_audit` writes the row (state ``started``) before the first byte leaves;
:func:`finish_audit` records how the export ended: ``completed``, ``aborted`` by the client, or
``failed``.
"""

from __future__ import annotations

from sqlalchemy import func, update
from sqlalchemy.orm import Session

from gis.export.plan import Access, Filters
from gis.models import ExportAudit

#: How an export ended.
ENDINGS = frozenset({"completed", "aborted", "failed"})


def start_audit(session: Session, collection: str, fmt: str, access: Access, f: Filters) -> int:
    """Write the audit row of an export that starts (state ``started``) and return its id.

    The caller commits it before the first byte leaves, so that a download cut short is on
    record too.
    """
    row = ExportAudit(
        user_id=access.viewer.id,
        token_id=access.token_id,
        collection=collection,
        format=fmt,
        filters=f.audit(),
        sensitive=access.sensitive,
        reason=access.reason,
    )
    session.add(row)
    session.flush()
    return row.id


def finish_audit(session: Session, audit_id: int, state: str, feature_count: int) -> None:
    """Record how an export ended (``completed``, ``aborted`` or ``failed``) and its count.

    Raises:
        ValueError: ``state`` is not one of :data:`ENDINGS`.
    """
    if state not in ENDINGS:
        raise ValueError(f"an export ends completed, aborted or failed, not {state!r}")
    session.execute(
        update(ExportAudit)
        .where(ExportAudit.id == audit_id)
        .values(state=state, feature_count=feature_count, finished_at=func.now())
    )


__all__ = ["ENDINGS", "finish_audit", "start_audit"]
