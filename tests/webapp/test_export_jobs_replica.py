"""Export jobs read their features on the replica (``DATABASE_REPLICA_URL``), as downloads do:
the job's row and its audit row stay on the primary; a replica that does not answer when the job
starts is not waited for, the job reads on the primary. The worker hands its tasks the replica's
engine (:func:`gis.jobs.replica_engine_of`).

The "replica" here is the test database through connections of its own, which cannot see the
test's uncommitted rows: what the job read there lacks the test's incidents, which the primary
(the test's transaction) holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from gis import jobs
from gis.db import make_engine
from gis.export.jobs import ExportSettings, write_export_file
from gis.models import ExportAudit, ExportFile
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build, client_of
from tests.webapp.signin import csrf_token
from tests.webapp.test_replica import unreachable
from webapp.db import REPLICA_OPTIONS

pytestmark = pytest.mark.db

QUEUE = "tests-replica"
SEEN: list[object] = []


@jobs.app.task(name="tests.replica_engine", queue=QUEUE, pass_context=True)
def sees_replica(context: jobs.JobContext) -> None:
    SEEN.append(jobs.replica_engine_of(context))


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


@pytest.fixture
def settings(app, tmp_path: Path) -> ExportSettings:
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return ExportSettings.from_config(app.config)


def replica_engine(url: str) -> Engine:
    """An engine as the app makes the replica's (read-only connections)."""
    return make_engine(url, connect_args={"options": REPLICA_OPTIONS})


@pytest.fixture
def live_replica(database_url: str) -> Iterator[Engine]:
    engine = replica_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def dead_replica(database_url: str) -> Iterator[Engine]:
    engine = replica_engine(unreachable(database_url))
    yield engine
    engine.dispose()


def sessions_of(connection: Connection):
    """The worker's sessions on the primary, inside the test's transaction."""
    return lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def queue_job(app) -> int:
    """An HQ analyst's GeoJSON export of every incident, asked as a job."""
    client = client_of(app, Role.HQ_ANALYST)
    resp = client.post(
        "/api/exports",
        json={"collection": "incidents", "format": "geojson", "job": True},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert resp.status_code == 202, resp.get_data(as_text=True)
    return int(resp.get_json()["id"])


def written_ids(settings: ExportSettings, row: ExportFile) -> set[int]:
    data = json.loads((settings.directory / str(row.file_name)).read_text(encoding="utf-8"))
    return {f["id"] for f in data["features"]}


def test_an_export_job_reads_the_replica_and_records_on_the_primary(
    app, session, connection, world, settings, live_replica
):
    mine = set(world.incidents.values())
    job_id = queue_job(app)
    assert session.get_one(ExportFile, job_id).features_estimated >= 1  # the primary's count

    done = write_export_file(
        sessions_of(connection),
        job_id,
        settings,
        read_sessions=sessionmaker(live_replica, expire_on_commit=False),
    )

    assert done.status == "done", done.error
    assert not mine & written_ids(settings, done)  # read where the test's rows are not
    audit = session.get_one(ExportAudit, done.audit_id)  # written in the test's transaction
    assert (audit.state, audit.feature_count) == ("completed", done.features_written)
    with live_replica.connect() as conn:  # ... and so not on the replica's connections
        assert (
            conn.execute(
                text("SELECT count(*) FROM export_audit WHERE id = :id"), {"id": done.audit_id}
            ).scalar_one()
            == 0
        )


def test_an_export_job_reads_the_primary_when_the_replica_does_not_answer(
    app, session, connection, world, settings, dead_replica
):
    mine = set(world.incidents.values())
    job_id = queue_job(app)

    done = write_export_file(
        sessions_of(connection),
        job_id,
        settings,
        read_sessions=sessionmaker(dead_replica, expire_on_commit=False),
    )

    assert done.status == "done", done.error
    # what the primary counted when the job was asked, and the test's rows among it
    assert done.features_written == done.features_estimated
    assert mine & written_ids(settings, done)
    audit = session.get_one(ExportAudit, done.audit_id)
    assert (audit.state, audit.feature_count) == ("completed", done.features_written)


def test_the_worker_hands_its_tasks_the_replicas_engine(database_url, engine, live_replica):
    with engine.connect() as conn:
        last = conn.execute(
            text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs")
        ).scalar_one()
        last_worker = conn.execute(
            text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_workers")
        ).scalar_one()
    SEEN.clear()
    try:
        for replica in (live_replica, None):
            with Session(engine) as s:
                jobs.defer(s, sees_replica)
                s.commit()
            jobs.run_worker(
                database_url,
                engine,
                once=True,
                queues=[QUEUE],
                install_signal_handlers=False,
                replica_engine=replica,
            )
        assert [live_replica, None] == SEEN
    finally:
        with engine.begin() as conn:
            conn.execute(
                text("DELETE FROM procrastinate.procrastinate_jobs WHERE id > :id"), {"id": last}
            )
            conn.execute(
                text("DELETE FROM procrastinate.procrastinate_workers WHERE id > :id"),
                {"id": last_worker},
            )


def test_an_export_job_that_loses_its_connection_is_left_running_and_written_on_retry(
    app, session, connection, world, settings, engine, live_replica
):
    """The replica's backend is terminated (as a failover or a restart does) at the job's first
    read there: the job raises for the worker's retry, its row stays ``running`` with no error
    and no file; the retry writes the file."""
    job_id = queue_job(app)
    killed: list[int] = []

    @event.listens_for(live_replica, "checkout")
    def kill_once(dbapi_connection, record, proxy):
        if not killed:  # the connection the job reads with, after the pool's ping
            pid = dbapi_connection.get_backend_pid()
            killed.append(pid)
            with engine.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
                other.execute(
                    text("SELECT pg_sleep(0.1) FROM pg_stat_activity WHERE pid = :pid"),
                    {"pid": pid},
                )

    reads = sessionmaker(live_replica, expire_on_commit=False)
    try:
        with pytest.raises(Exception) as lost:
            write_export_file(sessions_of(connection), job_id, settings, read_sessions=reads)
    finally:
        event.remove(live_replica, "checkout", kill_once)
    assert killed and jobs.lost_database(lost.value)
    session.expire_all()
    row = session.get_one(ExportFile, job_id)
    assert (row.status, row.error, row.file_name) == ("running", None, None)
    assert not list(settings.directory.glob("*"))  # no partial file left behind

    live_replica.dispose()  # the pool's connection died with its backend
    done = write_export_file(sessions_of(connection), job_id, settings, read_sessions=reads)
    assert done.status == "done", done.error
    assert done.features_written == len(written_ids(settings, done))
