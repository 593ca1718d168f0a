"""Notifications: the outbox of deliveries, each account's settings and preferences
(gis.notify)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    SmallInteger,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import now_column, vocabulary
from gis.types import DeliveryStatus, NotifyChannel, NotifyKind, PatrolUnit


class Notification(Base):
    """One notification of one event to one recipient on one channel: the outbox row.

    ``delivery_key`` names (event, recipient, channel) and is unique, so that writing the same
    event twice stores one row and a row is delivered at most once per channel. The recipient
    is an account (``user_id``), or for ``citizen_status`` the citizen who reported
    ``incident_id`` and agreed to updates (the address is read from the report when the row is
    delivered, so that a citizen's "stop" or an erased contact holds back what still waits).
    ``params`` holds what the message says (numbers, codes, statuses; never a staff note).
    In-app rows are written ``sent``; ``read_at`` marks them read.
    """

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(
            "user_id IS NOT NULL OR (kind = 'citizen_status' AND incident_id IS NOT NULL)",
            "recipient",
        ),
        CheckConstraint("attempts >= 0", "attempts"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", "sent_at"),
        # the worker's queue: waiting rows by their next attempt
        Index(
            "ix_notification_due",
            "next_attempt_at",
            postgresql_where=text("status = 'waiting'"),
        ),
        # the bell: an account's in-app rows, newest first
        Index(
            "ix_notification_inbox",
            "user_id",
            "created_at",
            postgresql_where=text("channel = 'in_app'"),
        ),
        Index("ix_notification_failed", "created_at", postgresql_where=text("status = 'failed'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    delivery_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[NotifyKind] = mapped_column(vocabulary(NotifyKind, "kind"))
    channel: Mapped[NotifyChannel] = mapped_column(vocabulary(NotifyChannel, "channel"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="CASCADE"), index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    #: whether the row waits for the recipient's digest (gathered with the others due then)
    digest: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[DeliveryStatus] = mapped_column(
        vocabulary(DeliveryStatus, "status"), server_default=DeliveryStatus.WAITING.value
    )
    attempts: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime] = now_column()
    #: a worker holds the row until then (a worker that died lets it go when this passes)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: the last failure, in words without addresses or secrets
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = now_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class NotifySetting(Base):
    """An account's addresses and habits: e-mail, linked LINE account, digest, quiet hours,
    and the patrol unit of its district it leads (whose plans it is told of)."""

    __tablename__ = "notify_setting"
    __table_args__ = (
        CheckConstraint("digest_minutes BETWEEN 0 AND 1440", "digest_minutes"),
        CheckConstraint("(quiet_start IS NULL) = (quiet_end IS NULL)", "quiet_hours"),
        CheckConstraint("line_link_code_hash ~ '^[0-9a-f]{64}$'", "line_link_code_hash"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str | None] = mapped_column(String(254))
    line_user_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: SHA-256 of the one-time link code shown on the account page (the code is not kept)
    line_link_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    line_link_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: new reports: 0 = each at once; otherwise one digest every so many minutes
    digest_minutes: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    #: Thai time; deliveries other than in-app wait until ``quiet_end``
    quiet_start: Mapped[dt.time | None] = mapped_column(Time)
    quiet_end: Mapped[dt.time | None] = mapped_column(Time)
    leads_unit: Mapped[PatrolUnit | None] = mapped_column(vocabulary(PatrolUnit, "leads_unit"))


class NotifyPreference(Base):
    """Whether an account wants one kind of notification on one channel (no row: the default,
    see :func:`gis.notify.settings.wants`)."""

    __tablename__ = "notify_preference"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotifyKind] = mapped_column(vocabulary(NotifyKind, "kind"), primary_key=True)
    channel: Mapped[NotifyChannel] = mapped_column(
        vocabulary(NotifyChannel, "channel"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean)
