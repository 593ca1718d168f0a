"""incident.location_accuracy_m: how precise the phone's fix of the report's place was.

"Use my location" on the pin-drop form records the accuracy the phone gave (the radius, in
metres, of the circle within which the place lies with about 68% confidence; the Geolocation
API's ``coords.accuracy``) so that coordinators can judge the pin. ``NULL`` when the place was
chosen on the map. Between 0 and 100 km: a fix worse than that is no fix.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("incident", sa.Column("location_accuracy_m", sa.Double(), nullable=True))
    op.create_check_constraint(
        "location_accuracy_m",
        "incident",
        "location_accuracy_m IS NULL OR location_accuracy_m BETWEEN 0 AND 100000",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_incident_location_accuracy_m"), "incident", type_="check")
    op.drop_column("incident", "location_accuracy_m")
