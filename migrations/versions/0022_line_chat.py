"""Citizens report through LINE: the channel ``line`` on incident, the webhook events handled
once (line_webhook_event) and each LINE user's conversation (line_conversation).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANNELS = ("mwcc_walk_in", "online_public", "officer_app", "patrol", "hotline")
CATEGORIES = (
    "drug_trafficking",
    "human_trafficking",
    "illegal_entry",
    "smuggling",
    "vehicle_theft",
    "online_fraud",
    "other",
)
STEPS = ("category", "location", "description", "consent", "photo")


def _channels(values: Sequence[str]) -> None:
    op.drop_constraint(op.f("ck_incident_channel"), "incident", type_="check")
    op.create_check_constraint(
        op.f("ck_incident_channel"), "incident", sa.column("channel").in_(values)
    )


def upgrade() -> None:
    _channels((*CHANNELS, "line"))
    op.create_table(
        "line_webhook_event",
        sa.Column("webhook_event_id", sa.String(length=64), nullable=False),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.PrimaryKeyConstraint("webhook_event_id", name=op.f("pk_line_webhook_event")),
    )
    op.create_table(
        "line_conversation",
        sa.Column("line_user_id", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column(
            "step",
            sa.Enum(*STEPS, name="step", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column("idempotency_key", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                *CATEGORIES, name="category", native_enum=False, create_constraint=True, length=40
            ),
            nullable=True,
        ),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("incident_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_line_conversation_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("line_user_id", name=op.f("pk_line_conversation")),
    )
    op.create_index(
        op.f("ix_line_conversation_expires_at"), "line_conversation", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_line_conversation_expires_at"), table_name="line_conversation")
    op.drop_table("line_conversation")
    op.drop_table("line_webhook_event")
    # LINE reports stay, as the public reports they are (their contact is kept)
    op.execute("UPDATE incident SET channel = 'online_public' WHERE channel = 'line'")
    _channels(CHANNELS)
