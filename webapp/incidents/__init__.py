"""Incident reports: `POST /api/incidents` (officers' pin drop), `GET /api/incidents/<id>`,
their photos (`/api/incidents/<id>/photos`), and the reporter's own list (`/my-reports`)."""

from flask import Blueprint

bp = Blueprint("incidents", __name__)

from webapp.incidents import api, photos, views  # noqa: E402,F401
