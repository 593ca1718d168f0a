"""Delivering the outbox by e-mail to a local SMTP server (aiosmtpd on 127.0.0.1): once, after
the server comes back, after a worker died, gathered into digests, held in quiet hours."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from gis.models import Notification
from gis.notify.delivery import (
    LEASE,
    MAX_ATTEMPTS,
    DeliveryError,
    Outgoing,
    backoff,
    deliver_due,
    deliver_next,
    pending,
    retry,
)
from gis.notify.email import SmtpSender, SmtpSettings
from gis.notify.outbox import notify_new_report, notify_status_change
from gis.notify.settings import setting_of
from gis.types import DeliveryStatus, IncidentStatus, NotifyChannel, Role
from tests.factories import make_incident, make_user
from tests.gis.notify.smtp import SmtpServer

pytestmark = pytest.mark.db

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


def compose(_session, rows, language):
    ids = ", ".join(str(r.incident_id) for r in rows)
    return f"[{language}] {len(rows)} new", f"reports {ids}"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def senders(server: SmtpServer):
    settings = SmtpSettings(host="127.0.0.1", port=server.port, sender="bw@example.org")
    return {NotifyChannel.EMAIL: SmtpSender(settings)}


def coordinator(session, name="coord-mail", **settings):
    user = make_user(session, Role.COORDINATOR, name, district="TH2706")
    setting = setting_of(session, user.id)
    setting.email = f"{name}@example.org"
    for key, value in settings.items():
        setattr(setting, key, value)
    session.flush()
    return user


def mail_row(session, user) -> Notification:
    return session.scalars(
        select(Notification).where(
            Notification.user_id == user.id, Notification.channel == NotifyChannel.EMAIL
        )
    ).one()


def test_an_email_is_delivered_once(session, smtp):
    user = coordinator(session)
    incident = make_incident(session)
    notify_new_report(session, incident, NOW)

    done = deliver_due(session, senders(smtp), compose, NOW)
    assert [d.status for d in done] == [DeliveryStatus.SENT]
    assert deliver_due(session, senders(smtp), compose, NOW + dt.timedelta(hours=1)) == []
    (mail,) = smtp.inbox.messages
    assert smtp.inbox.recipients == [["coord-mail@example.org"]]
    assert mail["Subject"] == "[th] 1 new"
    assert mail.get_content().strip() == f"reports {incident.id}"
    row = mail_row(session, user)
    assert (row.status, row.attempts, row.claimed_until) == (DeliveryStatus.SENT, 1, None)


def test_smtp_down_for_a_while_waits_then_delivers_once(session, smtp):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    smtp.stop()
    first = deliver_next(session, senders(smtp), compose, NOW)
    assert first is not None and first.status is DeliveryStatus.WAITING
    row = mail_row(session, user)
    assert row.attempts == 1 and row.next_attempt_at == NOW + backoff(1)
    assert "not reached" in (row.last_error or "")
    assert "example.org" not in (row.last_error or "")  # no address in the error
    # the administrators' page says it waits, and why
    (waiting,) = [p for p in pending(session) if p.id == row.id]
    assert waiting.status is DeliveryStatus.WAITING and waiting.last_error == row.last_error
    # not due again before its next attempt
    assert deliver_next(session, senders(smtp), compose, NOW + dt.timedelta(seconds=10)) is None
    second = deliver_next(session, senders(smtp), compose, NOW + backoff(1))
    assert second is not None and second.status is DeliveryStatus.WAITING
    smtp.start()
    later = NOW + backoff(1) + backoff(2)
    assert [d.status for d in deliver_due(session, senders(smtp), compose, later)] == [
        DeliveryStatus.SENT
    ]
    assert len(smtp.inbox.messages) == 1
    assert mail_row(session, user).attempts == 3


class Killed(BaseException):
    """The worker's process ends (SIGKILL) in the middle of a delivery."""


class DiesBeforeSending:
    def send(self, message: Outgoing) -> None:
        raise Killed


class DiesAfterSending:
    def __init__(self, real: SmtpSender) -> None:
        self.real = real

    def send(self, message: Outgoing) -> None:
        self.real.send(message)
        raise Killed


def test_a_worker_killed_after_claiming_loses_nothing(session, smtp):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    with pytest.raises(Killed):
        deliver_next(session, {NotifyChannel.EMAIL: DiesBeforeSending()}, compose, NOW)
    row = mail_row(session, user)
    assert row.status is DeliveryStatus.WAITING and row.claimed_until == NOW + LEASE
    # another worker leaves it alone while the claim holds, then takes it over
    assert deliver_next(session, senders(smtp), compose, NOW + LEASE / 2) is None
    done = deliver_due(session, senders(smtp), compose, NOW + LEASE)
    assert [d.status for d in done] == [DeliveryStatus.SENT]
    assert len(smtp.inbox.messages) == 1


def test_a_worker_killed_after_sending_resends_the_same_message(session, smtp):
    """At least once: the resend carries the same Message-ID, which mail clients show once."""
    coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    dying = {NotifyChannel.EMAIL: DiesAfterSending(senders(smtp)[NotifyChannel.EMAIL])}
    with pytest.raises(Killed):
        deliver_next(session, dying, compose, NOW)
    deliver_due(session, senders(smtp), compose, NOW + LEASE)
    ids = {m["Message-ID"] for m in smtp.inbox.messages}
    assert len(smtp.inbox.messages) == 2 and len(ids) == 1


def test_a_digest_is_one_message_for_the_window(session, smtp):
    user = coordinator(session, digest_minutes=30)
    first, second = make_incident(session), make_incident(session)
    notify_new_report(session, first, NOW + dt.timedelta(minutes=1))
    notify_new_report(session, second, NOW + dt.timedelta(minutes=2))
    assert deliver_due(session, senders(smtp), compose, NOW + dt.timedelta(minutes=10)) == []
    done = deliver_due(session, senders(smtp), compose, NOW + dt.timedelta(minutes=30))
    assert len(done) == 1 and len(done[0].ids) == 2
    (mail,) = smtp.inbox.messages
    assert mail["Subject"] == "[th] 2 new"
    assert mail.get_content().strip() == f"reports {first.id}, {second.id}"
    assert {
        r.status
        for r in session.scalars(
            select(Notification).where(
                Notification.user_id == user.id, Notification.channel == NotifyChannel.EMAIL
            )
        )
    } == {DeliveryStatus.SENT}


def test_quiet_hours_chosen_after_writing_still_hold_the_delivery(session, smtp):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    setting = setting_of(session, user.id)
    setting.quiet_start, setting.quiet_end = dt.time(9, 0), dt.time(12, 0)  # NOW is 10:00
    session.flush()
    done = deliver_next(session, senders(smtp), compose, NOW)
    assert done is not None and done.status is DeliveryStatus.WAITING
    row = mail_row(session, user)
    assert row.attempts == 0 and row.next_attempt_at == NOW + dt.timedelta(hours=2)
    assert smtp.inbox.messages == []


def test_a_recipient_without_an_address_fails_and_an_administrator_may_retry(session, smtp):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    setting_of(session, user.id).email = None
    session.flush()
    done = deliver_next(session, senders(smtp), compose, NOW)
    assert done is not None and done.status is DeliveryStatus.FAILED
    setting_of(session, user.id).email = "back@example.org"
    retry(session, mail_row(session, user).id, NOW)
    session.commit()
    assert [d.status for d in deliver_due(session, senders(smtp), compose, NOW)] == [
        DeliveryStatus.SENT
    ]
    assert smtp.inbox.recipients == [["back@example.org"]]


class Refusing:
    def __init__(self, retriable: bool) -> None:
        self.retriable = retriable

    def send(self, message: Outgoing) -> None:
        raise DeliveryError("refused", retriable=self.retriable)


def test_a_refusal_that_will_not_change_fails_at_once(session):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    deliver_next(session, {NotifyChannel.EMAIL: Refusing(False)}, compose, NOW)
    assert mail_row(session, user).status is DeliveryStatus.FAILED


def test_attempts_run_out_after_the_last_backoff(session):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        deliver_next(session, {NotifyChannel.EMAIL: Refusing(True)}, compose, at)
        at += dt.timedelta(hours=2)
    row = mail_row(session, user)
    assert (row.status, row.attempts) == (DeliveryStatus.FAILED, MAX_ATTEMPTS)


def test_an_unconfigured_channel_waits_and_says_so(session):
    user = coordinator(session)
    notify_new_report(session, make_incident(session), NOW)
    deliver_next(session, {}, compose, NOW)
    row = mail_row(session, user)
    assert (
        row.status is DeliveryStatus.WAITING and row.last_error == "the channel is not configured"
    )


def test_a_citizen_is_mailed_at_the_contact_of_the_report(session, smtp):
    incident = make_incident(
        session,
        channel="online_public",
        reporter_contact="somchai@example.org",
        updates_consent=True,
    )
    notify_status_change(
        session,
        incident,
        IncidentStatus.NEW,
        IncidentStatus.VERIFIED,
        event_id=4242,
        actor_id=None,
        now=NOW,
    )
    done = deliver_due(session, senders(smtp), compose, NOW)
    assert [d.status for d in done] == [DeliveryStatus.SENT]
    assert smtp.inbox.recipients == [["somchai@example.org"]]
    # the citizen's contact never appears on the administrators' page
    assert all(p.recipient is None for p in pending(session) if p.id in done[0].ids)
