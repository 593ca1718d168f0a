"""The map page and the layer API."""

from flask import Blueprint

bp = Blueprint("map", __name__)

from webapp.map import api, views  # noqa: E402,F401
