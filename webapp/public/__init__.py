"""The public report: ``/report`` (no sign-in), its receipt and ``/report/<code>``.

Citizens, also in the Lao and Cambodian twin towns, report anonymously in Thai, English, Lao or
Khmer (:mod:`webapp.i18n`). The form carries the CSRF token like every POST of the app; the
report is limited per client address (``REPORT_LIMIT_IP`` in :mod:`webapp.limits`). The
optional contact is stored with the report and never logged or shown back.
"""

from flask import Blueprint, Flask

bp = Blueprint("public", __name__)

from webapp.public import views  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """The public report pages; before :func:`webapp.limits.init_app`, which puts the rate limit
    on ``public.submit``."""
    app.register_blueprint(bp)
