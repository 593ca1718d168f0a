"""Incident reports: parsing a report at the edge and storing it once, routed and measured.

The JSON shape of a report (``POST /api/incidents``; the same object for every channel)::

    {
      "lon": 102.5066,                 # required, EPSG:4326 degrees, -180..180
      "lat": 13.6928,                  # required, EPSG:4326 degrees, -90..90
      "category": "smuggling",         # required, one of IncidentCategory
      "occurred_at": "2026-11-21T06:30:00+07:00",  # required, RFC 3339 with an offset
      "idempotency_key": "0b6f…",      # required, a UUID made by the client, one per report
      "severity": 3,                   # optional, integer 1..5 (default 3)
      "description": "…"               # optional, at most 5,000 characters
    }

The location is the top-level ``lon`` / ``lat`` pair and nothing else (no GeoJSON ``geometry``
member). Any other member is refused, naming it: the district, status, reporter and id are set by
the server. ``reporter_contact`` is accepted only on the public channel.

Storing (:func:`create_incident`) routes the point with :func:`gis.districts.route_point`, then
writes the row in one ``INSERT … SELECT … ON CONFLICT (idempotency_key) DO NOTHING`` that also
derives the border distance and the nearest checkpoint and natural crossing
(:mod:`gis.measure`). The unique idempotency key, not a prior lookup, keeps a retried report from
being stored twice, also when the copies arrive at the same time.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, cast, literal, null, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.accounts import scope_district_ids
from gis.districts import DEFAULT_MAX_DISTANCE_M, route_point
from gis.errors import Conflict, InvalidInput, NotFound
from gis.measure import border_distance, nearest_checkpoint, nearest_crossing, point, to_metric
from gis.models import Incident, IncidentEvent, User
from gis.types import Channel, IncidentCategory, IncidentStatus, Role

#: Longest description accepted (characters).
MAX_DESCRIPTION = 5_000
#: Longest reporter contact accepted (characters).
MAX_CONTACT = 500
#: How far in the future ``occurred_at`` may lie (clocks of phones drift).
FUTURE_TOLERANCE = dt.timedelta(hours=1)
#: Nothing the programme deals with happened before this.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
DEFAULT_SEVERITY = 3

REQUIRED = ("lon", "lat", "category", "occurred_at", "idempotency_key")
OPTIONAL = ("severity", "description")
#: Members only the public channel may send.
PUBLIC_ONLY = ("reporter_contact",)
#: Members a client might try to send that the server sets itself.
SERVER_SET = frozenset(
    {
        "id",
        "district",
        "district_id",
        "parallel_area",
        "parallel_area_id",
        "status",
        "reporter",
        "reporter_id",
        "channel",
        "reported_at",
        "receipt_code",
        "duplicate_of_id",
        "border_distance_m",
        "nearest_checkpoint_id",
        "nearest_checkpoint_m",
        "nearest_crossing_id",
        "nearest_crossing_m",
        "is_demo",
    }
)

#: RFC 3339 ``date-time``: full date, time and a mandatory offset.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})")


@dataclass(frozen=True, slots=True)
class IncidentInput:
    """A checked report, ready to store.

    ``reporter_id`` is the account that reports (``None`` for anonymous reports) and
    ``reporter_contact`` the optional contact of an anonymous reporter; both come from the
    caller (the session, the public form), never from the report's JSON.
    """

    lon: float
    lat: float
    category: IncidentCategory
    occurred_at: dt.datetime
    channel: Channel
    idempotency_key: uuid.UUID
    severity: int = DEFAULT_SEVERITY
    description: str | None = None
    reporter_id: int | None = None
    reporter_contact: str | None = None


def _number(payload: Mapping[str, Any], field: str, limit: float, hint: str = "") -> float:
    """A finite JSON number within ``-limit..limit`` (``hint`` ends the out-of-range message)."""
    value = payload[field]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"{field} must be a number", field=field)
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput(f"{field} must be a finite number (not NaN or Infinity)", field=field)
    if not -limit <= value <= limit:
        raise InvalidInput(f"{field} must be within -{limit:g}..{limit:g}{hint}", field=field)
    return float(value)


def _is_coordinate(value: Any, limit: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -limit <= value <= limit  # False for NaN and infinities
    )


def _category(value: Any) -> IncidentCategory:
    try:
        return IncidentCategory(value)
    except ValueError:
        known = ", ".join(c.value for c in IncidentCategory)
        raise InvalidInput(
            f"unknown category (expected one of {known})", field="category"
        ) from None


def _occurred_at(value: Any, now: dt.datetime) -> dt.datetime:
    field = "occurred_at"
    if not isinstance(value, str) or not RFC3339.fullmatch(value.upper()):
        raise InvalidInput(
            f"{field} must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T06:30:00+07:00",
            field=field,
        )
    text = value.upper()
    frac = re.search(r"\.(\d+)", text)
    if frac and len(frac.group(1)) > 6:  # Python keeps microseconds
        text = text.replace(frac.group(0), "." + frac.group(1)[:6])
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{field} is not a valid date and time", field=field) from None
    if when > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"{field} lies more than an hour in the future", field=field)
    if when < EARLIEST:
        raise InvalidInput(f"{field} lies before 2000-01-01", field=field)
    return when


def _severity(value: Any) -> int:
    if value is None:
        return DEFAULT_SEVERITY
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput("severity must be an integer from 1 to 5", field="severity")
    return value


def _text(value: Any, field: str, limit: int) -> str | None:
    """Optional free text: a string of at most ``limit`` characters; blank becomes ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string", field=field)
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit:,} characters", field=field)
    if "\x00" in value:
        raise InvalidInput(f"{field} contains a NUL character", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in JSON): PostgreSQL cannot store it
        raise InvalidInput(f"{field} is not valid Unicode text", field=field) from None
    return value if value.strip() else None


def _key(value: Any) -> uuid.UUID:
    try:
        if not isinstance(value, str) or len(value) > 45:
            raise ValueError(value)
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput("idempotency_key must be a UUID", field="idempotency_key") from None


def _check_members(payload: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for name in payload:
        if name in allowed:
            continue
        if name in SERVER_SET:
            raise InvalidInput(f"{name} is set by the server and cannot be given", field=name)
        shown = str(name)[:80]
        raise InvalidInput(f"unknown field {shown!r}", field=shown)
    for name in REQUIRED:
        if payload.get(name) is None:
            raise InvalidInput(f"{name} is required", field=name)


def parse_incident(
    payload: Mapping[str, Any],
    now: dt.datetime,
    *,
    channel: Channel = Channel.OFFICER_APP,
    reporter_id: int | None = None,
) -> IncidentInput:
    """Check a report's JSON object (the shape in this module's docstring).

    Args:
        payload: the decoded JSON object.
        now: the current time (timezone-aware); ``occurred_at`` may lie at most an hour after it.
        channel: how the report arrived; only ``online_public`` accepts ``reporter_contact``.
        reporter_id: the reporting account, from the caller's authentication.

    Returns:
        The checked report.

    Raises:
        InvalidInput: not an object, an unknown or server-set member, a missing member, a wrong
            type, a non-finite or out-of-range coordinate, an unknown category, a bad or
            implausible ``occurred_at``, text too long, or a key that is not a UUID; ``field``
            names the member.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput("the report must be a JSON object", field="body")
    allowed = REQUIRED + OPTIONAL + (PUBLIC_ONLY if channel is Channel.ONLINE_PUBLIC else ())
    _check_members(payload, allowed)
    lon = _number(payload, "lon", 180)
    # A latitude beyond 90 with a longitude that would make a latitude: name lat, hint the swap.
    swapped = -90 <= lon <= 90 and _is_coordinate(payload["lat"], 180)
    lat = _number(payload, "lat", 90, " (are lon and lat swapped?)" if swapped else "")
    return IncidentInput(
        lon=lon,
        lat=lat,
        category=_category(payload["category"]),
        occurred_at=_occurred_at(payload["occurred_at"], now),
        channel=channel,
        idempotency_key=_key(payload["idempotency_key"]),
        severity=_severity(payload.get("severity")),
        description=_text(payload.get("description"), "description", MAX_DESCRIPTION),
        reporter_id=reporter_id,
        reporter_contact=_text(payload.get("reporter_contact"), "reporter_contact", MAX_CONTACT),
    )


def _bound(value: Any, column: Any) -> ColumnElement[Any]:
    """``value`` as a bound parameter cast to ``column``'s type (NULL typed too)."""
    if value is None:
        return cast(null(), column.type)
    return cast(literal(value, column.type), column.type)


def create_incident(
    session: Session,
    data: IncidentInput,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> tuple[Incident, bool]:
    """Store a report once: routed to its district, with its derived distances.

    One ``INSERT … SELECT … ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`` writes the
    row and computes the border distance and the nearest checkpoint and natural crossing in the
    same statement. When the key is already stored (a retry, possibly concurrent with the first
    copy), nothing is written and the stored incident is returned as it is: a replay with the
    same key but different content gets the original, unchanged. A new incident gets its first
    ``incident_event`` ("created", to status ``new``, by the reporter). The session is flushed,
    not committed.

    Args:
        session: open session; the caller commits.
        data: the checked report.
        max_distance_m: how far beyond the parallel areas a point across the border is routed.

    Returns:
        The incident and whether this call created it (``False`` for a replay).

    Raises:
        OutsideWatchArea: the point is outside the watch area (``distance_m`` says how far).
        Conflict: the key belongs to another reporter's report.
    """
    routing = route_point(session, data.lon, data.lat, max_distance_m)
    c = Incident.__table__.c
    pt = select(
        point(data.lon, data.lat).label("geom"),
        to_metric(point(data.lon, data.lat)).label("geom_m"),
    ).cte("pt")
    cp = nearest_checkpoint(pt.c.geom_m)
    nc = nearest_crossing(pt.c.geom_m)
    values: dict[str, ColumnElement[Any]] = {
        "idempotency_key": _bound(data.idempotency_key, c.idempotency_key),
        "category": _bound(data.category.value, c.category),
        "channel": _bound(data.channel.value, c.channel),
        "severity": _bound(data.severity, c.severity),
        "occurred_at": _bound(data.occurred_at, c.occurred_at),
        "description": _bound(data.description, c.description),
        "district_id": _bound(routing.district.id, c.district_id),
        "parallel_area_id": _bound(routing.parallel_area_id, c.parallel_area_id),
        "reporter_id": _bound(data.reporter_id, c.reporter_id),
        "reporter_contact": _bound(data.reporter_contact, c.reporter_contact),
        "border_distance_m": border_distance(pt.c.geom_m),
        "nearest_checkpoint_id": cp.c.id,
        "nearest_checkpoint_m": cp.c.distance_m,
        "nearest_crossing_id": nc.c.id,
        "nearest_crossing_m": nc.c.distance_m,
        "geom": pt.c.geom,
    }
    rows = select(*values.values()).select_from(pt).outerjoin(cp, true()).outerjoin(nc, true())
    statement = (
        pg_insert(Incident)
        .from_select(list(values), rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Incident.id)
    )
    new_id = session.execute(statement).scalar()
    if new_id is None:
        existing = session.execute(
            select(Incident).where(Incident.idempotency_key == data.idempotency_key)
        ).scalar_one()
        if existing.reporter_id != data.reporter_id:
            # Another account's key: answering with its report would disclose it.
            raise Conflict(
                "idempotency_key is already used by another report", field="idempotency_key"
            )
        return existing, False
    session.add(
        IncidentEvent(
            incident_id=new_id,
            actor_id=data.reporter_id,
            action="created",
            to_status=IncidentStatus.NEW,
        )
    )
    session.flush()
    return get_incident(session, new_id), True


def get_incident(session: Session, incident_id: int) -> Incident:
    """The incident with id ``incident_id``.

    Raises:
        NotFound: there is no such incident.
    """
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound("no such incident", field="id")
    return incident


def may_see(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether ``viewer`` may see ``incident``.

    Everyone sees the reports they made. Volunteers see nothing else; the other roles see the
    incidents of the districts in their scope (:func:`gis.accounts.scope_district_ids`).
    """
    if incident.reporter_id is not None and incident.reporter_id == viewer.id:
        return True
    if Role(viewer.role) is Role.VOLUNTEER:
        return False
    scope = scope_district_ids(session, viewer)
    return scope is None or incident.district_id in scope


def get_visible_incident(session: Session, incident_id: int, viewer: User) -> Incident:
    """The incident if ``viewer`` may see it.

    Raises:
        NotFound: no such incident, or one outside the viewer's scope (the same answer, so that
            ids outside one's scope reveal nothing).
    """
    incident = get_incident(session, incident_id)
    if not may_see(session, incident, viewer):
        raise NotFound("no such incident", field="id")
    return incident


__all__ = [
    "IncidentInput",
    "create_incident",
    "get_incident",
    "get_visible_incident",
    "may_see",
    "parse_incident",
]
