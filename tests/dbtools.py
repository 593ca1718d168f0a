"""Creating and dropping scratch databases on the test server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import make_url, text

from gis.db import make_engine

T = TypeVar("T")


def _on(server_url: str, database: str) -> str:
    """The URL of another database on the same server (password kept)."""
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def create_database(server_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server of ``server_url``, with PostGIS."""
    admin = make_engine(_on(server_url, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = _on(server_url, name)
    eng = make_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
        c.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
    eng.dispose()
    return url


def drop_database(server_url: str, name: str) -> None:
    admin = make_engine(_on(server_url, "postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_at_once(count: int, task: Callable[[Callable[[], object]], T]) -> list[T]:
    """Run ``task`` in ``count`` threads at once; their results.

    ``task`` gets a ``ready()`` to call once it is set up (its own session open): the threads
    wait there for each other, so the work after it runs concurrently. An exception in any
    thread fails the call with the list of errors.
    """
    barrier = threading.Barrier(count)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            result = task(lambda: barrier.wait(timeout=30))
            with lock:
                results.append(result)
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not errors, errors
    assert len(results) == count
    return results
