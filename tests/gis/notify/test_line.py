"""LINE pushes to staff who linked their LINE account, through the LINE client pointed at the
local stand-in of the Messaging API: delivered, waiting while LINE is down then sent once, and
sent once even when a worker dies after pushing (the retry key)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from gis.line import LineSettings
from gis.models import Notification
from gis.notify.channels import senders_from_environment
from gis.notify.delivery import LEASE, Outgoing, deliver_due, deliver_next
from gis.notify.email import SmtpSender
from gis.notify.line import LineSender
from gis.notify.outbox import notify_new_report
from gis.notify.settings import setting_of
from gis.types import DeliveryStatus, NotifyChannel, Role
from tests.factories import make_incident, make_user
from tests.support.line_standin import LineStandin

pytestmark = pytest.mark.db

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
TOKEN = "standin-token"
LINE_ID = "U" + "ab" * 16


def compose(_session, rows, language):
    return f"{len(rows)} new", "ดูรายละเอียดใน borderwatch"


@pytest.fixture
def standin():
    with LineStandin(TOKEN) as server:
        yield server


def linked(session):
    user = make_user(session, Role.COORDINATOR, "coord-line", district="TH2706")
    setting_of(session, user.id).line_user_id = LINE_ID
    session.flush()
    return user


def line_row(session, user) -> Notification:
    return session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.channel == NotifyChannel.LINE
        )
    ).one()


def senders(standin):
    return {NotifyChannel.LINE: LineSender(LineSettings("secret", TOKEN, standin.url))}


def test_a_linked_account_gets_a_line_push(session, standin):
    user = linked(session)
    notify_new_report(session, make_incident(session), NOW)
    assert [d.status for d in deliver_due(session, senders(standin), compose, NOW)] == [
        DeliveryStatus.SENT
    ]
    assert standin.pushed_texts(LINE_ID) == ["1 new\n\nดูรายละเอียดใน borderwatch"]
    assert line_row(session, user).status is DeliveryStatus.SENT


def test_line_down_for_a_while_waits_then_sends_once(session, standin):
    user = linked(session)
    notify_new_report(session, make_incident(session), NOW)
    with standin.down():
        done = deliver_next(session, senders(standin), compose, NOW)
        assert done is not None and done.status is DeliveryStatus.WAITING
    assert "LINE" in (line_row(session, user).last_error or "")
    standin.fail(500)
    later = NOW + dt.timedelta(minutes=1)
    assert deliver_next(session, senders(standin), compose, later).status is DeliveryStatus.WAITING
    deliver_due(session, senders(standin), compose, NOW + dt.timedelta(hours=1))
    assert len(standin.pushed_texts(LINE_ID)) == 1
    assert line_row(session, user).status is DeliveryStatus.SENT


class Killed(BaseException):
    pass


class DiesAfterPushing:
    def __init__(self, real: LineSender) -> None:
        self.real = real

    def send(self, message: Outgoing) -> None:
        self.real.send(message)
        raise Killed


def test_a_worker_killed_after_pushing_sends_no_duplicate(session, standin):
    linked(session)
    notify_new_report(session, make_incident(session), NOW)
    real = senders(standin)[NotifyChannel.LINE]
    with pytest.raises(Killed):
        deliver_next(session, {NotifyChannel.LINE: DiesAfterPushing(real)}, compose, NOW)
    done = deliver_due(session, senders(standin), compose, NOW + LEASE)
    assert [d.status for d in done] == [DeliveryStatus.SENT]
    assert len(standin.pushed_texts(LINE_ID)) == 1  # the repeat was answered 409


def test_a_blocked_user_fails_at_once(session, standin):
    user = linked(session)
    notify_new_report(session, make_incident(session), NOW)
    standin.fail(400)
    deliver_next(session, senders(standin), compose, NOW)
    assert line_row(session, user).status is DeliveryStatus.FAILED


def test_channels_come_from_the_environment():
    assert senders_from_environment({}) == {}
    found = senders_from_environment(
        {"SMTP_HOST": "mail.example.org", "LINE_CHANNEL_ACCESS_TOKEN": "secret-token-value"}
    )
    assert isinstance(found[NotifyChannel.EMAIL], SmtpSender)
    assert isinstance(found[NotifyChannel.LINE], LineSender)
    assert "secret-token-value" not in repr(found[NotifyChannel.LINE].settings)
