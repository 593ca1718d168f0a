"""Accounts, their personal API tokens and the record of every change to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import Base
from gis.models.columns import now_column, vocabulary
from gis.types import AccountChangeKind, Role


class User(Base):
    """An account. Scope: national roles have neither district nor province."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('coordinator', 'officer', 'volunteer') AND district_id IS NOT NULL)"
            " OR (role = 'patrol_planner' AND (district_id IS NOT NULL OR province_id IS NOT NULL))"
            " OR role IN ('administrator', 'hq_analyst')",
            "scope",
        ),
        CheckConstraint("language IS NULL OR language IN ('th', 'en')", "language"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(160))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[Role] = mapped_column(vocabulary(Role, "role"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("district.id"))
    province_id: Mapped[int | None] = mapped_column(ForeignKey("province.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    session_version: Mapped[int] = mapped_column(Integer, server_default=text("1"))
    created_at: Mapped[dt.datetime] = now_column()
    #: The pages' language the account chose ("th", "en"); ``None``: the browser's, else Thai.
    language: Mapped[str | None] = mapped_column(String(8))


class ApiToken(Base):
    """A personal API token: only its SHA-256 digest is kept (the token is shown once)."""

    __tablename__ = "api_token"
    __table_args__ = (CheckConstraint("token_hash ~ '^[0-9a-f]{64}$'", "token_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: The token's first characters, shown in the list so that the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = now_column()
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccountChange(Base):
    """One change of an account, append-only: when, which account, who made it, what changed,
    from and to.

    ``by_id`` is empty for changes made on the command line. Passwords and token secrets are never
    recorded, only that they changed; tokens are named by their name and first characters.
    """

    __tablename__ = "account_change"
    __table_args__ = (
        Index("ix_account_change_user_at", "user_id", "at"),
        Index("ix_account_change_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[dt.datetime] = now_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    what: Mapped[AccountChangeKind] = mapped_column(vocabulary(AccountChangeKind, "what"))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
