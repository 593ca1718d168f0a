"""Triage: the coordinators' review queue (page and JSON), actions, history and duplicates."""

from flask import Blueprint

bp = Blueprint("review", __name__)

from webapp.review import api, edits, views  # noqa: E402,F401
