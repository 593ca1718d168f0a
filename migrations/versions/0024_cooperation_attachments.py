"""cooperation_attachment: the minutes of an activity (PDF) and the receipt of a spending line
(PDF or photo), kept without their metadata, the bytes in the row, a retried upload stored once;
an index of the register's photos by the account that uploaded them (the daily upload limit).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cooperation_attachment",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("spending_line_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(activity_id IS NULL) <> (spending_line_id IS NULL)",
            name=op.f("ck_cooperation_attachment_one_owner"),
        ),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_cooperation_attachment_content_type"),
        ),
        sa.CheckConstraint(
            "activity_id IS NULL OR content_type = 'application/pdf'",
            name=op.f("ck_cooperation_attachment_minutes_are_pdf"),
        ),
        sa.CheckConstraint(
            "sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_cooperation_attachment_sha256")
        ),
        sa.CheckConstraint(
            "byte_size = octet_length(data)", name=op.f("ck_cooperation_attachment_byte_size")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_attachment_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["spending_line_id"],
            ["spending_line.id"],
            name=op.f("fk_cooperation_attachment_spending_line_id_spending_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["app_user.id"],
            name=op.f("fk_cooperation_attachment_uploaded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_attachment")),
        sa.UniqueConstraint(
            "activity_id", "sha256", name="uq_cooperation_attachment_activity_sha256"
        ),
        sa.UniqueConstraint(
            "spending_line_id", "sha256", name="uq_cooperation_attachment_spending_line_sha256"
        ),
    )
    for column in ("activity_id", "spending_line_id", "uploaded_by_id"):
        op.create_index(
            op.f(f"ix_cooperation_attachment_{column}"), "cooperation_attachment", [column]
        )
    op.create_index(
        op.f("ix_cooperation_photo_uploaded_by_id"), "cooperation_photo", ["uploaded_by_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cooperation_photo_uploaded_by_id"), table_name="cooperation_photo")
    for column in ("uploaded_by_id", "spending_line_id", "activity_id"):
        op.drop_index(
            op.f(f"ix_cooperation_attachment_{column}"), table_name="cooperation_attachment"
        )
    op.drop_table("cooperation_attachment")
