"""The one place where errors become HTTP answers.

JSON ``{"error", "message", "field"}`` under ``/api/`` and ``/healthz``; a short page elsewhere.
Any other exception is a bug: it is logged and answered with a 500 that reveals nothing.

Languages: ``error`` and ``field`` are codes that never change; ``message`` is in the request's
language. A domain error's English template (``gis.errors``) is translated with the catalogues
and filled with its values (:func:`user_message`; a vocabulary member reads as its label). A page
or a form speaks the page's language (``webapp.i18n``'s locale selector, Thai by default); a JSON
answer speaks the language the request names (``?lang=``, the account's choice, the language
cookie, ``Accept-Language``) and English when it names none, as scripts and GIS tools do
(:func:`answer_message`).
"""

from __future__ import annotations

import enum
import logging
from typing import Any

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask_babel import get_locale, gettext
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
from gis.text import N_
from webapp.i18n import LANGUAGE_COOKIE, account_language
from webapp.vocab import label

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


#: Our words for the HTTP errors that Werkzeug describes at length in English (used when the
#: description is Werkzeug's own, not one given with the error).
HTTP_MESSAGES = {
    400: N_("The request is not valid."),
    401: N_("Sign in first."),
    403: N_("You may not do this."),
    404: N_("There is nothing at this address."),
    405: N_("This address does not take this method."),
    413: N_("The request is too large."),
    429: N_("Too many requests: wait a moment and try again."),
}
UNAVAILABLE = N_("The service is briefly unavailable; try again in a moment.")
INTERNAL = N_("Something went wrong on our side.")


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz", "/ogcapi")) or (
        request.accept_mimetypes.best == "application/json"
    )


def names_language() -> bool:
    """Whether the request names a language: ``?lang=``, the signed-in account's choice, the
    language switch's cookie or an ``Accept-Language`` header (browsers always send one)."""
    return bool(
        request.args.get("lang")
        or request.headers.get("Accept-Language")
        or request.cookies.get(LANGUAGE_COOKIE)
        or account_language()
    )


def speaks() -> bool:
    """Whether this answer is translated: a page always is, JSON when :func:`names_language`."""
    return not wants_json() or names_language()


def _shown(value: Any) -> Any:
    """A value as a translated message shows it: a vocabulary member by its label, a nested
    domain error by its own translated message."""
    if isinstance(value, BorderwatchError):
        return user_message(value)
    if isinstance(value, enum.Enum):
        return label(value)
    return value


def user_message(exc: BorderwatchError) -> str:
    """``exc``'s message in the request's language, for a page, a form or a flash message.

    The English template translated by the catalogues and filled with the error's values; the
    English message as it is in English, or when the translation does not fit the values (logged:
    a catalogue mistake, not the user's).
    """
    locale = get_locale()
    if locale is None or locale.language == "en":
        return exc.message
    translated = gettext(exc.template)
    try:
        return translated.format(**{name: _shown(v) for name, v in exc.values.items()})
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        log.warning("the translation of %r does not fit its values", exc.template)
        return exc.message


def answer_message(exc: BorderwatchError) -> str:
    """``exc``'s message for this answer: :func:`user_message` when the answer is translated
    (:func:`speaks`), the English message otherwise."""
    return user_message(exc) if speaks() else exc.message


def say(text: str) -> str:
    """One of our own messages (marked with ``N_``) for this answer (:func:`speaks`)."""
    return gettext(text) if speaks() else text


def http_message(exc: HTTPException) -> str:
    """What an HTTP error answers: our own words for Werkzeug's stock descriptions of the
    common statuses (:data:`HTTP_MESSAGES`), translated; a description given with the error, or
    an English answer, as it is."""
    description = exc.description or exc.name
    ours = HTTP_MESSAGES.get(exc.code or 0)
    if ours is None or exc.description != type(exc).description:
        return description
    translated = say(ours)
    return description if translated == ours else translated


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
                    raise InvalidInput(N_("{field!r} must not contain a NUL character"), field=name)

    @app.errorhandler(BorderwatchError)
    def domain_error(exc: BorderwatchError):
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        extra: dict[str, object] = {}
        if isinstance(exc, OutsideWatchArea) and exc.distance_m is not None:
            extra["distance_m"] = round(exc.distance_m, 1)
        if isinstance(exc, Conflict) and exc.current is not None:
            extra["current"] = exc.current
        return error_response(status, exc.code, answer_message(exc), exc.field, **extra)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        """The exception's answer in our format, keeping its headers (``Allow`` of a 405,
        ``WWW-Authenticate``, ``Retry-After``)."""
        code = (exc.name or "error").lower().replace(" ", "_")
        resp = make_response(error_response(exc.code or 500, code, http_message(exc)))
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
        resp = error_response(503, "unavailable", say(UNAVAILABLE))
        if isinstance(resp, tuple):  # a page
            resp = make_response(resp)
        resp.headers["Retry-After"] = str(RETRY_AFTER_S)
        return resp

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=loggable(exc))
        return error_response(500, "internal_error", say(INTERNAL))
