"""The agency an incident was referred to (police, customs, immigration, ...).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AGENCIES = (
    "police",
    "customs",
    "immigration",
    "border_patrol_police",
    "anti_trafficking",
    "health",
    "counterpart_authority",
)


def upgrade() -> None:
    op.add_column("incident", sa.Column("referred_to", sa.String(length=40), nullable=True))
    op.create_check_constraint(
        op.f("ck_incident_referred_to"),
        "incident",
        sa.column("referred_to").in_(AGENCIES),
    )
    op.create_check_constraint(
        op.f("ck_incident_referred_status"),
        "incident",
        "referred_to IS NULL OR status IN ('referred', 'closed')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_incident_referred_status"), "incident", type_="check")
    op.drop_constraint(op.f("ck_incident_referred_to"), "incident", type_="check")
    op.drop_column("incident", "referred_to")
