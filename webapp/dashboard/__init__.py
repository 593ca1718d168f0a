"""The statistics dashboard (``/dashboard``): numbers, charts with their tables, CSV downloads and
the choropleth of the target districts, and the printable weekly brief, for HQ analysts,
planners and coordinators."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__)

from webapp.dashboard import api, brief, views  # noqa: E402,F401
