"""Notifications: the outbox (notification, one row per event, recipient and channel, unique by
its delivery key), each account's notification settings (e-mail, linked LINE account, digest,
quiet hours, the patrol unit it leads) and its preferences per kind and channel.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "'new_report', 'report_waiting', 'status_change', 'citizen_status', 'patrol_plan', "
    "'action_overdue'"
)
CHANNELS = "'in_app', 'email', 'line'"
UNITS = "'village_security_volunteers', 'police', 'border_patrol_police', 'joint_patrol'"


def _now(name: str) -> sa.Column:
    return sa.Column(
        name, sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "notification",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("delivery_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("digest", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(length=40), server_default="waiting", nullable=False),
        sa.Column("attempts", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        _now("next_attempt_at"),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        _now("created_at"),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR (kind = 'citizen_status' AND incident_id IS NOT NULL)",
            name=op.f("ck_notification_recipient"),
        ),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notification_attempts")),
        sa.CheckConstraint(
            "status <> 'sent' OR sent_at IS NOT NULL", name=op.f("ck_notification_sent_at")
        ),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notification_kind")),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name=op.f("ck_notification_channel")),
        sa.CheckConstraint(
            "status IN ('waiting', 'sent', 'failed')", name=op.f("ck_notification_status")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notification_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_notification_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("delivery_key", name=op.f("uq_notification_delivery_key")),
    )
    op.create_index(op.f("ix_notification_incident_id"), "notification", ["incident_id"])
    op.create_index(
        "ix_notification_due",
        "notification",
        ["next_attempt_at"],
        postgresql_where=sa.text("status = 'waiting'"),
    )
    op.create_index(
        "ix_notification_inbox",
        "notification",
        ["user_id", "created_at"],
        postgresql_where=sa.text("channel = 'in_app'"),
    )
    op.create_index(
        "ix_notification_failed",
        "notification",
        ["created_at"],
        postgresql_where=sa.text("status = 'failed'"),
    )
    op.create_table(
        "notify_setting",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("line_user_id", sa.String(length=64), nullable=True),
        sa.Column("line_link_code_hash", sa.String(length=64), nullable=True),
        sa.Column("line_link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("digest_minutes", sa.SmallInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("leads_unit", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "digest_minutes BETWEEN 0 AND 1440", name=op.f("ck_notify_setting_digest_minutes")
        ),
        sa.CheckConstraint(
            "(quiet_start IS NULL) = (quiet_end IS NULL)",
            name=op.f("ck_notify_setting_quiet_hours"),
        ),
        sa.CheckConstraint(
            "line_link_code_hash ~ '^[0-9a-f]{64}$'",
            name=op.f("ck_notify_setting_line_link_code_hash"),
        ),
        sa.CheckConstraint(f"leads_unit IN ({UNITS})", name=op.f("ck_notify_setting_leads_unit")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notify_setting_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notify_setting")),
        sa.UniqueConstraint("line_user_id", name=op.f("uq_notify_setting_line_user_id")),
        sa.UniqueConstraint(
            "line_link_code_hash", name=op.f("uq_notify_setting_line_link_code_hash")
        ),
    )
    op.create_table(
        "notify_preference",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.CheckConstraint(f"kind IN ({KINDS})", name=op.f("ck_notify_preference_kind")),
        sa.CheckConstraint(f"channel IN ({CHANNELS})", name=op.f("ck_notify_preference_channel")),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_notify_preference_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", "channel", name=op.f("pk_notify_preference")),
    )


def downgrade() -> None:
    op.drop_table("notify_preference")
    op.drop_table("notify_setting")
    op.drop_index("ix_notification_failed", table_name="notification")
    op.drop_index("ix_notification_inbox", table_name="notification")
    op.drop_index("ix_notification_due", table_name="notification")
    op.drop_index(op.f("ix_notification_incident_id"), table_name="notification")
    op.drop_table("notification")
