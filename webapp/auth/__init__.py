"""Sign-in, sign-out and password change; flask-login and CSRF protection for the whole app.

Sessions end server-side: the session keeps ``"<user id>:<session_version>"`` (flask-login's
``_user_id``) and the user loader compares the version with ``app_user.session_version`` and
checks ``is_active`` each time a request asks who is signed in. Sign-out, a password change, a
role change and disabling an account bump the version, so a cookie captured before is refused.

CSRF: ``CSRFProtect`` checks every POST, PUT, PATCH and DELETE of the app, HTML forms and JSON
alike (``WTF_CSRF_ENABLED``, default on; nothing is exempt). Forms render ``form.hidden_tag()``.
Browser JavaScript reads the token from ``<meta name="csrf-token" content="{{ csrf_token() }}">``
in the page and sends it as the ``X-CSRFToken`` header (``static/js/csrf.js`` does this for
``fetch``). A missing or wrong token answers 400.

Sign-in attempts are throttled per submitted account name and client address, per client
address, and per account name from addresses it has not signed in from before
(:mod:`webapp.limits`, counters in Redis shared by all workers): 429 with ``Retry-After``.
"""

from __future__ import annotations

from flask import Blueprint, Flask, request

from gis.errors import InvalidInput
from gis.text import N_

bp = Blueprint("auth", __name__)

from webapp.auth import views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """The CSRF settings and the form check that runs before the CSRF check, and the sign-in
    pages; before ``csrf.init_app`` (:mod:`webapp.extensions`), which reads the settings."""
    # A page left open (an officer's pin-drop form, resent when the network returns) keeps a
    # valid token for the life of its session instead of one hour.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_CSRF_ENABLED", True)
    app.before_request(refuse_unnamed_form_fields)  # before the CSRF check reads the form
    app.register_blueprint(bp)


def refuse_unnamed_form_fields() -> None:
    """400 for a form with a field whose name could not be read (Werkzeug gives a multipart
    part whose quoted name ends in a backslash the name ``None``): Flask-WTF's CSRF check,
    which looks through the form's field names, would fail on it with a server error."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.mimetype not in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        return
    if None in request.form or None in request.files:
        raise InvalidInput(N_("a form field has no readable name"), field="body")
