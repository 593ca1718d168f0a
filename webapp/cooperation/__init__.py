"""The cooperation register (issue 17): activities with the parallel areas, agreements, budget;
pages in views.py, JSON in api.py, form and query parsing in schemas.py."""

from flask import Blueprint

bp = Blueprint("cooperation", __name__)

from webapp.cooperation import api, attachments, photos, report_views, views  # noqa: E402,F401
