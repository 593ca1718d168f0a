"""Background jobs: procrastinate's tables and functions, in a schema of their own.

The worker (``borderwatch worker``) runs hotspot runs, export jobs, notification deliveries,
digests and reminders as procrastinate jobs (``gis.jobs``). Procrastinate's schema is created
here, as procrastinate 3.10 ships it (``procrastinate/sql/schema.sql``), inside the schema
``procrastinate`` so that its tables, types and functions stay apart from the project's own
(the models compare ``public`` only). Every one of its functions is pinned to that schema
(``SET search_path``), so that a transaction of the app calls
``procrastinate.procrastinate_defer_jobs_v1(...)`` with its own search path and the triggers
find their tables whoever fires them; the worker's own connections put ``procrastinate`` first
in their search path (``gis.jobs.conninfo``).

A later procrastinate release brings SQL migrations of its own (``procrastinate/sql/
migrations/``): its upgrade is a new revision that applies them with :func:`apply_sql` and pins
the functions again (setup.cfg holds procrastinate below the next minor release until then).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PIN_FUNCTIONS = """
DO $$
DECLARE
    routine regprocedure;
BEGIN
    FOR routine IN
        SELECT p.oid::regprocedure FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'procrastinate'
    LOOP
        EXECUTE format('ALTER ROUTINE %s SET search_path = procrastinate, pg_catalog', routine);
    END LOOP;
END;
$$
"""


def apply_sql(sql: str) -> None:
    """Run procrastinate's SQL with ``procrastinate`` first in the search path, then restore
    the search path the migration had (the rest of the migration creates tables in public)."""
    # the DBAPI cursor without parameters: procrastinate's SQL holds % signs of its own
    with op.get_bind().connection.dbapi_connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('search_path')")
        (before,) = cursor.fetchone()
        cursor.execute("SET LOCAL search_path TO procrastinate, public")
        cursor.execute(sql)
        cursor.execute(PIN_FUNCTIONS)
        cursor.execute("SELECT set_config('search_path', %s, true)", (before,))


def upgrade() -> None:
    op.execute("CREATE SCHEMA procrastinate")
    apply_sql(SchemaManager.get_schema())


def downgrade() -> None:
    op.execute("DROP SCHEMA procrastinate CASCADE")
