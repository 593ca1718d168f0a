"""Reading the register's forms into the objects :mod:`gis.cooperation` parses, and the query
parameters of its lists and reports. The forms' values are kept as typed, so that a bad one is
refused by the same checks as the JSON API and named the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from werkzeug.datastructures import MultiDict

from gis.cooperation.fiscal import fiscal_year
from gis.errors import InvalidInput
from gis.parsing import THAI_TIME, parse_day
from gis.text import N_
from gis.types import ParticipantGroup, Side

#: The activity form's plain members.
TEXT_MEMBERS = (
    "kind",
    "title",
    "starts_on",
    "ends_on",
    "other_areas",
    "organisers",
    "partners",
    "summary",
)


def thai_today() -> dt.date:
    """Today in Thai time."""
    return dt.datetime.now(THAI_TIME).date()


def _number(raw: str | None) -> Any:
    """A typed number as JSON would give it; text that is not a number stays text (refused by
    the parser, naming its field)."""
    if raw is None or not raw.strip():
        return None
    text = raw.strip().replace(",", ".")
    try:
        return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return raw


def count_name(kind: str, side: Side, group: ParticipantGroup) -> str:
    """The form control of a count: ``total-THA-officials``, ``women-LAO-youth``."""
    return f"{kind}-{side.value}-{group.value}"


def activity_from_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The activity form as the JSON object :func:`gis.cooperation.activities.parse_activity`
    reads: checked parallel areas, checked topics, the counts grid (side × group)."""
    body: dict[str, Any] = {name: form.get(name) for name in TEXT_MEMBERS}
    body["lon"] = _number(form.get("lon"))
    body["lat"] = _number(form.get("lat"))
    body["parallel_areas"] = [_number(v) for v in form.getlist("parallel_areas")]
    body["topics"] = form.getlist("topics")
    body["participants"] = [
        {
            "side": side.value,
            "group": group.value,
            "total": _number(form.get(count_name("total", side, group))) or 0,
            "women": _number(form.get(count_name("women", side, group))) or 0,
        }
        for side in Side
        for group in ParticipantGroup
    ]
    return body


def year_param(args: Mapping[str, str], today: dt.date) -> int:
    """``year``: a fiscal year by its Buddhist-era label; the current one when absent.

    Raises:
        InvalidInput: (field ``year``) not a year between 2560 and 2600.
    """
    raw = (args.get("year") or "").strip()
    if not raw:
        return fiscal_year(today)
    if not raw.isdigit() or not 2560 <= int(raw) <= 2600:
        raise InvalidInput(
            N_("{field} must be an integer from {low} to {high}"), field="year", low=2560, high=2600
        )
    return int(raw)


def day_param(args: Mapping[str, str], field: str) -> dt.date | None:
    """An optional day parameter (``2026-11-25``)."""
    raw = args.get(field)
    return parse_day(raw.strip(), field) if raw and raw.strip() else None
