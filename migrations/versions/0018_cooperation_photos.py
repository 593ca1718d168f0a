"""cooperation_photo: photos of the register's activities, checked and re-encoded without
metadata as incident photos are, the bytes in the row, a retried upload stored once.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cooperation_photo",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("byte_size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'image/webp')",
            name=op.f("ck_cooperation_photo_content_type"),
        ),
        sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f("ck_cooperation_photo_sha256")),
        sa.CheckConstraint(
            "width BETWEEN 1 AND 2048 AND height BETWEEN 1 AND 2048",
            name=op.f("ck_cooperation_photo_size"),
        ),
        sa.CheckConstraint(
            "byte_size = octet_length(data)", name=op.f("ck_cooperation_photo_byte_size")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["cooperation_activity.id"],
            name=op.f("fk_cooperation_photo_activity_id_cooperation_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["app_user.id"],
            name=op.f("fk_cooperation_photo_uploaded_by_id_app_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperation_photo")),
        sa.UniqueConstraint("activity_id", "sha256", name="uq_cooperation_photo_activity_sha256"),
    )
    op.create_index(op.f("ix_cooperation_photo_activity_id"), "cooperation_photo", ["activity_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_cooperation_photo_activity_id"), table_name="cooperation_photo")
    op.drop_table("cooperation_photo")
