"""Who calls the export and OGC API routes: a session cookie or a personal API token.

``Authorization: Bearer <token>`` is read by :func:`bearer` before the export and OGC API views
(never before the account pages): a live token signs the request in as its account for this
request only (no session cookie is written); a wrong, revoked or malformed token, or a token of a
disabled account, is a 401 JSON answer, also when a session cookie comes along. CSRF protection
guards every POST of the blueprint, with a cookie or a token: the export page's form of a
sensitive export and the token pages. A GET cannot ask for the sensitive fields with a cookie
(:mod:`webapp.export.api`), so a third-party page that makes a browser follow a link gets no
more than the account could read from the map.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, g, jsonify, request
from flask_login import current_user

from gis import export
from gis.accounts.tokens import authenticate_token
from webapp.auth.session import Account, viewer
from webapp.db import get_session
from webapp.export import bp

#: Endpoints that accept a bearer token (the account pages do not).
BEARER_ENDPOINTS: set[str] = set()


def accepts_bearer(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view of this blueprint as reachable with a bearer token."""
    BEARER_ENDPOINTS.add(f"{bp.name}.{view.__name__}")
    return view


def unauthorized(message: str) -> Response:
    resp = jsonify(
        error="unauthorized", message=message, field=None, code="unauthorized", description=message
    )
    resp.status_code = 401
    resp.headers["WWW-Authenticate"] = 'Bearer realm="borderwatch"'
    return resp


@bp.before_request
def bearer() -> Response | None:
    """Sign the request in with its bearer token, if it has one (see the module docstring)."""
    header = request.headers.get("Authorization")
    if header is None or request.endpoint not in BEARER_ENDPOINTS:
        return None
    scheme, _, secret = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return unauthorized("Send a personal API token as 'Authorization: Bearer <token>'.")
    session = get_session()
    found = authenticate_token(session, secret.strip())
    if found is None:
        return unauthorized("This API token is not valid (wrong, revoked, or its account is off).")
    token, user = found
    session.commit()  # the token's last use (written at most every few minutes)
    g._login_user = Account.of(user)  # flask-login's user of this request; no cookie written
    g.api_token_id = token.id
    return None


def signed_in(view: Callable[..., Any]) -> Callable[..., Any]:
    """A read-only view for signed-in accounts and bearer tokens; 401 JSON otherwise."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return unauthorized("Sign in, or send a personal API token as a bearer header.")
        return view(*args, **kwargs)

    return accepts_bearer(wrapped)


def viewer_access(*, include_sensitive: bool = False, reason: str | None = None) -> export.Access:
    """The export access of the request's account (and token)."""
    return export.make_access(
        get_session(),
        viewer(),
        include_sensitive=include_sensitive,
        reason=reason,
        token_id=g.get("api_token_id"),
    )
