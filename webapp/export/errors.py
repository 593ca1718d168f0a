"""JSON errors for every route of the blueprint (OGC API clients read JSON, not pages).

The body is the app's ``{"error", "message", "field"}`` plus OGC API's ``code`` and
``description`` members.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from gis.errors import BorderwatchError
from webapp.errors import STATUS, answer_message, error_response, http_message
from webapp.export import bp


def json_error(status: int, code: str, message: str, field: str | None = None) -> Any:
    if request.path.startswith("/account/"):  # the token pages: the app's error page
        return error_response(status, code, message, field)
    resp = jsonify(error=code, message=message, field=field, code=code, description=message)
    resp.status_code = status
    return resp


@bp.errorhandler(BorderwatchError)
def domain_error(exc: BorderwatchError) -> Any:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return json_error(status, exc.code, answer_message(exc), exc.field)


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Any:
    code = (exc.name or "error").lower().replace(" ", "_")
    return json_error(exc.code or 500, code, http_message(exc) or code)
