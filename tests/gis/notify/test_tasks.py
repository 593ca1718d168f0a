"""The worker's minute: the periodic notifications written, then what is due delivered through
the channels of the environment with the composer the web app gave."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from gis import jobs
from gis.jobs import app
from gis.models import Notification
from gis.notify import channels, tasks
from gis.notify.outbox import DELIVER, deliver_soon, notify_new_report
from gis.notify.settings import setting_of
from gis.notify.tasks import TASK, deliver, tick
from gis.types import DeliveryStatus, NotifyChannel, NotifyKind, Role
from tests.factories import jobs_made_here, make_incident, make_user, stall_job
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


def _waiting_delivery_job(engine: Engine) -> int:
    """The delivery job waiting (``todo``), deferred and committed if none waits."""
    with Session(engine) as session:
        deliver_soon(session)
        session.commit()
        return session.execute(
            text(
                "SELECT id FROM procrastinate.procrastinate_jobs"
                " WHERE queueing_lock = :lock AND status = 'todo'"
            ),
            {"lock": DELIVER},
        ).scalar_one()


def _fetch_notify_job(database_url: str) -> int | None:
    """What a worker of the notify queue would take next (procrastinate's own fetch, which
    honours the jobs' locks); the job is left taken by that worker."""

    async def go() -> int | None:
        with jobs.connected(database_url) as worker_app:
            async with worker_app.open_async():
                manager = worker_app.job_manager
                job = await manager.fetch_job(["notify"], await manager.register_worker())
                return None if job is None else job.id

    return asyncio.run(go())


def test_a_delivery_job_left_by_a_killed_worker_does_not_hold_up_the_next(database_url, engine):
    with jobs_made_here(engine):
        killed = _waiting_delivery_job(engine)
        try:
            # its worker was killed a moment ago: the stalled-job sweep will not free it yet
            stall_job(engine, killed, heartbeat_age_s=1)
            following = _waiting_delivery_job(engine)
            assert following != killed
            with engine.begin() as conn:  # taken first of what waits in the queue
                conn.execute(
                    text(
                        "UPDATE procrastinate.procrastinate_jobs SET priority = 1000 WHERE id = :id"
                    ),
                    {"id": following},
                )
            assert _fetch_notify_job(database_url) == following
        finally:  # it may have waited before the test
            with engine.begin() as conn:
                conn.execute(
                    text("DELETE FROM procrastinate.procrastinate_jobs WHERE id = :id"),
                    {"id": killed},
                )
