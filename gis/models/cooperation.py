"""The cooperation register (issue 17): MWCC meetings and people-to-people activities with the
parallel areas, their agreements and action items, the budget allocated per district and fiscal
year and the spending lines against it, and the record of every change to them.

Participants are counts by side and group, never names: no personal data of foreign nationals is
kept.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import geometry, now_column, vocabulary
from gis.types import (
    ActionStatus,
    ActivityKind,
    CooperationRecord,
    CooperationTopic,
    ParticipantGroup,
    Side,
)


class Activity(Base):
    """A meeting or activity of a target district with its parallel areas (either side)."""

    __tablename__ = "cooperation_activity"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", "dates"),
        CheckConstraint("char_length(title) BETWEEN 1 AND 200", "title"),
        Index("ix_cooperation_activity_district_starts", "district_id", "starts_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    kind: Mapped[ActivityKind] = mapped_column(vocabulary(ActivityKind, "kind"))
    title: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    #: Parallel areas not among the district's pairs, named in words ("other").
    other_areas: Mapped[str | None] = mapped_column(Text)
    organisers: Mapped[str | None] = mapped_column(Text)
    partners: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()
    updated_at: Mapped[dt.datetime] = now_column()
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)


class ActivityArea(Base):
    """A parallel area taking part in an activity."""

    __tablename__ = "cooperation_activity_area"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), primary_key=True
    )
    parallel_area_id: Mapped[int] = mapped_column(
        ForeignKey("parallel_area.id"), primary_key=True, index=True
    )


class ActivityTopic(Base):
    """A topic an activity was about."""

    __tablename__ = "cooperation_activity_topic"

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[CooperationTopic] = mapped_column(
        vocabulary(CooperationTopic, "topic"), primary_key=True
    )


class ActivityParticipants(Base):
    """How many took part from one side in one group, and how many of them were women."""

    __tablename__ = "cooperation_participants"
    __table_args__ = (
        CheckConstraint("total >= 0", "total"),
        CheckConstraint("women >= 0 AND women <= total", "women"),
    )

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[Side] = mapped_column(vocabulary(Side, "side"), primary_key=True)
    group: Mapped[ParticipantGroup] = mapped_column(
        vocabulary(ParticipantGroup, "group"), primary_key=True
    )
    total: Mapped[int] = mapped_column(Integer)
    women: Mapped[int] = mapped_column(Integer)


class ActionItem(Base):
    """An agreement or action item of an activity, with its owner, due day and status, and the
    incident, hotspot, natural crossing or checkpoint it is about (any of them, or none)."""

    __tablename__ = "cooperation_action_item"
    __table_args__ = (CheckConstraint("char_length(text) BETWEEN 1 AND 2000", "text"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner_side: Mapped[Side] = mapped_column(vocabulary(Side, "owner_side"))
    owner_agency: Mapped[str | None] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[ActionStatus] = mapped_column(
        vocabulary(ActionStatus, "status"), server_default=ActionStatus.OPEN.value
    )
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incident.id", ondelete="SET NULL"), index=True
    )
    hotspot_id: Mapped[int | None] = mapped_column(
        ForeignKey("hotspot.id", ondelete="SET NULL"), index=True
    )
    natural_crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("natural_crossing.id", ondelete="SET NULL"), index=True
    )
    checkpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("checkpoint.id", ondelete="SET NULL"), index=True
    )
    updated_at: Mapped[dt.datetime] = now_column()


class BudgetAllocation(Base):
    """Money allocated to a district for a Thai fiscal year (labelled by the Buddhist-era year in
    which it ends), or for a shorter period inside it, from a source."""

    __tablename__ = "budget_allocation"
    __table_args__ = (
        CheckConstraint("amount > 0", "amount"),
        CheckConstraint("ends_on >= starts_on", "dates"),
        CheckConstraint(
            "starts_on >= make_date(fiscal_year - 544, 10, 1)"
            " AND ends_on <= make_date(fiscal_year - 543, 9, 30)",
            "within_fiscal_year",
        ),
        Index("ix_budget_allocation_district_year", "district_id", "fiscal_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    fiscal_year: Mapped[int] = mapped_column(SmallInteger)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    source: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()


class SpendingLine(Base):
    """Money spent from an allocation, on an activity or not; a line that takes the allocation's
    spending past its amount carries the reason."""

    __tablename__ = "spending_line"
    __table_args__ = (CheckConstraint("amount > 0", "amount"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("budget_allocation.id"), index=True)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="SET NULL"), index=True
    )
    spent_on: Mapped[dt.date] = mapped_column(Date)
    item: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    overspend_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()


class CooperationChange(Base):
    """One change in the register, append-only: when, who, which row of which district, and the
    row's values before and after (``None`` for a new row)."""

    __tablename__ = "cooperation_change"
    __table_args__ = (
        Index("ix_cooperation_change_record", "record", "record_id"),
        Index("ix_cooperation_change_district_at", "district_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = now_column()
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    record: Mapped[CooperationRecord] = mapped_column(vocabulary(CooperationRecord, "record"))
    record_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new_value: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class ActivityPhoto(Base):
    """A photo of an activity, checked and re-encoded without metadata as incident photos are
    (:func:`gis.incidents.photos.prepare_photo`), the bytes kept in the row; ``sha256`` is the
    digest of the upload, so a retried upload is stored once."""

    __tablename__ = "cooperation_photo"
    __table_args__ = (
        UniqueConstraint("activity_id", "sha256", name="uq_cooperation_photo_activity_sha256"),
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')", "content_type"
        ),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", "sha256"),
        CheckConstraint("width BETWEEN 1 AND 2048 AND height BETWEEN 1 AND 2048", "size"),
        CheckConstraint("byte_size = octet_length(data)", "byte_size"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = now_column()


class CooperationAttachment(Base):
    """A document of the register: the minutes of an activity (a PDF) or the receipt of a
    spending line (a PDF or a photo). A PDF is kept without its document information and XMP
    metadata, a photo re-encoded from its pixels (:mod:`gis.cooperation.attachments`); ``sha256``
    is the digest of the upload, so a retried upload is stored once per activity or line."""

    __tablename__ = "cooperation_attachment"
    __table_args__ = (
        UniqueConstraint("activity_id", "sha256", name="uq_cooperation_attachment_activity_sha256"),
        UniqueConstraint(
            "spending_line_id", "sha256", name="uq_cooperation_attachment_spending_line_sha256"
        ),
        CheckConstraint("(activity_id IS NULL) <> (spending_line_id IS NULL)", "one_owner"),
        CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')",
            "content_type",
        ),
        CheckConstraint(
            "activity_id IS NULL OR content_type = 'application/pdf'", "minutes_are_pdf"
        ),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", "sha256"),
        CheckConstraint("byte_size = octet_length(data)", "byte_size"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    #: The activity whose minutes these are (``None`` for a receipt).
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("cooperation_activity.id", ondelete="CASCADE"), index=True
    )
    #: The spending line whose receipt this is (``None`` for minutes).
    spending_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("spending_line.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    byte_size: Mapped[int] = mapped_column(Integer)
    #: Pages of a PDF (``None`` for a photo).
    pages: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = now_column()
