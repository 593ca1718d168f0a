"""Personal API tokens: for scripts and GIS clients that cannot sign in with a form.

A token is ``bw_`` and 43 random URL-safe characters (256 bits from :mod:`secrets`). Only its
SHA-256 digest is stored: a token has the entropy that a password lacks, so a fast digest is
as safe as a slow password hash here and costs a microsecond per request. The token itself is
shown once, when it is made. A token acts as its account (same role, same scope) on the
read-only export and OGC API routes, with the role and scope the account has at the moment of
each use. Making one asks for the account's current password (a captured session cookie alone
cannot mint a credential that outlives it). A token is revoked with its account's sessions:
sign-out, a password change or reset, a role or scope change and disabling the account all end
it (:func:`gis.accounts.users.end_sessions`), and :func:`revoke_all_tokens` ends them on request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.accounts.changes import record_change
from gis.accounts.passwords import verify_password
from gis.errors import InvalidInput, NotFound
from gis.models import ApiToken, User
from gis.text import N_
from gis.types import AccountChangeKind

PREFIX = "bw_"
#: Characters of the token shown in the list of tokens (the prefix and 6 more).
SHOWN = len(PREFIX) + 6
MAX_NAME = 80
#: Most live tokens per account.
MAX_TOKENS = 20
#: ``last_used_at`` is written at most this often per token (not on every request).
TOUCH_EVERY = dt.timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: ``secret`` is shown once and never stored."""

    id: int
    name: str
    secret: str


def label(name: str, prefix: str) -> str:
    """How the record of account changes names a token: its name and first characters."""
    return f"{name} ({prefix}…)"


def digest(secret: str) -> str:
    """The stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    session: Session, user: User, name: str, *, current_password: str | None = None
) -> NewToken:
    """Make a token for ``user``, named ``name`` (so that its owner knows what uses it).

    Args:
        session: open session (the caller commits).
        user: the token's account.
        name: what will use the token.
        current_password: when given (an account making its own token), it must match.

    Returns:
        The token, with its secret (shown once, never stored).

    Raises:
        InvalidInput: ``current_password`` does not match (``field="current_password"``), an
            empty or too long name (``field="name"``), or too many live tokens.
    """
    if current_password is not None and not verify_password(user.password_hash, current_password):
        raise InvalidInput(N_("the current password is wrong"), field="current_password")
    name = (name or "").strip()
    if not name:
        raise InvalidInput(N_("Give the token a name (what will use it)."), field="name")
    if len(name) > MAX_NAME:
        raise InvalidInput(
            N_("name is longer than {max_name} characters"), field="name", max_name=MAX_NAME
        )
    live = session.execute(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalar_one()
    if live >= MAX_TOKENS:
        raise InvalidInput(
            N_("An account has at most {max_tokens} tokens: revoke one first."),
            field="name",
            max_tokens=MAX_TOKENS,
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name, prefix=secret[:SHOWN], token_hash=digest(secret))
    session.add(row)
    session.flush()
    record_change(
        session, user, AccountChangeKind.TOKEN_MADE, by=user, new=label(row.name, row.prefix)
    )
    return NewToken(row.id, name, secret)


def list_tokens(session: Session, user: User) -> list[ApiToken]:
    """``user``'s tokens, newest first (revoked ones included, marked)."""
    return list(
        session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        ).scalars()
    )


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens (revoking twice changes nothing).

    Raises:
        NotFound: no such token of this account.
    """
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("no such token"), field="token")
    if row.revoked_at is None:
        row.revoked_at = dt.datetime.now(dt.UTC)
        session.flush()
        record_change(
            session, user, AccountChangeKind.TOKEN_REVOKED, by=user, old=label(row.name, row.prefix)
        )
    return row


def revoke_all_tokens(session: Session, user: User, *, by: User | None = None) -> int:
    """Revoke every live token of ``user``; tokens revoked before keep their date.

    Args:
        session: open session (the caller commits).
        user: the tokens' account.
        by: who revokes them, for the record of account changes (``None``: the command line).

    Returns:
        How many tokens were live.
    """
    revoked = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=func.now())
        .returning(ApiToken.id, ApiToken.name, ApiToken.prefix)
        .execution_options(synchronize_session="fetch")
    ).all()
    for row in sorted(revoked, key=lambda r: r.id):
        old = label(row.name, row.prefix)
        record_change(session, user, AccountChangeKind.TOKEN_REVOKED, by=by, old=old)
    return len(revoked)


def authenticate_token(session: Session, secret: str) -> tuple[ApiToken, User] | None:
    """The live token and active account of ``secret``, or ``None``.

    Looks the digest up by its unique index; the comparison of the stored digest is constant
    time. ``last_used_at`` is refreshed at most every :data:`TOUCH_EVERY` (the caller commits).
    """
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    wanted = digest(secret)
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == wanted)
    ).one_or_none()
    if found is None:
        return None
    token, user = found
    if not hmac.compare_digest(token.token_hash, wanted):
        return None
    if token.revoked_at is not None or not user.is_active:
        return None
    now = dt.datetime.now(dt.UTC)
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return token, user


__all__ = [
    "NewToken",
    "authenticate_token",
    "create_token",
    "digest",
    "label",
    "list_tokens",
    "revoke_all_tokens",
    "revoke_token",
]
