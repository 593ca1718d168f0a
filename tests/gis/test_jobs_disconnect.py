"""A job that lost its database (a failover: the connection closed under it) is taken up again
rather than recorded failed: its task finds its own row where it left it. The whole path, a
worker across a real failover, is in tests/test_failover.py."""

from __future__ import annotations

import psycopg2
import psycopg2.errors
import pytest
from procrastinate.jobs import Job
from sqlalchemy import exc

from gis import jobs
from gis.export.jobs import TASK as EXPORT_TASK
from gis.hotspots.runs import TASK as RUN_TASK

CLOSED = "server closed the connection unexpectedly"


def job(attempts: int) -> Job:
    return Job(id=1, queue="q", lock=None, queueing_lock=None, task_name="t", attempts=attempts)


@pytest.mark.parametrize(
    "error",
    [
        exc.OperationalError("SELECT 1", {}, psycopg2.OperationalError(CLOSED)),
        exc.InterfaceError("SELECT 1", {}, psycopg2.InterfaceError("connection already closed")),
        psycopg2.OperationalError(CLOSED),
    ],
)
def test_a_job_that_lost_its_database_is_taken_up_again_later(error):
    decision = jobs.RETRY_ON_DISCONNECT.get_retry_decision(exception=error, job=job(0))
    assert decision is not None
    assert decision.retry_at is not None or decision.retry_in is not None


def test_other_errors_and_the_last_attempt_are_not_taken_up_again():
    strategy = jobs.RETRY_ON_DISCONNECT
    assert strategy.get_retry_decision(exception=ValueError("bad data"), job=job(0)) is None
    closed = psycopg2.OperationalError(CLOSED)
    assert strategy.get_retry_decision(exception=closed, job=job(5)) is None


@pytest.mark.parametrize("name", [RUN_TASK, EXPORT_TASK])
def test_hotspot_runs_and_export_jobs_are_taken_up_again_after_a_failover(name):
    jobs.app.perform_import_paths()
    assert jobs.app.tasks[name].retry_strategy is jobs.RETRY_ON_DISCONNECT


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (psycopg2.OperationalError(CLOSED), True),
        (psycopg2.InterfaceError("connection already closed"), True),
        (exc.OperationalError("SELECT 1", {}, psycopg2.OperationalError(CLOSED)), True),
        (
            exc.OperationalError(
                "SELECT 1", {}, psycopg2.errors.QueryCanceled("x"), connection_invalidated=True
            ),
            True,
        ),
        (psycopg2.errors.QueryCanceled("canceling statement due to statement timeout"), False),
        (exc.OperationalError("SELECT 1", {}, psycopg2.errors.QueryCanceled("timeout")), False),
        (exc.IntegrityError("INSERT", {}, psycopg2.errors.UniqueViolation("dup")), False),
        (ValueError("bad data"), False),
    ],
)
def test_a_lost_connection_is_told_from_a_failed_statement(error, lost):
    """A run that lost its database is left running for the retry; one whose statement failed
    is recorded failed (the same data fails the same way)."""
    assert jobs.lost_database(error) is lost
