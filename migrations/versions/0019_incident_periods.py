"""incident_period: the incidents counted per week and per month, kept by triggers, for the
statistics dashboard.

The dashboard counts reports per week or month over a year (and the period before), per
district and parallel area, by category, status and channel. Counting them from ``incident``
reads every row of the year: close to a second at a million incidents, too slow for a page; per
day the counts hardly shrink (a district has a few dozen reports a day, spread over category,
status and channel). ``incident_period`` holds them per calendar week (``unit`` 'week', ``start``
its Monday) and per calendar month ('month', its first day), in Thai time, by when the incident
occurred (the dashboard's periods are those weeks and months), per district, parallel area (0
when none), category, status and channel. Also a partial index of the new reports by district
and arrival, for the dashboard's backlog.

Statement-level triggers with transition tables keep it exact, as ``incident_cell``'s do
(migration 0009): an ``INSERT`` adds the new rows' counts, a ``DELETE`` takes the old ones away,
an ``UPDATE`` does both in one upsert (net changes only), a ``TRUNCATE`` empties it; the upserts
run in key order.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "unit, start, district_id, parallel_area_id, category, status, channel"


def _counted(rows: str, sign: int) -> str:
    """The counts of a transition table's rows in their week and their month, ``sign`` 1 or -1."""
    return f"""
        SELECT u.unit, date_trunc(u.unit, r.occurred_at AT TIME ZONE 'Asia/Bangkok')::date AS start,
               r.district_id, coalesce(r.parallel_area_id, 0) AS parallel_area_id, r.category,
               r.status, r.channel, {sign} AS n
        FROM {rows} r CROSS JOIN (VALUES ('week'), ('month')) AS u(unit)"""  # noqa: S608


def _upsert(source: str) -> str:
    return f"""
        INSERT INTO incident_period AS c ({KEY}, n)
        SELECT {KEY}, sum(n)
        FROM ({source}) AS d
        GROUP BY {KEY}
        HAVING sum(n) <> 0
        ORDER BY {KEY}
        ON CONFLICT ({KEY}) DO UPDATE SET n = c.n + EXCLUDED.n;"""  # noqa: S608


COUNT = f"""
CREATE FUNCTION incident_period_count() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE FUNCTION incident_period_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE incident_period;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "incident_period",
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("district_id", sa.Integer(), nullable=False),
        sa.Column("parallel_area_id", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "unit",
            "start",
            "district_id",
            "parallel_area_id",
            "category",
            "status",
            "channel",
            name="pk_incident_period",
        ),
    )
    op.create_index(
        "ix_incident_new_reported",
        "incident",
        ["district_id", "reported_at"],
        postgresql_where=sa.text("status = 'new'"),
    )
    op.execute(COUNT)
    op.execute(TRUNCATE)
    op.execute(
        f"INSERT INTO incident_period ({KEY}, n) "  # noqa: S608
        f"SELECT {KEY}, sum(n) FROM ({_counted('incident', 1)}) AS d GROUP BY {KEY}"
    )
    op.execute("ANALYZE incident_period")
    op.execute(
        "CREATE TRIGGER incident_period_insert AFTER INSERT ON incident "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_period_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_period_update AFTER UPDATE ON incident "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_period_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_period_delete AFTER DELETE ON incident "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION incident_period_count()"
    )
    op.execute(
        "CREATE TRIGGER incident_period_truncate AFTER TRUNCATE ON incident "
        "FOR EACH STATEMENT EXECUTE FUNCTION incident_period_truncate()"
    )


def downgrade() -> None:
    for event in ("insert", "update", "delete", "truncate"):
        op.execute(f"DROP TRIGGER incident_period_{event} ON incident")
    op.execute("DROP FUNCTION incident_period_truncate()")
    op.execute("DROP FUNCTION incident_period_count()")
    op.drop_table("incident_period")
    op.drop_index("ix_incident_new_reported", table_name="incident")
