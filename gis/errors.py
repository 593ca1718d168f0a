"""Domain errors. Each message is safe to show to users; details go to the log."""

from __future__ import annotations


class BorderwatchError(Exception):
    """Base class of the errors that ``webapp/errors.py`` maps to HTTP answers."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(BorderwatchError):
    """A request parameter or value is malformed or out of range (HTTP 400)."""

    code = "invalid_input"


class InvalidGeometry(BorderwatchError):
    """A geometry is of the wrong type, out of range or not valid (HTTP 400/422)."""

    code = "invalid_geometry"

    def __init__(self, message: str, *, field: str | None = None, feature: str | None = None):
        super().__init__(message, field=field)
        self.feature = feature


class OutsideWatchArea(BorderwatchError):
    """A point lies outside the service area (target districts and their parallel areas)."""

    code = "outside_watch_area"

    def __init__(self, message: str, *, distance_m: float | None, field: str | None = None):
        super().__init__(message, field=field)
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

    def __init__(self, message: str, *, current: str | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.current = current


class Forbidden(BorderwatchError):
    code = "forbidden"
