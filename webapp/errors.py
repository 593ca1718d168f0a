"""The one place where errors become HTTP answers.

JSON ``{"error", "message", "field"}`` under ``/api/`` and ``/healthz``; a short page elsewhere.
Any other exception is a bug: it is logged and answered with a 500 that reveals nothing.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from gis.db import UnsafeDatabase
from gis.errors import (
    BorderwatchError,
    Conflict,
    Forbidden,
    InvalidGeometry,
    InvalidInput,
    NotFound,
    OutsideWatchArea,
    TooLarge,
    Unprocessable,
)

log = logging.getLogger(__name__)

#: Seconds a client is asked to wait when the database does not answer (``Retry-After``).
RETRY_AFTER_S = 5

STATUS = {
    InvalidInput: 400,
    InvalidGeometry: 400,
    OutsideWatchArea: 422,
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    TooLarge: 413,
    Unprocessable: 422,
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz")) or (
        request.accept_mimetypes.best == "application/json"
    )


def error_response(status: int, code: str, message: str, field: str | None = None, **extra):
    body = {"error": code, "message": message, "field": field, **extra}
    if wants_json():
        resp: Response = jsonify(body)
        resp.status_code = status
        return resp
    return render_template("error.html", status=status, message=message), status


def loggable(exc: BaseException) -> BaseException:
    """``exc`` as it may be logged: a database error keeps its statement (with placeholders),
    SQLSTATE, constraint and traceback but loses the server's message, which quotes the values
    (``invalid input syntax: "…"``, ``Failing row contains (…)``) and could hold a reporter's
    contact."""
    if not isinstance(exc, DBAPIError):
        return exc
    diag = getattr(exc.orig, "diag", None)
    constraint = getattr(diag, "constraint_name", None)
    safe = DatabaseErrorLogged(
        f"{type(exc.orig).__name__} (SQLSTATE {getattr(exc.orig, 'pgcode', None)}"
        f"{', constraint ' + constraint if constraint else ''}) in: {exc.statement}"
    )
    safe.__suppress_context__ = True
    return safe.with_traceback(exc.__traceback__)


class DatabaseErrorLogged(Exception):
    """A database error with the values removed from its message (:func:`loggable`)."""


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_nul_characters() -> None:
        """A NUL character in a query parameter or a form field (name or value) is a 400
        naming it, before any handler runs: no text column can store it (PostgreSQL refuses
        it, psycopg2 raises before sending) and no field means anything by it."""
        for fields in (request.args, request.form):
            for name, value in fields.items(multi=True):
                # a part without a readable name (None) is refused by the CSRF check
                if "\x00" in (name or "") or "\x00" in (value or ""):
                    raise InvalidInput(f"{name!r} must not contain a NUL character", field=name)

    @app.errorhandler(BorderwatchError)
    def domain_error(exc: BorderwatchError):
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        extra: dict[str, object] = {}
        if isinstance(exc, OutsideWatchArea) and exc.distance_m is not None:
            extra["distance_m"] = round(exc.distance_m, 1)
        if isinstance(exc, Conflict) and exc.current is not None:
            extra["current"] = exc.current
        return error_response(status, exc.code, exc.message, exc.field, **extra)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """The exception's answer in our format, keeping its headers (``Allow`` of a 405,
        ``WWW-Authenticate``, ``Retry-After``)."""
        code = (exc.name or "error").lower().replace(" ", "_")
        resp = make_response(error_response(exc.code or 500, code, exc.description or exc.name))
        for name, value in exc.get_headers():
            if name.lower() not in ("content-type", "content-length"):
                resp.headers[name] = value
        return resp

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(UnsafeDatabase)
    def database_unavailable(exc: Exception):
        """The database is down, restarting, refusing connections or unsafe: 503 with
        ``Retry-After``, never a 500. The session is rolled back at teardown; if the connection
        broke during a COMMIT, the report may or may not be stored, and the client's retry with
        the same idempotency key answers either way without a second row. Logged without the
        server's message (:func:`loggable`)."""
        log.warning(
            "database unavailable on %s %s: %s", request.method, request.path, loggable(exc)
        )
        resp = error_response(
            503, "unavailable", "The service is briefly unavailable; try again in a moment."
        )
        if isinstance(resp, tuple):  # a page
            resp = make_response(resp)
        resp.headers["Retry-After"] = str(RETRY_AFTER_S)
        return resp

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=loggable(exc))
        return error_response(500, "internal_error", "Something went wrong on our side.")
