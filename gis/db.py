"""Declarative base, engine and session factories."""

from __future__ import annotations

import logging
from typing import Any

import psycopg2.extensions
from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

# Stable constraint names, so that Alembic revisions can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Storage CRS of every geometry column.
SRID = 4326

#: Metric CRS for distances and buffers: WGS 84 / UTM zone 48N. The border runs from 97.3 to
#: 107.7 degrees east (11.6 to 20.5 north); at its western end UTM 48N scales lengths by less
#: than 0.5 %, inside the 1 % that distance answers promise (tests/gis/reference/test_measure.py).
#: Changing it needs a migration: stored metric copies and their indexes use it.
METRIC_SRID = 32648


class _NoRowsInLogs(logging.Filter):
    """Drops the records in which SQLAlchemy's engine logs each fetched row (``Row %r``, at
    DEBUG): a row may hold a reporter's contact, which never reaches a log, whatever level an
    operator sets for ``sqlalchemy``. Statements (with ``hide_parameters``) are still logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Row %r"


logging.getLogger("sqlalchemy.engine.Engine").addFilter(_NoRowsInLogs())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str, **kwargs: object) -> Engine:
    """Create an engine for a PostgreSQL/PostGIS URL.

    Args:
        url: SQLAlchemy URL (``postgresql://`` or ``postgresql+psycopg2://``).
        **kwargs: passed to :func:`sqlalchemy.create_engine`.

    Returns:
        An engine that checks connections before use, so that a database restart costs one
        failed checkout instead of a broken request. SQL parameters are left out of error
        messages (``hide_parameters``): a failed statement's parameters may hold a reporter's
        contact, and the error reaches the log.

        PostgreSQL's JIT compilation is off on its connections (``-c jit=off`` added to the
        URL's ``options``, unless they or ``connect_args`` say otherwise): at the plan costs of
        the app's queries, over tables of a million incidents, compiling took longer than it
        saved.
    """
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("hide_parameters", True)
    return create_engine(_without_jit(normalise_url(url), kwargs), **kwargs)  # type: ignore[arg-type]


def _without_jit(url: str, kwargs: dict[str, object]) -> str:
    """``url`` with ``-c jit=off`` added to its ``options``; unchanged when they already name
    ``jit`` or when the engine's ``connect_args`` set ``options`` (which take precedence)."""
    connect_args = kwargs.get("connect_args")
    if isinstance(connect_args, dict) and "options" in connect_args:
        return url
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    if not isinstance(options, str):  # given more than once
        return url
    if "jit" in options:
        return url
    parsed = parsed.update_query_dict({"options": f"{options} -c jit=off".strip()})
    return parsed.render_as_string(hide_password=False)


def dbapi_connection(session: Session) -> Any:
    """The psycopg2 connection under the session's current transaction (for ``COPY`` and named
    cursors, which SQLAlchemy does not wrap)."""
    raw = session.connection().connection.dbapi_connection
    if raw is None:
        raise RuntimeError("the session's connection is closed")
    return raw


def literal_sql(session: Session, statement: Any) -> str:
    """``statement`` as SQL text, its values quoted by psycopg2 as it does for a parameterised
    ``execute`` (for ``COPY (…) TO``, which takes no parameters)."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    raw = dbapi_connection(session)
    codec = psycopg2.extensions.encodings[raw.encoding]  # mogrify's bytes: client encoding
    with raw.cursor() as cur:
        return str(cur.mogrify(str(compiled), compiled.params).decode(codec))


def normalise_url(url: str) -> str:
    """Use psycopg2, the project's driver, for plain ``postgresql://`` URLs.

    SQLAlchemy 2.1 maps ``postgresql://`` to psycopg 3; deployments and ``DATABASE_URL``
    conventions write the plain scheme.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


#: Server settings without which a committed report can be lost in a crash: ``fsync`` and
#: ``full_page_writes`` off can corrupt or lose committed data after a power cut or a killed
#: postmaster; ``synchronous_commit = off`` acknowledges a COMMIT before its WAL is on disk.
DURABILITY_SETTINGS = ("fsync", "synchronous_commit", "full_page_writes")


class UnsafeDatabase(RuntimeError):
    """The database server runs with a setting that can lose acknowledged commits."""


def unsafe_settings(dbapi_connection: Any) -> dict[str, str]:
    """The durability settings that are off on a new DBAPI connection (name -> value).

    Read with ``current_setting``, so that a role, database or connection option that turns
    one off (``ALTER DATABASE … SET synchronous_commit = off``, ``options=-c…``) counts too.
    The connection's transaction is rolled back afterwards.
    """
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(
            "SELECT " + ", ".join(f"current_setting('{name}')" for name in DURABILITY_SETTINGS)
        )
        values = dict(zip(DURABILITY_SETTINGS, cursor.fetchone(), strict=True))
    finally:
        cursor.close()
        dbapi_connection.rollback()
    return {name: value for name, value in values.items() if value == "off"}


def require_durability(engine: Engine) -> None:
    """Refuse every new connection of ``engine`` to a server that can lose acknowledged commits:
    :class:`UnsafeDatabase` names the settings that are off."""

    @event.listens_for(engine, "connect")
    def check(dbapi_connection: Any, _record: Any) -> None:
        unsafe = unsafe_settings(dbapi_connection)
        if unsafe:
            settings = ", ".join(f"{name} = {value}" for name, value in unsafe.items())
            raise UnsafeDatabase(
                f"the database runs with {settings}: acknowledged reports could be lost in a "
                "crash; turn it on (or set REQUIRE_DURABLE_DATABASE=false for a throwaway run)"
            )
