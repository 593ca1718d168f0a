"""One SQLAlchemy session per request, closed (and rolled back if uncommitted) at teardown."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gis.db import make_engine, make_sessionmaker

EXTENSION = "borderwatch.db"


@dataclass
class Database:
    engine: Engine
    sessionmaker: sessionmaker[Session]


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], pool_size=5, max_overflow=10)
    app.extensions[EXTENSION] = Database(engine, make_sessionmaker(engine))
    app.teardown_appcontext(close_session)


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
