"""account_change: every change of an account (who, when, what, from, to).

Role changes went only to the log, so nobody could tell afterwards who had made an account an
HQ analyst (and so a reader of reporters' contacts). Creating an account, its role, scope and
active flag, password changes and resets, and its API tokens made and revoked each add a row,
in the transaction of the change (:mod:`gis.accounts.changes`).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = (
    "created",
    "role",
    "scope",
    "active",
    "password_changed",
    "password_reset",
    "token_made",
    "token_revoked",
)


def upgrade() -> None:
    op.create_table(
        "account_change",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column(
            "what",
            sa.Enum(*KINDS, name="what", native_enum=False, create_constraint=True, length=40),
            nullable=False,
        ),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["by_id"], ["app_user.id"], name=op.f("fk_account_change_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_account_change_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_change")),
    )
    op.create_index("ix_account_change_at", "account_change", ["at"])
    op.create_index("ix_account_change_user_at", "account_change", ["user_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_account_change_user_at", table_name="account_change")
    op.drop_index("ix_account_change_at", table_name="account_change")
    op.drop_table("account_change")
