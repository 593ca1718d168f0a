"""What the OGC API's routes and its OpenAPI document share: media types, page sizes, the ``f``
parameter and JSON answers."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response

from gis.errors import InvalidInput
from gis.export.run import MEDIA_TYPES, Format
from gis.text import N_

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
GEOJSON = MEDIA_TYPES[Format.OGCAPI]
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"


def json_response(doc: Any, mimetype: str = "application/json") -> Response:
    return Response(orjson.dumps(doc), mimetype=mimetype)


def check_f(value: str | None) -> None:
    """The ``f`` parameter: JSON is the only encoding served."""
    if value not in (None, "", "json", "geojson"):
        raise InvalidInput(N_("f must be json or geojson"), field="f")
