"""Hotspot runs, their clusters and members, and the Getis-Ord Gi* cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import geometry, now_column, vocabulary
from gis.types import RunStatus


class HotspotRun(Base):
    __tablename__ = "hotspot_run"
    __table_args__ = (
        # the worker's queue: the oldest queued run first
        Index("ix_hotspot_run_queued", "id", postgresql_where=text("status = 'queued'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = now_column()
    params: Mapped[dict[str, Any]] = mapped_column(JSONB)
    engine: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[RunStatus] = mapped_column(
        vocabulary(RunStatus, "status"), server_default=RunStatus.QUEUED.value
    )
    progress: Mapped[float] = mapped_column(Double, server_default=text("0"))
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    n_incidents: Mapped[int | None] = mapped_column(Integer)
    n_clusters: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    #: The districts the run covers (its scope); ``NULL``: every district (national runs).
    district_ids: Mapped[list[int] | None] = mapped_column(ARRAY(Integer))
    #: Whether the Getis-Ord Gi* cells were computed, or why not (see :mod:`gis.hotspots.gistar`).
    gistar: Mapped[str | None] = mapped_column(Text)
    #: What the emerging hot spot analysis found, or why it was not made (``None``: not asked;
    #: see :mod:`gis.hotspots.emerging`).
    emerging: Mapped[str | None] = mapped_column(Text)
    #: The reference data's version (``reference_version.id``) when the run was computed: which
    #: checkpoints, crossings and corridor it measured against (``None``: before any edit).
    reference_version: Mapped[int | None] = mapped_column(Integer)


class Hotspot(Base):
    __tablename__ = "hotspot"
    __table_args__ = (UniqueConstraint("run_id", "rank", name="uq_hotspot_run_rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("hotspot_run.id", ondelete="CASCADE"), index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    n_incidents: Mapped[int] = mapped_column(Integer)
    categories: Mapped[dict[str, int]] = mapped_column(JSONB)
    first_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    score: Mapped[float] = mapped_column(Double)
    trend: Mapped[float | None] = mapped_column(Double)
    district_ids: Mapped[list[int] | None] = mapped_column(JSONB)
    parallel_area_ids: Mapped[list[int] | None] = mapped_column(JSONB)
    #: Incidents of the cluster in the 30 days up to the run's ``as_of`` and in the 30 before.
    recent_30: Mapped[int | None] = mapped_column(Integer)
    previous_30: Mapped[int | None] = mapped_column(Integer)
    nearest_crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("natural_crossing.id", ondelete="SET NULL")
    )
    nearest_crossing_m: Mapped[float | None] = mapped_column(Double)
    nearest_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    nearest_checkpoint_m: Mapped[float | None] = mapped_column(Double)
    hull: Mapped[Any] = mapped_column(geometry("POLYGON"), nullable=False)
    centroid: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)


class HotspotMember(Base):
    """An incident of a hotspot.

    No foreign keys, no primary key, a BRIN index on ``hotspot_id``: statement-level triggers
    (migration 0008) check that hotspots and incidents exist and delete members with them, so
    that a run stores a million members in one COPY.
    """

    __tablename__ = "hotspot_member"
    __table_args__ = (Index("ix_hotspot_member_hotspot_id", "hotspot_id", postgresql_using="brin"),)

    #: The pair identifies a member for the ORM; the table has no primary key (migration 0008).
    hotspot_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)


class HotspotCell(Base):
    """A hexagon of a run's Getis-Ord Gi* analysis: incident count, z-score, p-value and bin
    (-3..3: cold/hot spot at 99, 95, 90 % confidence after the FDR correction; 0 not
    significant)."""

    __tablename__ = "hotspot_cell"
    __table_args__ = (CheckConstraint("bin BETWEEN -3 AND 3", "bin"),)

    run_id: Mapped[int] = mapped_column(
        ForeignKey("hotspot_run.id", ondelete="CASCADE"), primary_key=True
    )
    i: Mapped[int] = mapped_column(Integer, primary_key=True)
    j: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    z: Mapped[float | None] = mapped_column(Double)
    p: Mapped[float | None] = mapped_column(Double)
    bin: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    geom: Mapped[Any] = mapped_column(geometry("POLYGON"), nullable=False)


class EmergingCell(Base):
    """A hexagon of a run's emerging hot spot analysis: its category (the values of
    :class:`gis.hotspots.emerging.Emerging`), incidents over the cube's steps, the steps it was
    a significant hot or cold spot, the Mann-Kendall z and p of its Gi* z-scores, and the z-score
    of the final step."""

    __tablename__ = "emerging_cell"
    __table_args__ = (
        CheckConstraint("hot_steps >= 0 AND cold_steps >= 0", "steps"),
        Index("ix_emerging_cell_run_category", "run_id", "category"),
    )

    run_id: Mapped[int] = mapped_column(
        ForeignKey("hotspot_run.id", ondelete="CASCADE"), primary_key=True
    )
    i: Mapped[int] = mapped_column(Integer, primary_key=True)
    j: Mapped[int] = mapped_column(Integer, primary_key=True)
    category: Mapped[str] = mapped_column(String(40))
    n: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(SmallInteger)
    hot_steps: Mapped[int] = mapped_column(SmallInteger)
    cold_steps: Mapped[int] = mapped_column(SmallInteger)
    trend_z: Mapped[float] = mapped_column(Double)
    trend_p: Mapped[float] = mapped_column(Double)
    final_z: Mapped[float] = mapped_column(Double)
    geom: Mapped[Any] = mapped_column(geometry("POLYGON"), nullable=False)
