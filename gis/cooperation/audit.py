"""The record of changes to the register: one ``cooperation_change`` row per change, written in
the change's own transaction, with the row's values before and after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import CooperationChange, User
from gis.types import CooperationRecord


def plain(value: Any) -> Any:
    """A value as JSON keeps it: days and instants in ISO 8601, amounts as text, enums by code."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return getattr(value, "value", value)


def record_change(
    session: Session,
    *,
    by: User | None,
    district_id: int,
    record: CooperationRecord,
    record_id: int,
    action: str,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    """Add the row of one change to the session (flushed and committed with the change).

    Args:
        session: the change's session.
        by: the account that made it (``None``: the command line or the demo).
        district_id: the district whose register changed.
        record: which kind of row changed; ``record_id`` its id.
        action: ``created``, ``updated`` or ``deleted``.
        old, new: the row's values before and after.
    """
    session.add(
        CooperationChange(
            by_id=by.id if by is not None else None,
            district_id=district_id,
            record=record,
            record_id=record_id,
            action=action,
            old_value=plain(old) if old is not None else None,
            new_value=plain(new) if new is not None else None,
        )
    )
    session.flush()  # in the order of the changes


def changes_of(
    session: Session, record: CooperationRecord, record_id: int
) -> list[CooperationChange]:
    """The recorded changes of one row, oldest first."""
    return list(
        session.execute(
            select(CooperationChange)
            .where(CooperationChange.record == record, CooperationChange.record_id == record_id)
            .order_by(CooperationChange.id)
        ).scalars()
    )
