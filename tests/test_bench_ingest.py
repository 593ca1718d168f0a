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
    spec = ("bare", "loadtest.bare:app", {"BENCH_BARE_DSN": bench.libpq_dsn(database_url)}, "/")
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


def test_the_floors_answer_like_the_endpoint_they_stand_for(bench, engine, database_url):
    """The app's stack floor refuses an unsigned request and answers a signed-in one with 201
    (through the session check and CSRF), storing nothing; Flask hello answers 201."""
    from sqlalchemy.orm import Session

    from gis.accounts import users as accounts
    from gis.types import Role

    with Session(engine) as session:  # committed: the servers' connections must see it
        accounts.create_user(
            session, bench.OFFICER, None, "floor bench password", Role.OFFICER, "TH2706"
        )
        session.commit()
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "x" * 64}
    specs = [
        ("hello", "loadtest.floors:hello", {}, "/"),
        ("stack", "loadtest.floors:stack()", env, "/healthz"),
    ]
    body = b'{"lon": 102.5, "lat": 13.7}'
    try:
        with bench.servers(*specs) as (hello, stack):
            headers = bench.sign_in(stack.port, "floor bench password")
            jar: dict[str, str] = {}
            _, page = bench.get_page(stack.port, "/login", jar)  # a session, not signed in
            anonymous = {
                "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
                "X-CSRFToken": bench.CSRF_TOKEN.search(page).group(1),
            }
            answers = {}
            for name, port, path, extra in (
                ("hello", hello.port, "/", {}),
                ("anonymous", stack.port, "/api/bench/noop", anonymous),
                ("no csrf", stack.port, "/api/bench/noop", {"Cookie": headers["Cookie"]}),
                ("signed in", stack.port, "/api/bench/noop", headers),
            ):
                conn = bench.http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request(
                    "POST", path, body=body, headers={"Content-Type": "application/json", **extra}
                )
                resp = conn.getresponse()
                answers[name] = (resp.status, resp.read())
                conn.close()
    finally:
        with engine.begin() as c:
            c.execute(
                text(
                    "DELETE FROM account_change"
                    " WHERE user_id IN (SELECT id FROM app_user WHERE username = :u)"
                ),
                {"u": bench.OFFICER},
            )
            c.execute(text("DELETE FROM app_user WHERE username = :u"), {"u": bench.OFFICER})
    assert answers["hello"] == (201, b'{"received":2}\n')
    assert answers["anonymous"][0] == 401
    assert answers["no csrf"][0] == 400
    assert answers["signed in"] == (201, b'{"received":2}\n')


def test_the_targets_are_issue_21s_ratio_at_each_count_and_p99_at_16_clients(bench):
    """At least 0.30 times the bare endpoint at every client count; p99 under 50 ms at 16
    clients (not at 4); no error anywhere."""
    client = importlib.import_module("loadtest.client")

    def run(rate: float, p99_ms: float, errors: int = 0) -> Any:
        result = client.LoadResult(clients=1, duration_s=1.0, measured=int(rate))
        result.statuses = {"201": int(rate), **({"500": errors} if errors else {})}
        result.latencies_ms = [1.0] * 98 + [p99_ms] * 2
        return result

    bare = run(1000, 5)
    pairs = [
        bench.Pair(4, app=run(310, 80), bare=bare),
        bench.Pair(16, app=run(290, 49), bare=bare),
    ]
    checks = dict(bench.targets(pairs))
    assert checks == {
        "4 clients: ratio 0.31 >= 0.30": True,
        "4 clients: 0 errors": True,
        "16 clients: ratio 0.29 >= 0.30": False,
        "16 clients: p99 49.0 ms < 50 ms": True,
        "16 clients: 0 errors": True,
    }
    pairs[1] = bench.Pair(16, app=run(400, 50, errors=1), bare=bare)
    checks = dict(bench.targets(pairs))
    assert checks["16 clients: p99 50.0 ms < 50 ms"] is False
    assert checks["16 clients: 1 errors"] is False


def test_the_database_cpu_of_other_connections_is_read_per_backend(bench, engine):
    """backend_cpu reads the CPU time of the database's other backends (the server runs here in
    the tests), not its own; the CPU used between two readings is what grew."""
    with engine.connect() as busy:
        pid = busy.execute(text("SELECT pg_backend_pid()")).scalar_one()
        before = bench.backend_cpu(engine)
        busy.execute(text("SELECT count(*) FROM generate_series(1, 3000000)")).scalar_one()
        after = bench.backend_cpu(engine)
    assert pid in before and pid in after
    assert after[pid] > before[pid]  # the count took CPU time of that backend
    assert bench._used(before, after) >= after[pid] - before[pid]
