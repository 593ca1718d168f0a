"""Helpers for tests of signed-in pages and of state-changing requests under CSRF protection.

CSRF protection is on in tests as in production. A test that POSTs as a browser does takes the
token from a page (``csrf_token(client)``) and sends it as the ``csrf_token`` form field or the
``X-CSRFToken`` header; ``sign_in`` does both steps of a sign-in.
"""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.factories import PASSWORD, make_user

__all__ = ["PASSWORD", "csrf_token", "make_user", "sign_in"]

_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


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
