"""Hotspot runs in the background worker (``borderwatch worker``, :mod:`gis.jobs`): a queued run
is a job deferred in its transaction, the worker takes runs oldest first and never one another
worker holds, progress is committed while a run executes, failures are recorded and the worker
goes on, and a run left ``running`` by a worker that died is taken up again exactly once.

These tests commit (the worker works in its own transactions) and delete their runs and jobs
afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from gis import jobs
from gis.hotspots import runs as clustering
from gis.models import HotspotRun
from gis.types import RunStatus
from tests.factories import jobs_made_here, stall_job

pytestmark = pytest.mark.db

PARAMS = {"districts": ["TH5703"], "corridor_only": False, "until": "2026-11-01"}


@pytest.fixture
def queued(engine: Engine) -> Iterator[list[int]]:
    """Ids of runs this test queues (committed); deleted afterwards with every job and worker
    row made meanwhile."""
    ids: list[int] = []
    with jobs_made_here(engine):
        yield ids
        with Session(engine) as session:
            session.execute(delete(HotspotRun).where(HotspotRun.id.in_(ids)))
            session.commit()


def _queue(engine: Engine, ids: list[int]) -> int:
    with Session(engine) as session:
        run = clustering.start_run(session, PARAMS, None)
        session.commit()
        ids.append(run.id)
        return run.id


def _status(engine: Engine, run_id: int) -> tuple[str, float]:
    with engine.connect() as conn:
        row = conn.execute(
            select(HotspotRun.status, HotspotRun.progress).where(HotspotRun.id == run_id)
        ).one()
    return str(row[0]), float(row[1])


def _job_of(engine: Engine, run_id: int) -> tuple[int, str, int]:
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT id, status::text, attempts FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'hotspots.execute_run' AND (args->>'run_id')::int = :id"
            ),
            {"id": run_id},
        ).one()
    return int(row[0]), str(row[1]), int(row[2])


def _work(database_url: str, engine: Engine) -> None:
    jobs.run_worker(
        database_url, engine, once=True, queues=["hotspots"], install_signal_handlers=False
    )


def _started(engine: Engine, run_id: int):
    with engine.connect() as conn:
        return conn.execute(
            select(HotspotRun.started_at).where(HotspotRun.id == run_id)
        ).scalar_one()


def test_a_queued_run_is_a_job_of_its_transaction(engine, queued):
    run_id = _queue(engine, queued)
    assert _job_of(engine, run_id)[1:] == ("todo", 0)
    with Session(engine) as session:
        dropped = clustering.start_run(session, PARAMS, None)
        dropped_id = dropped.id
        session.rollback()
    with engine.connect() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM procrastinate.procrastinate_jobs "
                    "WHERE (args->>'run_id')::int = :id"
                ),
                {"id": dropped_id},
            ).scalar_one()
            == 0
        )


def test_the_worker_takes_queued_runs_oldest_first(database_url, engine, queued):
    first, second = _queue(engine, queued), _queue(engine, queued)
    _work(database_url, engine)
    for run_id in (first, second):
        assert _status(engine, run_id) == ("done", 1.0)
        assert _job_of(engine, run_id)[1] == "succeeded"
    assert _started(engine, first) < _started(engine, second)


def test_progress_is_committed_while_a_run_executes(engine, queued):
    run_id = _queue(engine, queued)
    seen: list[tuple[str, float]] = []

    def look(_fraction: float) -> None:  # what a poller sees on another connection
        seen.append(_status(engine, run_id))

    run = clustering.execute_run(engine, run_id, progress=look)
    assert run.status == RunStatus.DONE and run.n_incidents == 0 and run.n_clusters == 0
    assert {s for s, _ in seen} == {"running"}
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0 and progress[0] < 0.5


def _held_by(engine: Engine, run_id: int, heartbeat_age_s: float) -> None:
    """The run's job taken by a worker whose last heartbeat is that old, the run ``running``."""
    stall_job(engine, _job_of(engine, run_id)[0], heartbeat_age_s)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE hotspot_run SET status = 'running', progress = 0.35 WHERE id = :id"),
            {"id": run_id},
        )


def test_a_run_another_worker_holds_is_skipped(database_url, engine, queued):
    held, free = _queue(engine, queued), _queue(engine, queued)
    _held_by(engine, held, heartbeat_age_s=1)  # its worker is alive
    _work(database_url, engine)
    assert _status(engine, held) == ("running", 0.35)
    assert _job_of(engine, held)[1] == "doing"
    assert _status(engine, free) == ("done", 1.0)


def test_a_failing_run_is_recorded_and_the_worker_goes_on(
    database_url, engine, queued, monkeypatch
):
    broken_id, fine_id = _queue(engine, queued), _queue(engine, queued)
    fetch = clustering.fetch_points

    def broken(session, params):
        if params.district_ids and _started(engine, fine_id) is None:
            raise RuntimeError("out of memory")
        return fetch(session, params)

    monkeypatch.setattr(clustering, "fetch_points", broken)
    _work(database_url, engine)
    with Session(engine) as session:
        run = session.get_one(HotspotRun, broken_id)
        assert run.status == RunStatus.FAILED and "RuntimeError" in (run.error or "")
    assert _job_of(engine, broken_id)[1] == "failed"
    assert _status(engine, fine_id) == ("done", 1.0)


def test_a_run_left_running_by_a_dead_worker_is_taken_up_again_exactly_once(
    database_url, engine, queued
):
    abandoned, alive = _queue(engine, queued), _queue(engine, queued)
    _held_by(engine, abandoned, heartbeat_age_s=600)  # its worker was killed
    _held_by(engine, alive, heartbeat_age_s=1)  # its worker is still running it
    _work(database_url, engine)  # a worker starts: it takes the abandoned run up again
    assert _status(engine, abandoned) == ("done", 1.0)
    assert _job_of(engine, abandoned)[1:] == ("succeeded", 2)  # stalled once, then done
    assert _status(engine, alive) == ("running", 0.35)

    again = _queue(engine, queued)
    _held_by(engine, again, heartbeat_age_s=600)
    with engine.begin() as conn:  # taken up once already, and its worker died again
        conn.execute(
            text("UPDATE procrastinate.procrastinate_jobs SET attempts = 1 WHERE id = :id"),
            {"id": _job_of(engine, again)[0]},
        )
    _work(database_url, engine)
    assert _job_of(engine, again)[1] == "failed"
    with Session(engine) as session:  # the run says so, and the planner's page shows why
        run = session.get_one(HotspotRun, again)
        assert run.status == RunStatus.FAILED and "stopped twice" in (run.error or "")


def test_a_run_executed_by_the_command_line_is_left_as_it_is(database_url, engine, queued):
    run_id = _queue(engine, queued)
    done = clustering.execute_run(engine, run_id)
    finished = done.finished_at
    _work(database_url, engine)
    assert _job_of(engine, run_id)[1] == "succeeded"
    with Session(engine) as session:
        assert session.get_one(HotspotRun, run_id).finished_at == finished
