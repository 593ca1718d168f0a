"""An index on incident.occurred_at: views and queries over a time window, whatever the district.

The map's time-windowed views count incidents one by one (``incident_cell`` has no time
dimension), as do exports and hotspot runs with a date range. Over every district, the existing
index on (district_id, occurred_at) does not serve a window alone: the national view of the last
30 days read all 1,000,000 incidents in 660 ms, and reads the 30 days' rows in 72 ms with this
index.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_incident_occurred_at", "incident", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_incident_occurred_at", table_name="incident")
