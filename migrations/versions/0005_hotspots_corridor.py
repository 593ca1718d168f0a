"""Watch corridor (derived), border demarcation audit, hotspot run scope and details, Gi* cells.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _geometry(kind: str) -> Geometry:
    return Geometry(kind, srid=4326, spatial_index=False)


def upgrade() -> None:
    op.add_column("hotspot_run", sa.Column("district_ids", postgresql.ARRAY(sa.Integer())))
    op.add_column("hotspot_run", sa.Column("gistar", sa.Text()))
    # the worker's queue: the oldest queued run first
    op.create_index(
        "ix_hotspot_run_queued",
        "hotspot_run",
        ["id"],
        postgresql_where=sa.text("status = 'queued'"),
    )
    op.add_column("hotspot", sa.Column("parallel_area_ids", postgresql.JSONB()))
    op.add_column("hotspot", sa.Column("recent_30", sa.Integer()))
    op.add_column("hotspot", sa.Column("previous_30", sa.Integer()))
    op.create_index("ix_hotspot_run_id", "hotspot", ["run_id"])

    op.create_table(
        "hotspot_cell",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("i", sa.Integer(), nullable=False),
        sa.Column("j", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("z", sa.Double(), nullable=True),
        sa.Column("p", sa.Double(), nullable=True),
        sa.Column("bin", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("geom", _geometry("POLYGON"), nullable=False),
        sa.CheckConstraint("bin BETWEEN -3 AND 3", name=op.f("ck_hotspot_cell_bin")),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_run.id"],
            name=op.f("fk_hotspot_cell_run_id_hotspot_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "i", "j", name=op.f("pk_hotspot_cell")),
    )
    op.create_geospatial_index(
        "idx_hotspot_cell_geom", "hotspot_cell", ["geom"], postgresql_using="gist"
    )

    op.create_table(
        "watch_corridor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("width_m", sa.Double(), nullable=False),
        sa.Column(
            "built_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("n_segments", sa.Integer(), nullable=False),
        sa.Column("n_crossings", sa.Integer(), nullable=False),
        sa.Column("source_digest", sa.String(length=32), nullable=False),
        sa.Column("geom", _geometry("MULTIPOLYGON"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_corridor")),
    )
    op.create_geospatial_index(
        "idx_watch_corridor_geom", "watch_corridor", ["geom"], postgresql_using="gist"
    )
    op.create_table(
        "watch_corridor_piece",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("geom", _geometry("POLYGON"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watch_corridor_piece")),
    )
    op.create_geospatial_index(
        "idx_watch_corridor_piece_geom", "watch_corridor_piece", ["geom"], postgresql_using="gist"
    )

    op.create_table(
        "border_segment_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("from_value", sa.String(length=40), nullable=False),
        sa.Column("to_value", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["border_segment.id"],
            name=op.f("fk_border_segment_event_segment_id_border_segment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["app_user.id"], name=op.f("fk_border_segment_event_actor_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_border_segment_event")),
    )
    op.create_index(
        op.f("ix_border_segment_event_segment_id"), "border_segment_event", ["segment_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_border_segment_event_segment_id"), table_name="border_segment_event")
    op.drop_table("border_segment_event")
    op.drop_geospatial_index(
        "idx_watch_corridor_piece_geom",
        table_name="watch_corridor_piece",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("watch_corridor_piece")
    op.drop_geospatial_index(
        "idx_watch_corridor_geom",
        table_name="watch_corridor",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("watch_corridor")
    op.drop_geospatial_index(
        "idx_hotspot_cell_geom",
        table_name="hotspot_cell",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("hotspot_cell")
    op.drop_index("ix_hotspot_run_id", table_name="hotspot")
    op.drop_column("hotspot", "previous_30")
    op.drop_column("hotspot", "recent_30")
    op.drop_column("hotspot", "parallel_area_ids")
    op.drop_index("ix_hotspot_run_queued", table_name="hotspot_run")
    op.drop_column("hotspot_run", "gistar")
    op.drop_column("hotspot_run", "district_ids")
