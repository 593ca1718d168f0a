"""The citizens' LINE chat: the webhook events already handled and each LINE user's
conversation (:mod:`gis.linechat`)."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import BigInteger, DateTime, Double, ForeignKey, String, Text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import now_column, vocabulary
from gis.types import IncidentCategory


class ChatStep(enum.StrEnum):
    """What a citizen's LINE conversation waits for (:mod:`gis.linechat.flow`); not shown to
    anyone, so not a vocabulary of :mod:`gis.types`."""

    CATEGORY = "category"
    LOCATION = "location"
    DESCRIPTION = "description"
    CONSENT = "consent"
    PHOTO = "photo"


class LineWebhookEvent(Base):
    """A webhook event handled once: its ``webhookEventId`` (a redelivery finds it here and
    changes nothing)."""

    __tablename__ = "line_webhook_event"

    webhook_event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[dt.datetime] = now_column()


class LineConversation(Base):
    """Where a LINE user's report stands: the step the chat waits at and what was said so far.

    ``idempotency_key`` is drawn when the conversation starts, so that the report it makes is
    stored once however often its last step is sent. ``incident_id`` is the report once stored
    (photos sent after the receipt join it). The row goes when the report is done, when the
    user says stop, and is ignored after ``expires_at``.
    """

    __tablename__ = "line_conversation"

    line_user_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    step: Mapped[ChatStep] = mapped_column(vocabulary(ChatStep, "step"))
    idempotency_key: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    category: Mapped[IncidentCategory | None] = mapped_column(
        vocabulary(IncidentCategory, "category")
    )
    occurred_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    lon: Mapped[float | None] = mapped_column(Double)
    lat: Mapped[float | None] = mapped_column(Double)
    description: Mapped[str | None] = mapped_column(Text)
    incident_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("incident.id", ondelete="CASCADE")
    )
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    updated_at: Mapped[dt.datetime] = now_column()
