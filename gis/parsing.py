"""Reading values at the edge: Thai time, instants and days, vocabulary members, bounded numbers,
free text and the members a JSON object may have.

Every parser takes the raw value and the name of its field, and returns the checked value or
raises :class:`~gis.errors.InvalidInput` naming that field. Request schemas (``webapp``) and the
domain's own parsers (``parse_incident``, ``parse_run_params``, ``parse_plan`` …) are built from
these, so that a rule such as "a day is read in Thai time" is written once.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from gis.errors import InvalidInput
from gis.text import N_

#: Thai time (Indochina Time, UTC+07:00 all year: Thailand has kept no daylight saving since
#: 1920). Plain days given by users are days in Thai time, and times are shown in it.
THAI_TIME = dt.timezone(dt.timedelta(hours=7))
#: The same zone by its IANA name, for PostgreSQL's ``timezone()`` and for Babel.
THAI_ZONE = "Asia/Bangkok"

#: A day: ``2026-11-21``.
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: An RFC 3339 ``date-time``: a full date, a time and a mandatory offset.
RFC3339 = re.compile(DAY.pattern + r"T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")

#: The messages for a value that is not such an instant (or day).
_INSTANT_WANTED = N_(
    "{field} must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T06:30:00+07:00"
)
_DAY_OR_INSTANT_WANTED = N_(
    "{field} must be a day (2026-11-21) or an RFC 3339 date-time with an offset"
    " (2026-11-21T06:30:00+07:00)"
)
#: Longest member name repeated in a message.
SHOWN_CHARS = 80

E = TypeVar("E", bound=StrEnum)


# --------------------------------------------------------------------------- time


def _read_instant(text: str) -> dt.datetime:
    """``text`` (matched by :data:`RFC3339`, upper case) as an aware datetime in UTC; digits of
    the fraction beyond microseconds are dropped.

    RFC 3339 allows offsets up to ±23:59, PostgreSQL's ``timestamptz`` only up to ±15:59: the
    instant is moved to UTC here, so that any offset reaches the database as ``+00:00``.

    Raises:
        ValueError: an impossible date or time.
        OverflowError: the instant in UTC falls outside years 1 to 9999.
    """
    local = dt.datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", text))
    return local.astimezone(dt.UTC)


def parse_instant(value: Any, field: str) -> dt.datetime:
    """An RFC 3339 date-time with an offset (``T``, ``Z`` in either case).

    Args:
        value: the raw value (a JSON string).
        field: the field's name, for the error.

    Returns:
        The instant, timezone-aware.

    Raises:
        InvalidInput: not such a string, or a date or time that does not exist.
    """
    text = value.upper() if isinstance(value, str) else ""
    if not RFC3339.fullmatch(text):
        raise InvalidInput(_INSTANT_WANTED, field=field)
    try:
        return _read_instant(text)
    except (ValueError, OverflowError):
        raise InvalidInput(N_("{field} is not a valid date and time"), field=field) from None


def parse_when(value: Any, field: str, *, end: bool = False, days: bool = True) -> dt.datetime:
    """An instant, or (``days``) a whole day in Thai time; blanks around it are ignored.

    Args:
        value: the raw value: an RFC 3339 date-time with an offset, or a day ``2026-11-21``.
        field: the field's name, for the error.
        end: the value ends a range: a day then means the start of the next day (an exclusive
            end); otherwise a day means its start.
        days: whether a plain day is accepted.

    Returns:
        The instant, timezone-aware.

    Raises:
        InvalidInput: anything else, or a date or time that does not exist.
    """
    text = value.strip().upper() if isinstance(value, str) else ""
    try:
        if days and DAY.fullmatch(text):
            day = dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), THAI_TIME)
            return day + dt.timedelta(days=1) if end else day
        if RFC3339.fullmatch(text):
            return _read_instant(text)
    except (ValueError, OverflowError):
        pass
    raise InvalidInput(_DAY_OR_INSTANT_WANTED if days else _INSTANT_WANTED, field=field)


def when_param(
    params: Mapping[str, str], field: str, *, end: bool = False, days: bool = True
) -> dt.datetime | None:
    """The query parameter ``field`` read by :func:`parse_when`; ``None`` when absent or blank."""
    raw = params.get(field)
    if raw is None or not raw.strip():
        return None
    return parse_when(raw, field, end=end, days=days)


def parse_day(value: Any, field: str) -> dt.date:
    """A day written ``2026-11-25``.

    Raises:
        InvalidInput: another shape, or a day that does not exist.
    """
    if not isinstance(value, str) or not DAY.fullmatch(value):
        raise InvalidInput(N_("{field} must be a day such as 2026-11-25"), field=field)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(N_("{field} is not a valid day"), field=field) from None


# --------------------------------------------------------------------------- vocabularies


def _known(kind: type[StrEnum]) -> str:
    return ", ".join(k.value for k in kind)


def parse_choice(value: Any, field: str, kind: type[E]) -> E:
    """A member of the vocabulary ``kind``, given by its code.

    Raises:
        InvalidInput: not one of the codes (the message lists them).
    """
    try:
        return kind(value)
    except ValueError:
        raise InvalidInput(
            N_("{field} must be one of {known}"), field=field, known=_known(kind)
        ) from None


def parse_choices(raw: str | None, field: str, kind: type[E]) -> frozenset[E]:
    """Members of ``kind`` separated by commas (a query parameter); empty when blank.

    Raises:
        InvalidInput: a part that is not one of the codes.
    """
    if raw is None or not raw.strip():
        return frozenset()
    values: set[E] = set()
    for part in raw.split(","):
        try:
            values.add(kind(part.strip()))
        except ValueError:
            raise InvalidInput(
                N_("{field} must be one or more of {known}, separated by commas"),
                field=field,
                known=_known(kind),
            ) from None
    return frozenset(values)


# --------------------------------------------------------------------------- numbers


def _amount(value: float) -> str:
    """A bound as messages show it: ``50,000``, ``0.5``, ``-180``."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,}"


#: The out-of-range messages of :func:`parse_number` (``{low}``, ``{high}`` its bounds).
BETWEEN = N_("{field} must be between {low} and {high}")
MORE_THAN = N_("{field} must be more than {low} and at most {high}")
BETWEEN_METRES = N_("{field} must be between {low} and {high} metres")
MORE_THAN_METRES = N_("{field} must be more than {low} and at most {high} metres")


def parse_number(
    value: Any,
    field: str,
    lo: float,
    hi: float,
    *,
    lo_open: bool = False,
    out_of_range: str | None = None,
) -> float:
    """A finite JSON number (not a boolean) within ``lo..hi``.

    Args:
        value: the raw value.
        field: the field's name, for the error.
        lo, hi: the bounds, both included unless ``lo_open`` (then ``lo`` is excluded).
        out_of_range: the message when the number is out of range, a template marked with
            ``N_`` with ``{field}``, ``{low}`` and ``{high}`` (a unit, a likely mistake);
            :data:`BETWEEN` or :data:`MORE_THAN` by default.

    Returns:
        The number as a float.

    Raises:
        InvalidInput: not a number, NaN or an infinity, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(N_("{field} must be a number"), field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(N_("{field} must be a finite number (not NaN or Infinity)"), field=field)
    low_ok = value > lo if lo_open else value >= lo
    if not (low_ok and value <= hi):
        raise InvalidInput(
            out_of_range or (MORE_THAN if lo_open else BETWEEN),
            field=field,
            low=_amount(lo),
            high=_amount(hi),
        )
    return float(value)


def parse_integer(value: Any, field: str, lo: int, hi: int) -> int:
    """A JSON integer (not a boolean, not ``2.0``) within ``lo..hi`` (both included).

    Raises:
        InvalidInput: anything else.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidInput(
            N_("{field} must be an integer from {low} to {high}"),
            field=field,
            low=_amount(lo),
            high=_amount(hi),
        )
    return value


# --------------------------------------------------------------------------- text and objects


def parse_text(value: Any, field: str, limit: int) -> str | None:
    """Optional free text: a string of at most ``limit`` characters that PostgreSQL can store;
    ``None`` and blank text give ``None``.

    Raises:
        InvalidInput: not a string, too long, a NUL character or a lone surrogate.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(N_("{field} must be a string"), field=field)
    if len(value) > limit:
        raise InvalidInput(
            N_("{field} is longer than {limit:,} characters"), field=field, limit=limit
        )
    if "\x00" in value:
        raise InvalidInput(N_("{field} contains a NUL character"), field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON): PostgreSQL cannot store it
        raise InvalidInput(N_("{field} is not valid Unicode text"), field=field) from None
    return value if value.strip() else None


def refuse_unknown(members: Iterable[Any], allowed: Collection[str], *, prefix: str = "") -> None:
    """Refuse the first member name that is not ``allowed`` (of a JSON object or a form).

    Args:
        members: the names given, in their order.
        allowed: the names that may be given.
        prefix: put before the name in the error's field (``"incident."`` for a nested object).

    Raises:
        InvalidInput: naming the member (cut to :data:`SHOWN_CHARS` characters).
    """
    for name in members:
        if name not in allowed:
            shown = str(name)[:SHOWN_CHARS]
            raise InvalidInput(N_("unknown field {name!r}"), field=prefix + shown, name=shown)


__all__ = [
    "DAY",
    "RFC3339",
    "THAI_TIME",
    "THAI_ZONE",
    "parse_choice",
    "parse_choices",
    "parse_day",
    "parse_instant",
    "parse_integer",
    "parse_number",
    "parse_text",
    "parse_when",
    "refuse_unknown",
    "when_param",
]
