"""Test fixtures: a real PostGIS database, migrated and seeded once per run; a transaction rolled
back after every test, shared by the app under test.

The database server comes from ``DATABASE_URL`` (or ``var/local.env``, written by ``make up``).
The tests use their own database on it, ``<name>_test`` (``BORDERWATCH_TEST_DB`` overrides the
name), which they drop and create at the start of the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.orm import Session

from gis.db import make_engine, normalise_url
from gis.ops import migrate
from tests.dbtools import create_database
from webapp.config import load_local_env


def _server_url() -> str:
    load_local_env()
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.exit("DATABASE_URL is not set and var/local.env is missing: run `make up` first", 2)
    return normalise_url(url)


@pytest.fixture(scope="session")
def server_url() -> str:
    return _server_url()


@pytest.fixture(scope="session")
def database_url(server_url: str) -> str:
    """URL of the test database: migrated to head and loaded with the reference data."""
    base = make_url(server_url).database or "borderwatch"
    name = os.environ.get("BORDERWATCH_TEST_DB", f"{base}_test")
    url = create_database(server_url, name)
    migrate.upgrade(url)
    from seeds.reference import seed

    engine = make_engine(url)
    with Session(engine) as session:
        seed(session)
        session.commit()
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """ORM session on the test transaction; its commits become savepoints."""
    s = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    yield s
    s.close()


def make_app(database_url: str, connection: Connection, folder: Path):
    """The app under test, its requests running inside ``connection``'s transaction."""
    from sqlalchemy.orm import sessionmaker

    from webapp import create_app
    from webapp.db import EXTENSION

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,  # the test client and live servers speak plain HTTP
            "DEMO_LOGINS_FILE": str(folder / "demo-logins.json"),
            # fresh rate-limit counters per app, in the shared storage when configured
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    app.extensions[EXTENSION].sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


@pytest.fixture
def app(database_url: str, connection: Connection, tmp_path: Path):
    """The app, its requests running inside the test's transaction."""
    from webapp.db import EXTENSION

    app = make_app(database_url, connection, tmp_path)
    yield app
    app.extensions[EXTENSION].engine.dispose()


# Module-wide twins of ``connection``, ``session`` and ``app``, for modules whose tests share
# objects that are slow to build (the authorization matrix signs in every role once): one
# transaction for the whole module, rolled back after its last test. Tests that write should
# do so in a savepoint of their own (``module_connection.begin_nested()``).


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            yield conn
        finally:
            trans.rollback()


@pytest.fixture(scope="module")
def module_session(module_connection: Connection) -> Iterator[Session]:
    s = Session(
        bind=module_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield s
    s.close()


@pytest.fixture(scope="module")
def module_app(database_url: str, module_connection: Connection, tmp_path_factory):
    from webapp.db import EXTENSION

    app = make_app(database_url, module_connection, tmp_path_factory.mktemp("app"))
    yield app
    app.extensions[EXTENSION].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()
