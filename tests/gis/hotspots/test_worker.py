"""The background worker's functions on the engine, as ``borderwatch worker`` runs them: the
queue (claim, skip locked), progress committed while a run executes, failures recorded, and runs
left ``running`` by a stopped worker queued again.

These tests commit (the worker works in its own transactions) and delete their runs afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from gis.hotspots import runs as clustering
from gis.models import HotspotRun
from gis.types import RunStatus

pytestmark = pytest.mark.db

PARAMS = {"districts": ["TH5703"], "corridor_only": False, "until": "2026-11-01"}


@pytest.fixture
def queued(engine: Engine) -> Iterator[list[int]]:
    """Ids of runs this test queues (committed); deleted afterwards."""
    ids: list[int] = []
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


def test_the_worker_takes_the_oldest_queued_run_and_commits_progress(engine, queued):
    first, second = _queue(engine, queued), _queue(engine, queued)
    seen: list[tuple[str, float]] = []

    def look(_fraction: float) -> None:  # what a poller sees on another connection
        seen.append(_status(engine, first))

    run = clustering.run_next(engine, progress=look)
    assert run is not None and run.id == first
    assert run.status == RunStatus.DONE and run.n_incidents == 0 and run.n_clusters == 0
    assert {s for s, _ in seen} == {"running"}
    progress = [p for _, p in seen]
    assert progress == sorted(progress) and progress[-1] == 1.0 and progress[0] < 0.5
    assert _status(engine, second) == ("queued", 0.0)
    assert clustering.run_next(engine).id == second  # type: ignore[union-attr]


def test_a_claimed_run_is_skipped_by_other_workers(engine, queued):
    run_id = _queue(engine, queued)
    with engine.connect() as holder:
        holder.execute(text("SELECT id FROM hotspot_run WHERE id = :id FOR UPDATE"), {"id": run_id})
        with engine.connect() as other:
            assert clustering.claim_next(other) != run_id
        holder.rollback()


def test_a_failing_run_is_recorded_and_the_worker_goes_on(engine, queued, monkeypatch):
    run_id = _queue(engine, queued)

    def broken(*_args):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(clustering, "fetch_points", broken)
    run = clustering.run_next(engine)
    assert run is not None and run.id == run_id
    assert run.status == RunStatus.FAILED and "RuntimeError" in (run.error or "")
    assert _status(engine, run_id)[0] == "failed"


def test_runs_left_running_by_a_stopped_worker_are_queued_again(engine, queued):
    abandoned, alive = _queue(engine, queued), _queue(engine, queued)
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE hotspot_run SET status = 'running' WHERE id IN (:a, :b)"),
            {"a": abandoned, "b": alive},
        )
    held = threading.Event()
    release = threading.Event()

    def worker_still_running() -> None:
        with engine.connect() as conn:
            conn.execute(
                text("SELECT pg_advisory_lock(:c, :id)"),
                {"c": clustering.LOCK_CLASS, "id": alive},
            )
            held.set()
            release.wait(10)
            conn.execute(
                text("SELECT pg_advisory_unlock(:c, :id)"),
                {"c": clustering.LOCK_CLASS, "id": alive},
            )

    thread = threading.Thread(target=worker_still_running)
    thread.start()
    try:
        assert held.wait(10)
        assert clustering.requeue_abandoned(engine) == [abandoned]
        assert _status(engine, abandoned)[0] == "queued"
        assert _status(engine, alive)[0] == "running"
    finally:
        release.set()
        thread.join()
