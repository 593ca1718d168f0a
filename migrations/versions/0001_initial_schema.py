"""Initial schema: reference layers, incidents and their audit, hotspots, patrols, accounts.

Every geometry is EPSG:4326 with a GiST index; vocabularies are CHECK constraints. Checkpoints
and natural crossings keep a generated copy in the metric CRS (UTM 48N) for nearest searches in
metres, and border_piece holds the border cut into short metric pieces for the same purpose.

Revision ID: 0001
Revises:
Create Date: 2026-11-21 05:47:30.674182
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # PostGIS may already be there (the postgis image, scripts/pgcluster.sh); downgrade never
    # drops it because other database objects may depend on it.
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_geospatial_table(
        "parallel_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column(
            "country",
            sa.Enum(
                "LAO", "KHM", name="country", native_enum=False, create_constraint=True, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum(
                "district",
                "province",
                name="level",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_in_source", sa.String(length=80), nullable=True),
        sa.Column("province", sa.String(length=80), nullable=False),
        sa.Column("admin_code", sa.String(length=40), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_parallel_area")),
        sa.UniqueConstraint("code", name=op.f("uq_parallel_area_code")),
    )
    op.create_geospatial_index(
        "idx_parallel_area_geom",
        "parallel_area",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "province",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pcode", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_th", sa.String(length=80), nullable=False),
        sa.Column("name_variants", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_province")),
        sa.UniqueConstraint("pcode", name=op.f("uq_province_pcode")),
    )
    op.create_geospatial_index(
        "idx_province_geom",
        "province",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "river",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("variant", sa.String(length=40), nullable=False),
        sa.Column("section", sa.Text(), nullable=False),
        sa.Column("forms_boundary", sa.Boolean(), nullable=False),
        sa.Column("length_km", sa.Double(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column("positional_note", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_river")),
        sa.UniqueConstraint("code", name=op.f("uq_river_code")),
    )
    op.create_geospatial_index(
        "idx_river_geom",
        "river",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_table(
        "district",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pcode", sa.String(length=8), nullable=False),
        sa.Column("dopa_code", sa.String(length=4), nullable=False),
        sa.Column("province_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("name_th", sa.String(length=80), nullable=False),
        sa.Column("name_variants", sa.Text(), nullable=True),
        sa.Column("target", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("target_no", sa.SmallInteger(), nullable=True),
        sa.Column("seed_name", sa.Text(), nullable=True),
        sa.Column("border_neighbour", sa.String(length=16), nullable=True),
        sa.Column("border_length_km", sa.Double(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTIPOLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["province.id"], name=op.f("fk_district_province_id_province")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district")),
        sa.UniqueConstraint("dopa_code", name=op.f("uq_district_dopa_code")),
        sa.UniqueConstraint("pcode", name=op.f("uq_district_pcode")),
        sa.UniqueConstraint("target_no", name=op.f("uq_district_target_no")),
    )
    op.create_geospatial_index(
        "idx_district_geom",
        "district",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_district_province_id"), "district", ["province_id"], unique=False)
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("display_name", sa.String(length=160), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "administrator",
                "hq_analyst",
                "patrol_planner",
                "coordinator",
                "officer",
                "volunteer",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("province_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("session_version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(role IN ('coordinator', 'officer', 'volunteer') AND district_id IS NOT NULL) OR (role = 'patrol_planner' AND (district_id IS NOT NULL OR province_id IS NOT NULL)) OR role IN ('administrator', 'hq_analyst')",
            name=op.f("ck_app_user_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_app_user_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["province_id"], ["province.id"], name=op.f("fk_app_user_province_id_province")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_geospatial_table(
        "border_segment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_no", sa.Integer(), nullable=False),
        sa.Column(
            "neighbour",
            sa.Enum(
                "LAO", "KHM", name="neighbour", native_enum=False, create_constraint=True, length=40
            ),
            nullable=False,
        ),
        sa.Column(
            "kind",
            sa.Enum(
                "mekong_river",
                "land_or_other_river",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "demarcation",
            sa.Enum(
                "unknown",
                "demarcated",
                "unmarked",
                name="demarcation",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("district_pcode", sa.String(length=8), nullable=False),
        sa.Column("district_name", sa.String(length=80), nullable=False),
        sa.Column("province_name", sa.String(length=80), nullable=False),
        sa.Column("length_km", sa.Double(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("licence", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_border_segment_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_segment")),
        sa.UniqueConstraint("segment_no", name=op.f("uq_border_segment_segment_no")),
    )
    op.create_geospatial_index(
        "idx_border_segment_geom",
        "border_segment",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_border_segment_district_id"), "border_segment", ["district_id"], unique=False
    )
    op.create_geospatial_table(
        "checkpoint",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("name_th", sa.String(length=160), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "permanent_crossing",
                "border_trade_checkpoint",
                "temporary_crossing",
                "joint_inspection_checkpoint",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "unknown",
                "open",
                "restricted",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="unknown",
            nullable=False,
        ),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("hours", sa.String(length=80), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column(
            "neighbour",
            sa.Enum(
                "LAO", "KHM", name="neighbour", native_enum=False, create_constraint=True, length=40
            ),
            nullable=False,
        ),
        sa.Column("counterpart", sa.Text(), nullable=True),
        sa.Column("precision", sa.String(length=40), nullable=False),
        sa.Column("approximate", sa.Boolean(), nullable=False),
        sa.Column("coord_source", sa.Text(), nullable=True),
        sa.Column("sources", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_m",
            Geometry(
                geometry_type="POINT",
                srid=32648,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            sa.Computed("ST_Transform(geom, 32648)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_checkpoint_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint")),
        sa.UniqueConstraint("slug", name=op.f("uq_checkpoint_slug")),
    )
    op.create_geospatial_index(
        "idx_checkpoint_geom",
        "checkpoint",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_checkpoint_geom_m",
        "checkpoint",
        ["geom_m"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(op.f("ix_checkpoint_district_id"), "checkpoint", ["district_id"], unique=False)
    op.create_geospatial_table(
        "coordination_centre",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column(
            "location_approximate", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_coordination_centre_district_id_district"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_centre")),
        sa.UniqueConstraint("district_id", name=op.f("uq_coordination_centre_district_id")),
    )
    op.create_geospatial_index(
        "idx_coordination_centre_geom",
        "coordination_centre",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "district_parallel_area",
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("parallel_area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["district.id"],
            name=op.f("fk_district_parallel_area_district_id_district"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["parallel_area_id"],
            ["parallel_area.id"],
            name=op.f("fk_district_parallel_area_parallel_area_id_parallel_area"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "district_id", "parallel_area_id", name=op.f("pk_district_parallel_area")
        ),
    )
    op.create_index(
        op.f("ix_district_parallel_area_parallel_area_id"),
        "district_parallel_area",
        ["parallel_area_id"],
        unique=False,
    )
    op.create_geospatial_table(
        "natural_crossing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "risk_level",
            sa.Enum(
                "low",
                "medium",
                "high",
                name="risk_level",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="medium",
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column(
            "properties",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "imported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="MULTILINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "geom_m",
            Geometry(
                geometry_type="MULTILINESTRING",
                srid=32648,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            sa.Computed("ST_Transform(geom, 32648)", persisted=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_natural_crossing_district_id_district")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_natural_crossing")),
        sa.UniqueConstraint("code", name=op.f("uq_natural_crossing_code")),
    )
    op.create_geospatial_index(
        "idx_natural_crossing_geom",
        "natural_crossing",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_natural_crossing_geom_m",
        "natural_crossing",
        ["geom_m"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_natural_crossing_district_id"), "natural_crossing", ["district_id"], unique=False
    )
    op.create_geospatial_table(
        "border_piece",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="LINESTRING",
                srid=32648,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["border_segment.id"],
            name=op.f("fk_border_piece_segment_id_border_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_piece")),
    )
    op.create_geospatial_index(
        "idx_border_piece_geom",
        "border_piece",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_border_piece_segment_id"), "border_piece", ["segment_id"], unique=False
    )
    op.create_table(
        "hotspot_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("engine", sa.String(length=40), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "done",
                "failed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="queued",
            nullable=False,
        ),
        sa.Column("progress", sa.Double(), server_default=sa.text("0"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("n_incidents", sa.Integer(), nullable=True),
        sa.Column("n_clusters", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_hotspot_run_created_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_run")),
    )
    op.create_geospatial_table(
        "incident",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("idempotency_key", sa.UUID(), nullable=False),
        sa.Column("receipt_code", sa.String(length=40), nullable=True),
        sa.Column(
            "category",
            sa.Enum(
                "drug_trafficking",
                "human_trafficking",
                "illegal_entry",
                "smuggling",
                "vehicle_theft",
                "online_fraud",
                "other",
                name="category",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "new",
                "verified",
                "rejected",
                "duplicate",
                "referred",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="new",
            nullable=False,
        ),
        sa.Column(
            "channel",
            sa.Enum(
                "mwcc_walk_in",
                "online_public",
                "officer_app",
                "patrol",
                "hotline",
                name="channel",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("severity", sa.SmallInteger(), server_default=sa.text("3"), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "reported_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("parallel_area_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.Column("reporter_contact", sa.Text(), nullable=True),
        sa.Column("duplicate_of_id", sa.BigInteger(), nullable=True),
        sa.Column("border_distance_m", sa.Double(), nullable=True),
        sa.Column("nearest_checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("nearest_checkpoint_m", sa.Double(), nullable=True),
        sa.Column("nearest_crossing_id", sa.Integer(), nullable=True),
        sa.Column("nearest_crossing_m", sa.Double(), nullable=True),
        sa.Column("is_demo", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "duplicate_of_id IS NULL OR status = 'duplicate'", name=op.f("ck_incident_duplicate_of")
        ),
        sa.CheckConstraint(
            "occurred_at <= reported_at + interval '1 day'",
            name=op.f("ck_incident_occurred_before_report"),
        ),
        sa.CheckConstraint("severity BETWEEN 1 AND 5", name=op.f("ck_incident_severity")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_incident_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"], ["incident.id"], name=op.f("fk_incident_duplicate_of_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["nearest_checkpoint_id"],
            ["checkpoint.id"],
            name=op.f("fk_incident_nearest_checkpoint_id_checkpoint"),
        ),
        sa.ForeignKeyConstraint(
            ["nearest_crossing_id"],
            ["natural_crossing.id"],
            name=op.f("fk_incident_nearest_crossing_id_natural_crossing"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parallel_area_id"],
            ["parallel_area.id"],
            name=op.f("fk_incident_parallel_area_id_parallel_area"),
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["app_user.id"], name=op.f("fk_incident_reporter_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_incident_idempotency_key")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_incident_receipt_code")),
    )
    op.create_geospatial_index(
        "idx_incident_geom",
        "incident",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        "ix_incident_district_occurred", "incident", ["district_id", "occurred_at"], unique=False
    )
    op.create_index(op.f("ix_incident_status"), "incident", ["status"], unique=False)
    op.create_geospatial_table(
        "patrol_plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "unit",
            sa.Enum(
                "village_security_volunteers",
                "police",
                "border_patrol_police",
                "joint_patrol",
                name="unit",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("planned_for", sa.Date(), nullable=False),
        sa.Column("window_start", sa.Time(), nullable=True),
        sa.Column("window_end", sa.Time(), nullable=True),
        sa.Column("start_checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("length_m", sa.Double(), nullable=True),
        sa.Column(
            "start",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "route",
            Geometry(
                geometry_type="LINESTRING",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
            ),
            nullable=True,
        ),
        sa.CheckConstraint("length_m IS NULL OR length_m >= 0", name=op.f("ck_patrol_plan_length")),
        sa.CheckConstraint(
            "window_end IS NULL OR window_start IS NOT NULL", name=op.f("ck_patrol_plan_window")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_patrol_plan_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_patrol_plan_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["start_checkpoint_id"],
            ["checkpoint.id"],
            name=op.f("fk_patrol_plan_start_checkpoint_id_checkpoint"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_plan")),
    )
    op.create_geospatial_index(
        "idx_patrol_plan_route",
        "patrol_plan",
        ["route"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_patrol_plan_start",
        "patrol_plan",
        ["start"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_patrol_plan_district_id"), "patrol_plan", ["district_id"], unique=False
    )
    op.create_geospatial_table(
        "hotspot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("n_incidents", sa.Integer(), nullable=False),
        sa.Column("categories", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("trend", sa.Double(), nullable=True),
        sa.Column("district_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("nearest_crossing_id", sa.Integer(), nullable=True),
        sa.Column("nearest_crossing_m", sa.Double(), nullable=True),
        sa.Column("nearest_checkpoint_id", sa.Integer(), nullable=True),
        sa.Column("nearest_checkpoint_m", sa.Double(), nullable=True),
        sa.Column(
            "hull",
            Geometry(
                geometry_type="POLYGON",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.Column(
            "centroid",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["nearest_checkpoint_id"],
            ["checkpoint.id"],
            name=op.f("fk_hotspot_nearest_checkpoint_id_checkpoint"),
        ),
        sa.ForeignKeyConstraint(
            ["nearest_crossing_id"],
            ["natural_crossing.id"],
            name=op.f("fk_hotspot_nearest_crossing_id_natural_crossing"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_run.id"],
            name=op.f("fk_hotspot_run_id_hotspot_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot")),
        sa.UniqueConstraint("run_id", "rank", name="uq_hotspot_run_rank"),
    )
    op.create_geospatial_index(
        "idx_hotspot_centroid",
        "hotspot",
        ["centroid"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_geospatial_index(
        "idx_hotspot_hull",
        "hotspot",
        ["hull"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_table(
        "incident_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "new",
                "verified",
                "rejected",
                "duplicate",
                "referred",
                "closed",
                name="from_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "new",
                "verified",
                "rejected",
                "duplicate",
                "referred",
                "closed",
                name="to_status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_incident_event_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_event_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_event")),
    )
    op.create_index(
        op.f("ix_incident_event_incident_id"), "incident_event", ["incident_id"], unique=False
    )
    op.create_table(
        "hotspot_member",
        sa.Column("hotspot_id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hotspot_id"],
            ["hotspot.id"],
            name=op.f("fk_hotspot_member_hotspot_id_hotspot"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_hotspot_member_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("hotspot_id", "incident_id", name=op.f("pk_hotspot_member")),
    )
    op.create_index(
        op.f("ix_hotspot_member_incident_id"), "hotspot_member", ["incident_id"], unique=False
    )
    op.create_geospatial_table(
        "patrol_stop",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hotspot_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "visited",
                "nothing_found",
                "incident_found",
                name="outcome",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "geom",
            Geometry(
                geometry_type="POINT",
                srid=4326,
                dimension=2,
                spatial_index=False,
                from_text="ST_GeomFromEWKT",
                name="geometry",
                nullable=False,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["hotspot_id"],
            ["hotspot.id"],
            name=op.f("fk_patrol_stop_hotspot_id_hotspot"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_patrol_stop_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_by_id"], ["app_user.id"], name=op.f("fk_patrol_stop_outcome_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["patrol_plan.id"],
            name=op.f("fk_patrol_stop_plan_id_patrol_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_stop")),
        sa.UniqueConstraint("plan_id", "seq", name="uq_patrol_stop_plan_seq"),
    )
    op.create_geospatial_index(
        "idx_patrol_stop_geom",
        "patrol_stop",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_patrol_stop_geom",
        table_name="patrol_stop",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("patrol_stop")
    op.drop_index(op.f("ix_hotspot_member_incident_id"), table_name="hotspot_member")
    op.drop_table("hotspot_member")
    op.drop_index(op.f("ix_incident_event_incident_id"), table_name="incident_event")
    op.drop_table("incident_event")
    op.drop_geospatial_index(
        "idx_hotspot_hull", table_name="hotspot", postgresql_using="gist", column_name="hull"
    )
    op.drop_geospatial_index(
        "idx_hotspot_centroid",
        table_name="hotspot",
        postgresql_using="gist",
        column_name="centroid",
    )
    op.drop_geospatial_table("hotspot")
    op.drop_index(op.f("ix_patrol_plan_district_id"), table_name="patrol_plan")
    op.drop_geospatial_index(
        "idx_patrol_plan_start",
        table_name="patrol_plan",
        postgresql_using="gist",
        column_name="start",
    )
    op.drop_geospatial_index(
        "idx_patrol_plan_route",
        table_name="patrol_plan",
        postgresql_using="gist",
        column_name="route",
    )
    op.drop_geospatial_table("patrol_plan")
    op.drop_index(op.f("ix_incident_status"), table_name="incident")
    op.drop_index("ix_incident_district_occurred", table_name="incident")
    op.drop_geospatial_index(
        "idx_incident_geom", table_name="incident", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("incident")
    op.drop_table("hotspot_run")
    op.drop_index(op.f("ix_border_piece_segment_id"), table_name="border_piece")
    op.drop_geospatial_index(
        "idx_border_piece_geom",
        table_name="border_piece",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("border_piece")
    op.drop_index(op.f("ix_natural_crossing_district_id"), table_name="natural_crossing")
    op.drop_geospatial_index(
        "idx_natural_crossing_geom_m",
        table_name="natural_crossing",
        postgresql_using="gist",
        column_name="geom_m",
    )
    op.drop_geospatial_index(
        "idx_natural_crossing_geom",
        table_name="natural_crossing",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("natural_crossing")
    op.drop_index(
        op.f("ix_district_parallel_area_parallel_area_id"), table_name="district_parallel_area"
    )
    op.drop_table("district_parallel_area")
    op.drop_geospatial_index(
        "idx_coordination_centre_geom",
        table_name="coordination_centre",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("coordination_centre")
    op.drop_index(op.f("ix_checkpoint_district_id"), table_name="checkpoint")
    op.drop_geospatial_index(
        "idx_checkpoint_geom_m",
        table_name="checkpoint",
        postgresql_using="gist",
        column_name="geom_m",
    )
    op.drop_geospatial_index(
        "idx_checkpoint_geom", table_name="checkpoint", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("checkpoint")
    op.drop_index(op.f("ix_border_segment_district_id"), table_name="border_segment")
    op.drop_geospatial_index(
        "idx_border_segment_geom",
        table_name="border_segment",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("border_segment")
    op.drop_table("app_user")
    op.drop_index(op.f("ix_district_province_id"), table_name="district")
    op.drop_geospatial_index(
        "idx_district_geom", table_name="district", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("district")
    op.drop_geospatial_index(
        "idx_river_geom", table_name="river", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("river")
    op.drop_geospatial_index(
        "idx_province_geom", table_name="province", postgresql_using="gist", column_name="geom"
    )
    op.drop_geospatial_table("province")
    op.drop_geospatial_index(
        "idx_parallel_area_geom",
        table_name="parallel_area",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("parallel_area")
