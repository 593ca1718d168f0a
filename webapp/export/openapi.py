"""``/ogcapi/api``: the OpenAPI 3.0 description of the OGC API (built from the registry)."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for

from gis.export.collections import COLLECTIONS
from gis.export.cql import LANGUAGES
from gis.export.crs import SUPPORTED
from webapp.export import bp
from webapp.export.auth import signed_in
from webapp.export.protocol import (
    DEFAULT_LIMIT,
    GEOJSON,
    MAX_LIMIT,
    OPENAPI,
    check_f,
    json_response,
)
from webapp.params import only

ERROR = {"$ref": "#/components/responses/Error"}
CRS_URIS = [c.uri for c in SUPPORTED]


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query") -> Any:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
        "style": "form",
        "explode": False,
    }


PARAMETERS: dict[str, Any] = {
    "bbox": _param(
        "bbox",
        "minx,miny,maxx,maxy in longitude/latitude (CRS84)",
        {"type": "array", "minItems": 4, "maxItems": 4, "items": {"type": "number"}},
    ),
    "datetime": _param(
        "datetime",
        "RFC 3339 date-time, a day (Thai time), or an interval start/end with '..' for open ends",
        {"type": "string"},
    ),
    "limit": _param(
        "limit",
        f"features per page (default {DEFAULT_LIMIT})",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    "cursor": _param("cursor", "opaque cursor of a next link", {"type": "string"}),
    "category": _param("category", "incident categories, comma-separated", {"type": "string"}),
    "status": _param("status", "incident statuses, comma-separated", {"type": "string"}),
    "district": _param("district", "district P-codes, comma-separated", {"type": "string"}),
    "run": _param("run", "hotspot run id or 'latest'", {"type": "string"}),
    "filter": _param(
        "filter",
        "a CQL2 filter over the queryables (text by default: category = 'drug_trafficking'"
        " AND severity >= 4)",
        {"type": "string"},
    ),
    "filter-lang": _param(
        "filter-lang", "the filter's encoding", {"type": "string", "enum": list(LANGUAGES)}
    ),
    "filter-crs": _param(
        "filter-crs", "the CRS of the filter's shapes", {"type": "string", "enum": CRS_URIS}
    ),
    "crs": _param(
        "crs", "the CRS of the answer's coordinates", {"type": "string", "enum": CRS_URIS}
    ),
    "bbox-crs": _param(
        "bbox-crs", "the CRS bbox is given in", {"type": "string", "enum": CRS_URIS}
    ),
    "collectionId": _param(
        "collectionId", "a collection", {"type": "string", "enum": list(COLLECTIONS)}, "path"
    ),
    "featureId": _param("featureId", "a feature id", {"type": "integer"}, "path"),
}


def _ok(description: str, kind: str = "application/json") -> dict[str, Any]:
    return {
        "200": {"description": description, "content": {kind: {"schema": {"type": "object"}}}},
        "400": ERROR,
        "401": ERROR,
        "404": ERROR,
    }


def _ref(*names: str) -> list[dict[str, str]]:
    return [{"$ref": f"#/components/parameters/{n}"} for n in names]


def document(server: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document of the service at ``server``."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "borderwatch OGC API - Features", "version": "1.0.0"},
        "servers": [{"url": server}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": {
            "/": {"get": {"operationId": "landing", "responses": _ok("landing page")}},
            "/conformance": {
                "get": {"operationId": "conformance", "responses": _ok("conformance classes")}
            },
            "/api": {"get": {"operationId": "api", "responses": _ok("this document", OPENAPI)}},
            "/collections": {
                "get": {"operationId": "collections", "responses": _ok("the collections")}
            },
            "/collections/{collectionId}": {
                "get": {
                    "operationId": "collection",
                    "parameters": _ref("collectionId"),
                    "responses": _ok("one collection"),
                }
            },
            "/collections/{collectionId}/items": {
                "get": {
                    "operationId": "items",
                    "parameters": _ref(
                        "collectionId",
                        "bbox",
                        "datetime",
                        "limit",
                        "cursor",
                        "category",
                        "status",
                        "district",
                        "run",
                        "filter",
                        "filter-lang",
                        "filter-crs",
                        "crs",
                        "bbox-crs",
                    ),
                    "responses": _ok("a page of features", GEOJSON),
                }
            },
            "/collections/{collectionId}/queryables": {
                "get": {
                    "operationId": "queryables",
                    "parameters": _ref("collectionId"),
                    "responses": _ok(
                        "the properties the caller may read, as a JSON Schema",
                        "application/schema+json",
                    ),
                }
            },
            "/collections/{collectionId}/items/{featureId}": {
                "get": {
                    "operationId": "item",
                    "parameters": _ref("collectionId", "featureId", "crs"),
                    "responses": _ok("one feature", GEOJSON),
                }
            },
        },
        "components": {
            "parameters": PARAMETERS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
            "responses": {
                "Error": {
                    "description": "an error: error, message, field (the parameter), code",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        },
    }


@bp.get("/ogcapi/api")
@signed_in
def openapi() -> Response:
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    return json_response(document(url_for("export.landing", _external=True)), OPENAPI)
