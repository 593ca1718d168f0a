"""``GET /api/openapi.json``: the OpenAPI document of the JSON API, to everyone."""

from __future__ import annotations

from flask import Response, jsonify

from webapp.apidoc import bp
from webapp.apidoc.document import document


@bp.get("/api/openapi.json")
def openapi() -> Response:
    return jsonify(document())
