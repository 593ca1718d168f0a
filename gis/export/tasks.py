"""The worker's tasks of export jobs (:mod:`gis.jobs`): writing a job's file, and deleting the
files that expired (each hour). A worker of the ``exports`` queue keeps a writer process ready
(:func:`gis.export.files.start_spare_writer`: started as it starts, and again after each job),
so that a job's first features are written without waiting for the writer's start-up."""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import JobContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gis.export.files import start_spare_writer
from gis.export.jobs import TASK, ExportSettings, expire_exports, write_export_file
from gis.jobs import (
    RETRY_ON_DISCONNECT,
    app,
    engine_of,
    replica_engine_of,
    settings_of,
    when_given_up,
    when_worker_starts,
)
from gis.models import ExportFile

log = logging.getLogger(__name__)


@app.task(name=TASK, queue="exports", pass_context=True, retry=RETRY_ON_DISCONNECT)
def write_job(context: JobContext, export_id: int) -> None:
    """Write export job ``export_id``'s file (:func:`gis.export.jobs.write_export_file`), its
    features read on the replica when the worker has one (``DATABASE_REPLICA_URL``). A job that
    lost its database (a failover) is taken up again (:data:`gis.jobs.RETRY_ON_DISCONNECT`) and
    writes the file again from the start, its row still ``running``."""
    settings = ExportSettings.from_config(settings_of(context))
    sessions = sessionmaker(engine_of(context), expire_on_commit=False)
    replica = replica_engine_of(context)
    reads = None if replica is None else sessionmaker(replica, expire_on_commit=False)
    try:
        row = write_export_file(sessions, export_id, settings, read_sessions=reads)
    finally:
        start_spare_writer()  # for the next job (this one took the one ready, if any)
    if row is not None:
        log.info("export job %s %s (%s features)", row.id, row.status, row.features_written)


when_worker_starts("exports")(start_spare_writer)


@app.periodic(cron="17 * * * *", periodic_id="expire")
@app.task(name="exports.expire", queue="exports", pass_context=True)
def expire_job(context: JobContext, timestamp: int) -> None:
    """Each hour: the files of export jobs past their keeping time deleted."""
    settings = ExportSettings.from_config(settings_of(context))
    with Session(engine_of(context)) as session:
        expired = expire_exports(session, settings)
        session.commit()
    if expired:
        log.info("export jobs expired: %s", expired)


@when_given_up(TASK)
def export_given_up(engine: Engine, export_id: int) -> None:
    """An export whose workers died twice while writing it is failed, with the reason."""
    with Session(engine) as session:
        row = session.get(ExportFile, export_id, with_for_update=True)
        if row is not None and row.status in ("queued", "running"):
            row.status = "failed"
            row.error = "the worker stopped twice while writing this export"
            row.finished_at = dt.datetime.now(dt.UTC)
            session.commit()
