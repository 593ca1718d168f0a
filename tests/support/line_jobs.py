"""The LINE chat's worker jobs run inline, for tests whose app runs in the test's transaction.

The webhook defers each event's handling (``linechat.handle``), and the handling defers the
push of its answer (``linechat.push``), in the transaction of the request or job. A test's
requests run inside the test's connection, so the jobs are visible there and never reach a
real worker: :func:`run_line_jobs` executes them as the worker would (oldest first, the
handling through the app's handler, the pushes through the app's LINE channel) and marks them
succeeded.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text

from gis.linechat.events import HANDLE, PUSH
from gis.linechat.tasks import handle_event, push_answer
from webapp.db import EXTENSION as DB
from webapp.line import settings
from webapp.line.chat import app_handler

_TODO = text(
    "SELECT id, task_name, args FROM procrastinate.procrastinate_jobs"
    " WHERE task_name IN (:handle, :push) AND status = 'todo' ORDER BY id LIMIT 1"
)
_DONE = text(
    "UPDATE procrastinate.procrastinate_jobs SET status = 'succeeded', attempts = attempts + 1"
    " WHERE id = :id"
)


def connection_of(app: Any) -> Connection:
    """The connection the app's requests run in (the test's)."""
    return app.extensions[DB].sessionmaker.kw["bind"]


def run_line_jobs(app: Any, limit: int = 100) -> list[str]:
    """Execute the chat's waiting jobs in the app's connection; the tasks' names, in order."""
    connection = connection_of(app)
    handler = app_handler(app)
    done: list[str] = []
    while len(done) < limit:
        job = connection.execute(_TODO, {"handle": HANDLE, "push": PUSH}).one_or_none()
        if job is None:
            return done
        job_id, task, args = job
        if task == HANDLE:
            handle_event(connection, args, handler)
        else:
            push_answer(settings(app), args["user_id"], args["messages"], args["retry_key"])
        connection.execute(_DONE, {"id": job_id})
        done.append(task)
    raise AssertionError(f"more than {limit} LINE jobs: a loop?")
