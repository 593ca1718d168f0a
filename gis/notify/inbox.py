"""The bell: an account's in-app notifications, the unread count, marking them read.

An account reads only its own rows; a row tells what its writer put in ``params`` (numbers,
codes, statuses), and the incident it links to is opened through the incident's own page, which
checks the reader's scope again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.models import Notification
from gis.types import NotifyChannel, NotifyKind

#: Most rows on one page of the list.
PAGE = 50


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    kind: NotifyKind
    incident_id: int | None
    params: dict[str, Any]
    created_at: dt.datetime
    read: bool


def _mine(user_id: int) -> list[Any]:
    return [Notification.user_id == user_id, Notification.channel == NotifyChannel.IN_APP]


def unread_count(session: Session, user_id: int) -> int:
    """How many of the account's in-app notifications are unread."""
    return int(
        session.execute(
            select(func.count()).where(*_mine(user_id), Notification.read_at.is_(None))
        ).scalar_one()
    )


def inbox(
    session: Session, user_id: int, *, before: int | None = None, limit: int = PAGE
) -> list[InboxItem]:
    """The account's in-app notifications, newest first (``before``: ids below it, the next
    page)."""
    query = select(Notification).where(*_mine(user_id))
    if before is not None:
        query = query.where(Notification.id < before)
    rows = session.scalars(query.order_by(Notification.id.desc()).limit(limit))
    return [
        InboxItem(
            r.id,
            NotifyKind(r.kind),
            r.incident_id,
            dict(r.params),
            r.created_at,
            r.read_at is not None,
        )
        for r in rows
    ]


def mark_read(
    session: Session, user_id: int, ids: list[int] | None = None, now: dt.datetime | None = None
) -> int:
    """Mark the account's notifications ``ids`` (all when ``None``) read; the caller commits.
    Ids of other accounts' rows are ignored.

    Returns:
        How many rows turned read.
    """
    query = update(Notification).where(*_mine(user_id), Notification.read_at.is_(None))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = session.execute(
        query.values(read_at=now or dt.datetime.now(dt.UTC)).execution_options(
            synchronize_session=False
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
