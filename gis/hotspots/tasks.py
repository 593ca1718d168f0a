"""The worker's task of a hotspot run (:mod:`gis.jobs`): the job deferred by
:func:`gis.hotspots.runs.start_run` in the run's transaction."""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import JobContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis.hotspots.runs import TASK, execute_run
from gis.jobs import RETRY_ON_DISCONNECT, app, engine_of, when_given_up
from gis.models import HotspotRun
from gis.types import RunStatus

log = logging.getLogger(__name__)

#: The error of a run given up (stored on the run, as the engine's errors are: not translated).
GIVEN_UP_ERROR = "the worker stopped twice while computing this run"


@app.task(name=TASK, queue="hotspots", pass_context=True, retry=RETRY_ON_DISCONNECT)
def execute_run_job(context: JobContext, run_id: int) -> None:
    """Execute run ``run_id`` (progress committed as it goes, the result in one transaction).

    A run no longer waiting (executed by the command line, or deleted) is left as it is. A run
    still ``running`` is one whose worker died: it is computed again from the start (its
    partial result was never committed). A failed computation is recorded on the run and fails
    the job (no retry: the same data fails the same way). A computation that lost its database
    (a failover) could not record anything: its job is taken up again
    (:data:`gis.jobs.RETRY_ON_DISCONNECT`) and finds the run ``running``.
    """
    engine = engine_of(context)
    with Session(engine) as session:
        run = session.get(HotspotRun, run_id)
        status = None if run is None else RunStatus(run.status)
    if status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        log.info("hotspot run %s is %s: nothing to do", run_id, status or "gone")
        return
    if status == RunStatus.RUNNING:
        log.warning("hotspot run %s was left running by a stopped worker: computed again", run_id)
    done = execute_run(engine, run_id)
    log.info("hotspot run %s %s (%s clusters)", done.id, done.status, done.n_clusters)


@when_given_up(TASK)
def run_given_up(engine: Engine, run_id: int) -> None:
    """A run whose workers died twice while computing it is failed, with the reason."""
    with Session(engine) as session:
        run = session.get(HotspotRun, run_id, with_for_update=True)
        if run is not None and RunStatus(run.status) in (RunStatus.QUEUED, RunStatus.RUNNING):
            run.status = RunStatus.FAILED
            run.error = GIVEN_UP_ERROR
            run.finished_at = dt.datetime.now(dt.UTC)
            session.commit()
