"""Parsing the review queue's filters and a triage action; writing queue items and events as JSON.

Queue filters (``GET /api/review/incidents`` and the ``/review`` page): ``status``, ``category``,
``since`` and ``until`` (RFC 3339 with an offset; ``since`` inclusive, ``until`` exclusive),
``channel`` (how the reports came in, a code of :class:`gis.types.Channel`), ``limit`` (1..500,
default 100) and ``offset``. The pages also take plain dates (``2026-11-21``),
read as whole days in Thailand's time (UTC+07:00), as a browser's date field sends them, and
``district`` (the id of one of the viewer's districts, :func:`parse_district`).

An action (``POST /api/incidents/<id>/actions``, JSON; or the page's form)::

    {"action": "mark_duplicate", "note": "same boat", "duplicate_of": 12}
    {"action": "refer", "agency": "customs"}
    {"action": "verify", "note": "seen by patrol 3", "reporter_note": "Thank you, checked."}

``note`` stays with the district's staff; ``reporter_note`` is read by the report's reporter on
"My reports" (and by the staff in the history); a public report has no account to read it.

The incident page's form names the original of a duplicate with a select of the possible
duplicates (``duplicate_of``) and a number field for any other report (``duplicate_of_other``),
which is taken instead of the select's choice when it is filled in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from gis.errors import InvalidInput
from gis.incidents.review import allowed_actions
from gis.incidents.review_queue import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    DuplicateCandidate,
    HistoryEntry,
    IncidentPlaces,
    QueueItem,
)
from gis.incidents.triage import ActionInput
from gis.models import Incident
from gis.parsing import parse_choice, refuse_unknown, when_param
from gis.text import N_
from gis.types import Channel, IncidentCategory, IncidentStatus
from webapp.params import parse_int

QUEUE_PARAMS = ("status", "category", "since", "until", "channel", "limit", "offset")
#: The review pages' filters: the queue's and a district of the viewer's.
PAGE_FILTERS = (*QUEUE_PARAMS, "district")
#: What the review pages' addresses take: their filters and the language switch's ``lang``.
PAGE_PARAMS = (*PAGE_FILTERS, "lang")
ACTION_FIELDS = ("action", "note", "duplicate_of", "agency", "reporter_note")
MAX_OFFSET = 10_000_000
MAX_ID = 2**63 - 1


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """Checked queue filters, as keyword arguments of
    :func:`gis.incidents.review_queue.review_queue`."""

    status: IncidentStatus | None = None
    category: IncidentCategory | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    district: int | None = None
    channel: Channel | None = None

    def kwargs(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*QUEUE_PARAMS, "district")}

    def choosing(self) -> dict[str, Any]:
        """The filters that choose the next report (:func:`next_new_incident`): not the status,
        nor the page."""
        return {
            "category": self.category,
            "since": self.since,
            "until": self.until,
            "district": self.district,
            "channel": self.channel,
        }


def parse_queue_args(
    args: Mapping[str, str], *, dates: bool = False, districts: Collection[int] | None = None
) -> QueueQuery:
    """The queue filters of a query string (unknown parameters are refused by the caller).

    Args:
        args: the query string.
        dates: plain dates are taken too, as whole days of Thai time (the pages).
        districts: the viewer's districts, where a ``district`` filter is taken (the pages).

    Raises:
        InvalidInput: a bad value, naming its parameter.
    """
    since = when_param(args, "since", days=dates)
    until = when_param(args, "until", end=True, days=dates)
    if since is not None and until is not None and since > until:
        raise InvalidInput(N_("since lies after until"), field="since")
    status, category, channel = args.get("status"), args.get("category"), args.get("channel")
    return QueueQuery(
        status=parse_choice(status, "status", IncidentStatus) if status else None,
        category=parse_choice(category, "category", IncidentCategory) if category else None,
        since=since,
        until=until,
        limit=parse_int(args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT,
        offset=parse_int(args, "offset", 0, 0, MAX_OFFSET) or 0,
        district=None if districts is None else parse_district(args, districts),
        channel=parse_choice(channel, "channel", Channel) if channel else None,
    )


def parse_district(args: Mapping[str, str], allowed: Collection[int]) -> int | None:
    """The ``district`` filter of the review pages: one of the viewer's districts (``allowed``).

    Raises:
        InvalidInput: not a district id, or not one of the viewer's districts.
    """
    district = parse_int(args, "district", None, 1, MAX_ID)
    if district is not None and district not in allowed:
        raise InvalidInput(N_("{field} is not one of your districts"), field="district")
    return district


def _string(doc: Mapping[str, Any], field: str) -> str | None:
    value = doc.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(N_("{field} must be a string"), field=field)
    if "\x00" in value:
        raise InvalidInput(N_("{field} contains a NUL character"), field=field)
    return value.strip() or None


def parse_action_json(doc: Mapping[str, Any]) -> ActionInput:
    """A triage action from a JSON object.

    Raises:
        InvalidInput: an unknown member, a missing ``action`` or a value of the wrong type.
    """
    refuse_unknown(doc, ACTION_FIELDS)
    action = _string(doc, "action")
    if action is None:
        raise InvalidInput(N_("action is required"), field="action")
    duplicate_of = doc.get("duplicate_of")
    if duplicate_of is not None and (
        isinstance(duplicate_of, bool) or not isinstance(duplicate_of, int) or duplicate_of < 1
    ):
        raise InvalidInput(N_("duplicate_of must be an incident id"), field="duplicate_of")
    return ActionInput(
        action,
        _string(doc, "note"),
        duplicate_of,
        _string(doc, "agency"),
        reporter_note=_string(doc, "reporter_note"),
    )


def _incident_id(raw: str | None) -> int | None:
    if raw is None:
        return None
    if not (raw.strip().isascii() and raw.strip().isdigit()) or int(raw) > MAX_ID:
        raise InvalidInput(N_("duplicate_of must be an incident id"), field="duplicate_of")
    return int(raw)


def parse_action_form(form: Mapping[str, str]) -> ActionInput:
    """A triage action from a review page's form (all values are strings; blank is absent).

    Raises:
        InvalidInput: a missing ``action``, or a ``duplicate_of`` (or ``duplicate_of_other``, the
            number typed instead of choosing) that is not an id.
    """
    fields = {k: form[k] for k in ACTION_FIELDS if form.get(k, "").strip()}
    chosen = _incident_id(fields.pop("duplicate_of", None))
    typed = _incident_id(form.get("duplicate_of_other", "").strip() or None)
    return parse_action_json({**fields, "duplicate_of": chosen if typed is None else typed})


def item_json(item: QueueItem) -> dict[str, Any]:
    """A queue item as the API shows it."""
    return {
        "id": item.id,
        "category": item.category.value,
        "status": item.status.value,
        "severity": item.severity,
        "occurred_at": item.occurred_at.isoformat(),
        "reported_at": item.reported_at.isoformat(),
        "district": {
            "id": item.district_id,
            "name": item.district,
            "name_th": item.district_th,
            "province": item.province,
            "province_th": item.province_th,
        },
        "lon": item.lon,
        "lat": item.lat,
        "overdue": item.overdue,
        "allowed_actions": list(item.allowed_actions),
        "channel": None if item.channel is None else item.channel.value,
    }


def event_json(entry: HistoryEntry) -> dict[str, Any]:
    """An audit event as the API shows it."""
    return {
        "id": entry.id,
        "who": entry.who,
        "when": entry.at.isoformat(),
        "action": entry.action,
        "from": None if entry.from_status is None else entry.from_status.value,
        "to": None if entry.to_status is None else entry.to_status.value,
        "note": entry.note,
        "reporter_note": entry.reporter_note,
        "details": entry.details,
    }


def duplicate_json(candidate: DuplicateCandidate) -> dict[str, Any]:
    """A possible duplicate: the queue item and its distance in metres."""
    return {**item_json(candidate.item), "distance_m": round(candidate.distance_m, 1)}


def places_json(incident: Incident, places: IncidentPlaces) -> dict[str, Any]:
    """What a reviewer sees beyond the incident's JSON: place names, triage state and actions."""
    return {
        "parallel_area": places.parallel_area,
        "nearest_checkpoint_name": places.checkpoint,
        "nearest_checkpoint_name_th": places.checkpoint_th,
        "nearest_crossing_name": places.crossing,
        "duplicate_of": incident.duplicate_of_id,
        "referred_to": None if incident.referred_to is None else str(incident.referred_to),
        "allowed_actions": allowed_actions(incident.status),
    }
