"""The demo's LINE chats: three LINE reports in the coordinator's district, made through the
chat, flagged as demo data, in the review queue's status, made once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gis.incidents.public import report_status
from gis.models import Incident
from gis.types import Channel, IncidentStatus, Role
from seeds.demo_cast import Cast
from seeds.demo_line import CHATS, line_user_id, make_line_chats
from tests.factories import make_user

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


def test_the_demo_line_chats_are_made_once(session):
    cast = Cast(
        *(
            make_user(session, role)
            for role in (
                Role.HQ_ANALYST,
                Role.PATROL_PLANNER,
                Role.COORDINATOR,
                Role.OFFICER,
                Role.VOLUNTEER,
            )
        )
    )
    receipts = make_line_chats(session, cast, 7, NOW)
    assert len(receipts) == len(CHATS) == 3
    reports = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).all()
    mine = [r for r in reports if r.reporter_contact in {line_user_id(c) for c in CHATS}]
    assert len(mine) == 3
    assert all(r.is_demo and r.status is IncidentStatus.NEW for r in mine)
    assert {r.district_id for r in mine} == {cast.coordinator.district_id}
    assert [r.updates_consent for r in mine].count(True) == 2
    assert report_status(session, receipts[0]).category.value == "drug_trafficking"
    assert make_line_chats(session, cast, 7, NOW) == []  # made once
