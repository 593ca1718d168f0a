"""pgRouting for the order of patrol stops (pgr_TSPeuclidean, gis/patrols/tour.py).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The local cluster's set-up (scripts/pgcluster.sh) may have created it already; creating it
    # here needs a superuser (pgRouting is not a trusted extension).
    op.execute("CREATE EXTENSION IF NOT EXISTS pgrouting")


def downgrade() -> None:
    # Like PostGIS in 0001, pgRouting is never dropped: other database objects may depend on it.
    pass
