"""Incident reports: parsing a report at the edge and storing it once, routed and measured.

The JSON shape of a report (``POST /api/incidents``; the same object for every channel)::

    {
      "lon": 102.5066,                 # required, EPSG:4326 degrees, -180..180
      "lat": 13.6928,                  # required, EPSG:4326 degrees, -90..90
      "category": "smuggling",         # required, one of IncidentCategory
      "occurred_at": "2026-11-21T06:30:00+07:00",  # required, RFC 3339 with an offset
      "idempotency_key": "0b6f…",      # required, a UUID made by the client, one per report
      "severity": 3,                   # optional, integer 1..5 (default 3)
      "description": "…",              # optional, at most 5,000 characters
      "location_accuracy_m": 12.5      # optional, 0..100000: the phone's accuracy when the
    }                                  # place came from its location (GPS), in metres

The location is the top-level ``lon`` / ``lat`` pair and nothing else (no GeoJSON ``geometry``
member). Any other member is refused, naming it: the district, status, reporter and id are set by
the server. ``reporter_contact`` is accepted only on the citizens' channels (the public form,
the MWCC desk and the hotline: :data:`CONTACT_CHANNELS`).

Storing (:func:`store_incident`, :func:`create_incident`) is one SQL statement for a new report:
the routing of :func:`gis.reference.districts.route_cte` (the rules that
:func:`gis.reference.districts.route_point` runs for one point), an ``INSERT … SELECT … ON
CONFLICT (idempotency_key) DO NOTHING`` that also derives the border distance and the nearest
checkpoint and natural crossing (:mod:`gis.reference.measure`), the first audit event, and the
district's names for the answer. The unique idempotency key, not a prior lookup,
keeps a retried report from being stored twice, also when the copies arrive at the same time.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Double,
    Integer,
    bindparam,
    cast,
    column,
    exists,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, psycopg2
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.db import SRID
from gis.errors import Conflict, InvalidInput, NotFound
from gis.filters import scope_covers
from gis.models import District, Incident, IncidentEvent, Province, User
from gis.parsing import (
    parse_choice,
    parse_instant,
    parse_integer,
    parse_number,
    parse_text,
    refuse_unknown,
)
from gis.reference.districts import DEFAULT_MAX_DISTANCE_M, refuse_far, route_cte, route_point
from gis.reference.measure import border_distance, nearest_checkpoint, nearest_crossing, to_metric
from gis.text import N_
from gis.types import Channel, DistrictRef, IncidentCategory, IncidentStatus, Role

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
OPTIONAL = ("severity", "description", "location_accuracy_m")
#: The worst accuracy of a place that is stored (metres): beyond it, a fix is no fix.
MAX_ACCURACY_M = 100_000
#: Members only the citizens' channels may send.
PUBLIC_ONLY = ("reporter_contact",)
#: The channels of reports made by (or on behalf of) a citizen, who may leave a contact (a LINE
#: report's contact is its sender's LINE user id: :mod:`gis.linechat`).
CONTACT_CHANNELS = frozenset(
    {Channel.ONLINE_PUBLIC, Channel.MWCC_WALK_IN, Channel.HOTLINE, Channel.LINE}
)
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
    location_accuracy_m: float | None = None


def _is_coordinate(value: Any, limit: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and -limit <= value <= limit  # False for NaN and infinities
    )


def parse_category(value: Any) -> IncidentCategory:
    """An incident's ``category`` (a code of :class:`~gis.types.IncidentCategory`).

    Raises:
        InvalidInput: (``category``) not one of the codes.
    """
    return parse_choice(value, "category", IncidentCategory)


def parse_occurred_at(value: Any, now: dt.datetime) -> dt.datetime:
    """When an incident happened: an RFC 3339 date-time with an offset, at most
    :data:`FUTURE_TOLERANCE` after ``now`` and not before :data:`EARLIEST`.

    Raises:
        InvalidInput: (``occurred_at``) malformed, impossible or implausible.
    """
    field = "occurred_at"
    when = parse_instant(value, field)
    if when > now + FUTURE_TOLERANCE:
        raise InvalidInput(N_("{field} lies more than an hour in the future"), field=field)
    if when < EARLIEST:
        raise InvalidInput(N_("{field} lies before 2000-01-01"), field=field)
    return when


def parse_severity(value: Any) -> int:
    """An incident's ``severity``: an integer from 1 to 5, :data:`DEFAULT_SEVERITY` when ``None``.

    Raises:
        InvalidInput: (``severity``) anything else.
    """
    return DEFAULT_SEVERITY if value is None else parse_integer(value, "severity", 1, 5)


def _key(value: Any) -> uuid.UUID:
    try:
        if not isinstance(value, str) or len(value) > 45:
            raise ValueError(value)
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(N_("idempotency_key must be a UUID"), field="idempotency_key") from None


def _check_members(payload: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for name in payload:
        if name in SERVER_SET and name not in allowed:
            raise InvalidInput(N_("{field} is set by the server and cannot be given"), field=name)
    refuse_unknown(payload, allowed)
    for name in REQUIRED:
        if payload.get(name) is None:
            raise InvalidInput(N_("{field} is required"), field=name)


#: A latitude out of range that looks like a longitude.
_SWAPPED = N_("{field} must be between {low} and {high} (are lon and lat swapped?)")


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
        channel: how the report arrived; only :data:`CONTACT_CHANNELS` accept
            ``reporter_contact``.
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
        raise InvalidInput(N_("the report must be a JSON object"), field="body")
    allowed = REQUIRED + OPTIONAL + (PUBLIC_ONLY if channel in CONTACT_CHANNELS else ())
    _check_members(payload, allowed)
    lon = parse_number(payload["lon"], "lon", -180, 180)
    # A latitude beyond 90 with a longitude that would make a latitude: name lat, hint the swap.
    swapped = -90 <= lon <= 90 and _is_coordinate(payload["lat"], 180)
    lat = parse_number(payload["lat"], "lat", -90, 90, out_of_range=_SWAPPED if swapped else None)
    return IncidentInput(
        lon=lon,
        lat=lat,
        category=parse_category(payload["category"]),
        occurred_at=parse_occurred_at(payload["occurred_at"], now),
        channel=channel,
        idempotency_key=_key(payload["idempotency_key"]),
        severity=parse_severity(payload.get("severity")),
        description=parse_text(payload.get("description"), "description", MAX_DESCRIPTION),
        reporter_id=reporter_id,
        reporter_contact=parse_text(
            payload.get("reporter_contact"), "reporter_contact", MAX_CONTACT
        ),
        location_accuracy_m=parse_accuracy(payload.get("location_accuracy_m")),
    )


def parse_accuracy(value: Any) -> float | None:
    """A report's ``location_accuracy_m``: metres from 0 to :data:`MAX_ACCURACY_M`, or ``None``.

    Raises:
        InvalidInput: (``location_accuracy_m``) not a number, not finite, or out of range.
    """
    if value is None:
        return None
    return parse_number(value, "location_accuracy_m", 0, MAX_ACCURACY_M)


@dataclass(frozen=True, slots=True)
class StoredIncident:
    """What storing a report gives: the incident, its district and whether it is new."""

    incident: Incident
    district: DistrictRef
    created: bool
    #: The ids of the district's active coordinators, read with a new report (``None`` for a
    #: replay: not read then), for :func:`gis.notify.outbox.notify_new_report`.
    coordinators: tuple[int, ...] | None = None


@dataclass(frozen=True, slots=True)
class StoredReport:
    """:class:`StoredIncident` with the incident as a row of its columns (attribute access by
    column name, e.g. ``row.id``, ``row.geom``), not an ORM object: for a caller that only reads
    the values (the API's answer), without the ORM's loading and identity map."""

    incident: Any  # sqlalchemy Row with the columns of Incident.__table__
    district: DistrictRef
    created: bool
    coordinators: tuple[int, ...] | None = None  # as StoredIncident's


def _param(name: str, column: Any) -> ColumnElement[Any]:
    """Bound parameter ``name`` cast to ``column``'s type (so that NULL is typed too)."""
    return cast(bindparam(name, type_=column.type), column.type)


def _district_columns() -> list[ColumnElement[Any]]:
    """The district's columns after its id, in the order of :class:`DistrictRef`."""
    return [
        District.pcode.label("district_pcode"),
        District.name.label("district_name"),
        District.name_th.label("district_name_th"),
        Province.name.label("district_province"),
        Province.name_th.label("district_province_th"),
        District.target.label("district_target"),
    ]


@functools.cache
def _create_statement() -> Any:
    """The statement that stores a report (run prepared, see :func:`_prepared`).

    ``WITH pt`` (the point and its metric copy), the routing CTEs of
    :func:`gis.reference.districts.route_cte`, ``ins`` (``INSERT … SELECT … ON CONFLICT
    (idempotency_key) DO NOTHING RETURNING *`` with the border distance and the nearest
    checkpoint and natural crossing) and ``ev`` (the first ``incident_event``, from ``ins``), then
    one row: whether the point was routed, the new incident (NULL when the key was already
    stored), the ids of its district's active coordinators (who are told of it: read here, not in
    another round trip) and its district and province names.
    """
    c = Incident.__table__.c
    where = func.ST_SetSRID(
        func.ST_MakePoint(bindparam("lon", type_=Double), bindparam("lat", type_=Double)), SRID
    )
    pt = select(where.label("geom"), to_metric(where).label("geom_m")).cte("pt")
    route = route_cte(pt, bindparam("max_distance_m", type_=Double))
    cp = nearest_checkpoint(pt.c.geom_m)
    nc = nearest_crossing(pt.c.geom_m)
    values: dict[str, ColumnElement[Any]] = {
        name: _param(name, c[name])
        for name in (
            "idempotency_key",
            "category",
            "channel",
            "severity",
            "occurred_at",
            "description",
            "reporter_id",
            "reporter_contact",
            "location_accuracy_m",
        )
    }
    values |= {
        "district_id": route.c.district_id,
        "parallel_area_id": route.c.parallel_area_id,
        "border_distance_m": border_distance(pt.c.geom_m),
        "nearest_checkpoint_id": cp.c.id,
        "nearest_checkpoint_m": cp.c.distance_m,
        "nearest_crossing_id": nc.c.id,
        "nearest_crossing_m": nc.c.distance_m,
        "geom": pt.c.geom,
    }
    rows = (
        select(*values.values())
        .select_from(pt)
        .join(route, true())
        .outerjoin(cp, true())
        .outerjoin(nc, true())
    )
    ins = (
        pg_insert(Incident)
        .from_select(list(values), rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(*c)
        .cte("ins")
    )
    e = IncidentEvent.__table__.c
    ev = (
        insert(IncidentEvent)
        .from_select(
            ["incident_id", "actor_id", "action", "to_status"],
            select(
                ins.c.id,
                ins.c.reporter_id,
                cast(literal("created"), e.action.type),
                cast(literal(IncidentStatus.NEW.value), e.to_status.type),
            ),
        )
        .cte("ev")
    )
    routed = select(exists(select(route.c.district_id)).label("routed")).subquery("routed")
    new = ins.join(District, District.id == ins.c.district_id).join(
        Province, Province.id == District.province_id
    )
    coordinators = (
        select(func.array_agg(aggregate_order_by(User.id, User.id)))
        .where(User.role == Role.COORDINATOR, User.district_id == ins.c.district_id, User.is_active)
        .scalar_subquery()
        .label("coordinators")
    )
    district = _district_columns()
    statement = (
        select(*ins.c, routed.c.routed, coordinators, *district)
        .select_from(routed)
        .outerjoin(new, true())
        .add_cte(ev)
    )
    return statement


@dataclass(frozen=True, slots=True)
class _Prepared:
    """The store statement as a server-side prepared statement of each connection."""

    prepare: str  # PREPARE … AS <the statement>, once per connection
    execute: Any  # ORM statement: EXECUTE …(:lon, :lat, …) loading an Incident and extras
    execute_row: Any  # the same EXECUTE as a Core statement: one row of columns, no ORM object


#: Name of the prepared statement on each connection.
PREPARED_NAME = "borderwatch_store_incident"
_PREPARED_KEY = "borderwatch.store_incident_prepared"


@functools.cache
def _prepared() -> _Prepared:
    """:func:`_create_statement` compiled once into ``PREPARE``/``EXECUTE``.

    PostgreSQL plans a statement of this size in about as much time as it runs it. Prepared, with
    the statement's constants (SRIDs, limits, vocabulary values) written into it and only the
    report's values as parameters, it gets a generic plan after a few runs (PostgreSQL's own
    choice) that keeps every index lookup, and a report skips the planning. The SQL is
    SQLAlchemy's compilation of the statement; parameter types come from its bound parameters.
    """
    dialect = psycopg2.dialect(paramstyle="numeric_dollar")
    compiled = _create_statement().compile(dialect=dialect)
    names = list(dict.fromkeys(compiled.positiontup or ()))  # $1, $2, … in order
    binds = [compiled.binds[name] for name in names]
    values = [i for i, b in enumerate(binds) if b.required]  # the report's values
    number = {i: n for n, i in enumerate(values, start=1)}

    def inline(match: re.Match[str]) -> str:
        i = int(match.group(1)) - 1
        if i in number:
            return f"${number[i]}"
        render = binds[i].type.literal_processor(dialect)
        if render is None:
            raise TypeError(f"cannot write the constant {names[i]} into the statement")
        return str(render(binds[i].value))

    sql = re.sub(r"\$(\d+)\b", inline, str(compiled))
    types = ", ".join(dialect.type_compiler_instance.process(binds[i].type) for i in values)
    placeholders = ", ".join(f":{names[i]}" for i in values)
    district = _district_columns()
    textual = (
        text(f"EXECUTE {PREPARED_NAME}({placeholders})")
        .bindparams(*(bindparam(names[i], type_=binds[i].type) for i in values))
        .columns(
            *Incident.__table__.c,
            column("routed", Boolean),
            column("coordinators", ARRAY(Integer)),
            *(column(c.name, c.type) for c in district),
        )
    )
    returned = textual.selected_columns
    return _Prepared(
        prepare=f"PREPARE {PREPARED_NAME} ({types}) AS {sql}",
        execute=select(
            Incident,
            returned.routed,
            returned.coordinators,
            *(returned[c.name] for c in district),
        ).from_statement(textual),
        execute_row=textual,
    )


def _run_store(session: Session, params: dict[str, Any], orm: bool = True) -> Any:
    """Run the store statement (prepared on the session's connection on first use): the
    ``Incident`` (``orm``) or a row of its columns, then ``routed``, ``coordinators`` and the
    district's columns."""
    prepared = _prepared()
    connection = session.connection()
    if not connection.info.get(_PREPARED_KEY):
        connection.exec_driver_sql(prepared.prepare)  # outlives a rollback: not transactional
        connection.info[_PREPARED_KEY] = True
    if orm:
        return session.execute(prepared.execute, params).one()
    # A row, not an ORM object: on the session's connection, without the ORM's execution path
    # (its compile state and events cost about as much as the statement's own Python). The
    # autoflush that session.execute would do comes first, so pending rows are visible to it.
    session.flush()
    return connection.execute(prepared.execute_row, params).one()


def store_incident(
    session: Session,
    data: IncidentInput,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> StoredIncident:
    """Store a report once, routed to its district, with its derived distances, in one statement.

    A new report costs one SQL statement (:func:`_create_statement`, prepared on each connection
    the first time: :func:`_prepared`): the district is found by polygon (a point across the
    border goes to the target district of the parallel area that contains it or lies nearest,
    within ``max_distance_m``: :func:`gis.reference.districts.route_cte`), the row is inserted
    with ``ON CONFLICT (idempotency_key) DO NOTHING`` together with the border
    distance and the nearest checkpoint and natural crossing, the first ``incident_event``
    ("created", to status ``new``, by the reporter) is inserted from the new row, and the district
    and province names come back with it. The unique key, not a prior lookup, keeps a retried
    report from being stored twice, also when the copies arrive at the same time: when the key is
    already stored nothing is written and the stored incident is returned unchanged (a second
    query, on that path only). A point outside the watch area is refused; its distance to the
    service area is measured then (a second query, on that path only). The session is flushed,
    not committed.

    Args:
        session: open session; the caller commits.
        data: the checked report.
        max_distance_m: how far beyond the parallel areas a point across the border is routed.

    Returns:
        The incident, its district and whether this call created it (``False`` for a replay).

    Raises:
        OutsideWatchArea: the point is outside the watch area (``distance_m`` says how far).
        Conflict: the key belongs to another reporter's report.
    """
    incident, created, district, coordinators = _store(session, data, max_distance_m, orm=True)
    return StoredIncident(incident, district, created, coordinators)


def store_report(
    session: Session,
    data: IncidentInput,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> StoredReport:
    """:func:`store_incident` (the same statement, checks and errors) giving the incident as a row
    of its columns instead of an ORM ``Incident``: for a caller that only reads it."""
    row, created, district, coordinators = _store(session, data, max_distance_m, orm=False)
    return StoredReport(row, district, created, coordinators)


def _store(
    session: Session, data: IncidentInput, max_distance_m: float, orm: bool
) -> tuple[Any, bool, DistrictRef, tuple[int, ...] | None]:
    """The stored incident (``Incident`` if ``orm``, else a row of its columns), whether this call
    created it, its district and, for a new report, its district's active coordinators: the body
    of :func:`store_incident`."""
    params = {
        "lon": data.lon,
        "lat": data.lat,
        "max_distance_m": float(max_distance_m),
        "idempotency_key": data.idempotency_key,
        "category": data.category.value,
        "channel": data.channel.value,
        "severity": data.severity,
        "occurred_at": data.occurred_at,
        "description": data.description,
        "reporter_id": data.reporter_id,
        "reporter_contact": data.reporter_contact,
        "location_accuracy_m": data.location_accuracy_m,
    }
    refuse_far(session, data.lon, data.lat)  # before the statement projects the point
    found = _run_store(session, params, orm)
    if orm:
        incident, routed, coordinators, *district = found
    else:
        columns = len(Incident.__table__.c)
        incident = found if found.id is not None else None
        routed, coordinators = found[columns], found[columns + 1]
        district = found[columns + 2 :]
    if incident is not None:
        ids = tuple(coordinators or ())
        return incident, True, DistrictRef(incident.district_id, *district), ids
    if not routed:
        route_point(session, data.lon, data.lat, max_distance_m)  # raises OutsideWatchArea
        raise RuntimeError(f"routing of ({data.lon}, {data.lat}) disagrees with route_point")
    stored = Incident if orm else Incident.__table__
    existing = session.execute(
        select(stored, *_district_columns())
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .where(Incident.idempotency_key == data.idempotency_key)
    ).one()
    if orm:
        existing, *district = existing
    else:
        district = list(existing[len(Incident.__table__.c) :])
    if existing.reporter_id != data.reporter_id:
        # Another account's key: answering with its report would disclose it.
        raise Conflict(
            N_("idempotency_key is already used by another report"), field="idempotency_key"
        )
    return existing, False, DistrictRef(existing.district_id, *district), None


def create_incident(
    session: Session,
    data: IncidentInput,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
) -> tuple[Incident, bool]:
    """Store a report once: routed to its district, with its derived distances.

    :func:`store_incident` without the district: one statement for a new report.

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
    stored = store_incident(session, data, max_distance_m)
    return stored.incident, stored.created


def get_incident(session: Session, incident_id: int) -> Incident:
    """The incident with id ``incident_id``.

    Raises:
        NotFound: there is no such incident.
    """
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFound(N_("no such incident"), field="id")
    return incident


def may_see(session: Session, incident: Incident, viewer: User) -> bool:
    """Whether ``viewer`` may see ``incident``.

    Everyone sees the reports they made. Volunteers see nothing else; the other roles see the
    incidents of the districts in their scope (:func:`gis.accounts.scope.scope_district_ids`).
    """
    if incident.reporter_id is not None and incident.reporter_id == viewer.id:
        return True
    if Role(viewer.role) is Role.VOLUNTEER:
        return False
    return scope_covers(scope_district_ids(session, viewer), incident.district_id)


def get_visible_incident(session: Session, incident_id: int, viewer: User) -> Incident:
    """The incident if ``viewer`` may see it.

    Raises:
        NotFound: no such incident, or one outside the viewer's scope (the same answer, so that
            ids outside one's scope reveal nothing).
    """
    incident = get_incident(session, incident_id)
    if not may_see(session, incident, viewer):
        raise NotFound(N_("no such incident"), field="id")
    return incident


__all__ = [
    "IncidentInput",
    "StoredIncident",
    "create_incident",
    "get_incident",
    "get_visible_incident",
    "may_see",
    "parse_category",
    "parse_incident",
    "parse_occurred_at",
    "parse_severity",
    "store_incident",
]
