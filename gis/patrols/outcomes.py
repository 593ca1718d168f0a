"""What a patrol found at each stop, and which hotspots no patrol has visited lately.

An outcome (``POST /api/patrols/<id>/stops/<seq>/outcome``, :func:`record_outcome`) is one of
``visited``, ``nothing_found`` or ``incident_found``, with an optional note. ``incident_found``
stores a new incident through :func:`gis.incidents.reports.create_incident` (channel ``patrol``,
status ``new``, reported by the account recording it, at the stop unless ``lon``/``lat`` are
given) and links it to the stop (``patrol_stop.incident_id``). The stop's row is locked while it
is written, and once an incident is linked the stop keeps it: an outcome sent again (a retry from
a phone that lost the answer) gets the linked incident back, and any other outcome for that stop
is a conflict (the incident itself is triaged in the review queue). Other outcomes may be
corrected.

The incident's idempotency key is the one the client sends, or one derived from the stop and the
server's secret (:func:`stop_key`: an HMAC, so that nobody can work it out from the sequential
stop id). A key already held by another report must not block the patrol's record (a client's
key travels with its report, and anyone may file a public report under a key of their choice):
the incident is stored under the first of the client's key, the derived key and a random one
that no report holds yet (:func:`_store_found`).

Coverage (:func:`coverage_geojson`): the hotspots of the latest finished run covering the
viewer's districts, in the viewer's scope, that no stop with an outcome recorded in the last
:data:`COVERAGE_DAYS` days lies in (a stop of any plan, of this run or an older one, counts by
place: its point inside the hull, or its hotspot being this one).
"""

from __future__ import annotations

import datetime as dt
import hmac
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Numeric, cast, func, or_, select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Conflict, InvalidInput, NotFound
from gis.filters import in_bbox
from gis.geojson import EMPTY_COLLECTION, select_feature_collection
from gis.incidents.reports import IncidentInput, create_incident, parse_incident
from gis.models import Hotspot, Incident, PatrolStop, User
from gis.parsing import THAI_TIME, THAI_ZONE, parse_choice, refuse_unknown
from gis.patrols.plans import get_plan, hotspot_districts, latest_run_id
from gis.text import N_
from gis.types import BBox, Channel, StopOutcome

COVERAGE_DAYS = 14
MAX_NOTE = 2_000

OUTCOME_FIELDS = ("outcome", "note", "incident")
INCIDENT_FIELDS = (
    "category",
    "severity",
    "description",
    "occurred_at",
    "lon",
    "lat",
    "idempotency_key",
)


def stop_key(secret: bytes, stop_id: int) -> uuid.UUID:
    """The idempotency key of the incident found at a stop when the client sends none.

    Args:
        secret: the server's secret (the app's ``SECRET_KEY``): without it the key cannot be
            worked out from the stop id.
        stop_id: the stop.

    Returns:
        A version 4 UUID made of the first 122 bits of ``HMAC-SHA256(secret, "patrol-stop:<id>")``.
    """
    digest = hmac.digest(secret, f"patrol-stop:{stop_id}".encode(), "sha256")
    return uuid.UUID(bytes=digest[:16], version=4)


@dataclass(frozen=True, slots=True)
class RecordedOutcome:
    """The stop after its outcome, the incident found (if any) and whether it is new."""

    stop: PatrolStop
    incident: Incident | None
    incident_created: bool
    changed: bool


def _note(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_NOTE or "\x00" in value:
        raise InvalidInput(
            N_("note must be text of at most {max_note:,} characters"),
            field="note",
            max_note=MAX_NOTE,
        )
    return value.strip() or None


def _found_incident(
    payload: Any, lonlat: tuple[float, float], reporter: User, now: dt.datetime, key: uuid.UUID
) -> IncidentInput:
    if not isinstance(payload, Mapping):
        raise InvalidInput(
            N_("incident_found needs incident: {{category, ...}}"), field="incident.category"
        )
    refuse_unknown(payload, INCIDENT_FIELDS, prefix="incident.")
    report = {
        "lon": lonlat[0],
        "lat": lonlat[1],
        "occurred_at": now.isoformat(),
        "idempotency_key": str(key),
        **payload,
    }
    try:
        return parse_incident(report, now, channel=Channel.PATROL, reporter_id=reporter.id)
    except InvalidInput as exc:
        # the same message, naming the member inside the outcome (incident.category)
        raise InvalidInput(
            exc.template, **{**exc.values, "field": f"incident.{exc.field}"}
        ) from None


def _store_found(
    session: Session, data: IncidentInput, derived: uuid.UUID
) -> tuple[Incident, bool]:
    """Store the incident found at a stop under the first of its keys that no report holds.

    The stop is locked and has no incident yet, so a report already stored under one of the keys
    is never this stop's: it is someone else's (who may have learnt or guessed the key to block
    the record), or another report of the recorder's. Either way the key is passed over: the
    client's key, then ``derived`` (:func:`stop_key`), then a random one.

    Returns:
        The new incident and ``True`` (the tuple of :func:`create_incident`).
    """
    for key in dict.fromkeys((data.idempotency_key, derived, uuid.uuid4())):
        try:
            incident, created = create_incident(session, replace(data, idempotency_key=key))
        except Conflict:  # another account's report holds the key
            continue
        if created:
            return incident, True
    raise RuntimeError("every idempotency key of a found incident was taken")


def record_outcome(
    session: Session,
    plan_id: int,
    seq: int,
    payload: Any,
    recorder: User,
    now: dt.datetime,
    *,
    key_secret: bytes,
) -> RecordedOutcome:
    """Record what the patrol found at stop ``seq`` of plan ``plan_id`` (module docstring).

    Args:
        session: open session; flushed, the caller commits.
        plan_id: the plan.
        seq: the stop's number in the plan (1 first).
        payload: JSON object: ``outcome``, optional ``note``, and for ``incident_found``
            ``incident`` (``category`` and optional ``severity``, ``description``,
            ``occurred_at``, ``lon``, ``lat``, ``idempotency_key``).
        recorder: the account recording it (the caller checked its role).
        now: the current time.
        key_secret: the server's secret, for the key of a found incident (:func:`stop_key`).

    Returns:
        The outcome recorded.

    Raises:
        NotFound: no such plan in the recorder's scope, or no such stop (``seq``).
        InvalidInput: a bad member, named (``incident.<member>`` for the incident's).
        Conflict: the stop already has an incident and another outcome is sent.
        OutsideWatchArea: the incident's place lies outside the watch area.
    """
    plan = get_plan(session, plan_id, recorder)
    if not isinstance(payload, Mapping):
        raise InvalidInput(N_("the outcome must be a JSON object"), field="body")
    refuse_unknown(payload, OUTCOME_FIELDS)
    outcome = parse_choice(payload.get("outcome"), "outcome", StopOutcome)
    note = _note(payload.get("note"))
    if outcome is not StopOutcome.INCIDENT_FOUND and payload.get("incident") is not None:
        raise InvalidInput(N_("incident is only for incident_found"), field="incident")
    stop = session.execute(
        select(PatrolStop)
        .where(PatrolStop.plan_id == plan.id, PatrolStop.seq == seq)
        .with_for_update()
    ).scalar_one_or_none()
    if stop is None:
        raise NotFound(N_("the plan has no stop with this number"), field="seq")
    if stop.incident_id is not None:
        if outcome is not StopOutcome.INCIDENT_FOUND:
            raise Conflict(
                N_("an incident found at this stop is linked to it; triage it in the review queue"),
                current=StopOutcome.INCIDENT_FOUND.value,
                field="outcome",
            )
        return RecordedOutcome(stop, session.get(Incident, stop.incident_id), False, False)
    incident, created = None, False
    if outcome is StopOutcome.INCIDENT_FOUND:
        lonlat = session.execute(
            select(func.ST_X(PatrolStop.geom), func.ST_Y(PatrolStop.geom)).where(
                PatrolStop.id == stop.id
            )
        ).one()
        derived = stop_key(key_secret, stop.id)
        where = (float(lonlat[0]), float(lonlat[1]))
        data = _found_incident(payload.get("incident"), where, recorder, now, derived)
        incident, created = _store_found(session, data, derived)
    changed = stop.outcome != outcome or stop.note != note or incident is not None
    if changed:
        stop.outcome = outcome
        stop.note = note
        stop.outcome_at = now
        stop.outcome_by_id = recorder.id
        stop.incident_id = None if incident is None else incident.id
        session.flush()
    return RecordedOutcome(stop, incident, created, changed)


def outcome_json(recorded: RecordedOutcome) -> dict[str, Any]:
    stop = recorded.stop
    return {
        "plan_id": stop.plan_id,
        "seq": stop.seq,
        "outcome": None if stop.outcome is None else str(stop.outcome),
        "outcome_at": None
        if stop.outcome_at is None
        else stop.outcome_at.astimezone(THAI_TIME).isoformat(timespec="seconds"),
        "note": stop.note,
        "incident_id": stop.incident_id,
        "incident_created": recorded.incident_created,
    }


# --------------------------------------------------------------------------- coverage


def coverage_geojson(
    session: Session,
    viewer: User,
    bbox: BBox | None = None,
    *,
    now: dt.datetime | None = None,
    days: int = COVERAGE_DAYS,
) -> str:
    """Hotspots of the latest run in the viewer's scope with no patrol in the last ``days``.

    Returns:
        FeatureCollection JSON text: hulls with ``id``, ``rank``, ``score``, ``n_incidents``,
        ``run_id`` and ``last_patrolled`` (the last outcome at it ever, Thai time, or null).
    """
    now = now or dt.datetime.now(dt.UTC)
    scope = scope_district_ids(session, viewer)
    run = latest_run_id(session, scope=scope, visible_to=scope)
    if run is None:
        return EMPTY_COLLECTION
    ids = list(session.execute(select(Hotspot.id).where(Hotspot.run_id == run)).scalars())
    if scope is not None:
        districts = hotspot_districts(session, ids)
        ids = [i for i in ids if set(districts[i]) & scope]
    if not ids:
        return EMPTY_COLLECTION
    at_hotspot = or_(
        PatrolStop.hotspot_id == Hotspot.id, func.ST_Intersects(PatrolStop.geom, Hotspot.hull)
    )
    last = (
        select(func.max(PatrolStop.outcome_at))
        .where(PatrolStop.outcome.is_not(None), at_hotspot)
        .scalar_subquery()
    )
    properties = func.json_build_object(
        "id", Hotspot.id,
        "title", func.concat("Hotspot no. ", Hotspot.rank, ": no patrol for ", days, " days"),
        "run_id", Hotspot.run_id,
        "rank", Hotspot.rank,
        "score", func.round(cast(Hotspot.score, Numeric), 3),
        "n_incidents", Hotspot.n_incidents,
        "last_patrolled",
        func.to_char(func.timezone(THAI_ZONE, last), 'YYYY-MM-DD"T"HH24:MI"+07:00"'),
        "days", days,
    )  # fmt: skip
    rows = (
        select(Hotspot.id, Hotspot.rank, Hotspot.hull, properties.label("properties"))
        .where(Hotspot.id.in_(ids), in_bbox(Hotspot.hull, bbox))
        .where(func.coalesce(last < now - dt.timedelta(days=days), True))
        .subquery("f")
    )
    collection = select_feature_collection(
        rows,
        id=rows.c.id,
        geometry=func.ST_AsGeoJSON(rows.c.hull, 6),
        properties=rows.c.properties,
        order_by=(rows.c.rank,),
    )
    return session.execute(collection).scalar_one()
