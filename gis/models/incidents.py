"""Incidents, their audit events, photos and the per-cell counts of the map."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import geometry, now_column, vocabulary
from gis.types import Agency, Channel, IncidentCategory, IncidentStatus


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 5", "severity"),
        CheckConstraint("occurred_at <= reported_at + interval '1 day'", "occurred_before_report"),
        CheckConstraint("duplicate_of_id IS NULL OR status = 'duplicate'", "duplicate_of"),
        CheckConstraint(
            "referred_to IS NULL OR status IN ('referred', 'closed')", "referred_status"
        ),
        CheckConstraint(
            "location_accuracy_m IS NULL OR location_accuracy_m BETWEEN 0 AND 100000",
            "location_accuracy_m",
        ),
        # consent to status updates needs a contact to send them to (migration 0020)
        CheckConstraint("NOT updates_consent OR reporter_contact IS NOT NULL", "updates_consent"),
        # only the MWCC desk and the hotline record a report on a citizen's behalf
        CheckConstraint(
            "taken_by_id IS NULL OR channel IN ('mwcc_walk_in', 'hotline')", "taken_by_channel"
        ),
        Index("ix_incident_district_occurred", "district_id", "occurred_at"),
        Index("ix_incident_reporter_id", "reporter_id"),
        Index("ix_incident_occurred_at", "occurred_at"),
        # the dashboard's backlog: the new reports of each district by age (migration 0019)
        Index(
            "ix_incident_new_reported",
            "district_id",
            "reported_at",
            postgresql_where=text("status = 'new'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    idempotency_key: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), unique=True)
    receipt_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    category: Mapped[IncidentCategory] = mapped_column(vocabulary(IncidentCategory, "category"))
    status: Mapped[IncidentStatus] = mapped_column(
        vocabulary(IncidentStatus, "status"), server_default=IncidentStatus.NEW.value, index=True
    )
    channel: Mapped[Channel] = mapped_column(vocabulary(Channel, "channel"))
    severity: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reported_at: Mapped[dt.datetime] = now_column()
    description: Mapped[str | None] = mapped_column(Text)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"))
    parallel_area_id: Mapped[int | None] = mapped_column(ForeignKey("parallel_area.id"))
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reporter_contact: Mapped[str | None] = mapped_column(Text)
    #: the citizen agreed to hear of status changes at ``reporter_contact`` (a public report's
    #: reporter; False when no contact was given)
    updates_consent: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    #: the account that recorded the report on a citizen's behalf (MWCC desk, hotline)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    referred_to: Mapped[Agency | None] = mapped_column(vocabulary(Agency, "referred_to"))
    border_distance_m: Mapped[float | None] = mapped_column(Double)
    nearest_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    nearest_checkpoint_m: Mapped[float | None] = mapped_column(Double)
    nearest_crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("natural_crossing.id", ondelete="SET NULL")
    )
    nearest_crossing_m: Mapped[float | None] = mapped_column(Double)
    #: the phone's accuracy (metres) when the place came from "Use my location"; None otherwise
    location_accuracy_m: Mapped[float | None] = mapped_column(Double)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    updated_at: Mapped[dt.datetime] = now_column()
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)


class IncidentCell(Base):
    """Incidents counted per map cell, kept exact by statement-level triggers on ``incident``
    (migration 0009): at grid ``level`` (a zoom; cells of 90 / 2^level degrees, index ``cx``,
    ``cy``), per district, category, status and whether the report came from the public form,
    the count and the sums of longitudes and latitudes. Read by
    :func:`gis.incidents.map_layer.count_cells` for the map's wide views."""

    __tablename__ = "incident_cell"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(40), primary_key=True)
    public: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Double)
    sum_lat: Mapped[float] = mapped_column(Double)


class IncidentPeriod(Base):
    """Incidents counted per calendar week (``unit`` ``week``, ``start`` its Monday) and per
    calendar month (``month``, its first day) in Thai time, by the time they occurred, kept
    exact by statement-level triggers on ``incident`` (migration 0019): per district, parallel
    area (0 for none), category, status and channel. Read by :mod:`gis.stats.counts` for the
    dashboard's weeks and months."""

    __tablename__ = "incident_period"

    unit: Mapped[str] = mapped_column(String(8), primary_key=True)
    start: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    parallel_area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(40), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class IncidentEvent(Base):
    """Append-only audit of every change to an incident.

    ``note`` is for the district's staff only; ``reporter_note`` is written for the incident's
    reporter, who reads it on "My reports".
    """

    __tablename__ = "incident_event"
    __table_args__ = (
        CheckConstraint(
            "reporter_note IS NULL OR char_length(reporter_note) <= 2000", "reporter_note"
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = now_column()
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[IncidentStatus | None] = mapped_column(
        vocabulary(IncidentStatus, "from_status")
    )
    to_status: Mapped[IncidentStatus | None] = mapped_column(
        vocabulary(IncidentStatus, "to_status")
    )
    note: Mapped[str | None] = mapped_column(Text)
    reporter_note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSONB)


class IncidentPhoto(Base):
    """A photo attached to an incident: re-encoded without metadata, the bytes kept in the row.

    ``sha256`` is the digest of the bytes as uploaded; the unique pair (incident, digest) stores a
    retried upload once. ``data`` is loaded only when asked for (the image itself).
    """

    __tablename__ = "incident_photo"
    __table_args__ = (
        UniqueConstraint("incident_id", "sha256", name="uq_incident_photo_incident_sha256"),
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')", "content_type"
        ),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", "sha256"),
        CheckConstraint("width BETWEEN 1 AND 2048 AND height BETWEEN 1 AND 2048", "size"),
        CheckConstraint("byte_size = octet_length(data)", "byte_size"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    byte_size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()
