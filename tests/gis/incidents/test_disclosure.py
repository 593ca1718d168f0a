"""What a reader reads of an incident they see (gis.incidents.disclosure): the free text of
reports no coordinator has checked, and the idempotency key; the rule in Python and in SQL agree,
and the incidents layer follows it."""

from __future__ import annotations

import datetime as dt
import json
from itertools import product

import pytest
from sqlalchemy import select

from gis.incidents.disclosure import (
    CHECKED,
    Reader,
    description_for,
    owns,
    readable_text,
    reader_of,
    reads_text,
)
from gis.incidents.map_layer import LayerFilter, incidents_geojson
from gis.models import Incident
from gis.types import IncidentStatus, Role
from tests.factories import district, make_incident
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

#: The scoped accounts' district (tests.webapp.signin.SCOPE) and one outside it.
HOME, AWAY = "Chiang Khong", "Aranyaprathet"
T0 = dt.datetime(2026, 6, 1, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def accounts(session):
    return {role: make_user(session, role) for role in Role}


def test_the_rule_in_python_and_in_sql_agree_for_every_case(session, accounts):
    """Every status, by the reader or not, in the reader's triage scope or not (or national):
    :func:`reads_text` on the row and :func:`readable_text` in PostgreSQL say the same, and
    say what the module's docstring says."""
    officer = accounts[Role.OFFICER]
    home, away = district(session, HOME).id, district(session, AWAY).id
    rows = {
        (status, own, name): make_incident(
            session,
            district_name=name,
            status=status.value,
            reporter=officer if own else None,
            description="text",
        )
        for status, own, name in product(IncidentStatus, (True, False), (HOME, AWAY))
    }
    readers = {
        "home": Reader(officer.id, frozenset({home})),
        "none": Reader(officer.id),
        "national": Reader.everything(officer.id),
        "anonymous": Reader(),
    }
    for (status, own, name), row in rows.items():
        for label, reader in readers.items():
            in_sql = session.scalar(select(readable_text(reader)).where(Incident.id == row.id))
            expected = (
                status in CHECKED
                or (own and reader.account_id is not None)
                or label == "national"
                or (label == "home" and name == HOME)
            )
            assert reads_text(reader, row) is in_sql is expected, (status, own, name, label)
            assert description_for(reader, row) == ("text" if expected else None)
            assert owns(reader, row) is (own and reader.account_id is not None)
    assert away not in readers["home"].triage_scope


def test_only_the_districts_coordinators_triage(session, accounts):
    home = district(session, HOME).id
    assert reader_of(session, accounts[Role.COORDINATOR]) == Reader(
        accounts[Role.COORDINATOR].id, frozenset({home})
    )
    for role in set(Role) - {Role.COORDINATOR}:
        assert reader_of(session, accounts[role]) == Reader(accounts[role].id), role
    assert reader_of(session, None) == Reader()
    accounts[Role.COORDINATOR].is_active = False
    assert reader_of(session, accounts[Role.COORDINATOR]) == Reader()


def test_the_layer_withholds_unchecked_text_but_from_its_reporter_and_the_coordinators(
    session, accounts
):
    """Rejected and duplicate reports are on the layer when the filter names them; their text,
    like that of every report no coordinator has checked, may name an informant: it is withheld
    (null, not counted as cut) from all but the reporter and the coordinators of the district."""
    layer_incident = {"district_name": HOME, "occurred_at": T0}
    public = make_incident(
        session, status="rejected", channel="online_public", description="Somchai " * 40,
        **layer_incident,
    )  # fmt: skip
    own = make_incident(
        session, status="new", reporter=accounts[Role.OFFICER], description="mine",
        **layer_incident,
    )  # fmt: skip
    checked = make_incident(
        session, status="closed", channel="online_public", description="closed", **layer_incident
    )
    asked = LayerFilter(
        statuses=frozenset({IncidentStatus.NEW, IncidentStatus.REJECTED, IncidentStatus.CLOSED})
    )

    def texts(role: Role) -> dict[int, tuple[str | None, bool]]:
        got = json.loads(incidents_geojson(session, accounts[role], asked))
        return {
            f["id"]: (f["properties"]["description"], f["properties"]["description_truncated"])
            for f in got["features"]
        }

    cut = ("Somchai " * 40)[:200] + "…"
    assert texts(Role.COORDINATOR) == {
        public.id: (cut, True),
        own.id: ("mine", False),
        checked.id: ("closed", False),
    }
    assert texts(Role.OFFICER) == {
        public.id: (None, False),
        own.id: ("mine", False),
        checked.id: ("closed", False),
    }
    for role in (Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.ADMINISTRATOR):
        assert texts(role) == {
            public.id: (None, False),
            own.id: (None, False),
            checked.id: ("closed", False),
        }, role
    assert "Somchai" not in incidents_geojson(session, accounts[Role.HQ_ANALYST], asked)
