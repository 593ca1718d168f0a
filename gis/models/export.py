"""The audit of exports."""

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
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import now_column


class ExportAudit(Base):
    """One export (a file download, an OGC API page): who, what, which filters, how many."""

    __tablename__ = "export_audit"
    __table_args__ = (
        CheckConstraint("NOT sensitive OR reason IS NOT NULL", "reason"),
        CheckConstraint("state IN ('started', 'completed', 'aborted', 'failed')", "state"),
        Index("ix_export_audit_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = now_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    collection: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(16))
    filters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sensitive: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), server_default=text("'started'"))
    feature_count: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
