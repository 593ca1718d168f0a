"""Rate limits (flask-limiter) whose counters live in storage shared by all workers.

``RATELIMIT_STORAGE_URI`` must name shared storage (the project's Redis: ``make up`` starts one
and writes its URI to var/local.env; docker compose has a ``redis`` service). Per-process
``memory://`` counters would let each gunicorn worker allow the full limit, so outside tests the
app refuses to start with them. If the storage fails at run time the request goes on and the
failure is logged (``RATELIMIT_SWALLOW_ERRORS``): a sign-in is not refused because Redis is down.

Sign-in attempts (``POST /login``) are limited three ways: per submitted account name and client
address (``LOGIN_LIMIT_ACCOUNT_ADDRESS``), per client address (``LOGIN_LIMIT_IP``), and per
account name from anywhere (``LOGIN_LIMIT_ACCOUNT``, several times wider). The last one is the
only limit that someone who merely knows a name can use up for everyone, so it does not apply at
an address from which that account has signed in before (kept ``LOGIN_KNOWN_ADDRESS_DAYS`` after
the last success, in the same storage): the owner at the office is not locked out by failures
from elsewhere, and is still held to the limit of that name and address.

Photo uploads (``POST /api/incidents/<id>/photos``) are limited per signed-in account
(``PHOTO_LIMIT_ACCOUNT``): each one that is decoded costs memory and time.

The LINE webhook (``POST /line/webhook``) is limited per client address (``LINE_WEBHOOK_LIMIT``,
wide: LINE's servers send every user's events) and a LINE user's reports per user
(``LINE_REPORT_LIMIT_USER``, counted by :mod:`webapp.line.chat` in the worker, in the same storage).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, user_logged_in

from gis.accounts.users import normalise_username

EXTENSION = "borderwatch.limiter"

log = logging.getLogger(__name__)

DEFAULTS = {
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_SWALLOW_ERRORS": True,
    "RATELIMIT_STRATEGY": "moving-window",
    # Sign-in attempts (POST /login) per submitted account name and client address, per account
    # name from any address but those it signed in from before, and per client address.
    "LOGIN_LIMIT_ACCOUNT_ADDRESS": "5 per minute; 20 per hour",
    "LOGIN_LIMIT_ACCOUNT": "20 per minute; 100 per hour",
    "LOGIN_LIMIT_IP": "20 per minute; 200 per hour",
    # How long an address stays known for an account after a sign-in from it.
    "LOGIN_KNOWN_ADDRESS_DAYS": 90,
    # Public reports (POST /report) per client address.
    "REPORT_LIMIT_IP": "5 per minute; 30 per day",
    # Photo uploads (POST /api/incidents/<id>/photos) per signed-in account.
    "PHOTO_LIMIT_ACCOUNT": "20 per minute; 200 per hour",
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
    login = limiter.limit(
        login_limit_account,
        methods=["POST"],
        key_func=submitted_account,
        exempt_when=known_address,
    )(login)
    login = limiter.limit(
        login_limit_account_address, methods=["POST"], key_func=submitted_account_address
    )(login)
    app.view_functions["auth.login"] = limiter.limit(login_limit_ip, methods=["POST"])(login)
    user_logged_in.connect(remember_address, app)
    report = app.view_functions["public.submit"]
    app.view_functions["public.submit"] = limiter.limit(report_limit_ip, methods=["POST"])(report)
    photo = app.view_functions["incidents.add_photo"]
    app.view_functions["incidents.add_photo"] = limiter.limit(
        photo_limit_account, methods=["POST"], key_func=uploading_account
    )(photo)
    webhook = app.view_functions["line.receive"]
    app.view_functions["line.receive"] = limiter.limit(line_webhook_limit, methods=["POST"])(
        webhook
    )


def login_limit_account() -> str:
    return str(current_app.config["LOGIN_LIMIT_ACCOUNT"])


def login_limit_account_address() -> str:
    return str(current_app.config["LOGIN_LIMIT_ACCOUNT_ADDRESS"])


def login_limit_ip() -> str:
    return str(current_app.config["LOGIN_LIMIT_IP"])


def report_limit_ip() -> str:
    return str(current_app.config["REPORT_LIMIT_IP"])


def line_webhook_limit() -> str:
    return str(current_app.config["LINE_WEBHOOK_LIMIT"])


def photo_limit_account() -> str:
    return str(current_app.config["PHOTO_LIMIT_ACCOUNT"])


def uploading_account() -> str:
    """Key of the photo upload limit: the signed-in account (the client's address for a request
    without one, which is refused anyway)."""
    if current_user.is_authenticated:
        return f"photo-account:{current_user.id}"
    return f"photo-address:{get_remote_address()}"


def submitted_name() -> str:
    """The account name of a sign-in attempt as submitted (known or not, so that the answer does
    not tell which names exist), normalised as accounts are looked up."""
    return normalise_username(request.form.get("username", ""))[:80]


def submitted_account() -> str:
    """Key of the per-account sign-in limit."""
    return "login-account:" + submitted_name()


def submitted_account_address() -> str:
    """Key of the per-account-and-address sign-in limit."""
    return f"login-account-address:{submitted_name()}:{get_remote_address()}"


def _known_key(name: str, address: str) -> str:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    return f"{prefix}/login-known/{name}/{address}"


def known_address() -> bool:
    """Whether the submitted account has signed in from the client's address before (the
    per-account limit does not apply then). Unknown when the storage fails."""
    limiter = current_app.extensions[EXTENSION]
    try:
        return bool(limiter.storage.get(_known_key(submitted_name(), get_remote_address())))
    except Exception:  # the limits go on without the exemption; see RATELIMIT_SWALLOW_ERRORS
        log.warning("rate-limit storage: cannot read the known sign-in addresses", exc_info=True)
        return False


def remember_address(app: Flask, user: Any, **_: Any) -> None:
    """After a sign-in (flask-login's ``user_logged_in``): the client's address is known for
    this account for ``LOGIN_KNOWN_ADDRESS_DAYS`` from now."""
    limiter = app.extensions[EXTENSION]
    key = _known_key(normalise_username(user.username), get_remote_address())
    days = int(app.config["LOGIN_KNOWN_ADDRESS_DAYS"])
    try:
        limiter.storage.clear(key)  # a fresh expiry from this sign-in on
        limiter.storage.incr(key, days * 86_400)
    except Exception:
        log.warning("rate-limit storage: cannot record a known sign-in address", exc_info=True)
