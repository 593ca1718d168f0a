"""The record of account changes: one ``account_change`` row per change, in its transaction.

The account functions (:mod:`gis.accounts.users`, :mod:`gis.accounts.tokens`) call
:func:`record_change` beside the change itself, so that the row and the change are committed or
rolled back together. ``by`` is the account that made the change; ``None`` means the command
line. Values are plain text: roles by their code, scopes as ``national``, ``district:<P-code>``
or ``province:<P-code>``, the active flag as ``true``/``false``, tokens by their name and first
characters. Passwords and token secrets never appear.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from gis.models import AccountChange, District, Province, User
from gis.types import AccountChangeKind

#: Most rows :func:`recent_changes` returns.
MAX_RECENT = 500


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One recorded change as a page shows it: the account and its author by user name."""

    at: dt.datetime
    username: str
    what: AccountChangeKind
    old_value: str | None
    new_value: str | None
    #: The author's user name; ``None``: the command line.
    by: str | None


def record_change(
    session: Session,
    user: User,
    what: AccountChangeKind,
    *,
    by: User | None,
    old: str | None = None,
    new: str | None = None,
) -> None:
    """Add the row of one change of ``user`` to the session (flushed with the change).

    Args:
        session: the session of the change (the caller commits).
        user: the account changed (flushed: it has an id).
        what: what changed.
        by: the account that made the change; ``None`` for the command line.
        old: the value before, if the change has one.
        new: the value after, if the change has one.
    """
    session.add(
        AccountChange(
            user_id=user.id,
            by_id=by.id if by is not None else None,
            what=what,
            old_value=old,
            new_value=new,
        )
    )
    session.flush()


def scope_text(session: Session, district_id: int | None, province_id: int | None) -> str:
    """An account's scope as recorded: ``district:<P-code>``, ``province:<P-code>`` or
    ``national``."""
    if district_id is not None:
        return "district:" + session.get_one(District, district_id).pcode
    if province_id is not None:
        return "province:" + session.get_one(Province, province_id).pcode
    return "national"


def recent_changes(session: Session, limit: int = 100) -> list[ChangeRow]:
    """The latest account changes, newest first.

    Args:
        session: open session.
        limit: how many rows, at most :data:`MAX_RECENT`.

    Returns:
        The changes with the account's and the author's user names.
    """
    author = aliased(User)
    rows = session.execute(
        select(
            AccountChange.at,
            User.username,
            AccountChange.what,
            AccountChange.old_value,
            AccountChange.new_value,
            author.username,
        )
        .join(User, User.id == AccountChange.user_id)
        .outerjoin(author, author.id == AccountChange.by_id)
        .order_by(AccountChange.at.desc(), AccountChange.id.desc())
        .limit(max(1, min(limit, MAX_RECENT)))
    )
    return [ChangeRow(*row) for row in rows]


__all__ = ["MAX_RECENT", "ChangeRow", "recent_changes", "record_change", "scope_text"]
