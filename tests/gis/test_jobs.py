"""Background jobs (gis.jobs): the worker's connection string, jobs deferred in the event's
transaction, a worker executing them, jobs of a dead worker taken up again exactly once, and
the periodic tasks.

The database tests commit (the worker works in its own transactions) and delete their jobs
afterwards.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from psycopg.conninfo import conninfo_to_dict
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis import jobs
from tests.factories import jobs_made_here, stall_job

QUEUE = "tests-jobs"
SEEN: list[tuple[str, int]] = []
SEEN_LOCK = threading.Lock()


@jobs.app.task(name="tests.record", queue=QUEUE)
def record(word: str, n: int) -> None:
    with SEEN_LOCK:
        SEEN.append((word, n))


@jobs.app.task(name="tests.engine", queue=QUEUE, pass_context=True)
def uses_engine(context: jobs.JobContext, n: int) -> None:
    with jobs.engine_of(context).connect() as conn:
        answer = conn.execute(text("SELECT :n * 2"), {"n": n}).scalar_one()
    with SEEN_LOCK:
        SEEN.append(("engine", answer))


# --------------------------------------------------------------------------- no database


def test_the_worker_connects_where_the_app_does_with_procrastinate_first():
    info = conninfo_to_dict(jobs.conninfo("postgresql://bw:s%40cret@db.example:6543/borderwatch"))
    assert info["host"] == "db.example" and info["port"] == "6543"
    assert info["dbname"] == "borderwatch" and info["user"] == "bw"
    assert info["password"] == "s@cret"
    assert info["options"] == "-c search_path=procrastinate,public"


def test_a_multi_host_url_keeps_its_hosts_and_its_own_options():
    url = (
        "postgresql+psycopg2://bw@/borderwatch?host=pg1:5432&host=pg2:5433"
        "&target_session_attrs=read-write&options=-c%20statement_timeout%3D5000"
    )
    info = conninfo_to_dict(jobs.conninfo(url))
    assert info["host"] == "pg1,pg2" and info["port"] == "5432,5433"
    assert info["target_session_attrs"] == "read-write"
    assert info["options"] == "-c statement_timeout=5000 -c search_path=procrastinate,public"


def test_the_worker_knows_every_task_module_and_the_periodic_tasks():
    jobs.app.perform_import_paths()
    assert "hotspots.execute_run" in jobs.app.tasks
    assert "jobs.retry_stalled" in jobs.app.tasks
    periodic = {t.task.name: t.cron for t in jobs.app.periodic_registry.periodic_tasks.values()}
    assert periodic["jobs.retry_stalled"] == "* * * * *"


def test_queue_names_are_read_repeated_or_comma_separated():
    assert jobs.queue_names(["hotspots,exports", " notify ", ""]) == [
        "hotspots",
        "exports",
        "notify",
    ]


# --------------------------------------------------------------------------- with the database


@pytest.fixture
def fresh(engine: Engine) -> Iterator[None]:
    """Jobs and workers made by the test are deleted afterwards."""
    SEEN.clear()
    with jobs_made_here(engine):
        yield


def _job(engine: Engine, job_id: int) -> tuple[str, int] | None:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT status::text, attempts FROM procrastinate.procrastinate_jobs WHERE id = :id"
            ),
            {"id": job_id},
        ).one_or_none()
    return None if row is None else (row[0], row[1])


@pytest.mark.db
def test_a_committed_event_defers_its_job_and_a_rolled_back_one_none(engine, fresh):
    with Session(engine) as session:
        kept = jobs.defer(session, "tests.record", word="kept", n=1)
        session.commit()
    with Session(engine) as session:
        dropped = jobs.defer(session, record, word="dropped", n=2)
        session.rollback()
    assert _job(engine, kept) == ("todo", 0)
    assert _job(engine, dropped) is None
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT queue_name, task_name, args FROM procrastinate.procrastinate_jobs "
                "WHERE id = :id"
            ),
            {"id": kept},
        ).one()
    assert tuple(row) == ("tests", "tests.record", {"word": "kept", "n": 1})


@pytest.mark.db
def test_the_worker_executes_waiting_jobs_in_order_and_stops_when_once(database_url, engine, fresh):
    with Session(engine) as session:
        first = jobs.defer(session, record, word="first", n=1)
        second = jobs.defer(session, record, word="second", n=2)
        third = jobs.defer(session, uses_engine, n=21)
        session.commit()
    jobs.run_worker(database_url, engine, once=True, queues=[QUEUE], install_signal_handlers=False)
    assert SEEN == [("first", 1), ("second", 2), ("engine", 42)]
    assert [_job(engine, j) for j in (first, second, third)] == [("succeeded", 1)] * 3
    listed = {row.id: row for row in jobs.list_jobs(Session(engine), queue=QUEUE)}
    assert listed[first].status == "succeeded" and listed[first].args == {"word": "first", "n": 1}


@pytest.mark.db
def test_a_queueing_lock_keeps_one_job_waiting(engine, fresh):
    from sqlalchemy.exc import IntegrityError

    with Session(engine) as session:
        jobs.defer(session, record, queueing_lock="digest", word="a", n=1)
        with pytest.raises(IntegrityError), session.begin_nested():
            jobs.defer(session, record, queueing_lock="digest", word="b", n=2)
        session.rollback()


def _retry_stalled(database_url: str) -> tuple[list[int], list[int]]:
    async def go() -> tuple[list[int], list[int]]:
        with jobs.connected(database_url) as app:
            async with app.open_async():
                return await jobs.retry_stalled_jobs(app)

    return asyncio.run(go())


@pytest.mark.db
def test_a_job_of_a_dead_worker_is_taken_up_again_exactly_once(database_url, engine, fresh):
    with Session(engine) as session:
        dead = jobs.defer(session, record, word="dead", n=1)
        alive = jobs.defer(session, record, word="alive", n=2)
        session.commit()
    stall_job(engine, dead, heartbeat_age_s=600)
    stall_job(engine, alive, heartbeat_age_s=1)  # its worker is still beating
    retried, given_up = _retry_stalled(database_url)
    assert dead in retried and alive not in retried and not given_up
    assert _job(engine, dead) == ("todo", 1) and _job(engine, alive) == ("doing", 0)
    assert _retry_stalled(database_url) == ([], [])  # already waiting: not twice

    stall_job(engine, dead, heartbeat_age_s=600)  # its second worker died too
    retried, given_up = _retry_stalled(database_url)
    assert dead in given_up and dead not in retried
    assert _job(engine, dead) == ("failed", 2)
