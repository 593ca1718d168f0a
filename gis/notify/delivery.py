"""Delivering the outbox: claim a row, send it, mark it sent, each step its own transaction.

One delivery (:func:`deliver_next`):

1. **Claim**: the oldest due ``waiting`` row that no live worker holds is locked
   (``FOR UPDATE SKIP LOCKED``), its ``attempts`` counted and ``claimed_until`` set to now +
   :data:`LEASE`; committed. A digest row is claimed together with the account's other digest
   rows of the same channel that are due. A row in the recipient's quiet hours is put back
   until they end, without counting an attempt.
2. **Send**, outside any transaction: the channel's :class:`Sender`, with the row's delivery
   key as the message's identity (the e-mail's ``Message-ID``, LINE's ``X-Line-Retry-Key``).
3. **Mark**: ``sent`` (or back to ``waiting`` with the next attempt after :func:`backoff`, or
   ``failed`` after :data:`MAX_ATTEMPTS` or a refusal that will not change); committed.

A worker that dies after 1 leaves the row claimed until the lease passes; then another worker
claims it again. The choice is **at least once**: a row is never given up before a sender said
it was delivered, so nothing is lost, and a death between 2 and 3 sends it again. The delivery
key makes that second send harmless where the channel allows: LINE accepts a retry key once
(a repeat is answered 409 and taken as delivered), and a mail client shows messages of one
``Message-ID`` once. The key also keeps the outbox itself from holding an event twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.models import Incident, Notification, NotifySetting, User
from gis.notify.outbox import citizen_address
from gis.notify.settings import quiet_until
from gis.text import N_
from gis.types import DeliveryStatus, NotifyChannel, NotifyKind

log = logging.getLogger(__name__)

#: How long a claimed row belongs to the worker that claimed it.
LEASE = dt.timedelta(minutes=2)
#: Attempts before a row is marked failed (about 11 hours of waiting with :func:`backoff`).
MAX_ATTEMPTS = 15
#: Most rows gathered into one digest message.
MAX_DIGEST = 50
#: The namespace of the LINE retry keys made from delivery keys.
RETRY_NAMESPACE = uuid.UUID("6f1d3c52-8a8e-4d0b-9a52-3d5c1e0b7a10")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message ready for its channel."""

    channel: NotifyChannel
    #: an e-mail address or a LINE user id
    address: str
    subject: str
    text: str
    #: the delivery key of the (first) row: the message's identity
    key: str
    #: the recipient's language
    language: str

    @property
    def retry_key(self) -> uuid.UUID:
        """The LINE retry key of this message (the same for every attempt)."""
        return uuid.uuid5(RETRY_NAMESPACE, self.key)

    @property
    def message_id(self) -> str:
        """The e-mail ``Message-ID`` of this message (the same for every attempt)."""
        return f"<{hashlib.sha256(self.key.encode()).hexdigest()[:32]}@borderwatch>"


class DeliveryError(Exception):
    """A sender could not deliver: ``retriable`` when trying later may help (the server did not
    answer, or answered "later"). The text names no address and no secret."""

    def __init__(self, message: str, *, retriable: bool = True) -> None:
        super().__init__(message)
        self.retriable = retriable


class Sender(Protocol):
    """Sends a message on one channel, or raises :class:`DeliveryError`."""

    def send(self, message: Outgoing) -> None: ...


#: Turns claimed rows (one, or a digest's) and the recipient's language into (subject, text).
Composer = Callable[[Session, Sequence[Notification], str], tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Delivered:
    """What one call of :func:`deliver_next` did."""

    ids: tuple[int, ...]
    status: DeliveryStatus
    error: str | None = None


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s doubling, at most an hour."""
    return dt.timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def _claim(session: Session, now: dt.datetime, lease: dt.timedelta) -> list[Notification]:
    free = (Notification.claimed_until.is_(None)) | (Notification.claimed_until <= now)
    due = [
        Notification.status == DeliveryStatus.WAITING,
        Notification.channel != NotifyChannel.IN_APP,
        Notification.next_attempt_at <= now,
        free,
    ]
    first = session.scalars(
        select(Notification)
        .where(*due)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if first is None:
        return []
    rows = [first]
    if first.digest and first.user_id is not None:
        rows += session.scalars(
            select(Notification)
            .where(
                *due,
                Notification.id != first.id,
                Notification.digest,
                Notification.user_id == first.user_id,
                Notification.channel == first.channel,
            )
            .order_by(Notification.id)
            .limit(MAX_DIGEST - 1)
            .with_for_update(skip_locked=True)
        ).all()
    for row in rows:
        row.attempts += 1
        row.claimed_until = now + lease
    session.commit()
    return rows


def _recipient(session: Session, row: Notification) -> tuple[str | None, str, NotifySetting | None]:
    """(address, language, settings) of a row's recipient; the address is ``None`` when the
    recipient can no longer be reached on the row's channel."""
    if row.user_id is None:  # a citizen
        incident = session.get(Incident, row.incident_id)
        if incident is None or not incident.updates_consent:
            return None, "th", None
        contact = citizen_address(incident.reporter_contact)
        language = str(row.params.get("language") or "th")
        if contact is None or contact[0] is not NotifyChannel(row.channel):
            return None, language, None
        return contact[1], language, None
    user = session.get(User, row.user_id)
    setting = session.get(NotifySetting, row.user_id)
    language = (user.language if user is not None else None) or "th"
    if user is None or not user.is_active or setting is None:
        return None, language, setting
    address = setting.email if row.channel == NotifyChannel.EMAIL else setting.line_user_id
    return address, language, setting


def _finish(
    session: Session,
    rows: Sequence[Notification],
    now: dt.datetime,
    status: DeliveryStatus,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
) -> Delivered:
    ids = [r.id for r in rows]
    values: dict[str, object] = {"status": status, "claimed_until": None}
    if status is DeliveryStatus.SENT:
        values.update(sent_at=now, last_error=None)
    else:
        values["last_error"] = error
    if retry_at is not None:
        values["next_attempt_at"] = retry_at
    session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    session.expire_all()
    return Delivered(tuple(ids), status, error)


def deliver_next(
    session: Session,
    senders: Mapping[NotifyChannel, Sender],
    compose: Composer,
    now: dt.datetime | None = None,
    lease: dt.timedelta = LEASE,
) -> Delivered | None:
    """Deliver the next due row (or digest): claim, send, mark (see the module's docstring).

    Args:
        session: a session of its own; committed after each step.
        senders: the configured channels; a channel missing here waits (and says so).
        compose: writes the message of claimed rows in the recipient's language.
        now: the time (default: now).
        lease: how long the claim holds.

    Returns:
        What was done, or ``None`` when nothing is due.
    """
    now = now or dt.datetime.now(dt.UTC)
    rows = _claim(session, now, lease)
    if not rows:
        return None
    first = rows[0]
    channel = NotifyChannel(first.channel)
    address, language, setting = _recipient(session, first)
    quiet = quiet_until(setting, now)
    if quiet is not None:
        for row in rows:
            row.attempts -= 1
        return _finish(session, rows, now, DeliveryStatus.WAITING, retry_at=quiet)
    if address is None:
        return _finish(
            session, rows, now, DeliveryStatus.FAILED, N_("the recipient has no address here")
        )
    sender = senders.get(channel)
    if sender is None:
        return _failed(session, rows, now, DeliveryError(N_("the channel is not configured")))
    subject, text = compose(session, rows, language)
    message = Outgoing(channel, address, subject, text, first.delivery_key, language)
    try:
        sender.send(message)
    except DeliveryError as exc:
        return _failed(session, rows, now, exc)
    return _finish(session, rows, now, DeliveryStatus.SENT)


def _failed(
    session: Session, rows: Sequence[Notification], now: dt.datetime, exc: DeliveryError
) -> Delivered:
    attempts = max(r.attempts for r in rows)
    log.warning("notification %s: attempt %s failed: %s", rows[0].id, attempts, exc)
    if not exc.retriable or attempts >= MAX_ATTEMPTS:
        return _finish(session, rows, now, DeliveryStatus.FAILED, str(exc))
    retry_at = now + backoff(attempts)
    return _finish(session, rows, now, DeliveryStatus.WAITING, str(exc), retry_at)


def deliver_due(
    session: Session,
    senders: Mapping[NotifyChannel, Sender],
    compose: Composer,
    now: dt.datetime | None = None,
    limit: int = 100,
    lease: dt.timedelta = LEASE,
) -> list[Delivered]:
    """Deliver what is due, up to ``limit`` messages (the worker's task), each claim held for
    ``lease``."""
    done: list[Delivered] = []
    while len(done) < limit:
        result = deliver_next(session, senders, compose, now, lease)
        if result is None:
            break
        done.append(result)
    return done


@dataclass(frozen=True, slots=True)
class PendingRow:
    """A delivery that waits or failed, as the administrators' page lists it (no address)."""

    id: int
    kind: NotifyKind
    channel: NotifyChannel
    status: DeliveryStatus
    recipient: str | None
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime


def pending(session: Session, limit: int = 200) -> list[PendingRow]:
    """Deliveries that wait or failed (not in-app), failed first, then by next attempt. The
    recipient is the account's name; a citizen is shown as ``None`` (never the contact)."""
    rows = session.execute(
        select(Notification, User.display_name)
        .outerjoin(User, User.id == Notification.user_id)
        .where(
            Notification.status.in_([DeliveryStatus.WAITING, DeliveryStatus.FAILED]),
            Notification.channel != NotifyChannel.IN_APP,
        )
        .order_by(
            (Notification.status == DeliveryStatus.FAILED).desc(),
            Notification.next_attempt_at,
            Notification.id,
        )
        .limit(limit)
    ).all()
    return [
        PendingRow(
            n.id,
            NotifyKind(n.kind),
            NotifyChannel(n.channel),
            DeliveryStatus(n.status),
            name,
            n.attempts,
            n.next_attempt_at,
            n.last_error,
            n.created_at,
        )
        for n, name in rows
    ]


def pending_counts(session: Session) -> dict[str, int]:
    """How many deliveries wait and how many failed."""
    rows = session.execute(
        select(Notification.status, func.count())
        .where(
            Notification.status.in_([DeliveryStatus.WAITING, DeliveryStatus.FAILED]),
            Notification.channel != NotifyChannel.IN_APP,
        )
        .group_by(Notification.status)
    ).all()
    counts = {DeliveryStatus(status).value: int(n) for status, n in rows}
    return {s.value: counts.get(s.value, 0) for s in DeliveryStatus}


def retry(session: Session, notification_id: int, now: dt.datetime | None = None) -> None:
    """Put a failed or waiting delivery back in the queue for now, its attempts counted from
    zero; the caller commits.

    Raises:
        NotFound: no such delivery waiting or failed.
    """
    now = now or dt.datetime.now(dt.UTC)
    row = session.get(Notification, notification_id, with_for_update=True)
    if row is None or row.channel == NotifyChannel.IN_APP or row.status == DeliveryStatus.SENT:
        raise NotFound(N_("no such delivery waiting or failed"), field="id")
    row.status = DeliveryStatus.WAITING
    row.attempts = 0
    row.next_attempt_at = now
    row.claimed_until = None
    session.flush()
