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
