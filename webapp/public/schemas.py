"""The public report form: its fields as the JSON shape :func:`gis.incidents.reports.parse_incident`
checks, and the names shown to the reporter."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import Any

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from gis.errors import InvalidInput
from gis.parsing import DAY, THAI_TIME, refuse_unknown
from gis.text import N_

FIELDS = ("lon", "lat", "category", "occurred_at", "description", "reporter_contact")
#: Sent by the page itself, not typed by the reporter.
HIDDEN = ("idempotency_key", "csrf_token")
#: ``<input type="datetime-local">`` sends a minute without an offset: Thai time is meant.
LOCAL_MINUTE = re.compile(DAY.pattern + r"T\d{2}:\d{2}")

FIELD_LABELS = {
    "lon": lazy_gettext("Longitude"),
    "lat": lazy_gettext("Latitude"),
    "category": lazy_gettext("What happened"),
    "occurred_at": lazy_gettext("When it happened"),
    "description": lazy_gettext("Description"),
    "reporter_contact": lazy_gettext("Your contact (optional)"),
    "idempotency_key": lazy_gettext("Form"),
}


def _coordinate(text: str, field: str) -> float | None:
    if not text.strip():
        return None  # parse_incident names the missing field
    try:
        return float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput(N_("{field} must be a number"), field=field) from None


def report_payload(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as a report object; any other field is refused, naming it.

    Raises:
        InvalidInput: an unknown field, a field given twice or a coordinate that is not a number.
    """
    refuse_unknown(form, FIELDS + HIDDEN)
    for name in form:
        if len(form.getlist(name)) > 1:
            raise InvalidInput(N_("{field!r} is given more than once"), field=name)
    occurred = form.get("occurred_at", "").strip()
    if LOCAL_MINUTE.fullmatch(occurred):
        with contextlib.suppress(ValueError):  # no such day: parse_incident names occurred_at
            local = dt.datetime.fromisoformat(occurred).replace(tzinfo=THAI_TIME)
            occurred = local.isoformat()
    payload: dict[str, Any] = {
        "lon": _coordinate(form.get("lon", ""), "lon"),
        "lat": _coordinate(form.get("lat", ""), "lat"),
        "category": form.get("category") or None,
        "occurred_at": occurred or None,
        "idempotency_key": form.get("idempotency_key") or None,
        "description": form.get("description") or None,
        "reporter_contact": form.get("reporter_contact") or None,
    }
    return payload
