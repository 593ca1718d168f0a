"""Domain errors. Each message is safe to show to users; details go to the log.

A message is an English template marked for the catalogues with :func:`gis.text.N_`, its values
given by name::

    raise InvalidInput(
        N_("{field} must be between {low} and {high}"), field="severity", low=1, high=5
    )

``exc.message`` is the English text with the values in place ("severity must be between 1 and
5"), for logs, the CLI and English answers; ``exc.template`` and ``exc.values`` (the field among
them, as ``field``) are kept so that webapp can answer in the request's language
(``webapp.errors.user_message``: the template translated, then filled). A template is a
:meth:`str.format` pattern: ``{name}``, ``{name!r}``, ``{name:,}``; literal braces are doubled.
A value may be a vocabulary member (``status=IncidentStatus.VERIFIED``): English shows its code,
a translated message its label.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def fill(template: str, values: dict[str, Any]) -> str:
    """``template`` with ``values`` in place; the template itself if they do not fit it (an
    error being raised must not fail in turn: the mismatch is logged)."""
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError):
        log.warning("error message %r does not fit its values %s", template, sorted(values))
        return template


class BorderwatchError(Exception):
    """Base class of the errors that ``webapp/errors.py`` maps to HTTP answers.

    Args:
        message: the English template, marked with ``N_`` (see the module's docstring).
        field: the input the error is about (``{field}`` in the template).
        **values: the template's other placeholders.
    """

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, **values: Any) -> None:
        self.template = message
        self.field = field
        self.values: dict[str, Any] = {"field": field, **values}
        self.message = fill(message, self.values)
        super().__init__(self.message)


class InvalidInput(BorderwatchError):
    """A request parameter or value is malformed or out of range (HTTP 400)."""

    code = "invalid_input"


class InvalidGeometry(BorderwatchError):
    """A geometry is of the wrong type, out of range or not valid (HTTP 400/422)."""

    code = "invalid_geometry"

    def __init__(
        self, message: str, *, field: str | None = None, feature: str | None = None, **values: Any
    ) -> None:
        super().__init__(message, field=field, **values)
        self.feature = feature


class OutsideWatchArea(BorderwatchError):
    """A point lies outside the service area (target districts and their parallel areas)."""

    code = "outside_watch_area"

    def __init__(
        self, message: str, *, distance_m: float | None, field: str | None = None, **values: Any
    ) -> None:
        super().__init__(message, field=field, **values)
        self.distance_m = distance_m


class Unprocessable(BorderwatchError):
    """A well-formed request whose content cannot be taken: a file that is not a usable image,
    a limit on the object reached (HTTP 422)."""

    code = "unprocessable"


class TooLarge(BorderwatchError):
    """A body or an uploaded file over its size limit (HTTP 413)."""

    code = "too_large"


class NotFound(BorderwatchError):
    code = "not_found"


class Conflict(BorderwatchError):
    """The action does not fit the object's current state (HTTP 409)."""

    code = "conflict"

    def __init__(
        self, message: str, *, current: str | None = None, field: str | None = None, **values: Any
    ) -> None:
        super().__init__(message, field=field, **values)
        self.current = current


class Forbidden(BorderwatchError):
    code = "forbidden"
