"""app_user.language: the language an account chose for its pages (Thai or English).

Empty means "not chosen": the pages follow the browser's ``Accept-Language``, else Thai.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("app_user", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_check_constraint(
        "language", "app_user", "language IS NULL OR language IN ('th', 'en')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_app_user_language"), "app_user", type_="check")
    op.drop_column("app_user", "language")
