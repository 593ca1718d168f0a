"""incident_cell: the incidents counted per map cell, kept by triggers, for the map's wide views.

Below zoom 15 the incidents layer answers a crowded box with counted cells
(:func:`gis.incidents.map_layer.count_cells`). Counting them from ``incident`` reads every matching
row: about 3 s for the national view of a million incidents. ``incident_cell`` holds the same
counts already made, at three grid levels (zoom 8, 11 and 14: cells of 90 / 2^level degrees,
the layer's 64-pixel cells at those zooms), per district, category, status and whether the
report came from the public form (unverified public reports are on no layer), with the sums of
the longitudes and latitudes so that a bubble can sit at the mean position of its incidents. A
view at zoom z adds up the cells of the first level >= z (``cx >> (level - z)``): the national
view reads about 8,000 rows instead of a million incidents.

Statement-level triggers with transition tables keep it exact: an ``INSERT`` adds the new rows'
counts, a ``DELETE`` takes the old ones away, an ``UPDATE`` does both in one upsert (net changes
only: an update that moves no incident to another cell, status, category or district writes
nothing), a ``TRUNCATE`` empties it. The upserts run in key order, so two statements never lock
the same cells in opposite orders.

Also an index on ``incident.reporter_id``: everyone sees their own reports on the map, also
outside their scope, and those are counted from ``incident`` by reporter.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Grid levels (zooms) of the counts; gis.incidents.map_layer.CELL_LEVELS must say the same.
LEVELS = (8, 11, 14)
_LEVELS_SQL = ", ".join(f"({level})" for level in LEVELS)
KEY = "level, cx, cy, district_id, category, status, public"


def _counted(rows: str, sign: int) -> str:
    """The counts of a transition table's rows at every level, ``sign`` 1 or -1."""
    return f"""
        SELECT l.level::smallint AS level,
               floor(ST_X(r.geom) * (1 << l.level) / 90.0)::integer AS cx,
               floor(ST_Y(r.geom) * (1 << l.level) / 90.0)::integer AS cy,
               r.district_id, r.category, r.status, r.channel = 'online_public' AS public,
               {sign} AS n, {sign} * ST_X(r.geom) AS lon, {sign} * ST_Y(r.geom) AS lat
        FROM {rows} r CROSS JOIN (VALUES {_LEVELS_SQL}) AS l(level)"""  # noqa: S608 (constants of this module)


def _upsert(source: str) -> str:
    return f"""
        INSERT INTO incident_cell AS c ({KEY}, n, sum_lon, sum_lat)
        SELECT {KEY}, sum(n), sum(lon), sum(lat)
        FROM ({source}) AS d
        GROUP BY {KEY}
        HAVING sum(n) <> 0 OR sum(lon) <> 0 OR sum(lat) <> 0
        ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET
            n = c.n + EXCLUDED.n,
            sum_lon = c.sum_lon + EXCLUDED.sum_lon,
            sum_lat = c.sum_lat + EXCLUDED.sum_lat;"""  # noqa: S608


COUNT = f"""
CREATE FUNCTION incident_cell_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_upsert(_counted("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN
        {_upsert(_counted("old_rows", -1))}
    ELSE
        {_upsert(_counted("new_rows", 1) + " UNION ALL " + _counted("old_rows", -1))}
    END IF;
    RETURN NULL;
END
$$
"""

TRUNCATE = """
CREATE FUNCTION incident_cell_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE incident_cell;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "incident_cell",
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("cx", sa.Integer(), nullable=False),
        sa.Column("cy", sa.Integer(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Double(), nullable=False),
        sa.Column("sum_lat", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint(
            "level",
            "cx",
            "cy",
            "district_id",
            "category",
            "status",
            "public",
            name="pk_incident_cell",
        ),
    )
    op.create_index("ix_incident_reporter_id", "incident", ["reporter_id"])
    op.execute(COUNT)
    op.execute(TRUNCATE)
    fill = _counted("incident", 1)
    op.execute(
        f"INSERT INTO incident_cell ({KEY}, n, sum_lon, sum_lat) "  # noqa: S608
        f"SELECT {KEY}, sum(n), sum(lon), sum(lat) FROM ({fill}) AS d GROUP BY {KEY}"
    )
    op.execute(
        "CREATE TRIGGER incident_cell_insert AFTER INSERT ON incident "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_cell_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_cell_update AFTER UPDATE ON incident "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_cell_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_cell_delete AFTER DELETE ON incident "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_cell_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_cell_truncate AFTER TRUNCATE ON incident "
        "FOR EACH STATEMENT EXECUTE FUNCTION incident_cell_truncate()"
    )


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER incident_cell_{event} ON incident")
    op.execute("DROP FUNCTION incident_cell_truncate()")
    op.execute("DROP FUNCTION incident_cell_count()")
    op.drop_index("ix_incident_reporter_id", table_name="incident")
    op.drop_table("incident_cell")
