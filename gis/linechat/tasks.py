"""The worker's periodic task of the LINE chat (:mod:`gis.jobs`): each hour, the webhook event
ids older than :data:`gis.linechat.events.KEEP` and the expired conversations are deleted."""

from __future__ import annotations

import datetime as dt
import logging

from procrastinate import JobContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from gis.jobs import app, engine_of
from gis.linechat.conversation import forget_expired
from gis.linechat.events import forget_events

log = logging.getLogger(__name__)

TASK = "linechat.forget"


def forget(engine: Engine, now: dt.datetime) -> tuple[int, int]:
    """Delete old event ids and expired conversations in one transaction.

    Returns:
        How many event ids and conversations were deleted.
    """
    with Session(engine) as session:
        events = forget_events(session, now)
        conversations = forget_expired(session, now)
        session.commit()
    return events, conversations


@app.periodic(cron="17 * * * *", periodic_id="forget")
@app.task(name=TASK, queue="linechat", pass_context=True, lock=TASK)
def forget_job(context: JobContext, timestamp: int) -> None:
    events, conversations = forget(engine_of(context), dt.datetime.fromtimestamp(timestamp, dt.UTC))
    log.info(
        "LINE chat: %s event ids and %s expired conversations forgotten", events, conversations
    )
