"""The description of borderwatch's JSON API, served at ``/api/openapi.json`` (OpenAPI 3.0).

:mod:`webapp.apidoc.document` builds the document; :mod:`webapp.apidoc.api` serves it. The OGC
API - Features service describes itself at ``/ogcapi/api`` (:mod:`webapp.export`).
"""

from flask import Blueprint

bp = Blueprint("openapi", __name__)

from webapp.apidoc import api  # noqa: E402,F401
