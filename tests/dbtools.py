"""Creating and dropping scratch databases on the test server."""

from __future__ import annotations

from sqlalchemy import make_url, text

from gis.db import make_engine


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
