"""Reference tables: provinces, districts, parallel areas, coordination centres, the border,
the Mekong, checkpoints, natural crossings, the watch corridor and the reference layers' display
shapes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Double,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis.db import METRIC_SRID, Base
from gis.models.columns import geometry, metric_copy, now_column, vocabulary
from gis.types import (
    AreaLevel,
    BoundaryKind,
    CheckpointKind,
    CheckpointStatus,
    Demarcation,
    Neighbour,
    RiskLevel,
)


class Province(Base):
    __tablename__ = "province"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pcode: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    name_th: Mapped[str] = mapped_column(String(80))
    name_variants: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("MULTIPOLYGON"), nullable=False)

    districts: Mapped[list[District]] = relationship(back_populates="province")


class District(Base):
    __tablename__ = "district"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pcode: Mapped[str] = mapped_column(String(8), unique=True)
    dopa_code: Mapped[str] = mapped_column(String(4), unique=True)
    province_id: Mapped[int] = mapped_column(ForeignKey("province.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_th: Mapped[str] = mapped_column(String(80))
    name_variants: Mapped[str | None] = mapped_column(Text)
    target: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    target_no: Mapped[int | None] = mapped_column(SmallInteger, unique=True)
    seed_name: Mapped[str | None] = mapped_column(Text)
    #: ``LAO``, ``KHM`` or ``KHM,LAO`` (Nam Yuen touches both) for districts on the border.
    border_neighbour: Mapped[str | None] = mapped_column(String(16))
    border_length_km: Mapped[float | None] = mapped_column(Double)
    geom: Mapped[Any] = mapped_column(geometry("MULTIPOLYGON"), nullable=False)
    geom_m: Mapped[Any] = metric_copy("MULTIPOLYGON")

    province: Mapped[Province] = relationship(back_populates="districts")
    parallel_areas: Mapped[list[ParallelArea]] = relationship(
        secondary="district_parallel_area", back_populates="districts"
    )


class ParallelArea(Base):
    """A Lao or Cambodian district or province paired with Thai target districts (twin towns)."""

    __tablename__ = "parallel_area"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    country: Mapped[Neighbour] = mapped_column(vocabulary(Neighbour, "country"))
    level: Mapped[AreaLevel] = mapped_column(vocabulary(AreaLevel, "level"))
    name: Mapped[str] = mapped_column(String(80))
    name_in_source: Mapped[str | None] = mapped_column(String(80))
    province: Mapped[str] = mapped_column(String(80))
    admin_code: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("MULTIPOLYGON"), nullable=False)
    geom_m: Mapped[Any] = metric_copy("MULTIPOLYGON")

    districts: Mapped[list[District]] = relationship(
        secondary="district_parallel_area", back_populates="parallel_areas"
    )


class DistrictParallelArea(Base):
    """Many-to-many pairing of Thai target districts and parallel areas."""

    __tablename__ = "district_parallel_area"

    district_id: Mapped[int] = mapped_column(
        ForeignKey("district.id", ondelete="CASCADE"), primary_key=True
    )
    parallel_area_id: Mapped[int] = mapped_column(
        ForeignKey("parallel_area.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CoordinationCentre(Base):
    """The NTS-MWCC of a target district."""

    __tablename__ = "coordination_centre"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    location_approximate: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    updated_at: Mapped[dt.datetime] = now_column()
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)


class BorderSegment(Base):
    """A stretch of the international boundary owned by one Thai district."""

    __tablename__ = "border_segment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_no: Mapped[int] = mapped_column(Integer, unique=True)
    neighbour: Mapped[Neighbour] = mapped_column(vocabulary(Neighbour, "neighbour"))
    kind: Mapped[BoundaryKind] = mapped_column(vocabulary(BoundaryKind, "kind"))
    demarcation: Mapped[Demarcation] = mapped_column(
        vocabulary(Demarcation, "demarcation"), server_default=Demarcation.UNKNOWN.value
    )
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    district_pcode: Mapped[str] = mapped_column(String(8))
    district_name: Mapped[str] = mapped_column(String(80))
    province_name: Mapped[str] = mapped_column(String(80))
    length_km: Mapped[float] = mapped_column(Double)
    source: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("LINESTRING"), nullable=False)


class BorderPiece(Base):
    """The border cut into short pieces in the metric CRS: derived from ``border_segment`` by the
    seed, it makes "distance to the border" one index lookup (see :mod:`gis.reference.measure`)."""

    __tablename__ = "border_piece"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("border_segment.id", ondelete="CASCADE"), index=True
    )
    geom: Mapped[Any] = mapped_column(
        Geometry("LINESTRING", srid=METRIC_SRID, spatial_index=True), nullable=False
    )


class River(Base):
    """The Mekong: Natural Earth centreline sections and the boundary line in the river."""

    __tablename__ = "river"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    variant: Mapped[str] = mapped_column(String(40))
    section: Mapped[str] = mapped_column(Text)
    forms_boundary: Mapped[bool] = mapped_column(Boolean)
    length_km: Mapped[float] = mapped_column(Double)
    source: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    positional_note: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("LINESTRING"), nullable=False)


class Checkpoint(Base):
    __tablename__ = "checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    name_th: Mapped[str | None] = mapped_column(String(160))
    kind: Mapped[CheckpointKind] = mapped_column(vocabulary(CheckpointKind, "kind"))
    status: Mapped[CheckpointStatus] = mapped_column(
        vocabulary(CheckpointStatus, "status"), server_default=CheckpointStatus.UNKNOWN.value
    )
    status_note: Mapped[str | None] = mapped_column(Text)
    hours: Mapped[str | None] = mapped_column(String(80))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    neighbour: Mapped[Neighbour] = mapped_column(vocabulary(Neighbour, "neighbour"))
    counterpart: Mapped[str | None] = mapped_column(Text)
    precision: Mapped[str] = mapped_column(String(40))
    approximate: Mapped[bool] = mapped_column(Boolean)
    coord_source: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)
    geom_m: Mapped[Any] = metric_copy("POINT")


class NaturalCrossing(Base):
    """A natural channel or path across the border used outside the checkpoints."""

    __tablename__ = "natural_crossing"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    risk_level: Mapped[RiskLevel] = mapped_column(
        vocabulary(RiskLevel, "risk_level"), server_default=RiskLevel.MEDIUM.value
    )
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    source: Mapped[str | None] = mapped_column(Text)
    properties: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    imported_at: Mapped[dt.datetime] = now_column()
    geom: Mapped[Any] = mapped_column(geometry("MULTILINESTRING"), nullable=False)
    geom_m: Mapped[Any] = metric_copy("MULTILINESTRING")


class DisplayShape(Base):
    """A reference layer's shape simplified for one wide zoom level (migration 0011): the
    ``source`` table's row ``source_id`` as :mod:`gis.reference.layers` draws it at ``zoom``, kept
    by row triggers on ``district``, ``parallel_area``, ``border_segment`` and ``river``."""

    __tablename__ = "display_shape"
    __table_args__ = (
        CheckConstraint(
            "source IN ('district', 'parallel_area', 'border_segment', 'river')", "source"
        ),
    )

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    zoom: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    geom: Mapped[Any] = mapped_column(geometry("GEOMETRY"), nullable=False)


class WatchCorridor(Base):
    """The watch corridor (derived, see :mod:`gis.reference.corridor`): one row, the whole area."""

    __tablename__ = "watch_corridor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    width_m: Mapped[float] = mapped_column(Double)
    built_at: Mapped[dt.datetime] = now_column()
    n_segments: Mapped[int] = mapped_column(Integer)
    n_crossings: Mapped[int] = mapped_column(Integer)
    #: Digest of the reference rows it was built from (see
    #: :func:`gis.reference.corridor.ensure_corridor`).
    source_digest: Mapped[str] = mapped_column(String(32))
    geom: Mapped[Any] = mapped_column(geometry("MULTIPOLYGON"), nullable=False)


class WatchCorridorPiece(Base):
    """The corridor cut into small polygons, so that "is this point in the corridor" is one
    index lookup."""

    __tablename__ = "watch_corridor_piece"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    geom: Mapped[Any] = mapped_column(geometry("POLYGON"), nullable=False)


class BorderSegmentEvent(Base):
    """Audit of the administrators' changes to a border segment's demarcation flag."""

    __tablename__ = "border_segment_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("border_segment.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = now_column()
    from_value: Mapped[str] = mapped_column(String(40))
    to_value: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
