"""incident.taken_by_id and incident.updates_consent: reports recorded at the MWCC desk or on
the hotline on a citizen's behalf name the account that took them, and a citizen's consent to
hear of status changes at the contact they gave is kept with the report.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "incident",
        sa.Column("updates_consent", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.add_column("incident", sa.Column("taken_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_incident_taken_by_id_app_user"), "incident", "app_user", ["taken_by_id"], ["id"]
    )
    op.create_check_constraint(
        op.f("ck_incident_updates_consent"),
        "incident",
        "NOT updates_consent OR reporter_contact IS NOT NULL",
    )
    op.create_check_constraint(
        op.f("ck_incident_taken_by_channel"),
        "incident",
        "taken_by_id IS NULL OR channel IN ('mwcc_walk_in', 'hotline')",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_incident_taken_by_channel"), "incident", type_="check")
    op.drop_constraint(op.f("ck_incident_updates_consent"), "incident", type_="check")
    op.drop_constraint(op.f("fk_incident_taken_by_id_app_user"), "incident", type_="foreignkey")
    op.drop_column("incident", "taken_by_id")
    op.drop_column("incident", "updates_consent")
