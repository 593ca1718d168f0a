"""Webhook events accepted once, by their ``webhookEventId``, and handed to the worker.

LINE redelivers an event whose webhook was not answered 200 (when redelivery is on), with the
same ``webhookEventId``. The webhook answers quickly: :func:`accept` records the id and defers
the event's handling (:data:`HANDLE`, :mod:`gis.linechat.tasks`) in the request's transaction,
so that an event answered 200 is stored with its job, a redelivery finds the id and changes
nothing, and a request that failed recorded nothing (its redelivery is accepted).

The worker handles the events of one LINE user one after another, in the order they arrived:
their jobs share a procrastinate ``lock`` (:func:`user_lock`), and procrastinate starts a
locked job only when every earlier job with its lock has finished.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.jobs import defer
from gis.linechat.flow import Incoming, Kind
from gis.models.linechat import LineWebhookEvent

#: How long an event id is kept (LINE redelivers for at most a day).
KEEP = dt.timedelta(days=7)
#: The longest event id accepted (LINE's are 26 characters, a ULID).
MAX_EVENT_ID = 64
#: The worker's task that handles one accepted event.
HANDLE = "linechat.handle"
#: The worker's task that pushes the chat's answer to an event.
PUSH = "linechat.push"
#: The queue of the chat's jobs.
QUEUE = "linechat"


def user_lock(line_user_id: str) -> str:
    """The procrastinate lock of a LINE user's jobs (a digest of the id: the id itself is kept
    only in the job's arguments)."""
    return "line:" + hashlib.sha256(line_user_id.encode()).hexdigest()[:24]


def accept(session: Session, event_id: str, incoming: Incoming, site: str) -> bool:
    """Record an event once and defer its handling, both in the caller's transaction.

    Args:
        session: the webhook request's session; flushed, not committed.
        event_id: the event's ``webhookEventId``.
        incoming: what the user sent.
        site: the public base URL of the app (the receipt's status page is under it).

    Returns:
        ``True`` for a first delivery (its job deferred), ``False`` for a redelivery.

    Raises:
        ValueError: an empty id or one longer than :data:`MAX_EVENT_ID`.
    """
    if not first_delivery(session, event_id):
        return False
    defer(
        session,
        HANDLE,
        queue=QUEUE,
        lock=user_lock(incoming.user_id),
        event_id=event_id,
        site=site,
        **event_args(incoming),
    )
    return True


def event_args(incoming: Incoming) -> dict[str, Any]:
    """``incoming`` as a job's JSON arguments (the fields it has)."""
    values = dataclasses.asdict(incoming)
    values["kind"] = incoming.kind.value
    return {k: v for k, v in values.items() if v is not None}


def incoming_of(args: dict[str, Any]) -> Incoming:
    """The message of a job's arguments (:func:`event_args`)."""
    names = {f.name for f in dataclasses.fields(Incoming)}
    values = {k: v for k, v in args.items() if k in names}
    values["kind"] = Kind(values["kind"])
    return Incoming(**values)


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
