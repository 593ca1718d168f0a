"""Patrol plans: the planner view, routed plans, printable sheets and stop outcomes."""

from flask import Blueprint

bp = Blueprint("patrols", __name__)

from webapp.patrols import api, views  # noqa: E402,F401
