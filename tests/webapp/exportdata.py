"""Test data of the export tests: accounts and incidents in and out of a district's scope."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from gis.incidents.photos import add_photo, prepare_photo
from gis.incidents.reports import IncidentInput, create_incident
from gis.models import Incident, User
from gis.types import Channel, IncidentCategory, IncidentStatus, Role
from tests.webapp.authz import AWAY, HOME, jpeg
from tests.webapp.signin import make_user

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
THAI = "รายงานจากหมู่บ้าน ริมแม่น้ำโขง"
CONTACT = "081-555-0101 (Somchai)"


@dataclass
class ExportWorld:
    users: dict[Role, User]
    #: name -> incident id
    incidents: dict[str, int]


def incident(
    session: Session,
    where: tuple[float, float],
    *,
    reporter: User | None = None,
    channel: Channel = Channel.OFFICER_APP,
    description: str | None = None,
    contact: str | None = None,
    category: IncidentCategory = IncidentCategory.SMUGGLING,
    status: IncidentStatus | None = None,
    when: dt.datetime = NOW,
) -> int:
    data = IncidentInput(
        lon=where[0],
        lat=where[1],
        category=category,
        occurred_at=when,
        channel=channel,
        idempotency_key=uuid.uuid4(),
        description=description,
        reporter_id=reporter.id if reporter else None,
        reporter_contact=contact,
    )
    row = create_incident(session, data)[0]
    if status is not None:
        session.execute(update(Incident).where(Incident.id == row.id).values(status=status))
    return row.id


def build(session: Session) -> ExportWorld:
    users = {role: make_user(session, role, f"export-{role.value}") for role in Role}
    officer = users[Role.OFFICER]
    ids = {
        # Chiang Khong, the scoped accounts' district
        "home_new": incident(session, HOME, reporter=officer, description="=HYPERLINK(1)"),
        "home_verified": incident(
            session,
            (HOME[0] + 0.01, HOME[1]),
            reporter=officer,
            description=THAI,
            category=IncidentCategory.DRUG_TRAFFICKING,
            status=IncidentStatus.VERIFIED,
            when=NOW - dt.timedelta(days=10),
        ),
        "home_rejected": incident(session, HOME, reporter=officer, status=IncidentStatus.REJECTED),
        # a verified public report with a contact and a photo
        "home_public": incident(
            session,
            (HOME[0] - 0.01, HOME[1]),
            channel=Channel.ONLINE_PUBLIC,
            description="+เห็นเรือ 2 ลำ",
            contact=CONTACT,
            status=IncidentStatus.VERIFIED,
        ),
        # an unverified public report: on no layer, in no export
        "home_public_new": incident(session, HOME, channel=Channel.ONLINE_PUBLIC, contact=CONTACT),
        # Aranyaprathet, out of the scoped accounts' scope
        "away": incident(session, AWAY, reporter=None, description="-away"),
    }
    photo = prepare_photo(jpeg())
    add_photo(session, session.get_one(Incident, ids["home_public"]), photo, None)
    session.flush()
    return ExportWorld(users, ids)
