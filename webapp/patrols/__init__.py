"""Patrol plans: the planner view, routed plans, printable sheets and stop outcomes."""

from flask import Blueprint

bp = Blueprint("patrols", __name__)
