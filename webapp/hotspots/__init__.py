"""Hotspots: the watch corridor, hotspot runs (API and jobs), hexagon density and Gi* layers."""

from flask import Blueprint

bp = Blueprint("hotspots", __name__)

from webapp.hotspots import api  # noqa: E402,F401
