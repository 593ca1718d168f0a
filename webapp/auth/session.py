"""The signed-in account of a request, its server-side check, and role-restricted views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, g, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_user
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import make_transient_to_detached

from gis.models import User
from gis.types import Role
from webapp.db import get_session
from webapp.extensions import login_manager


@dataclass(frozen=True)
class Account:
    """The signed-in account as views see it (``flask_login.current_user``)."""

    id: int
    username: str
    display_name: str
    role: Role
    district_id: int | None
    province_id: int | None
    session_version: int
    language: str | None = None

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(cls, user: User | Row[Any]) -> Account:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            district_id=user.district_id,
            province_id=user.province_id,
            session_version=user.session_version,
            language=user.language,
        )

    def get_id(self) -> str:
        """What the session keeps: the account id and the session version seen at sign-in."""
        return f"{self.id}:{self.session_version}"


@login_manager.user_loader
def load_account(token: str) -> Account | None:
    """The account of a session token, or ``None`` (anonymous) when the account is disabled or
    its sessions were ended since the token was issued."""
    user_id, sep, version = token.partition(":")
    if not sep or not user_id.isdigit() or not version.isdigit():
        return None
    # On the session's connection: a row of columns needs none of the ORM's execution path.
    user = get_session().connection().execute(_ACCOUNT, {"id": int(user_id)}).one_or_none()
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    g.account_row = user
    return Account.of(user)


#: What :func:`load_account` reads of the account: its columns, not an ORM ``User`` (a request
#: that needs the ``User`` gets it from :func:`viewer`, built from these columns).
_ACCOUNT = select(
    User.id,
    User.username,
    User.display_name,
    User.role,
    User.district_id,
    User.province_id,
    User.is_active,
    User.session_version,
    User.language,
).where(User.id == bindparam("id"))


@login_manager.unauthorized_handler
def unauthorized() -> Any:
    """401 JSON for the API, a redirect to the sign-in page for pages."""
    if request.path.startswith("/api/"):
        resp = jsonify(error="unauthorized", message="Sign in to use this.", field=None)
        resp.status_code = 401
        return resp
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def start_session(user: User) -> None:
    """Sign ``user`` in on a fresh session: nothing of the session before survives (rotation)."""
    session.clear()
    login_user(Account.of(user))


def roles_required(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A view for signed-in accounts with one of ``roles``; anonymous: sign in; others: 403."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def signed_in_account() -> Account:
    """The signed-in account as :func:`load_account` made it for this request: its id, role and
    scope columns, without SQL or an ORM object (what :mod:`gis.accounts.scope` and
    :mod:`gis.incidents.disclosure` need of a reader); for views behind sign-in."""
    account = current_user._get_current_object()
    if not isinstance(account, Account):
        raise RuntimeError("signed_in_account() is for views behind sign-in")
    return account


def viewer() -> User:
    """The signed-in account's row (scope is computed from it); for views behind sign-in.

    Made from the columns :func:`load_account` read in this request's session (no second
    ``SELECT``; its other columns load on first use), unless the session already holds it.
    """
    session = get_session()
    key = session.identity_key(User, current_user.id)
    user = session.identity_map.get(key)
    if user is not None:
        return user
    row = g.get("account_row")
    if row is None or row.id != current_user.id:
        return session.get_one(User, current_user.id)
    user = User(**row._asdict())
    make_transient_to_detached(user)  # as if loaded: no SQL, nothing to flush
    session.add(user)
    return user
