"""The worker's tasks of the LINE chat (:mod:`gis.jobs`).

- :data:`~gis.linechat.events.HANDLE`: one webhook event the webhook accepted
  (:func:`gis.linechat.events.accept`) is handled in one transaction: the chat's step
  (:func:`gis.linechat.flow.answer`, through the web app's :class:`Handler`, which knows the
  catalogues) and, in the same transaction, the push of its answer deferred. A failure rolls
  both back, and the job is tried again (:data:`HANDLE_RETRY`).
- :data:`~gis.linechat.events.PUSH`: the answer pushed to the user. The reply token of the
  event may have expired by the time the worker handles it, so answers go by push, with a
  retry key made from the event's id (:func:`retry_key`): LINE accepts a push of a given key
  once, so a push tried again after a lost answer is not shown twice. Tried again with backoff
  while LINE does not answer (:data:`PUSH_RETRY`); a refusal (a user who blocked the account)
  is logged and dropped.

Both jobs of a user share the user's lock (:func:`gis.linechat.events.user_lock`): a user's
events are handled, and their answers pushed, in the order the events arrived.

Each hour (:data:`TASK`) the webhook event ids older than :data:`gis.linechat.events.KEEP`,
the expired conversations and the finished jobs of the chat (their arguments hold what users
wrote) are deleted.

The arguments of these jobs (a user's id, words and place) never reach the logs: procrastinate
logs each job with its arguments, so :class:`PrivateArguments` rewrites its records of the
chat's jobs (the arguments left out, an error by its type only).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import JobContext
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from gis.jobs import app, defer, engine_of
from gis.line import LineClient, LineError, LineSettings
from gis.linechat.conversation import forget_expired
from gis.linechat.events import (
    HANDLE,
    KEEP,
    PUSH,
    QUEUE,
    forget_events,
    incoming_of,
    user_lock,
)
from gis.linechat.flow import Incoming

log = logging.getLogger(__name__)

TASK = "linechat.forget"
#: A handling that failed (the database away, a bug) is tried again twice, 5 and 10 s later.
HANDLE_RETRY = procrastinate.RetryStrategy(max_attempts=2, wait=5, linear_wait=5)
#: A push LINE did not answer is tried again after 2, 4, 8 ... 1024 s (about 34 minutes).
PUSH_RETRY = procrastinate.RetryStrategy(
    max_attempts=10, exponential_wait=2, retry_exceptions={LineError}
)
#: The namespace of the retry keys of the chat's answers.
RETRY_NAMESPACE = uuid.UUID("0b9f5f0e-4d7c-4c61-a3a8-2f8f3f0c6e21")


#: The chat's jobs, whose arguments are the users' own.
PRIVATE_TASKS = (HANDLE, PUSH)
#: procrastinate's loggers that write a job's arguments.
PROCRASTINATE_LOGGERS = (
    "procrastinate.worker",
    "procrastinate.jobs",
    "procrastinate.manager",
    "procrastinate.job_context",
)
_NAMES = "|".join(re.escape(t) for t in PRIVATE_TASKS)
_CALL = re.compile(rf"((?:{_NAMES})\[\d*\])\(.*\)", re.S)


class PrivateArguments(logging.Filter):
    """Leaves the arguments of the chat's jobs out of procrastinate's log records: the call
    string (``linechat.push[12](user_id=..., messages=...)``) becomes ``linechat.push[12](…)``,
    the job's ``task_kwargs`` in the record's extra are dropped, and an exception is named by
    its type only (its text may hold a user's words)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        private = _CALL.search(message) is not None
        for value in record.__dict__.values():
            if isinstance(value, dict) and value.get("task_name") in PRIVATE_TASKS:
                private = True
                value["task_kwargs"] = {}
                if "call_string" in value:
                    value["call_string"] = _CALL.sub(r"\1(…)", str(value["call_string"]))
        if private:
            message = _CALL.sub(r"\1(…)", message)
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__})"
            record.msg, record.args = message, ()
            record.exc_info, record.exc_text = None, None
        return True


def hide_private_arguments() -> None:
    """Put :class:`PrivateArguments` on procrastinate's loggers (once)."""
    for name in PROCRASTINATE_LOGGERS:
        found = logging.getLogger(name)
        if not any(isinstance(f, PrivateArguments) for f in found.filters):
            found.addFilter(PrivateArguments())


hide_private_arguments()


@dataclass(frozen=True)
class Handler:
    """What the worker needs from the web app to handle an event.

    Attributes:
        answer: the chat's answer to a message, as LINE message objects (JSON), in the
            conversation's language: ``answer(session, incoming, site)``, in the session's
            transaction (flushed, not committed).
        settings: the LINE channel the answers are pushed on.
    """

    answer: Callable[[Session, Incoming, str], list[dict[str, Any]]]
    settings: Callable[[], LineSettings]


_handler: list[Handler] = []


def use_handler(handler: Handler) -> None:
    """The handler the worker's tasks use (the web app's; the last one given wins)."""
    _handler[:] = [handler]


def handler() -> Handler | None:
    """The handler given to :func:`use_handler`, if any."""
    return _handler[0] if _handler else None


def retry_key(event_id: str) -> uuid.UUID:
    """The ``X-Line-Retry-Key`` of the answer to event ``event_id`` (the same every try)."""
    return uuid.uuid5(RETRY_NAMESPACE, event_id)


def handle_event(
    bind: Engine | Connection, args: Mapping[str, Any], given: Handler | None = None
) -> list[dict[str, Any]]:
    """Handle one accepted event: the chat's step and its answer's push job, one transaction.

    Args:
        bind: the worker's engine (or a connection whose transaction the work joins).
        args: the job's arguments (:func:`gis.linechat.events.accept`).
        given: the handler (default: the one of :func:`use_handler`).

    Returns:
        The answer's messages (none for an event the chat does not answer).

    Raises:
        RuntimeError: no handler in this process (the worker is started through the web app).
    """
    found = given or handler()
    if found is None:
        raise RuntimeError("no LINE chat handler in this process (start it with the web app)")
    incoming = incoming_of(dict(args))
    with Session(bind, join_transaction_mode="create_savepoint") as session:
        messages = found.answer(session, incoming, str(args["site"]))
        if messages:
            defer(
                session,
                PUSH,
                queue=QUEUE,
                lock=user_lock(incoming.user_id),
                user_id=incoming.user_id,
                messages=messages,
                retry_key=str(retry_key(str(args["event_id"]))),
            )
        session.commit()
    return messages


def push_answer(
    settings: LineSettings, user_id: str, messages: list[dict[str, Any]], key: str
) -> bool:
    """Push an answer to its user.

    Returns:
        Whether LINE took it (a repeat of its retry key counts as taken); ``False`` when LINE
        refused it for good (the user blocked the account), which is logged.

    Raises:
        LineError: LINE did not answer, or answered 429 or 5xx (try again later).
    """
    with LineClient(settings) as client:
        try:
            client.push(user_id, messages, retry_key=key)
        except LineError as exc:
            if exc.retriable:
                raise
            log.warning("LINE chat answer not pushed: %s", exc)
            return False
    return True


@app.task(name=HANDLE, queue=QUEUE, pass_context=True, retry=HANDLE_RETRY)
def handle_job(context: JobContext, **args: Any) -> None:
    handle_event(engine_of(context), args)


@app.task(name=PUSH, queue=QUEUE, retry=PUSH_RETRY)
def push_job(user_id: str, messages: list[dict[str, Any]], retry_key: str) -> None:
    found = handler()
    settings = found.settings() if found is not None else LineSettings.from_environment()
    if not settings.sends:
        log.warning("LINE chat answer not pushed: LINE_CHANNEL_ACCESS_TOKEN is not set")
        return
    push_answer(settings, user_id, messages, retry_key)


_FORGET_JOBS = text(
    """
    DELETE FROM procrastinate.procrastinate_jobs j
     WHERE j.task_name IN (:handle, :push)
       AND (j.status = 'succeeded'
            OR (j.status IN ('failed', 'cancelled', 'aborted')
                AND NOT EXISTS (SELECT 1 FROM procrastinate.procrastinate_events e
                                 WHERE e.job_id = j.id AND e.at > :before)))
    """
)


def forget_jobs(session: Session, now: dt.datetime) -> int:
    """Delete the chat's finished jobs (their arguments hold what users wrote): succeeded ones
    at once, failed ones after :data:`~gis.linechat.events.KEEP`; the caller commits.

    Returns:
        How many were deleted.
    """
    result = session.execute(_FORGET_JOBS, {"handle": HANDLE, "push": PUSH, "before": now - KEEP})
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def forget(engine: Engine | Connection, now: dt.datetime) -> tuple[int, int]:
    """Delete old event ids, expired conversations and finished jobs in one transaction.

    Returns:
        How many event ids and conversations were deleted.
    """
    with Session(engine, join_transaction_mode="create_savepoint") as session:
        events = forget_events(session, now)
        conversations = forget_expired(session, now)
        forget_jobs(session, now)
        session.commit()
    return events, conversations


@app.periodic(cron="17 * * * *", periodic_id="forget")
@app.task(name=TASK, queue=QUEUE, pass_context=True, lock=TASK)
def forget_job(context: JobContext, timestamp: int) -> None:
    events, conversations = forget(engine_of(context), dt.datetime.fromtimestamp(timestamp, dt.UTC))
    log.info(
        "LINE chat: %s event ids and %s expired conversations forgotten", events, conversations
    )
