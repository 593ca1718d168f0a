"""The demo's notifications: the demo coordinator's bell holds its district's newest reports,
the officer's the status changes of its reports; made once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.accounts.users import DEMO_USERNAMES
from gis.incidents.review import apply_action
from gis.models import Notification
from gis.notify.inbox import unread_count
from gis.types import NotifyKind, Role
from seeds.demo_notify import make_notifications
from tests.factories import make_incident, make_user

pytestmark = pytest.mark.db


def test_the_demo_bells_are_filled_once(session):
    coordinator = make_user(session, Role.COORDINATOR, DEMO_USERNAMES[Role.COORDINATOR])
    officer = make_user(session, Role.OFFICER, DEMO_USERNAMES[Role.OFFICER])
    reports = [
        make_incident(session, district_name="Chiang Khong", reporter=officer) for _ in range(3)
    ]
    apply_action(session, reports[0].id, "verify", coordinator.id)
    assert make_notifications(session) > 0
    assert unread_count(session, coordinator.id) >= 2  # the two reports still new
    kinds = set(
        session.scalars(select(Notification.kind).where(Notification.user_id == officer.id))
    )
    assert kinds == {NotifyKind.STATUS_CHANGE}
    assert make_notifications(session) == 0
