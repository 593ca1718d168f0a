"""The worker's notification tasks (:mod:`gis.jobs`): every minute (:data:`TASK`) it writes the
periodic notifications (new reports not told of yet, reports waiting over 48 hours, overdue
cooperation action items) and delivers what is due; and an event's notifications due at once
defer :data:`~gis.notify.outbox.DELIVER` in the event's transaction, which delivers them within
seconds of the commit.

The words of a message come from the web app's catalogues: the web app hands its composer to
:func:`gis.notify.channels.use_composer` when it starts (the worker is started through it);
without one nothing is delivered, and the rows wait.
"""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import JobContext
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from gis.jobs import app, engine_of, settings_of
from gis.notify.channels import composer, senders_from_environment
from gis.notify.delivery import LEASE, deliver_due
from gis.notify.outbox import (
    DELIVER,
    deliver_soon,
    notify_overdue_actions,
    notify_recent_reports,
    notify_waiting_reports,
)

log = logging.getLogger(__name__)

TASK = "notify.tick"
#: Most messages one tick sends (the rest wait for the next minute).
PER_TICK = 500
#: The worker's setting (``BORDERWATCH_NOTIFY_LEASE_SECONDS``) of how long a claimed delivery
#: belongs to its worker (default :data:`gis.notify.delivery.LEASE`): a worker that died with
#: a claim leaves it to the others after this long. Longer than a send can take.
LEASE_SETTING = "NOTIFY_LEASE_SECONDS"


def lease_of(context: JobContext) -> dt.timedelta:
    """The lease of the worker's claims (:data:`LEASE_SETTING`)."""
    seconds = settings_of(context).get(LEASE_SETTING)
    return dt.timedelta(seconds=float(seconds)) if seconds else LEASE


def tick(
    bind: Engine | Connection, now: dt.datetime | None = None, lease: dt.timedelta = LEASE
) -> int:
    """One minute's work: the periodic notifications, then the due deliveries.

    Args:
        bind: the worker's engine (or a connection whose transaction the work joins).
        now: the time (default: now).
        lease: how long a claim holds.

    Returns:
        How many messages were handled (sent, put back or failed).
    """
    now = now or dt.datetime.now(dt.UTC)
    with Session(bind, join_transaction_mode="create_savepoint") as session:
        notify_recent_reports(session, now)
        notify_waiting_reports(session, now)
        notify_overdue_actions(session, now)
        session.commit()
        compose = composer()
        if compose is None:
            log.warning("notifications: no composer in this process; deliveries wait")
            return 0
        senders = senders_from_environment()
        handled = len(deliver_due(session, senders, compose, limit=PER_TICK, lease=lease))
        _more_soon(session, handled)
        return handled


def deliver(
    bind: Engine | Connection, now: dt.datetime | None = None, lease: dt.timedelta = LEASE
) -> int:
    """Deliver what is due now (the job :func:`gis.notify.outbox.deliver_soon` defers when an
    event's notifications are committed).

    Returns:
        How many messages were handled.
    """
    compose = composer()
    if compose is None:
        log.warning("notifications: no composer in this process; deliveries wait")
        return 0
    with Session(bind, join_transaction_mode="create_savepoint") as session:
        senders = senders_from_environment()
        handled = len(deliver_due(session, senders, compose, now, PER_TICK, lease))
        _more_soon(session, handled)
        return handled


def _more_soon(session: Session, handled: int) -> None:
    """A run that stopped at :data:`PER_TICK` messages leaves more due: another delivery job
    goes on at once (after a backlog, such as a mail server back after an outage) rather than
    at the next minute."""
    if handled >= PER_TICK:
        deliver_soon(session)
        session.commit()


@app.task(name=DELIVER, queue="notify", pass_context=True)  # no lock: deliver_soon
def deliver_job(context: JobContext) -> None:
    handled = deliver(engine_of(context), lease=lease_of(context))
    if handled:
        log.info("notifications: %s messages handled", handled)


@app.periodic(cron="* * * * *", periodic_id="tick")
@app.task(name=TASK, queue="notify", pass_context=True, lock=TASK)
def tick_job(context: JobContext, timestamp: int) -> None:
    handled = tick(engine_of(context), lease=lease_of(context))
    if handled:
        log.info("notifications: %s messages handled", handled)
