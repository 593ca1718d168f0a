"""HQ export: streamed GeoJSON, CSV and GeoPackage, OGC API - Features, personal API tokens."""

from flask import Blueprint

bp = Blueprint("export", __name__)

from webapp.export import api, auth, errors, ogcapi, openapi, tokens, views  # noqa: E402,F401
