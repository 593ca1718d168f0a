"""Helpers for tests of signed-in pages and of state-changing requests under CSRF protection.

CSRF protection is on in tests as in production. A test that POSTs as a browser does takes the
token from a page (``csrf_token(client)``) and sends it as the ``csrf_token`` form field or the
``X-CSRFToken`` header; ``sign_in`` does both steps of a sign-in.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.models import User
from gis.types import Role

PASSWORD = "correct horse battery"

_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')

#: A valid scope per role (Chiang Khong is target district no. 1, in Chiang Rai).
SCOPE: dict[Role, dict[str, str]] = {
    Role.ADMINISTRATOR: {},
    Role.HQ_ANALYST: {},
    Role.PATROL_PLANNER: {"province": "TH57"},
    Role.COORDINATOR: {"district": "TH5703"},
    Role.OFFICER: {"district": "TH5703"},
    Role.VOLUNTEER: {"district": "TH5703"},
}


def make_user(
    session: Session, role: Role, username: str | None = None, password: str = PASSWORD, **scope
) -> User:
    """An active account of ``role`` with a valid scope (overridable), flushed."""
    return accounts.create_user(
        session,
        username or f"test-{role.value.replace('_', '-')}",
        None,
        password,
        role,
        **(scope or SCOPE[role]),
    )


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, as a page gives it to JavaScript."""
    page = client.get("/login").get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, "no csrf-token meta tag on /login"
    return match.group(1)


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD):
    """Sign in as a browser does; returns the response (302 on success)."""
    token = csrf_token(client)
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
