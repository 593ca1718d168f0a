"""bench/ingest.py's parts: the bare endpoint under gunicorn and the load generator account for
every request (not a timed test: nothing here asserts a rate)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

pytestmark = pytest.mark.db

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch) -> Any:
    """The benchmark module, imported as ``make bench`` runs it (``bench/`` on the path)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("ingest")


@pytest.fixture
def bare_table(engine: Engine, bench: Any) -> Any:
    """The bare endpoint's table in the test database, committed (the server's connections
    must see it) and dropped afterwards."""
    bare = importlib.import_module("loadtest.bare")
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {bare.TABLE}"))
        c.execute(text(bare.CREATE))
    yield bare
    with engine.begin() as c:
        c.execute(text(f"DROP TABLE IF EXISTS {bare.TABLE}"))


def test_every_request_of_the_load_is_answered_and_stored_once(
    bench, bare_table, engine, database_url
):
    client = importlib.import_module("loadtest.client")
    spec = ("bare", "loadtest.bare:app", {"BENCH_BARE_DSN": bench._libpq(database_url)}, "/")
    points = [(102.5066, 13.6928), (104.723, 16.545), (100.4053, 20.2627)]
    with bench.servers(spec) as (server,):
        result = client.run_load(
            "127.0.0.1",
            server.port,
            "/",
            clients=2,
            duration=1.0,
            warmup=0.2,
            points=points,
            categories=["smuggling", "other"],
            occurred_at="2026-11-21T06:30:00+07:00",
        )
        pid = server.proc.pid
    assert server.proc.poll() is not None, f"gunicorn {pid} still runs"
    with engine.connect() as c:
        rows = c.execute(text(f"SELECT count(*) FROM {bare_table.TABLE}")).scalar_one()
        keys = c.execute(
            text(f"SELECT count(DISTINCT idempotency_key) FROM {bare_table.TABLE}")
        ).scalar_one()
    assert result.errors == 0, result.statuses
    assert result.measured > 0 and len(result.latencies_ms) == result.measured
    assert sum(result.statuses.values()) >= result.measured
    assert rows == keys == result.created == sum(result.statuses.values())
    assert (
        bench.check_accounting(
            [bench.Pair(2, app=result, bare=result)],
            {"incident": rows, "incident_event": rows, bare_table.TABLE: rows},
        )
        == []
    )
    assert bench.check_accounting(
        [bench.Pair(2, app=result, bare=result)],
        {"incident": rows - 1, "incident_event": rows - 1, bare_table.TABLE: rows},
    ) == [f"{rows - 1} incidents stored for {rows} answers 201"]
