"""The audit of exports, and the exports run as jobs."""

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


class ExportFile(Base):
    """An export run as a job by the worker (``POST /api/exports``): what was asked, its
    progress, the file it wrote under ``EXPORT_DIR`` and its downloads (:mod:`gis.export.jobs`).
    """

    __tablename__ = "export_file"
    __table_args__ = (
        CheckConstraint("NOT sensitive OR reason IS NOT NULL", "reason"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'expired')", "status"),
        CheckConstraint("status <> 'done' OR file_name IS NOT NULL", "done_has_file"),
        Index("ix_export_file_user_created", "user_id", "created_at"),
        Index("ix_export_file_expires", "expires_at", postgresql_where=text("status = 'done'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    created_at: Mapped[dt.datetime] = now_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"))
    collection: Mapped[str] = mapped_column(String(40))
    format: Mapped[str] = mapped_column(String(16))
    #: the export's parameters as they came (``bbox``, ``datetime``, ``category``, ...)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    sensitive: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'queued'"))
    features_estimated: Mapped[int | None] = mapped_column(Integer)
    features_written: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    #: the file's name in ``EXPORT_DIR`` once it is whole
    file_name: Mapped[str | None] = mapped_column(Text)
    file_size: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    #: the ``export_audit`` row of the export (written when the worker starts it)
    audit_id: Mapped[int | None] = mapped_column(ForeignKey("export_audit.id"))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    downloads: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    downloaded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
