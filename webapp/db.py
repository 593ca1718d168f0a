"""One SQLAlchemy session per request, closed (and rolled back if uncommitted) at teardown.

Pooled connections are checked before use when they have been idle for :data:`PING_AFTER_IDLE_S`
or more (:func:`ping_when_idle`), instead of before every use (``pool_pre_ping``): under load a
connection goes straight from one request to the next without a round trip, and a database that
restarted or dropped idle connections still costs no request, because a restart takes longer
than that idle time.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from gis.db import make_engine, make_sessionmaker, require_durability

log = logging.getLogger(__name__)

EXTENSION = "borderwatch.db"
#: A pooled connection idle for this long (seconds) is pinged before its next use.
PING_AFTER_IDLE_S = 1.0
_RETURNED = "borderwatch.returned_at"


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker[Session]


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"], pool_size=5, max_overflow=10, pool_pre_ping=False
    )
    ping_when_idle(engine, PING_AFTER_IDLE_S)
    if app.config["REQUIRE_DURABLE_DATABASE"]:
        require_durability(engine)
        check_at_start(engine)
    app.extensions[EXTENSION] = Database(engine, make_sessionmaker(engine))
    app.teardown_appcontext(close_session)


def check_at_start(engine: Engine) -> None:
    """Connect once at start: a database that can lose acknowledged commits stops the app here
    (:class:`gis.db.UnsafeDatabase`). A database that does not answer yet does not: the app
    starts, answers 503 until it does, and checks each new connection then."""
    try:
        with engine.connect():
            pass
    except exc.DBAPIError as err:
        log.warning(
            "the database does not answer at start (%s): answering 503 until it does",
            type(err.orig).__name__,
        )


def ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Ping a pooled connection on checkout when it was returned ``idle_s`` or more ago.

    A failed ping that is a disconnect invalidates the pool (as ``pool_pre_ping`` does) and the
    pool retries with a new connection; new connections are not pinged.
    """

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get(_RETURNED)
        if returned_at is None or time.monotonic() - returned_at < idle_s:
            return  # new, or in use a moment ago
        dialect = engine.dialect
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as err:
            if dialect.is_disconnect(err, dbapi_connection, None):
                raise exc.InvalidatePoolError() from err
            raise


def database() -> Database:
    return current_app.extensions[EXTENSION]


def get_session() -> Session:
    """The session of the current request (or CLI command), created on first use."""
    if "db_session" not in g:
        g.db_session = database().sessionmaker()
    return g.db_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
