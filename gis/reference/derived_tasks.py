"""The worker's task of reference editing (:mod:`gis.jobs`): the recomputation of derived data
deferred by :func:`gis.reference.derived.schedule` in an accepted change's transaction."""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import JobContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis.jobs import app, engine_of, when_given_up
from gis.models import ReferenceRecompute
from gis.reference.derived import LOCK, TASK, recompute
from gis.types import RunStatus

log = logging.getLogger(__name__)


@app.task(name=TASK, queue="reference", lock=LOCK, pass_context=True)
def recompute_job(context: JobContext, recompute_id: int) -> None:
    """Recompute what derives from the reference data after one accepted change, its progress
    committed as it goes."""
    with Session(engine_of(context), expire_on_commit=False) as session:
        row = recompute(session, recompute_id, commit=session.commit)
        session.commit()
        if row is not None:
            log.info(
                "reference version %s: %s derived rows recomputed", row.reference_version, row.done
            )


@when_given_up(TASK)
def recompute_given_up(engine: Engine, recompute_id: int) -> None:
    """A recomputation whose workers died twice is failed, with the reason."""
    with Session(engine) as session:
        row = session.get(ReferenceRecompute, recompute_id, with_for_update=True)
        if row is not None and row.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            row.status = RunStatus.FAILED
            row.error = "the worker stopped twice while recomputing"
            row.updated_at = dt.datetime.now(dt.UTC)
            session.commit()
