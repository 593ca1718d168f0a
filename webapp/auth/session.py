"""The signed-in account of a request, its server-side check, and role-restricted views."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user
from flask_wtf.csrf import CSRFProtect

from gis.models import User
from gis.types import Role
from webapp.db import get_session

login_manager = LoginManager()
login_manager.login_message = None  # no flash: it would outlive the session that sign-in clears
csrf = CSRFProtect()


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

    is_authenticated = True
    is_active = True
    is_anonymous = False

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=Role(user.role),
            district_id=user.district_id,
            province_id=user.province_id,
            session_version=user.session_version,
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
    user = get_session().get(User, int(user_id))
    if user is None or not user.is_active or user.session_version != int(version):
        return None
    return Account.of(user)


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


def viewer() -> User:
    """The signed-in account's row (scope is computed from it); for views behind sign-in."""
    return get_session().get_one(User, current_user.id)
