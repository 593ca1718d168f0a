"""incident_event.reporter_note: a note written for the report's reporter.

The triage ``note`` stays with the district's staff. A coordinator taking an action may also write
a note for the person who reported the incident, which the reporter reads on "My reports"
(:mod:`gis.incidents.mine`). At most 2,000 characters, as the note.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incident_event", sa.Column("reporter_note", sa.Text(), nullable=True))
    op.create_check_constraint(
        "reporter_note",
        "incident_event",
        "reporter_note IS NULL OR char_length(reporter_note) <= 2000",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_incident_event_reporter_note"), "incident_event", type_="check")
    op.drop_column("incident_event", "reporter_note")
