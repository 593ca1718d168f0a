"""The LINE chat's hourly clean-up: old webhook event ids and expired conversations go, the
rest stays; the worker knows the periodic task."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select, text, update

from gis import jobs
from gis.linechat.conversation import TTL, forget_expired, start
from gis.linechat.events import HANDLE, KEEP, PUSH, first_delivery, forget_events
from gis.linechat.tasks import forget_jobs
from gis.models import LineConversation, LineWebhookEvent

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)


def test_old_event_ids_are_forgotten_and_recent_ones_kept(session):
    first_delivery(session, "old-" + uuid.uuid4().hex)
    first_delivery(session, "new-" + uuid.uuid4().hex)
    session.execute(
        update(LineWebhookEvent)
        .where(LineWebhookEvent.webhook_event_id.like("old-%"))
        .values(received_at=NOW - KEEP - dt.timedelta(minutes=1))
    )
    session.execute(
        update(LineWebhookEvent)
        .where(LineWebhookEvent.webhook_event_id.like("new-%"))
        .values(received_at=NOW - dt.timedelta(hours=1))
    )
    assert forget_events(session, NOW) >= 1
    left = session.scalars(select(LineWebhookEvent.webhook_event_id)).all()
    assert not [e for e in left if e.startswith("old-")]
    assert [e for e in left if e.startswith("new-")]


def test_expired_conversations_are_forgotten_and_live_ones_kept(session):
    start(session, "U" + "3" * 32, "th", NOW - TTL - dt.timedelta(minutes=1))
    start(session, "U" + "4" * 32, "th", NOW)
    assert forget_expired(session, NOW) == 1
    session.expire_all()
    assert session.get(LineConversation, "U" + "3" * 32) is None
    assert session.get(LineConversation, "U" + "4" * 32) is not None


def test_the_worker_runs_the_clean_up_each_hour():
    jobs.app.perform_import_paths()
    periodic = {t.task.name: t.cron for t in jobs.app.periodic_registry.periodic_tasks.values()}
    assert periodic["linechat.forget"] == "17 * * * *"


def _chat_job(session, status: str, age: dt.timedelta) -> int:
    job_id = jobs.defer(session, HANDLE, queue="linechat", lock="line:test", text="words")
    session.execute(
        text("UPDATE procrastinate.procrastinate_jobs SET status = :s WHERE id = :id"),
        {"s": status, "id": job_id},
    )
    session.execute(
        text("UPDATE procrastinate.procrastinate_events SET at = :at WHERE job_id = :id"),
        {"id": job_id, "at": NOW - age},
    )
    return job_id


def test_finished_chat_jobs_are_forgotten_with_the_words_they_hold(session):
    done = _chat_job(session, "succeeded", dt.timedelta(minutes=5))
    failed_old = _chat_job(session, "failed", KEEP + dt.timedelta(hours=1))
    failed_new = _chat_job(session, "failed", dt.timedelta(hours=1))
    waiting = _chat_job(session, "todo", dt.timedelta(minutes=1))
    assert forget_jobs(session, NOW) >= 2
    left = set(
        session.scalars(
            text("SELECT id FROM procrastinate.procrastinate_jobs WHERE id = ANY(:ids)"),
            {"ids": [done, failed_old, failed_new, waiting]},
        )
    )
    assert left == {failed_new, waiting}


def test_procrastinate_never_logs_what_a_line_user_sent(caplog):
    worker = logging.getLogger("procrastinate.worker")
    job = {"task_name": PUSH, "task_kwargs": {"user_id": "U" + "9" * 32}, "call_string": "x"}
    with caplog.at_level(logging.INFO, logger="procrastinate.worker"):
        worker.info(
            f"Starting job {PUSH}[12](user_id='U{'9' * 32}', messages=[{{'text': 'ลักลอบ'}}])",
            extra={"job": job},
        )
        try:
            raise ValueError("ลักลอบ U" + "9" * 32)
        except ValueError:
            worker.exception(f"Job {HANDLE}[13](text='ลักลอบ') ended with status: Error")
        worker.info("Starting job notify.tick[14](timestamp=1)")
    logged = [r.getMessage() for r in caplog.records]
    assert logged == [
        f"Starting job {PUSH}[12](…)",
        f"Job {HANDLE}[13](…) ended with status: Error (ValueError)",
        "Starting job notify.tick[14](timestamp=1)",  # other jobs as they are
    ]
    assert caplog.records[0].job["task_kwargs"] == {}
    assert "ลักลอบ" not in caplog.text and "9" * 32 not in caplog.text
