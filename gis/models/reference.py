"""Reference tables: provinces, districts, parallel areas, coordination centres, the border,
the Mekong, checkpoints, natural crossings, the watch corridor and the reference layers' display
shapes; the districts' edits of them (issue 22): flagged border stretches, proposed changes, the
versions of every accepted change and the recomputation of what derives from them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis.db import METRIC_SRID, Base
from gis.models.columns import geometry, metric_copy, now_column, vocabulary
from gis.types import (
    AreaLevel,
    BoundaryKind,
    ChangeAction,
    ChangeStatus,
    CheckpointKind,
    CheckpointStatus,
    CrossingSeason,
    Demarcation,
    Neighbour,
    Precision,
    ReferenceFeature,
    RiskLevel,
    RunStatus,
)


def version_column() -> Mapped[int]:
    """The row's version: 1 when made, one more with each accepted change (optimistic
    concurrency: an edit names the version it was made on, :mod:`gis.reference.editing`)."""
    return mapped_column(Integer, nullable=False, server_default=text("1"))


def retired_column() -> Mapped[dt.datetime | None]:
    """When the feature was retired (hidden from the map and from every measure), or ``None``."""
    return mapped_column(DateTime(timezone=True))


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
    name_th: Mapped[str | None] = mapped_column(String(160))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    location_approximate: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    precision: Mapped[Precision] = mapped_column(
        vocabulary(Precision, "precision"), server_default=Precision.APPROXIMATE.value
    )
    version: Mapped[int] = version_column()
    retired_at: Mapped[dt.datetime | None] = retired_column()
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
    #: The days it is open ("Mon-Fri", "daily"), as the district writes them.
    days: Mapped[str | None] = mapped_column(String(80))
    #: What a crossing needs there (border pass, passport, local residents only...).
    crossing_rules: Mapped[str | None] = mapped_column(Text)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"), index=True)
    neighbour: Mapped[Neighbour] = mapped_column(vocabulary(Neighbour, "neighbour"))
    counterpart: Mapped[str | None] = mapped_column(Text)
    #: The seed's ``wikipedia``/``approx-*`` values (seeds/data/README.md) or, once edited, a
    #: :class:`~gis.types.Precision` value.
    precision: Mapped[str] = mapped_column(String(40))
    approximate: Mapped[bool] = mapped_column(Boolean)
    coord_source: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = version_column()
    retired_at: Mapped[dt.datetime | None] = retired_column()
    geom: Mapped[Any] = mapped_column(geometry("POINT"), nullable=False)
    geom_m: Mapped[Any] = metric_copy("POINT")


class NaturalCrossing(Base):
    """A natural channel or path across the border used outside the checkpoints."""

    __tablename__ = "natural_crossing"
    __table_args__ = (
        CheckConstraint(
            "crosses <@ ARRAY['people', 'goods', 'vehicles', 'livestock']::varchar[]", "crosses"
        ),
    )

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
    season: Mapped[CrossingSeason | None] = mapped_column(vocabulary(CrossingSeason, "season"))
    #: What crosses there: :class:`~gis.types.CrossingUse` values.
    crosses: Mapped[list[str]] = mapped_column(
        ARRAY(String(16)), nullable=False, server_default=text("'{}'::varchar[]")
    )
    note: Mapped[str | None] = mapped_column(Text)
    precision: Mapped[Precision] = mapped_column(
        vocabulary(Precision, "precision"), server_default=Precision.APPROXIMATE.value
    )
    version: Mapped[int] = version_column()
    retired_at: Mapped[dt.datetime | None] = retired_column()
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


class BorderStretch(Base):
    """A stretch of a border segment flagged by a district (issue 22): the segment between two
    fractions of its length (``ST_LineSubstring``), with its demarcation and the source of that
    knowledge. The watch corridor follows the stretches that are not ``demarcated``."""

    __tablename__ = "border_stretch"
    __table_args__ = (
        CheckConstraint(
            "from_fraction >= 0 AND from_fraction < to_fraction AND to_fraction <= 1", "fractions"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("border_segment.id", ondelete="CASCADE"), index=True
    )
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    from_fraction: Mapped[float] = mapped_column(Double)
    to_fraction: Mapped[float] = mapped_column(Double)
    demarcation: Mapped[Demarcation] = mapped_column(vocabulary(Demarcation, "demarcation"))
    source: Mapped[str] = mapped_column(Text)
    precision: Mapped[Precision] = mapped_column(
        vocabulary(Precision, "precision"), server_default=Precision.APPROXIMATE.value
    )
    version: Mapped[int] = version_column()
    retired_at: Mapped[dt.datetime | None] = retired_column()
    created_at: Mapped[dt.datetime] = now_column()
    geom: Mapped[Any] = mapped_column(geometry("LINESTRING"), nullable=False)


class ReferenceChange(Base):
    """A change to a reference feature: proposed by a coordinator (or made by an administrator,
    accepted at once), then accepted or rejected by a reviewer. ``before`` and ``after`` hold the
    feature's geometry (GeoJSON) and attributes as JSON."""

    __tablename__ = "reference_change"
    __table_args__ = (
        CheckConstraint(
            "status = 'proposed' OR (reviewed_at IS NOT NULL)", "reviewed_when_decided"
        ),
        Index(
            "ix_reference_change_open",
            "feature_type",
            "feature_id",
            postgresql_where=text("status = 'proposed'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_type: Mapped[ReferenceFeature] = mapped_column(
        vocabulary(ReferenceFeature, "feature_type")
    )
    #: The feature changed; for a new feature ``None`` until the change is accepted.
    feature_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[ChangeAction] = mapped_column(vocabulary(ChangeAction, "action"))
    status: Mapped[ChangeStatus] = mapped_column(
        vocabulary(ChangeStatus, "status"), server_default=ChangeStatus.PROPOSED.value
    )
    district_id: Mapped[int] = mapped_column(ForeignKey("district.id"), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    #: For a restore: the reference version whose state is put back.
    restore_of: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(Text)
    accuracy_m: Mapped[float | None] = mapped_column(Double)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[dt.datetime] = now_column()
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)


class ReferenceVersion(Base):
    """One accepted change of a reference feature. ``id`` is the reference data's version
    number, increasing across all features; ``feature_version`` the feature's own version after
    the change."""

    __tablename__ = "reference_version"
    __table_args__ = (Index("ix_reference_version_feature", "feature_type", "feature_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    feature_type: Mapped[ReferenceFeature] = mapped_column(
        vocabulary(ReferenceFeature, "feature_type")
    )
    feature_id: Mapped[int] = mapped_column(Integer)
    feature_version: Mapped[int] = mapped_column(Integer)
    action: Mapped[ChangeAction] = mapped_column(vocabulary(ChangeAction, "action"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("reference_change.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[dt.datetime] = now_column()
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ReferenceRecompute(Base):
    """The worker's recomputation of what derives from the reference data after an accepted
    change (:mod:`gis.reference.derived`): incidents' nearest checkpoint and crossing in the
    affected area, the watch corridor; its progress is what ``GET /api/reference/derived``
    shows."""

    __tablename__ = "reference_recompute"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    reference_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[RunStatus] = mapped_column(
        vocabulary(RunStatus, "status"), server_default=RunStatus.QUEUED.value
    )
    #: What to recompute: ``{"areas": [EWKT...], "corridor": bool}``.
    work: Mapped[dict[str, Any]] = mapped_column(JSONB)
    done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    total: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = now_column()
    updated_at: Mapped[dt.datetime] = now_column()
