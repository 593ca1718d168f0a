"""Webhook events handled once, by their ``webhookEventId``.

LINE redelivers an event whose webhook was not answered 200 (when redelivery is on), with the
same ``webhookEventId``. :func:`first_delivery` records the id in the transaction that handles
the event: a redelivery finds it and changes nothing, and an event whose handling was rolled
back was not recorded, so that its redelivery is handled.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.models.linechat import LineWebhookEvent

#: How long an event id is kept (LINE redelivers for at most a day).
KEEP = dt.timedelta(days=7)
#: The longest event id accepted (LINE's are 26 characters, a ULID).
MAX_EVENT_ID = 64


def first_delivery(session: Session, event_id: str) -> bool:
    """Record ``event_id`` and say whether this is its first delivery.

    Args:
        session: open session, in the transaction that handles the event; flushed, not
            committed.
        event_id: the event's ``webhookEventId``.

    Returns:
        ``True`` the first time (handle the event), ``False`` for a redelivery (ignore it).

    Raises:
        ValueError: an empty id or one longer than :data:`MAX_EVENT_ID`.
    """
    if not 0 < len(event_id) <= MAX_EVENT_ID:
        raise ValueError("a webhook event id has 1 to 64 characters")
    inserted = session.execute(
        pg_insert(LineWebhookEvent)
        .values(webhook_event_id=event_id)
        .on_conflict_do_nothing(index_elements=["webhook_event_id"])
        .returning(LineWebhookEvent.webhook_event_id)
    ).scalar()
    return inserted is not None


def forget_events(session: Session, now: dt.datetime) -> int:
    """Delete the event ids older than :data:`KEEP`; the caller commits.

    Returns:
        How many were deleted.
    """
    result = session.execute(
        delete(LineWebhookEvent).where(LineWebhookEvent.received_at < now - KEEP)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
