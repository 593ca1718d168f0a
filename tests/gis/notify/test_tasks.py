"""The worker's minute: the periodic notifications written, then what is due delivered through
the channels of the environment with the composer the web app gave."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from gis.jobs import app
from gis.models import Notification
from gis.notify import channels, tasks
from gis.notify.outbox import DELIVER, notify_new_report
from gis.notify.settings import setting_of
from gis.notify.tasks import TASK, deliver, tick
from gis.types import DeliveryStatus, NotifyChannel, NotifyKind, Role
from tests.factories import make_incident, make_user
from tests.gis.notify.smtp import SmtpServer

pytestmark = pytest.mark.db


def compose(_session, rows, language):
    return "borderwatch", f"{len(rows)} {rows[0].kind}"


@pytest.fixture
def smtp(monkeypatch):
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    yield server
    server.stop()


def test_the_task_is_registered_to_run_every_minute():
    assert TASK in app.tasks
    assert any(
        p.task.name == TASK and p.cron == "* * * * *"
        for p in app.periodic_registry.periodic_tasks.values()
    )


def test_a_tick_writes_the_waiting_reminders_and_delivers_them(connection, session, smtp):
    channels.use_composer(compose)
    user = make_user(session, Role.COORDINATOR, "coord-tick", district="TH2706")
    setting_of(session, user.id).email = "coord-tick@example.org"
    now = dt.datetime.now(dt.UTC)
    old = make_incident(
        session,
        reported_at=now - dt.timedelta(hours=49),
        occurred_at=now - dt.timedelta(hours=50),
    )
    session.commit()
    assert tick(connection, now) >= 1
    rows = session.scalars(
        select(Notification).where(
            Notification.incident_id == old.id, Notification.kind == NotifyKind.REPORT_WAITING
        )
    ).all()
    assert {(r.channel, r.status) for r in rows} == {
        (NotifyChannel.IN_APP, DeliveryStatus.SENT),
        (NotifyChannel.EMAIL, DeliveryStatus.SENT),
    }
    assert any(m.get_content().strip() == "1 report_waiting" for m in smtp.inbox.messages)


WAITING_DELIVERY_JOBS = text(
    "SELECT count(*) FROM procrastinate.procrastinate_jobs"
    " WHERE queueing_lock = :lock AND status = 'todo'"
)


@pytest.mark.parametrize(("per_run", "another"), [(1, 1), (100, 0)])
def test_a_delivery_run_cut_short_by_its_limit_goes_on_at_once(
    connection, session, smtp, monkeypatch, per_run, another
):
    channels.use_composer(compose)
    user = make_user(session, Role.COORDINATOR, "coord-backlog", district="TH2706")
    setting_of(session, user.id).email = "coord-backlog@example.org"
    for _ in range(2):
        notify_new_report(session, make_incident(session, district_name="Aranyaprathet"))
    session.commit()
    # the waiting job the events deferred is taken by a worker: none waits
    session.execute(
        text(
            "UPDATE procrastinate.procrastinate_jobs SET status = 'doing'"
            " WHERE queueing_lock = :lock AND status = 'todo'"
        ),
        {"lock": DELIVER},
    )
    monkeypatch.setattr(tasks, "PER_TICK", per_run)
    assert deliver(connection) == min(per_run, 2)
    assert session.execute(WAITING_DELIVERY_JOBS, {"lock": DELIVER}).scalar_one() == another
