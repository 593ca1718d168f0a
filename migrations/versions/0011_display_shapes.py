"""display_shape: the reference layers' shapes simplified for each wide zoom level, kept by
triggers.

A reference layer simplifies its geometries to half a screen pixel at the view's zoom
(:func:`gis.reference.layers.display_precision`). For the 221 districts of the border provinces
(262,000 vertices) that took about 490 ms of database time at the national view for every map
that opened there, and the parallel areas, the border and the Mekong another 100 ms: more than
the incidents layer itself, on the same two cores. The shapes only change when the reference
data is imported again, so they are simplified once per zoom level of :data:`ZOOMS` and kept
here; the layers read them (about 20 ms at the national view) and simplify on the fly only
above those levels, where a view holds a few features.

A shape is the same expression the layer computes on the fly, with the same tolerance and
output grid (``ST_SimplifyPreserveTopology`` then ``ST_ReducePrecision``; polygons with
``ST_ForcePolygonCCW``), so a layer answers the same bytes either way
(``tests/gis/reference/test_display_shapes.py`` compares them). Row triggers on the four source tables
keep it current: an inserted row gets its shapes, an update that changes ``geom`` replaces
them, a deleted row takes them away, a ``TRUNCATE`` empties that source's shapes.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21
"""

import math
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Zoom levels kept; gis.reference.layers.STORED_ZOOMS must say the same. Above 11 a view covers a
#: few districts and simplifying them on the fly takes some 40 ms.
ZOOMS = range(4, 12)
#: Source table -> whether its shapes are polygons (exterior rings counter-clockwise).
SOURCES = {"district": True, "parallel_area": True, "border_segment": False, "river": False}


def _precision(zoom: int) -> tuple[float, float]:
    """Tolerance (half a 256-pixel tile's pixel, in degrees) and output grid at ``zoom``, as
    ``gis.reference.layers.display_precision`` computes them."""
    tolerance = 180.0 / (256 * 2**zoom)
    digits = min(7, max(3, math.ceil(-math.log10(tolerance)) + 1))
    return tolerance, 10.0**-digits


_LEVELS = ", ".join(
    f"({z}, {t!r}::float8, {g!r}::float8)" for z in ZOOMS for t, g in [_precision(z)]
)
#: A row's shapes at every level: ``{shape}`` of ``s.geom``, the row's columns named in ``{id}``
#: and ``{geom}``.
_SHAPES = f"""
        SELECT {{source}}, {{id}}, l.zoom, {{shape}}
        FROM (VALUES {_LEVELS}) AS l(zoom, tolerance, grid)
        CROSS JOIN LATERAL (
            SELECT ST_ReducePrecision(ST_SimplifyPreserveTopology({{geom}}, l.tolerance), l.grid)
                AS geom
        ) AS s"""  # noqa: S608 (constants of this module)

#: The shapes of the row a trigger fires for (``TG_ARGV``: source table, ``polygons`` or
#: ``lines``).
_NEW_SHAPES = _SHAPES.format(
    source="TG_ARGV[0]",
    id="NEW.id",
    geom="NEW.geom",
    shape="CASE WHEN TG_ARGV[1] = 'polygons' THEN ST_ForcePolygonCCW(s.geom) ELSE s.geom END",
)

SYNC = f"""
CREATE FUNCTION display_shape_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM display_shape WHERE source = TG_ARGV[0] AND source_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO display_shape (source, source_id, zoom, geom) {_NEW_SHAPES};
    END IF;
    RETURN NULL;
END
$$
"""  # noqa: S608

TRUNCATE = """
CREATE FUNCTION display_shape_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM display_shape WHERE source = TG_ARGV[0];
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "display_shape",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("zoom", sa.SmallInteger(), nullable=False),
        sa.Column(
            "geom",
            Geometry("GEOMETRY", srid=4326, spatial_index=False),
            nullable=False,
        ),
        sa.CheckConstraint(
            "source IN ('district', 'parallel_area', 'border_segment', 'river')",
            name=op.f("ck_display_shape_source"),
        ),
        sa.PrimaryKeyConstraint("source", "source_id", "zoom", name=op.f("pk_display_shape")),
    )
    op.create_geospatial_index(
        "idx_display_shape_geom", "display_shape", ["geom"], postgresql_using="gist"
    )
    op.execute(SYNC)
    op.execute(TRUNCATE)
    for table, polygons in SOURCES.items():
        kind = "polygons" if polygons else "lines"
        args = f"('{table}', '{kind}')"
        op.execute(
            f"CREATE TRIGGER display_shape_insert AFTER INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION display_shape_sync{args}"
        )
        op.execute(
            f"CREATE TRIGGER display_shape_update AFTER UPDATE ON {table} FOR EACH ROW "
            # bytes, not geometry's "=" (ambiguous for pg_restore's empty search_path)
            "WHEN (ST_AsEWKB(OLD.geom) <> ST_AsEWKB(NEW.geom) OR OLD.id <> NEW.id) "
            f"EXECUTE FUNCTION display_shape_sync{args}"
        )
        op.execute(
            f"CREATE TRIGGER display_shape_delete AFTER DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION display_shape_sync{args}"
        )
        op.execute(
            f"CREATE TRIGGER display_shape_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION display_shape_truncate('{table}')"
        )
        # the rows already there
        shapes = _SHAPES.format(
            source=f"'{table}'",
            id="t.id",
            geom="t.geom",
            shape="ST_ForcePolygonCCW(s.geom)" if polygons else "s.geom",
        )
        op.execute(
            "INSERT INTO display_shape (source, source_id, zoom, geom) "  # noqa: S608
            f"SELECT d.* FROM {table} t CROSS JOIN LATERAL ({shapes}) AS d"
        )


def downgrade() -> None:
    for table in SOURCES:
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER display_shape_{event} ON {table}")
    op.execute("DROP FUNCTION display_shape_truncate()")
    op.execute("DROP FUNCTION display_shape_sync()")
    op.drop_geospatial_index(
        "idx_display_shape_geom",
        table_name="display_shape",
        postgresql_using="gist",
        column_name="geom",
    )
    op.drop_table("display_shape")
