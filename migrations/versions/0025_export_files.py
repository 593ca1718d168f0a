"""export_file: exports run as jobs by the worker, their progress, file and downloads.

A GeoPackage (and any export above ``EXPORT_JOB_THRESHOLD`` features) is written by the worker
to a file under ``EXPORT_DIR``, kept ``EXPORT_KEEP_DAYS`` days and downloaded by its owner
(``/api/exports``, :mod:`gis.export.jobs`).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "export_file",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=True),
        sa.Column("collection", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("sensitive", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'queued'"), nullable=False
        ),
        sa.Column("features_estimated", sa.Integer(), nullable=True),
        sa.Column("features_written", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=True),
        sa.Column("file_size", sa.BigInteger(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("audit_id", sa.BigInteger(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("downloads", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "NOT sensitive OR reason IS NOT NULL", name=op.f("ck_export_file_reason")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed', 'expired')",
            name=op.f("ck_export_file_status"),
        ),
        sa.CheckConstraint(
            "status <> 'done' OR file_name IS NOT NULL", name=op.f("ck_export_file_done_has_file")
        ),
        sa.ForeignKeyConstraint(
            ["audit_id"], ["export_audit.id"], name=op.f("fk_export_file_audit_id_export_audit")
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_token.id"], name=op.f("fk_export_file_token_id_api_token")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_export_file_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_file")),
    )
    op.create_index(
        "ix_export_file_user_created", "export_file", ["user_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_export_file_expires",
        "export_file",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'done'"),
    )


def downgrade() -> None:
    op.drop_index("ix_export_file_expires", table_name="export_file")
    op.drop_index("ix_export_file_user_created", table_name="export_file")
    op.drop_table("export_file")
