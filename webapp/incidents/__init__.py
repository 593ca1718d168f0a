"""Incident reports: `POST /api/incidents` (officers' pin drop), `GET /api/incidents/<id>`."""

from flask import Blueprint

bp = Blueprint("incidents", __name__)

from webapp.incidents import api  # noqa: E402,F401
