"""The words of the review pages that come from data, in the request's language: how long a
report has waited, distances, the history's events and their details, what an action did (the
message after it). Templates and views call these; nothing here reads the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import format_decimal, gettext, ngettext
from flask_babel import lazy_gettext as _l

from gis.incidents.review_queue import HistoryEntry
from gis.models import Incident
from gis.types import Agency, IncidentCategory, IncidentStatus
from webapp.i18n import local_time
from webapp.vocab import label

#: What each event of an incident's history did, by its ``action``.
EVENTS = {
    "created": _l("Report made"),
    "photo_added": _l("Photo added"),
    "edited": _l("Details corrected"),
    "verify": _l("Verified"),
    "reject": _l("Rejected"),
    "mark_duplicate": _l("Marked as a duplicate"),
    "refer": _l("Referred"),
    "close": _l("Closed"),
}

#: The fields a correction (``edited``) may change, as the history names them.
EDITED_FIELDS = {
    "category": _l("Category"),
    "severity": _l("Severity"),
    "occurred_at": _l("Time of the incident"),
    "description": _l("Description"),
}


def waiting_words(waited: dt.timedelta) -> str:
    """How long a new report has waited for triage, in words ("waiting 3 days")."""
    hours = int(waited.total_seconds() // 3600)
    if hours < 1:
        return gettext("waiting less than an hour")
    if hours < 48:
        return ngettext("waiting %(num)d hour", "waiting %(num)d hours", hours)
    days = hours // 24
    return ngettext("waiting %(num)d day", "waiting %(num)d days", days)


def distance_words(metres: float | None) -> str:
    """A distance in metres below a kilometre, in kilometres with one decimal above; "–" when
    it is not known."""
    if metres is None:
        return "–"
    if metres >= 1000:
        return gettext("%(km)s km", km=format_decimal(round(metres / 1000, 1), format="#,##0.0"))
    return gettext("%(m)s m", m=format_decimal(round(metres), format="#,##0"))


def event_label(action: str) -> str:
    """What an event did, in words."""
    found = EVENTS.get(action)
    return str(found) if found is not None else action.replace("_", " ")


@dataclass(frozen=True, slots=True)
class Detail:
    """One detail of an event: its name, its words, and the incident it links to if any."""

    name: str
    text: str
    incident_id: int | None = None


def _edited(name: str, value: Any) -> str:
    if name == "category":
        return label(value, IncidentCategory)
    if name == "occurred_at" and isinstance(value, str):
        try:
            return local_time(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    return "–" if value is None else str(value)


def event_details(entry: HistoryEntry) -> list[Detail]:
    """The details of an event the reader may read, in words: the original of a duplicate, the
    agency a report was referred to, each field a correction changed."""
    details = entry.details or {}
    found: list[Detail] = []
    if entry.action == "mark_duplicate" and isinstance(details.get("duplicate_of"), int):
        original = details["duplicate_of"]
        found.append(Detail(gettext("Duplicate of"), f"#{original}", original))
    if entry.action == "refer" and details.get("referred_to"):
        found.append(Detail(gettext("Referred to"), label(details["referred_to"], Agency)))
    if entry.action == "edited":
        for name, change in sorted(details.items()):
            title = str(EDITED_FIELDS.get(name, name))
            if not isinstance(change, dict):
                continue
            if "from_length" in change:
                text = gettext(
                    "%(before)s → %(after)s characters",
                    before=change.get("from_length"),
                    after=change.get("to_length"),
                )
            else:
                before, after = _edited(name, change.get("from")), _edited(name, change.get("to"))
                text = f"{before} → {after}"
            found.append(Detail(title, text))
    return found


def done_message(incident: Incident, action: str) -> str:
    """What an action did, for the flash message after it ("Report #12 verified.")."""
    number = incident.id
    if action == "verify":
        return gettext("Report #%(id)s verified.", id=number)
    if action == "reject":
        return gettext("Report #%(id)s rejected.", id=number)
    if action == "mark_duplicate":
        return gettext(
            "Report #%(id)s marked as a duplicate of #%(original)s.",
            id=number,
            original=incident.duplicate_of_id,
        )
    if action == "refer":
        return gettext(
            "Report #%(id)s referred to %(agency)s.",
            id=number,
            agency=label(incident.referred_to, Agency),
        )
    if action == "close":
        return gettext("Report #%(id)s closed.", id=number)
    status = label(IncidentStatus(incident.status))
    return gettext("Report #%(id)s is now %(status)s.", id=number, status=status)
