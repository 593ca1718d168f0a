"""Small builders of test data: one incident, one account, a district, GeoJSON pieces.

``make_incident`` puts a row where the test says (a seeded district by name, a point in it), as a
test of queries and pages sets up its world; ``report_incident`` stores one as the app stores a
report (routed to its district, measured, with its first event). Both flush and never commit:
the caller's transaction (rolled back after each test, or committed by a browser test's own
session) decides. ``stall_job`` commits: it stages a worker's death for the job queue's tests;
``jobs_made_here`` deletes, when its block ends, the job queue's rows the block made.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from geoalchemy2.elements import WKTElement
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.incidents.reports import IncidentInput, create_incident
from gis.models import District, Incident, IncidentEvent, User
from gis.types import Channel, IncidentCategory, IncidentStatus, Role

#: The password of every account ``make_user`` creates.
PASSWORD = "correct horse battery"

#: A valid scope per role (Chiang Khong is target district no. 1, in Chiang Rai).
SCOPE: dict[Role, dict[str, str]] = {
    Role.ADMINISTRATOR: {},
    Role.HQ_ANALYST: {},
    Role.PATROL_PLANNER: {"province": "TH57"},
    Role.COORDINATOR: {"district": "TH5703"},
    Role.OFFICER: {"district": "TH5703"},
    Role.VOLUNTEER: {"district": "TH5703"},
}


def district(session: Session, name: str) -> District:
    """A seeded district by its English name."""
    return session.execute(select(District).where(District.name == name)).scalar_one()


def inside(session: Session, name: str) -> tuple[float, float]:
    """A point inside the named district (lon, lat)."""
    point = func.ST_PointOnSurface(District.geom)
    lon, lat = session.execute(
        select(func.ST_X(point), func.ST_Y(point)).where(District.name == name)
    ).one()
    return float(lon), float(lat)


def make_user(
    session: Session, role: Role, username: str | None = None, password: str = PASSWORD, **scope
) -> User:
    """An active account of ``role`` with a valid scope (overridable), flushed."""
    return accounts.create_user(
        session,
        username or f"test-{role.value.replace('_', '-')}",
        None,
        password,
        role,
        **(scope or SCOPE[role]),
    )


def make_incident(
    session: Session,
    *,
    district_name: str = "Aranyaprathet",
    where: tuple[float, float] | None = None,
    reporter: User | None = None,
    with_event: bool = False,
    **overrides: Any,
) -> Incident:
    """An incident of a seeded district, flushed; not routed (the district is the one named).

    Args:
        session: Where to add it.
        district_name: The district's English name.
        where: Its point (lon, lat); by default a point inside the district.
        reporter: The account that reported it (default: none).
        with_event: Also add the ``created`` event the app writes with a report.
        **overrides: Other columns of ``incident``; by default a smuggling report of the
            officer app, occurred three hours ago, status ``new``.
    """
    lon, lat = where or inside(session, district_name)
    values: dict[str, Any] = {
        "category": "smuggling",
        "channel": "officer_app",
        "occurred_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=3),
        **overrides,
    }
    row = Incident(
        idempotency_key=uuid.uuid4(),
        district_id=district(session, district_name).id,
        reporter_id=None if reporter is None else reporter.id,
        geom=WKTElement(f"POINT({lon} {lat})", srid=4326),
        **values,
    )
    session.add(row)
    session.flush()
    if with_event:
        session.add(
            IncidentEvent(
                incident_id=row.id, actor_id=row.reporter_id, action="created", to_status="new"
            )
        )
        session.flush()
    return row


def report_incident(
    session: Session,
    where: tuple[float, float],
    *,
    reporter: User | None = None,
    status: IncidentStatus | None = None,
    **overrides: Any,
) -> Incident:
    """An incident stored as the app stores a report, then set to ``status`` if given.

    Args:
        session: Where to store it (flushed by :func:`gis.incidents.reports.create_incident`).
        where: Its point (lon, lat); the district, border distance and nearest places follow.
        reporter: The account that reported it (default: an anonymous report).
        status: The status to set afterwards (without an event), if any.
        **overrides: Other fields of :class:`~gis.incidents.reports.IncidentInput`; by default
            a smuggling report of the officer app that occurred two hours ago.
    """
    values: dict[str, Any] = {
        "category": IncidentCategory.SMUGGLING,
        "occurred_at": dt.datetime.now(dt.UTC) - dt.timedelta(hours=2),
        "channel": Channel.OFFICER_APP,
        "idempotency_key": uuid.uuid4(),
        "reporter_id": None if reporter is None else reporter.id,
        **overrides,
    }
    incident, created = create_incident(
        session, IncidentInput(lon=where[0], lat=where[1], **values)
    )
    assert created, "a new idempotency key stores a new incident"
    if status is not None:
        session.execute(update(Incident).where(Incident.id == incident.id).values(status=status))
    return incident


def feature(geometry: dict[str, Any] | None, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def collection(*features: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features), **extra}


def line(*coords: tuple[float, float]) -> dict[str, Any]:
    return {"type": "LineString", "coordinates": [list(c) for c in coords]}


@contextlib.contextmanager
def jobs_made_here(engine: Engine) -> Iterator[None]:
    """The job queue's rows made inside the block (procrastinate's jobs, their periodic
    defers and its workers, committed by workers or by the test) deleted when it ends, however
    it ends."""
    with engine.connect() as conn:
        last_job, last_worker = conn.execute(
            text(
                "SELECT (SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs),"
                " (SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_workers)"
            )
        ).one()
    try:
        yield
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM procrastinate.procrastinate_periodic_defers WHERE job_id > :id"),
                {"id": last_job},
            )
            conn.execute(
                text("DELETE FROM procrastinate.procrastinate_jobs WHERE id > :id"),
                {"id": last_job},
            )
            conn.execute(
                text("DELETE FROM procrastinate.procrastinate_workers WHERE id > :id"),
                {"id": last_worker},
            )


def stall_job(engine: Engine, job_id: int, heartbeat_age_s: float) -> None:
    """Mark procrastinate's job ``job_id`` as taken by a worker whose last heartbeat is that old
    (a few seconds: the worker is alive; ten minutes: it was killed), committed."""
    with engine.begin() as conn:
        worker = conn.execute(
            text(
                "INSERT INTO procrastinate.procrastinate_workers (last_heartbeat) "
                "VALUES (now() - make_interval(secs => :age)) RETURNING id"
            ),
            {"age": heartbeat_age_s},
        ).scalar_one()
        conn.execute(
            text(
                "UPDATE procrastinate.procrastinate_jobs SET status = 'doing', worker_id = :w "
                "WHERE id = :id"
            ),
            {"w": worker, "id": job_id},
        )
