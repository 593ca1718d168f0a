"""Pooled connections are pinged after they sat idle, not before every use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, exc, text

from gis.db import make_engine
from tests.webapp.test_database_outage import with_query
from webapp.db import ping_when_idle

pytestmark = pytest.mark.db


@pytest.fixture
def pooled(database_url: str) -> Iterator[tuple[Engine, list[object]]]:
    """An engine with one pooled connection and no pre-ping; the pings it sends."""
    eng = make_engine(database_url, pool_size=1, max_overflow=0, pool_pre_ping=False)
    pings: list[object] = []
    ping = eng.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pings.append(dbapi_connection)
        return ping(dbapi_connection)

    eng.dialect.do_ping = counted  # type: ignore[method-assign]
    yield eng, pings
    eng.dispose()


def backend_pid(eng: Engine) -> int:
    with eng.connect() as c:
        return int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(engine: Engine, pid: int) -> None:
    with engine.connect() as c:
        assert c.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        c.commit()


def test_an_idle_connection_killed_by_the_server_costs_no_request(pooled, engine):
    eng, pings = pooled
    ping_when_idle(eng, 0.0)  # every returned connection counts as idle
    first = backend_pid(eng)
    assert pings == []  # a new connection is not pinged
    terminate(engine, first)
    assert backend_pid(eng) != first  # pinged, found dead, replaced: the query succeeded
    assert len(pings) == 1


def test_a_connection_in_use_a_moment_ago_is_not_pinged(pooled, engine):
    eng, pings = pooled
    ping_when_idle(eng, 3600.0)
    first = backend_pid(eng)
    assert backend_pid(eng) == first
    assert pings == []
    # The counterpart: without a ping, a connection killed meanwhile fails its next use.
    terminate(engine, first)
    with pytest.raises(exc.OperationalError):
        backend_pid(eng)


def test_connections_run_without_jit_unless_asked(database_url: str, app):
    """JIT compiling cost more than it saved on the app's queries (gis.db.make_engine)."""
    engines = [
        make_engine(database_url),
        app.extensions["borderwatch.db"].engine,
        make_engine(database_url, connect_args={"options": "-c jit=on"}),
        make_engine(with_query(database_url, options="-c work_mem=7MB")),
    ]
    try:
        shown = []
        for eng in engines:
            with eng.connect() as c:
                shown.append(c.execute(text("SHOW jit")).scalar_one())
        assert shown == ["off", "off", "on", "off"]
        with engines[3].connect() as c:  # the URL's own options are kept
            assert c.execute(text("SHOW work_mem")).scalar_one() == "7MB"
    finally:
        for eng in (engines[0], *engines[2:]):
            eng.dispose()
