"""The LINE official account's webhook (``POST /line/webhook``): citizens report by chat
(:mod:`gis.linechat`), staff link their LINE account by a one-time code. The webhook stores
each event once and answers at once; the worker handles the events with the app's chat
(:mod:`webapp.line.chat`, handed to :func:`gis.linechat.tasks.use_handler` here).

The channel comes from the environment (:class:`gis.line.LineSettings`; tests give
``LINE_SETTINGS``). The webhook has no session and no CSRF token: its requests are LINE's,
proved by their signature (``X-Line-Signature``), checked before anything else. It is rate
limited per client address (``LINE_WEBHOOK_LIMIT``) and a LINE user's reports per user
(``LINE_REPORT_LIMIT_USER``), both in the shared rate-limit storage.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from gis.line import LineSettings

bp = Blueprint("line", __name__)
EXTENSION = "borderwatch.line"

DEFAULTS = {
    # Webhook requests per client address (LINE's servers send bursts for busy accounts).
    "LINE_WEBHOOK_LIMIT": "3000 per minute",
    # Reports stored per LINE user.
    "LINE_REPORT_LIMIT_USER": "3 per 10 minutes; 20 per day",
}


def settings(app: Flask) -> LineSettings:
    """The app's LINE channel."""
    return app.extensions[EXTENSION]


from webapp.line import webhook  # noqa: E402


def init_app(app: Flask) -> None:
    """Register the webhook, exempt from CSRF (its requests are signed by LINE instead); before
    :func:`webapp.limits.init_app`, which limits it."""
    from gis.linechat.tasks import use_handler
    from webapp.extensions import csrf
    from webapp.line.chat import app_handler

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions[EXTENSION] = app.config.get("LINE_SETTINGS") or LineSettings.from_environment()
    app.register_blueprint(bp)
    csrf.exempt(webhook.receive)
    use_handler(app_handler(app))
