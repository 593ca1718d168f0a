"""Reference editing (issue 22): proposals, versions, flagged border stretches, derived data.

- ``reference_change``: a change to a checkpoint, coordination centre, natural crossing or border
  stretch, proposed by a coordinator and accepted or rejected by a reviewer (an administrator's
  own change is accepted at once), with its reason, before and after (geometry as GeoJSON);
- ``reference_version``: every accepted change, numbered across all features (the reference
  data's version), with who, when, why, before and after;
- ``border_stretch``: a part of a border segment (``ST_LineSubstring`` between two fractions)
  flagged unmarked or demarcated, with its source;
- ``reference_recompute``: the worker's recomputation of derived data after a change;
- ``version`` and ``retired_at`` on checkpoint, coordination_centre and natural_crossing; the
  checkpoint's opening days and crossing rules; the centre's Thai name and precision (surveyed
  where an administrator had entered its location); the crossing's season, what crosses there,
  note and precision; ``hotspot_run.reference_version``.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reference_recompute",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("reference_version", sa.Integer(), nullable=False),
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
        sa.Column("work", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("done", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("total", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_recompute")),
    )
    op.create_geospatial_table(
        "border_stretch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("from_fraction", sa.Double(), nullable=False),
        sa.Column("to_fraction", sa.Double(), nullable=False),
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
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column(
            "precision",
            sa.Enum(
                "surveyed",
                "imagery",
                "approximate",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="approximate",
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
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
        sa.CheckConstraint(
            "from_fraction >= 0 AND from_fraction < to_fraction AND to_fraction <= 1",
            name=op.f("ck_border_stretch_fractions"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_border_stretch_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["border_segment.id"],
            name=op.f("fk_border_stretch_segment_id_border_segment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_stretch")),
    )
    op.create_geospatial_index(
        "idx_border_stretch_geom",
        "border_stretch",
        ["geom"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.create_index(
        op.f("ix_border_stretch_district_id"), "border_stretch", ["district_id"], unique=False
    )
    op.create_index(
        op.f("ix_border_stretch_segment_id"), "border_stretch", ["segment_id"], unique=False
    )
    op.create_table(
        "reference_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "feature_type",
            sa.Enum(
                "checkpoint",
                "centre",
                "crossing",
                "stretch",
                name="feature_type",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("feature_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "update",
                "retire",
                "restore",
                "imported",
                name="action",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "accepted",
                "rejected",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="proposed",
            nullable=False,
        ),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("restore_of", sa.Integer(), nullable=True),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("accuracy_m", sa.Double(), nullable=True),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column(
            "proposed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status = 'proposed' OR (reviewed_at IS NOT NULL)",
            name=op.f("ck_reference_change_reviewed_when_decided"),
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["district.id"], name=op.f("fk_reference_change_district_id_district")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["app_user.id"],
            name=op.f("fk_reference_change_proposed_by_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["app_user.id"],
            name=op.f("fk_reference_change_reviewed_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_change")),
    )
    op.create_index(
        op.f("ix_reference_change_district_id"), "reference_change", ["district_id"], unique=False
    )
    op.create_index(
        "ix_reference_change_open",
        "reference_change",
        ["feature_type", "feature_id"],
        unique=False,
        postgresql_where=sa.text("status = 'proposed'"),
    )
    op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "feature_type",
            sa.Enum(
                "checkpoint",
                "centre",
                "crossing",
                "stretch",
                name="feature_type",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("feature_id", sa.Integer(), nullable=False),
        sa.Column("feature_version", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "create",
                "update",
                "retire",
                "restore",
                "imported",
                name="action",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("after", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_reference_version_actor_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["reference_change.id"],
            name=op.f("fk_reference_version_change_id_reference_change"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    op.create_index(
        "ix_reference_version_feature",
        "reference_version",
        ["feature_type", "feature_id"],
        unique=False,
    )
    op.add_column("checkpoint", sa.Column("days", sa.String(length=80), nullable=True))
    op.add_column("checkpoint", sa.Column("crossing_rules", sa.Text(), nullable=True))
    op.add_column(
        "checkpoint",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column("checkpoint", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("coordination_centre", sa.Column("name_th", sa.String(length=160), nullable=True))
    op.add_column(
        "coordination_centre",
        sa.Column(
            "precision",
            sa.Enum(
                "surveyed",
                "imagery",
                "approximate",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="approximate",
            nullable=False,
        ),
    )
    op.add_column(
        "coordination_centre",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column(
        "coordination_centre", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("hotspot_run", sa.Column("reference_version", sa.Integer(), nullable=True))
    op.add_column(
        "natural_crossing",
        sa.Column(
            "season",
            sa.Enum(
                "dry_only",
                "all_year",
                name="season",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            nullable=True,
        ),
    )
    op.add_column(
        "natural_crossing",
        sa.Column(
            "crosses",
            postgresql.ARRAY(sa.String(length=16)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
    )
    op.add_column("natural_crossing", sa.Column("note", sa.Text(), nullable=True))
    op.add_column(
        "natural_crossing",
        sa.Column(
            "precision",
            sa.Enum(
                "surveyed",
                "imagery",
                "approximate",
                name="precision",
                native_enum=False,
                create_constraint=True,
                length=40,
            ),
            server_default="approximate",
            nullable=False,
        ),
    )
    op.add_column(
        "natural_crossing",
        sa.Column("version", sa.Integer(), server_default=sa.text("1"), nullable=False),
    )
    op.add_column(
        "natural_crossing", sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_check_constraint(
        op.f("ck_natural_crossing_crosses"),
        "natural_crossing",
        "crosses <@ ARRAY['people', 'goods', 'vehicles', 'livestock']::varchar[]",
    )
    op.execute(
        "UPDATE coordination_centre SET precision = 'surveyed' WHERE NOT location_approximate"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_natural_crossing_crosses"), "natural_crossing", type_="check")
    op.drop_column("natural_crossing", "retired_at")
    op.drop_column("natural_crossing", "version")
    op.drop_column("natural_crossing", "precision")
    op.drop_column("natural_crossing", "note")
    op.drop_column("natural_crossing", "crosses")
    op.drop_column("natural_crossing", "season")
    op.drop_column("hotspot_run", "reference_version")
    op.drop_column("coordination_centre", "retired_at")
    op.drop_column("coordination_centre", "version")
    op.drop_column("coordination_centre", "precision")
    op.drop_column("coordination_centre", "name_th")
    op.drop_column("checkpoint", "retired_at")
    op.drop_column("checkpoint", "version")
    op.drop_column("checkpoint", "crossing_rules")
    op.drop_column("checkpoint", "days")
    op.drop_index("ix_reference_version_feature", table_name="reference_version")
    op.drop_table("reference_version")
    op.drop_index(
        "ix_reference_change_open",
        table_name="reference_change",
        postgresql_where=sa.text("status = 'proposed'"),
    )
    op.drop_index(op.f("ix_reference_change_district_id"), table_name="reference_change")
    op.drop_table("reference_change")
    op.drop_index(op.f("ix_border_stretch_segment_id"), table_name="border_stretch")
    op.drop_index(op.f("ix_border_stretch_district_id"), table_name="border_stretch")
    op.drop_geospatial_index(
        "idx_border_stretch_geom",
        table_name="border_stretch",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_geospatial_table("border_stretch")
    op.drop_table("reference_recompute")
