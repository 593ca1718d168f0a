"""Test data of the export tests: accounts and incidents in and out of a district's scope."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from gis.incidents.photos import add_photo, prepare_photo
from gis.models import Incident, User
from gis.types import Channel, IncidentCategory, IncidentStatus, Role
from tests.factories import make_user, report_incident
from tests.webapp.authz import AWAY, HOME, jpeg
from tests.webapp.signin import sign_in

NOW = dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
THAI = "รายงานจากหมู่บ้าน ริมแม่น้ำโขง"
CONTACT = "081-555-0101 (Somchai)"


@dataclass
class ExportWorld:
    users: dict[Role, User]
    #: name -> incident id
    incidents: dict[str, int]


def build(session: Session) -> ExportWorld:
    users = {role: make_user(session, role, f"export-{role.value}") for role in Role}
    officer = users[Role.OFFICER]
    rows = {
        # Chiang Khong, the scoped accounts' district
        "home_new": report_incident(
            session, HOME, reporter=officer, description="=HYPERLINK(1)", occurred_at=NOW
        ),
        "home_verified": report_incident(
            session,
            (HOME[0] + 0.01, HOME[1]),
            reporter=officer,
            description=THAI,
            category=IncidentCategory.DRUG_TRAFFICKING,
            status=IncidentStatus.VERIFIED,
            occurred_at=NOW - dt.timedelta(days=10),
        ),
        "home_rejected": report_incident(
            session, HOME, reporter=officer, status=IncidentStatus.REJECTED, occurred_at=NOW
        ),
        # a verified public report with a contact and a photo
        "home_public": report_incident(
            session,
            (HOME[0] - 0.01, HOME[1]),
            channel=Channel.ONLINE_PUBLIC,
            description="+เห็นเรือ 2 ลำ",
            reporter_contact=CONTACT,
            status=IncidentStatus.VERIFIED,
            occurred_at=NOW,
        ),
        # an unverified public report: on no layer, in no export
        "home_public_new": report_incident(
            session, HOME, channel=Channel.ONLINE_PUBLIC, reporter_contact=CONTACT, occurred_at=NOW
        ),
        # Aranyaprathet, out of the scoped accounts' scope
        "away": report_incident(session, AWAY, description="-away", occurred_at=NOW),
    }
    ids = {name: row.id for name, row in rows.items()}
    photo = prepare_photo(jpeg())
    add_photo(session, session.get_one(Incident, ids["home_public"]), photo, None)
    session.flush()
    return ExportWorld(users, ids)


def client_of(app: Any, role: Role = Role.HQ_ANALYST) -> Any:
    """A test client signed in as the export world's account of ``role``."""
    client = app.test_client()
    assert sign_in(client, f"export-{role.value}").status_code == 302
    return client


def ids_of(resp: Any) -> set[int]:
    """Feature ids of a GeoJSON answer; none for a 404 (a collection the account may not read)."""
    if resp.status_code == 404:
        return set()
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {f["id"] for f in json.loads(resp.get_data())["features"]}
