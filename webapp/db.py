"""One SQLAlchemy session per request, closed (and rolled back if uncommitted) at teardown.

Reads that may lag the primary by a moment (the map layers, the OGC API, exports, the dashboard)
take :func:`get_read_session`: a session on ``DATABASE_REPLICA_URL`` (a standby: libpq's
``target_session_attrs=prefer-standby`` over the nodes, or the standby's address) when it is set,
else the request's own session. Its connections are read-only
(``default_transaction_read_only``), so that nothing is ever written through it, even when libpq
falls back to the primary. Writes, and whatever must read its own write (an officer's new pin,
the review queue after an action), stay on :func:`get_session`.

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


#: Options of the replica's connections: read-only, and PostgreSQL's JIT off as on the primary's.
REPLICA_OPTIONS = "-c jit=off -c default_transaction_read_only=on"


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker[Session]
    #: The replica's engine and sessions (``DATABASE_REPLICA_URL``); ``None`` without one.
    replica_engine: Engine | None = None
    replica_sessionmaker: sessionmaker[Session] | None = None


def init_app(app: Flask) -> None:
    engine = make_engine(
        app.config["DATABASE_URL"], pool_size=5, max_overflow=10, pool_pre_ping=False
    )
    ping_when_idle(engine, PING_AFTER_IDLE_S)
    if app.config["REQUIRE_DURABLE_DATABASE"]:
        require_durability(engine)
        check_at_start(engine)
    db = Database(engine, make_sessionmaker(engine))
    replica_url = app.config.get("DATABASE_REPLICA_URL")
    if replica_url:
        db.replica_engine = make_engine(
            replica_url,
            pool_size=5,
            max_overflow=10,
            pool_pre_ping=False,
            connect_args={"options": REPLICA_OPTIONS},
        )
        ping_when_idle(db.replica_engine, PING_AFTER_IDLE_S)
        db.replica_sessionmaker = make_sessionmaker(db.replica_engine)
    app.extensions[EXTENSION] = db
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


def get_read_session() -> Session:
    """The session of the current request for reads that may lag the primary by a moment: on
    the replica when ``DATABASE_REPLICA_URL`` is set (read-only), else :func:`get_session`."""
    replica = database().replica_sessionmaker
    if replica is None:
        return get_session()
    if "db_read_session" not in g:
        g.db_read_session = replica()
    return g.db_read_session


def close_session(_exc: BaseException | None = None) -> None:
    for name in ("db_session", "db_read_session"):
        session = g.pop(name, None)
        if session is not None:
            session.close()
