"""Emerging hot spots: a hotspot run may also analyse its incidents over time.

``hotspot_run.emerging`` says what the emerging hot spot analysis found, or why it was not made
(``NULL``: not asked for). ``emerging_cell`` holds one row per hexagon of the run's space-time
cube: its category (gis.hotspots.emerging.Emerging), incidents, steps, hot and cold steps, the
Mann-Kendall z and p of its Gi* z-scores and the final step's z-score, and its polygon from
``ST_HexagonGrid`` (EPSG:4326). Deleted with its run.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("hotspot_run", sa.Column("emerging", sa.Text(), nullable=True))
    op.create_table(
        "emerging_cell",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("i", sa.Integer(), nullable=False),
        sa.Column("j", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("steps", sa.SmallInteger(), nullable=False),
        sa.Column("hot_steps", sa.SmallInteger(), nullable=False),
        sa.Column("cold_steps", sa.SmallInteger(), nullable=False),
        sa.Column("trend_z", sa.Double(), nullable=False),
        sa.Column("trend_p", sa.Double(), nullable=False),
        sa.Column("final_z", sa.Double(), nullable=False),
        sa.Column(
            "geom",
            Geometry(geometry_type="POLYGON", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.CheckConstraint(
            "hot_steps >= 0 AND cold_steps >= 0", name=op.f("ck_emerging_cell_steps")
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["hotspot_run.id"],
            name=op.f("fk_emerging_cell_run_id_hotspot_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "i", "j", name=op.f("pk_emerging_cell")),
    )
    op.create_index(
        "ix_emerging_cell_run_category", "emerging_cell", ["run_id", "category"], unique=False
    )
    op.create_geospatial_index(
        "idx_emerging_cell_geom", "emerging_cell", ["geom"], postgresql_using="gist"
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_emerging_cell_geom",
        table_name="emerging_cell",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_index("ix_emerging_cell_run_category", table_name="emerging_cell")
    op.drop_table("emerging_cell")
    op.drop_column("hotspot_run", "emerging")
