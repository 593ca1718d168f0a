"""Tables of borderwatch (see DESIGN.md, "Data"). Every geometry is EPSG:4326 with a GiST index."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Double,
    Enum,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gis.db import METRIC_SRID, SRID, Base
from gis.types import (
    Agency,
    AreaLevel,
    BoundaryKind,
    Channel,
    CheckpointKind,
    CheckpointStatus,
    Demarcation,
    IncidentCategory,
    IncidentStatus,
    Neighbour,
    PatrolUnit,
    RiskLevel,
    Role,
    RunStatus,
    StopOutcome,
)


def vocabulary(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A VARCHAR column restricted by a CHECK constraint to the enum's values.

    A CHECK constraint (not a native PostgreSQL enum) keeps adding a value a one-line migration.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def geometry(kind: str) -> Geometry:
    return Geometry(kind, srid=SRID, spatial_index=True)


def metric_copy(kind: str, source: str = "geom") -> Mapped[Any]:
    """A stored copy of ``source`` in the metric CRS, kept by PostgreSQL, for nearest-neighbour
    searches in metres with a GiST index (see :mod:`gis.reference.measure`)."""
    return mapped_column(
        Geometry(kind, srid=METRIC_SRID, spatial_index=True),
        Computed(f"ST_Transform({source}, {METRIC_SRID})", persisted=True),
    )


def now_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


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


class User(Base):
    """An account. Scope: national roles have neither district nor province."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('coordinator', 'officer', 'volunteer') AND district_id IS NOT NULL)"
            " OR (role = 'patrol_planner' AND (district_id IS NOT NULL OR province_id IS NOT NULL))"
            " OR role IN ('administrator', 'hq_analyst')",
            "scope",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(vocabulary(Role, "role"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    session_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[dt.datetime] = now_column()


class Incident(Base):
    __tablename__ = "incident"
    __table_args__ = (
        CheckConstraint("severity BETWEEN 1 AND 5", "severity"),
        CheckConstraint("occurred_at <= reported_at + interval '1 day'", "occurred_before_report"),
        CheckConstraint("duplicate_of_id IS NULL OR status = 'duplicate'", "duplicate_of"),
        CheckConstraint(
            "referred_to IS NULL OR status IN ('referred', 'closed')", "referred_status"
        ),
        Index("ix_incident_district_occurred", "district_id", "occurred_at"),
        Index("ix_incident_reporter_id", "reporter_id"),
        Index("ix_incident_occurred_at", "occurred_at"),
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
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"))
    referred_to: Mapped[Agency | None] = mapped_column(vocabulary(Agency, "referred_to"))
    border_distance_m: Mapped[float | None] = mapped_column(Double)
    nearest_checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoint.id"))
    nearest_checkpoint_m: Mapped[float | None] = mapped_column(Double)
    nearest_crossing_id: Mapped[int | None] = mapped_column(
        ForeignKey("natural_crossing.id", ondelete="SET NULL")
    )
    nearest_crossing_m: Mapped[float | None] = mapped_column(Double)
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


class DisplayShape(Base):
    """A reference layer's shape simplified for one wide zoom level (migration 0011): the
    ``source`` table's row ``source_id`` as :func:`gis.reference.layers` draws it at ``zoom``, kept
    by
    row triggers on ``district``, ``parallel_area``, ``border_segment`` and ``river``."""

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


class IncidentEvent(Base):
    """Append-only audit of every change to an incident."""

    __tablename__ = "incident_event"

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


class ApiToken(Base):
    """A personal API token: only its SHA-256 digest is kept (the token is shown once)."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", "token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The token's first characters, shown in the list so that the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = now_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


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
