"""Background jobs: procrastinate on the app's own database, enqueued in the event's transaction.

The worker (``borderwatch worker``) runs every job of the house: hotspot runs, export jobs,
notification deliveries, digests, reminders and expiries. They are procrastinate 3 jobs
(PostgreSQL-backed: ``FOR UPDATE SKIP LOCKED`` fetching, ``LISTEN/NOTIFY`` wake-ups, retries
with backoff, locks, periodic tasks, worker heartbeats) in the schema ``procrastinate`` of the
same database (the migration `migrations/versions/*_jobs.py`).

Contract, for every feature:

- A task is a function in the feature's ``tasks`` module, decorated with ``@app.task(name=
  "<feature>.<verb>", queue="<feature>", ...)`` (``pass_context=True`` gives it the
  :class:`procrastinate.JobContext`, whose :func:`engine_of` is the worker's SQLAlchemy engine).
  The module is named in :data:`TASK_MODULES`, which the worker imports at start.
- A periodic task adds ``@app.periodic(cron="...")`` above ``@app.task`` and takes the
  ``timestamp`` it was scheduled for (procrastinate defers it once per tick, whichever worker
  does it first): digests, reminders and expiries.
- :func:`defer` enqueues a job **inside the caller's transaction** (a SQLAlchemy session or
  connection over psycopg2) through procrastinate's own SQL function: the job exists when the
  event commits and not at all when it rolls back. Arguments are JSON.
- Tasks never run inside a web request. A task that fails is recorded by procrastinate
  (``failed``, with its retries as the task says); a job whose worker died (no heartbeat for
  :data:`STALLED_AFTER_S`) is taken up again exactly once by :func:`retry_stalled_jobs` (each
  minute, and when a worker starts), and marked ``failed`` if it stalls again; the feature
  learns it through :func:`when_given_up` (to mark its own row failed).

:func:`conninfo` makes the psycopg 3 connection string of the worker's connector from the
app's ``DATABASE_URL`` the way SQLAlchemy's psycopg2 dialect reads it (multi-host libpq URLs
included), with ``procrastinate`` first in the search path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import procrastinate
import psycopg2
from procrastinate import JobContext
from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection, Engine, exc, make_url, text
from sqlalchemy.orm import Session

from gis.db import normalise_url

log = logging.getLogger(__name__)

#: The PostgreSQL schema of procrastinate's tables and functions (the jobs migration; the SQL
#: below names it as it is).
SCHEMA = "procrastinate"
#: The modules that define tasks; the worker imports them at start. A feature with tasks adds
#: its ``tasks`` module here.
TASK_MODULES: tuple[str, ...] = (
    "gis.jobs",
    "gis.hotspots.tasks",
    "gis.export.tasks",
    "gis.linechat.tasks",
    "gis.notify.tasks",
    "gis.reference.derived_tasks",
)
#: A worker whose last heartbeat is older than this is gone; its jobs are taken up again.
STALLED_AFTER_S = 30.0
#: Times a job whose worker died is taken up again before it is marked failed.
STALLED_RETRIES = 1
#: The retries of a job that lost its database (a failover, a restart: the connection closed
#: under it): taken up again 10 s later, up to 5 times, by whichever worker runs then. A task
#: that takes it (``retry=RETRY_ON_DISCONNECT``) must do nothing twice: it finds its own row
#: where it left it (``running``: computed again; ``done`` or ``failed``: left as it is). Without
#: it, procrastinate records the job failed on the new primary while the task's row, which it
#: could not write, stays ``running`` for ever.
RETRY_ON_DISCONNECT = procrastinate.RetryStrategy(
    max_attempts=5,
    wait=10,
    retry_exceptions=(
        exc.OperationalError,
        exc.InterfaceError,
        psycopg2.OperationalError,
        psycopg2.InterfaceError,
    ),
)


def lost_database(error: BaseException) -> bool:
    """Whether ``error`` says the connection to the database was lost (a failover, a restart:
    the job's row could not be written, or was written on another server) rather than that a
    statement failed (a statement timeout, bad data: the same run fails the same way).

    Such a job is left as it was (``running``) for :data:`RETRY_ON_DISCONNECT` to take up."""
    cause: BaseException | None = error
    if isinstance(error, exc.DBAPIError):
        if error.connection_invalidated:
            return True
        cause = error.orig
    code = getattr(cause, "pgcode", None)
    if code is not None:  # 08: connection exception; 57P: the server shut down
        return str(code).startswith(("08", "57P"))
    # no SQLSTATE and no subclass of one (psycopg2.errors): the connection itself broke
    return type(cause) in (psycopg2.OperationalError, psycopg2.InterfaceError)


#: Key of the worker's SQLAlchemy engine in a job's ``additional_context``.
ENGINE_KEY = "engine"
#: Key of the worker's settings (the app's configuration) in a job's ``additional_context``.
SETTINGS_KEY = "settings"
#: Key of the replica's engine (``DATABASE_REPLICA_URL``) in a job's ``additional_context``.
REPLICA_KEY = "replica_engine"

#: The app of every task. Its connector is replaced by one on ``DATABASE_URL`` when a worker
#: starts (:func:`connected`); without one, psycopg reads the libpq environment (``PGHOST``...),
#: which is what ``procrastinate --app=gis.jobs.app`` uses.
app = procrastinate.App(
    connector=procrastinate.PsycopgConnector(),
    import_paths=list(TASK_MODULES),
)


def conninfo(url: str) -> str:
    """The psycopg 3 connection string of a SQLAlchemy ``DATABASE_URL``.

    The URL is read by SQLAlchemy's psycopg2 dialect, as the app's engine reads it (hosts,
    ports, multi-host lists and query parameters), and ``procrastinate`` is put first in the
    search path of the connection (procrastinate's queries name its tables without a schema).

    Args:
        url: the app's ``DATABASE_URL``.

    Returns:
        A libpq ``key=value`` connection string.
    """
    parsed = make_url(normalise_url(url))
    _args, params = parsed.get_dialect()().create_connect_args(parsed)
    options = str(params.pop("options", "")).strip()
    params["options"] = f"{options} -c search_path={SCHEMA},public".strip()
    return make_conninfo(**{k: v for k, v in params.items() if v is not None})


def connected(url: str) -> Any:
    """A context manager in which :data:`app` talks to the database of ``url``.

    Args:
        url: the app's ``DATABASE_URL``.

    Returns:
        ``app.replace_connector(...)``: use as ``with connected(url) as app: app.run_worker()``.
    """
    connector = procrastinate.PsycopgConnector(conninfo=conninfo(url))
    return app.replace_connector(connector)


def engine_of(context: JobContext) -> Engine:
    """The worker's SQLAlchemy engine, from a job's context (``pass_context=True`` tasks)."""
    engine = context.additional_context.get(ENGINE_KEY)
    if not isinstance(engine, Engine):
        raise RuntimeError("the worker was started without an engine (gis.jobs.run_worker)")
    return engine


def replica_engine_of(context: JobContext) -> Engine | None:
    """The engine of the replica (``DATABASE_REPLICA_URL``: read-only connections to a standby)
    the worker was started with, from a job's context; ``None`` without a replica. Tasks that
    only read many rows (the export jobs) read there and write on :func:`engine_of`."""
    engine = context.additional_context.get(REPLICA_KEY)
    return engine if isinstance(engine, Engine) else None


def settings_of(context: JobContext) -> Mapping[str, Any]:
    """The worker's settings (the app's configuration: ``EXPORT_DIR``, ...), from a job's
    context."""
    return dict(context.additional_context.get(SETTINGS_KEY) or {})


# --------------------------------------------------------------------------- enqueueing

_DEFER = text(
    "SELECT unnest(procrastinate.procrastinate_defer_jobs_v1(ARRAY[ROW("
    ":queue, :task, :priority, :lock, :queueing_lock, CAST(:args AS jsonb), :scheduled_at"
    ")::procrastinate.procrastinate_job_to_defer_v1]))"
)


def defer(
    bind: Session | Connection,
    task: str | procrastinate.tasks.Task[Any, Any, Any],
    *,
    queue: str | None = None,
    lock: str | None = None,
    queueing_lock: str | None = None,
    priority: int = 0,
    schedule_at: dt.datetime | None = None,
    **args: Any,
) -> int:
    """Enqueue a job in the caller's transaction (it exists only if that transaction commits).

    Args:
        bind: the session or connection of the event that causes the job.
        task: the task's name (``"hotspots.execute_run"``) or the task itself (its queue, lock
            and priority are then the defaults).
        queue: the queue; by default the task's, or the part of its name before the first dot.
        lock: jobs with the same lock never run at the same time.
        queueing_lock: at most one job waiting (``todo``) with this lock; a second defer
            raises :class:`sqlalchemy.exc.IntegrityError`.
        priority: higher first.
        schedule_at: not before this time (aware).
        **args: the task's keyword arguments, JSON-serialisable.

    Returns:
        The job's id.
    """
    if isinstance(task, str):
        name = task
        default_queue = task.split(".", 1)[0]
    else:
        name = task.name
        default_queue = task.queue
        lock = lock if lock is not None else task.lock
        queueing_lock = queueing_lock if queueing_lock is not None else task.queueing_lock
        priority = priority or task.priority
    job_id = bind.execute(
        _DEFER,
        {
            "queue": queue or default_queue,
            "task": name,
            "priority": priority,
            "lock": lock,
            "queueing_lock": queueing_lock,
            "args": orjson.dumps(args).decode(),
            "scheduled_at": schedule_at,
        },
    ).scalar_one()
    return int(job_id)


# --------------------------------------------------------------------------- reading jobs


@dataclass(frozen=True)
class JobRow:
    """One job as ``borderwatch jobs`` lists it."""

    id: int
    queue: str
    task: str
    status: str
    attempts: int
    args: dict[str, Any]
    scheduled_at: dt.datetime | None
    updated_at: dt.datetime | None


_LIST = text(
    """
    SELECT j.id, j.queue_name, j.task_name, j.status::text AS status, j.attempts, j.args,
           j.scheduled_at, (SELECT max(e.at) FROM procrastinate.procrastinate_events e
                            WHERE e.job_id = j.id) AS updated_at
      FROM procrastinate.procrastinate_jobs j
     WHERE (CAST(:status AS text) IS NULL OR j.status::text = :status)
       AND (CAST(:queue AS text) IS NULL OR j.queue_name = :queue)
       AND (CAST(:task AS text) IS NULL OR j.task_name = :task)
     ORDER BY j.id DESC
     LIMIT :limit
    """
)


def list_jobs(
    bind: Session | Connection,
    *,
    status: str | None = None,
    queue: str | None = None,
    task: str | None = None,
    limit: int = 50,
) -> list[JobRow]:
    """The latest jobs, newest first, optionally of one status, queue or task."""
    rows = bind.execute(
        _LIST, {"status": status, "queue": queue, "task": task, "limit": limit}
    ).mappings()
    return [
        JobRow(
            id=r["id"],
            queue=r["queue_name"],
            task=r["task_name"],
            status=r["status"],
            attempts=r["attempts"],
            args=dict(r["args"] or {}),
            scheduled_at=r["scheduled_at"],
            updated_at=r["updated_at"],
        )
        for r in rows
    ]


_COUNTS = text(
    "SELECT queue_name, status::text, count(*) FROM procrastinate.procrastinate_jobs "
    "GROUP BY 1, 2 ORDER BY 1, 2"
)


def count_jobs(bind: Session | Connection) -> list[tuple[str, str, int]]:
    """Jobs per queue and status: ``(queue, status, count)``."""
    return [(str(q), str(s), int(n)) for q, s, n in bind.execute(_COUNTS)]


# --------------------------------------------------------------------------- the worker


#: What a feature does when one of its jobs is given up after its workers died
#: (:func:`when_given_up`): task name -> function of the worker's engine and the job's arguments.
GIVEN_UP: dict[str, Callable[..., None]] = {}


def when_given_up(task_name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Register what to do when a job of ``task_name`` is given up (its workers died
    :data:`STALLED_RETRIES` + 1 times): e.g. mark the feature's own row failed.

    The function is called in the worker as ``function(engine, **job_args)``.
    """

    def register(function: Callable[..., None]) -> Callable[..., None]:
        GIVEN_UP[task_name] = function
        return function

    return register


#: What a feature prepares when a worker that takes its queue starts (:func:`when_worker_starts`):
#: queue name -> functions of no argument.
WORKER_STARTS: dict[str, list[Callable[[], None]]] = {}


def when_worker_starts(queue: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register what to prepare when a worker that takes ``queue`` starts and waits for jobs
    (not a worker run ``once``): e.g. the export worker's writer process, started ahead of the
    first job. The function is called in the worker's process, before its first job."""

    def register(function: Callable[[], None]) -> Callable[[], None]:
        WORKER_STARTS.setdefault(queue, []).append(function)
        return function

    return register


async def retry_stalled_jobs(
    procrastinate_app: procrastinate.App,
    engine: Engine | None = None,
    seconds_since_heartbeat: float = STALLED_AFTER_S,
) -> tuple[list[int], list[int]]:
    """Take up again the jobs whose worker died (no heartbeat for ``seconds_since_heartbeat``).

    A job is retried :data:`STALLED_RETRIES` times; stalled once more, it is marked failed and
    its task's :func:`when_given_up` function runs (with ``engine``). Two workers doing this at
    once retry a job once: procrastinate's retry takes the job's row and refuses a job no
    longer ``doing``.

    Returns:
        The ids retried and the ids given up.
    """
    manager = procrastinate_app.job_manager
    retried, given_up = [], []
    for job in await manager.get_stalled_jobs(seconds_since_heartbeat=seconds_since_heartbeat):
        if job.id is None:
            continue
        try:
            if job.attempts < STALLED_RETRIES:
                await manager.retry_job_by_id_async(job.id, dt.datetime.now(dt.UTC))
                retried.append(job.id)
                log.warning("job %s was left running by a stopped worker: queued again", job.id)
                continue
            await manager.finish_job_by_id_async(
                job.id, procrastinate.jobs.Status.FAILED, delete_job=False
            )
        except Exception:  # taken by another worker meanwhile (no longer doing)
            log.info("stalled job %s was taken up by another worker", job.id)
            continue
        given_up.append(job.id)
        log.error("job %s was left running by stopped workers twice: failed", job.id)
        hook = GIVEN_UP.get(job.task_name)
        if hook is not None and engine is not None:
            await asyncio.to_thread(hook, engine, **job.task_kwargs)
    return retried, given_up


@app.periodic(cron="* * * * *", periodic_id="stalled")
@app.task(name="jobs.retry_stalled", queue="jobs", pass_context=True)
async def retry_stalled(context: JobContext, timestamp: int) -> None:
    """Each minute: jobs of dead workers taken up again (:func:`retry_stalled_jobs`)."""
    await retry_stalled_jobs(context.app, engine_of(context))


def run_worker(
    url: str,
    engine: Engine,
    *,
    once: bool = False,
    queues: Sequence[str] | None = None,
    concurrency: int = 1,
    poll: float = 5.0,
    install_signal_handlers: bool = True,
    settings: Mapping[str, Any] | None = None,
    replica_engine: Engine | None = None,
) -> None:
    """Run a worker on ``url`` until it is stopped (SIGINT/SIGTERM), or, with ``once``, until
    no job is waiting.

    Args:
        url: the app's ``DATABASE_URL``.
        engine: the SQLAlchemy engine the tasks use (:func:`engine_of`).
        once: stop when the queues are empty (tests, cron-like use).
        queues: the queues to take jobs from (all when ``None``).
        concurrency: jobs at a time in this worker.
        poll: seconds between fetches when no notification came.
        install_signal_handlers: stop gracefully on SIGINT/SIGTERM.
        settings: what tasks read with :func:`settings_of` (the app's configuration).
        replica_engine: the replica's engine, what tasks read with :func:`replica_engine_of`.
    """
    with connected(url) as worker_app:
        if not once:
            worker_app.perform_import_paths()  # the task modules register what they prepare
            for queue, prepare in WORKER_STARTS.items():
                if queues is None or queue in queues:
                    for function in prepare:
                        function()

        async def work() -> None:
            async with worker_app.open_async():
                await retry_stalled_jobs(worker_app, engine)
                await worker_app.run_worker_async(
                    queues=list(queues) if queues else None,
                    wait=not once,
                    concurrency=concurrency,
                    fetch_job_polling_interval=poll,
                    install_signal_handlers=install_signal_handlers,
                    update_heartbeat_interval=STALLED_AFTER_S / 3,
                    stalled_worker_timeout=STALLED_AFTER_S,
                    additional_context={
                        ENGINE_KEY: engine,
                        SETTINGS_KEY: dict(settings or {}),
                        REPLICA_KEY: replica_engine,
                    },
                )

        asyncio.run(work())


def queue_names(values: Iterable[str]) -> list[str]:
    """Queue names as given on the command line (comma-separated or repeated)."""
    return [q.strip() for v in values for q in v.split(",") if q.strip()]
