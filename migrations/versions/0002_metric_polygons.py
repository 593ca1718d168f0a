"""Metric copies of district and parallel area polygons, for routing distances in metres.

Generated (stored) columns in UTM 48N with GiST indexes: routing across the border finds
candidate areas with an index and measures planar distances, within 1 % of the geodesic ones.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:51:52.996859
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_geospatial_column(
        "district",
        sa.Column(
            "geom_m",
            Geometry(
                geometry_type="MULTIPOLYGON",
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
    )
    op.create_geospatial_index(
        "idx_district_geom_m",
        "district",
        ["geom_m"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )
    op.add_geospatial_column(
        "parallel_area",
        sa.Column(
            "geom_m",
            Geometry(
                geometry_type="MULTIPOLYGON",
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
    )
    op.create_geospatial_index(
        "idx_parallel_area_geom_m",
        "parallel_area",
        ["geom_m"],
        unique=False,
        postgresql_using="gist",
        postgresql_ops={},
    )


def downgrade() -> None:
    op.drop_geospatial_index(
        "idx_parallel_area_geom_m",
        table_name="parallel_area",
        postgresql_using="gist",
        column_name="geom_m",
    )
    op.drop_geospatial_column("parallel_area", "geom_m")
    op.drop_geospatial_index(
        "idx_district_geom_m", table_name="district", postgresql_using="gist", column_name="geom_m"
    )
    op.drop_geospatial_column("district", "geom_m")
