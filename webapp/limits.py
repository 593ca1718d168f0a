"""Rate limits (flask-limiter) whose counters live in storage shared by all workers.

``RATELIMIT_STORAGE_URI`` must name shared storage (the project's Redis: ``make up`` starts one
and writes its URI to var/local.env; docker compose has a ``redis`` service). Per-process
``memory://`` counters would let each gunicorn worker allow the full limit, so outside tests the
app refuses to start with them. If the storage fails at run time the request goes on and the
failure is logged (``RATELIMIT_SWALLOW_ERRORS``): a sign-in is not refused because Redis is down.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from gis.accounts.users import normalise_username

EXTENSION = "borderwatch.limiter"

DEFAULTS = {
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_STRATEGY": "moving-window",
    # Sign-in attempts (POST /login) per submitted account name and per client address.
    "LOGIN_LIMIT_ACCOUNT": "5 per minute; 20 per hour",
    "LOGIN_LIMIT_IP": "20 per minute; 200 per hour",
    # Public reports (POST /report) per client address.
    "REPORT_LIMIT_IP": "5 per minute; 30 per day",
}


def init_app(app: Flask) -> None:
    """Create the app's limiter and put the limits on their views (after the blueprints are
    registered). One limiter per app: flask-limiter keeps the first app's settings otherwise."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    uri = app.config.get("RATELIMIT_STORAGE_URI") or ""
    if not uri or uri.startswith("memory://"):
        if not app.testing:
            raise RuntimeError(
                "RATELIMIT_STORAGE_URI must name storage shared by all workers, e.g. "
                "redis://127.0.0.1:56379/0 (for local runs `make up` writes it to var/local.env)"
            )
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"
    limiter = Limiter(get_remote_address, app=app)
    app.extensions[EXTENSION] = limiter
    login = app.view_functions["auth.login"]
    login = limiter.limit(login_limit_account, methods=["POST"], key_func=submitted_account)(login)
    app.view_functions["auth.login"] = limiter.limit(login_limit_ip, methods=["POST"])(login)
    report = app.view_functions["public.submit"]
    app.view_functions["public.submit"] = limiter.limit(report_limit_ip, methods=["POST"])(report)


def login_limit_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_ACCOUNT"])


def login_limit_ip() -> str:
    return str(current_app.config["LOGIN_LIMIT_IP"])


def report_limit_ip() -> str:
    return str(current_app.config["REPORT_LIMIT_IP"])


def submitted_account() -> str:
    """Key of the per-account sign-in limit: the account name as submitted (known or not, so
    that the answer does not tell which names exist)."""
    return "login-account:" + normalise_username(request.form.get("username", ""))[:80]
