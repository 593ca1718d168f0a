"""Incident reports: `POST /api/incidents` (officers' pin drop), `GET /api/incidents/<id>`,
and their photos (`/api/incidents/<id>/photos`)."""

from flask import Blueprint

bp = Blueprint("incidents", __name__)

from webapp.incidents import api, photos  # noqa: E402,F401
