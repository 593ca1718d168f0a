"""The demo's notifications: the demo coordinator's settings (an example address, a 30-minute
digest of new reports, quiet hours at night) and the bells of the demo accounts, filled from
the demo's own data: the coordinator told of the newest reports of the district, the officer of
the latest status changes of its reports. Made once (the outbox's delivery keys); the e-mails
wait until a mail server is configured, as the administrators' Deliveries page says."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.users import DEMO_USERNAMES
from gis.models import Incident, IncidentEvent, User
from gis.notify.outbox import notify_new_report, notify_status_change
from gis.notify.settings import setting_of
from gis.types import IncidentStatus, Role

#: Reports and status changes the demo's bells are filled with.
NEWEST = 8


def make_notifications(session: Session, now: dt.datetime | None = None) -> int:
    """Fill the demo accounts' notifications; returns how many rows were written (0 the second
    time)."""
    now = now or dt.datetime.now(dt.UTC)
    coordinator = _demo(session, Role.COORDINATOR)
    officer = _demo(session, Role.OFFICER)
    written = 0
    if coordinator is not None and coordinator.district_id is not None:
        setting = setting_of(session, coordinator.id)
        if setting.email is None:
            setting.email = "demo-coordinator@example.org"
            setting.digest_minutes = 30
            setting.quiet_start, setting.quiet_end = dt.time(22, 0), dt.time(6, 0)
            session.flush()
        newest = session.scalars(
            select(Incident)
            .where(
                Incident.district_id == coordinator.district_id,
                Incident.status == IncidentStatus.NEW,
            )
            .order_by(Incident.reported_at.desc())
            .limit(NEWEST)
        )
        for incident in newest:
            written += notify_new_report(session, incident, now)
    if officer is not None:
        changes = session.execute(
            select(Incident, IncidentEvent)
            .join(IncidentEvent, IncidentEvent.incident_id == Incident.id)
            .where(
                Incident.reporter_id == officer.id,
                IncidentEvent.from_status.is_not(None),
                IncidentEvent.to_status.is_not(None),
            )
            .order_by(IncidentEvent.at.desc())
            .limit(NEWEST)
        ).all()
        for incident, event in changes:
            if event.from_status is None or event.to_status is None:
                continue
            written += notify_status_change(
                session,
                incident,
                IncidentStatus(event.from_status),
                IncidentStatus(event.to_status),
                event_id=event.id,
                actor_id=event.actor_id,
                now=now,
            )
    return written


def _demo(session: Session, role: Role) -> User | None:
    return session.scalars(select(User).where(User.username == DEMO_USERNAMES[role])).first()
