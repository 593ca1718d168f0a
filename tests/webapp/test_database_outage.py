"""The app and a database that is down, restarting or unsafe: 503 with Retry-After (never a
500), reconnection without a restart, and no start on a server that can lose commits."""

from __future__ import annotations

import socket
import time
import uuid

import pytest
from sqlalchemy import Engine, make_url, text

from gis.db import UnsafeDatabase
from webapp import create_app
from webapp.db import PING_AFTER_IDLE_S

pytestmark = pytest.mark.db

DISTRICTS = "/api/layers/districts?bbox=100,20,101,21"
#: A page that reads the database on every request: a receipt that does not exist (404).
RECEIPT = "/report/" + "A" * 20


def make(database_url: str, **config: object):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            **config,
        }
    )


def with_query(database_url: str, **query: str) -> str:
    url = make_url(database_url)
    return url.update_query_dict(query).render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_app_refuses_to_start_on_a_database_that_can_lose_commits(database_url):
    unsafe = with_query(database_url, options="-c synchronous_commit=off")
    with pytest.raises(UnsafeDatabase, match="synchronous_commit = off"):
        make(unsafe)


def test_a_throwaway_run_may_turn_the_check_off(database_url):
    unsafe = with_query(database_url, options="-c synchronous_commit=off")
    app = make(unsafe, REQUIRE_DURABLE_DATABASE=False)
    try:
        assert app.test_client().get(DISTRICTS).status_code == 200
    finally:
        app.extensions["borderwatch.db"].engine.dispose()


def test_a_database_that_does_not_answer_gets_503_with_retry_after(database_url, caplog):
    url = make_url(database_url).set(host="127.0.0.1", port=free_port())
    app = make(url.render_as_string(hide_password=False))  # starts: the database may come later
    assert "does not answer at start" in caplog.text
    client = app.test_client()
    api = client.get(DISTRICTS)
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.get_json()["error"] == "unavailable"
    page = client.get(RECEIPT, headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    assert "text/html" in page.content_type
    assert client.get("/healthz").status_code == 503


def test_the_app_reconnects_after_the_database_drops_its_connections(database_url, engine: Engine):
    """A restart drops every connection. A connection used again within a second is not pinged
    (``webapp.db.PING_AFTER_IDLE_S``): that request answers 503 and the next reconnects. A
    connection idle for longer is pinged and replaced before use: no request notices."""
    name = f"bw-outage-{uuid.uuid4().hex[:8]}"
    app = make(with_query(database_url, application_name=name))
    client = app.test_client()

    def drop_connections() -> None:
        with engine.connect() as c:
            dropped = c.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                    " FROM pg_stat_activity WHERE application_name = :n"
                ),
                {"n": name},
            ).scalar_one()
        assert dropped >= 1

    try:
        statuses = [client.get(RECEIPT).status_code]
        drop_connections()
        statuses += [client.get(RECEIPT).status_code for _ in range(2)]
        drop_connections()
        time.sleep(PING_AFTER_IDLE_S + 0.2)
        statuses.append(client.get(RECEIPT).status_code)
    finally:
        app.extensions["borderwatch.db"].engine.dispose()
    assert statuses == [404, 503, 404, 404]
