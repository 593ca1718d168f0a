"""HQ export: streamed GeoJSON, CSV and GeoPackage, OGC API - Features, personal API tokens."""

from flask import Blueprint

bp = Blueprint("export", __name__)

from webapp.export import (  # noqa: E402,F401
    api,
    auth,
    errors,
    job_page,
    jobs,
    ogcapi,
    openapi,
    tokens,
    views,
)
