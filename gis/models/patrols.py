"""Patrol plans and their ordered stops."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import geometry, now_column, vocabulary
from gis.types import PatrolUnit, StopOutcome


class PatrolPlan(Base):
    __tablename__ = "patrol_plan"
    __table_args__ = (
        CheckConstraint("window_end IS NULL OR window_start IS NOT NULL", "window"),
        CheckConstraint("length_m IS NULL OR length_m >= 0", "length"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()
    unit: Mapped[PatrolUnit] = mapped_column(vocabulary(PatrolUnit, "unit"))
    planned_for: Mapped[dt.date] = mapped_column(Date)
    window_start: Mapped[dt.time | None] = mapped_column(Time)
    window_end: Mapped[dt.time | None] = mapped_column(Time)
    start_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    length_m: Mapped[float | None] = mapped_column(Double)
    start: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)
    route: Mapped[Any | None] = mapped_column(geometry("LINESTRING"))


class PatrolStop(Base):
    __tablename__ = "patrol_stop"
    __table_args__ = (UniqueConstraint("plan_id", "seq", name="uq_patrol_stop_plan_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plan.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    hotspot_id: Mapped[int | None] = mapped_column(ForeignKey("hotspot.id", ondelete="SET NULL"))
    outcome: Mapped[StopOutcome | None] = mapped_column(vocabulary(StopOutcome, "outcome"))
    outcome_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    note: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)
