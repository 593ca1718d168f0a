"""Reports taken at the MWCC desk or on the hotline, on a citizen's behalf.

A citizen walks into the district's coordination centre (channel ``mwcc_walk_in``) or calls it
(``hotline``); a coordinator or officer of the district records the report with the fields and
checks of the public report (:func:`gis.incidents.reports.parse_incident`, the contact included),
the channel, and the citizen's consent to status updates at the contact they gave. The report
gets a receipt code like a public one (:func:`gis.incidents.public.give_receipt_code`), so that
the citizen follows it on the public status page, and enters the review queue as ``new``,
marked with its channel and the account that took it (``incident.taken_by_id``; the first
``incident_event``'s actor).

Only the district's staff record for it: the place must route to a district of the taker's
scope, or the report is refused naming ``lon`` before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gis.filters import scope_covers
from gis.incidents.public import give_receipt_code, same_submission
from gis.incidents.reports import IncidentInput, create_incident, parse_incident
from gis.models import CoordinationCentre, District, Incident, IncidentEvent, User
from gis.parsing import parse_choice
from gis.reference.districts import DEFAULT_MAX_DISTANCE_M, route_point
from gis.text import N_
from gis.types import Channel, Role

#: The channels of reports taken on a citizen's behalf.
DESK_CHANNELS = (Channel.MWCC_WALK_IN, Channel.HOTLINE)
#: The roles that take reports at the desk and on the hotline, for their district.
DESK_ROLES = frozenset({Role.COORDINATOR, Role.OFFICER})
#: The members of a desk report beyond those of a public report.
DESK_ONLY = ("channel", "updates_consent")


@dataclass(frozen=True, slots=True)
class DeskReport:
    """A checked desk report: the citizen's report and their consent to status updates."""

    report: IncidentInput
    updates_consent: bool


@dataclass(frozen=True, slots=True)
class Slip:
    """What a receipt slip prints: the code, the report's day and channel, and the centre."""

    incident_id: int
    receipt_code: str
    channel: Channel
    reported_at: dt.datetime
    district: str
    district_th: str
    centre: str | None
    centre_phone: str | None
    taken_by_id: int | None


@dataclass(frozen=True, slots=True)
class DeskDistrict:
    """The district a desk records for: its names, its centre's and a point inside it."""

    id: int
    name: str
    name_th: str
    centre: str | None
    centre_phone: str | None
    lon: float
    lat: float


def desk_district(session: Session, taker: User) -> DeskDistrict:
    """The district the account records reports for (its district), for the form.

    Raises:
        Forbidden: the account does not take reports at the desk.
    """
    if not may_take_reports(taker) or taker.district_id is None:
        raise Forbidden(N_("only the district's coordinators and officers take reports"))
    inside = func.ST_PointOnSurface(District.geom)
    row = session.execute(
        select(
            District.id,
            District.name,
            District.name_th,
            CoordinationCentre.name,
            CoordinationCentre.phone,
            func.ST_X(inside),
            func.ST_Y(inside),
        )
        .outerjoin(CoordinationCentre, CoordinationCentre.district_id == District.id)
        .where(District.id == taker.district_id)
    ).one()
    ident, name, name_th, centre, phone, lon, lat = row
    return DeskDistrict(ident, name, name_th, centre, phone, float(lon), float(lat))


def may_take_reports(user: User) -> bool:
    """Whether the account records reports on a citizen's behalf (active coordinators and
    officers)."""
    return bool(user.is_active) and Role(user.role) in DESK_ROLES


def parse_desk_report(payload: Mapping[str, Any], now: dt.datetime) -> DeskReport:
    """Check a desk report: a public report's members (:func:`parse_incident`, with its contact
    rules) plus ``channel`` (``mwcc_walk_in`` or ``hotline``) and ``updates_consent`` (a boolean,
    true only with a contact).

    Args:
        payload: the report as an object (the form's :func:`webapp` schema makes it).
        now: the current time (timezone-aware).

    Returns:
        The checked report of that channel.

    Raises:
        InvalidInput: any member of :func:`parse_incident`'s, a missing or other ``channel``,
            an ``updates_consent`` that is not a boolean or without a contact; ``field`` names it.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput(N_("the report must be a JSON object"), field="body")
    raw_channel = payload.get("channel")
    if raw_channel is None:
        raise InvalidInput(N_("{field} is required"), field="channel")
    channel = parse_choice(raw_channel, "channel", Channel)
    if channel not in DESK_CHANNELS:
        raise InvalidInput(N_("{field} must be a walk-in or the hotline"), field="channel")
    consent = payload.get("updates_consent", False)
    if not isinstance(consent, bool):
        raise InvalidInput(N_("{field} must be true or false"), field="updates_consent")
    rest = {k: v for k, v in payload.items() if k not in DESK_ONLY}
    report = parse_incident(rest, now, channel=channel)
    if consent and report.reporter_contact is None:
        raise InvalidInput(
            N_("{field}: updates need a contact to be sent to"), field="updates_consent"
        )
    return DeskReport(report=report, updates_consent=consent)


def record_desk_report(
    session: Session,
    desk: DeskReport,
    taker: User,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> tuple[Incident, str]:
    """Store a report taken on a citizen's behalf and give it a receipt code.

    The place is routed first: a place outside the taker's districts is refused before
    anything is written. The report is then stored by :func:`create_incident` (routed, measured,
    ``new``), marked with the account that took it (also the actor of its first event) and the
    citizen's consent, and given a receipt code. A replay of the same idempotency key by the
    same account with the same content (a form sent twice) returns the stored report and code.
    The session is flushed, not committed.

    Args:
        session: open session; the caller commits.
        desk: the checked report (:func:`parse_desk_report`).
        taker: the signed-in account that records it.
        max_distance_m: how far beyond the parallel areas a point across the border is routed.

    Returns:
        The incident and its receipt code.

    Raises:
        Forbidden: the account does not take reports at the desk.
        OutsideWatchArea: the place is outside the watch area.
        InvalidInput: (``lon``) the place routes to a district outside the taker's scope.
        Conflict: the idempotency key belongs to another report.
    """
    if not may_take_reports(taker):
        raise Forbidden(N_("only the district's coordinators and officers take reports"))
    data = desk.report
    if data.channel not in DESK_CHANNELS or data.reporter_id is not None:
        raise ValueError("a desk report is anonymous and of a desk channel")
    routing = route_point(session, data.lon, data.lat, max_distance_m)
    if not scope_covers(scope_district_ids(session, taker), routing.district.id):
        raise InvalidInput(
            N_("{field}: the place lies in {district}, not in your district"),
            field="lon",
            district=routing.district.name,
        )
    incident, created = create_incident(session, data, max_distance_m)
    if not created:
        if not (
            incident.channel == data.channel
            and incident.taken_by_id == taker.id
            and incident.receipt_code is not None
            and incident.updates_consent == desk.updates_consent
            and same_submission(incident, data)
        ):
            raise Conflict(
                N_("idempotency_key is already used by another report"), field="idempotency_key"
            )
        return incident, incident.receipt_code
    incident.taken_by_id = taker.id
    incident.updates_consent = desk.updates_consent
    session.execute(
        update(IncidentEvent)
        .where(IncidentEvent.incident_id == incident.id, IncidentEvent.action == "created")
        .values(actor_id=taker.id)
    )
    return incident, give_receipt_code(session, incident)


@dataclass(frozen=True, slots=True)
class Taker:
    """The account that took a report on a citizen's behalf: its role and user name."""

    role: Role
    username: str


def taker_of(session: Session, incident: Incident) -> Taker | None:
    """Who took the report at the desk or on the hotline; ``None`` for other reports.

    Whether the name may be shown is the caller's decision (the triage pages show it where they
    show the staff's names).
    """
    if incident.taken_by_id is None:
        return None
    row = session.execute(
        select(User.role, User.username).where(User.id == incident.taken_by_id)
    ).one()
    return Taker(Role(row.role), row.username)


def may_print_slip(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether the viewer prints the incident's receipt slip: a report taken at the desk or on
    the hotline, by the viewer, or in the district of a coordinator who takes reports there."""
    if incident.taken_by_id is None or incident.receipt_code is None:
        return False
    if not may_take_reports(viewer):
        return False
    if incident.taken_by_id == viewer.id:
        return True
    return Role(viewer.role) is Role.COORDINATOR and scope_covers(
        scope_district_ids(session, viewer), incident.district_id
    )


def receipt_slip(session: Session, incident_id: int, viewer: User) -> Slip:
    """The receipt slip of a report taken on a citizen's behalf, for those who print it
    (:func:`may_print_slip`).

    Raises:
        NotFound: no such report, not a desk report, or one the viewer may not print (the same
            answer).
    """
    incident = session.get(Incident, incident_id)
    if incident is None or not may_print_slip(session, incident, viewer):
        raise NotFound(N_("no such incident"), field="id")
    district, district_th, centre, phone = session.execute(
        select(District.name, District.name_th, CoordinationCentre.name, CoordinationCentre.phone)
        .outerjoin(CoordinationCentre, CoordinationCentre.district_id == District.id)
        .where(District.id == incident.district_id)
    ).one()
    return Slip(
        incident_id=incident.id,
        receipt_code=incident.receipt_code or "",  # set: may_print_slip
        channel=Channel(incident.channel),
        reported_at=incident.reported_at,
        district=district,
        district_th=district_th,
        centre=centre,
        centre_phone=phone,
        taken_by_id=incident.taken_by_id,
    )


__all__ = [
    "DESK_CHANNELS",
    "DESK_ROLES",
    "DeskDistrict",
    "DeskReport",
    "Slip",
    "Taker",
    "desk_district",
    "may_print_slip",
    "may_take_reports",
    "parse_desk_report",
    "receipt_slip",
    "record_desk_report",
    "taker_of",
]
