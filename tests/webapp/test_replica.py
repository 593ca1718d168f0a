"""Reads from a replica (``DATABASE_REPLICA_URL``): the map layers and the dashboard read from
it, sign-in and everything else from the primary; its connections are read-only; ``/healthz``
shows its state. The replica of a real standby (lag, a new pin seen at once) is tried on the
replicated cluster in tests/test_ha.py."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Connection, make_url, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import sessionmaker

from gis.types import Role
from tests.factories import report_incident
from tests.webapp.authz import HOME
from tests.webapp.signin import make_user, sign_in
from webapp import create_app
from webapp.db import EXTENSION, get_read_session, get_session

pytestmark = pytest.mark.db

LAYER = "/api/layers/incidents?bbox=100,14,106,19&zoom=12"
#: A page that reads the primary: a receipt that does not exist (404).
RECEIPT = "/report/" + "A" * 20


def unreachable(database_url: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    return make_url(database_url).set(port=port).render_as_string(hide_password=False)


def app_with_replica(database_url: str, replica_url: str, connection: Connection, folder: Path):
    """The app under test (requests inside the test's transaction on the primary) with a
    replica at ``replica_url``."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "DATABASE_REPLICA_URL": replica_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "DEMO_LOGINS_FILE": str(folder / "demo-logins.json"),
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    app.extensions[EXTENSION].sessionmaker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    return app


@pytest.fixture
def dead_replica(database_url, connection, tmp_path):
    app = app_with_replica(database_url, unreachable(database_url), connection, tmp_path)
    yield app
    app.extensions[EXTENSION].engine.dispose()
    app.extensions[EXTENSION].replica_engine.dispose()


def test_map_layers_and_the_dashboard_read_from_the_replica(dead_replica, session):
    make_user(session, Role.HQ_ANALYST, "replica-analyst")
    client = dead_replica.test_client()
    assert sign_in(client, "replica-analyst").status_code == 302  # sign-in: the primary
    for path in (LAYER, "/api/dashboard", "/api/dashboard/map"):
        resp = client.get(path)
        assert resp.status_code == 503, path
        assert resp.headers["Retry-After"] == "5", path
    assert client.get(RECEIPT).status_code == 404  # the primary still answers
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["replica"] == {"status": "unreachable"}


def test_the_replicas_connections_are_read_only(database_url, connection, tmp_path):
    app = app_with_replica(database_url, database_url, connection, tmp_path)
    try:
        with app.test_request_context():
            reader = get_read_session()
            assert reader is not get_session()
            assert reader.execute(text("SHOW transaction_read_only")).scalar() == "on"
            with pytest.raises(DBAPIError, match="read-only transaction"):
                reader.execute(text("CREATE TEMPORARY TABLE nothing (x int)"))
        health = app.test_client().get("/healthz").get_json()
        # the test database is no standby: libpq's prefer-standby would fall back to it too
        assert health["replica"] == {
            "status": "ok",
            "standby": False,
            "lag_s": None,
            "lag_bytes": None,
        }
    finally:
        app.extensions[EXTENSION].engine.dispose()
        app.extensions[EXTENSION].replica_engine.dispose()


def test_without_a_replica_reads_share_the_requests_session(app):
    with app.test_request_context():
        assert get_read_session() is get_session()
    assert "replica" not in app.test_client().get("/healthz").get_json()


def test_exports_and_the_ogc_api_read_from_the_replica(dead_replica, session):
    """An unreachable replica: a download and an OGC API page answer 503 with Retry-After
    before anything is recorded (no audit row)."""
    make_user(session, Role.HQ_ANALYST, "replica-exporter")
    client = dead_replica.test_client()
    assert sign_in(client, "replica-exporter").status_code == 302
    audits = session.execute(text("SELECT count(*) FROM export_audit")).scalar_one()
    for path in ("/api/export/incidents.geojson", "/ogcapi/collections/incidents/items"):
        resp = client.get(path)
        assert resp.status_code == 503, (path, resp.get_data(as_text=True)[:300])
        assert resp.headers["Retry-After"] == "5", path
    assert session.execute(text("SELECT count(*) FROM export_audit")).scalar_one() == audits


def test_an_export_reads_the_replica_and_audits_on_the_primary(
    database_url, connection, session, tmp_path
):
    """The replica here is the test database through its own connections, which cannot see
    the test's uncommitted rows: a report made in the test is not in the export read from the
    replica, while the export's audit row is written on the primary (the test's transaction)."""
    make_user(session, Role.HQ_ANALYST, "replica-reader")
    unseen = report_incident(session, HOME, description="replica-unseen").id
    session.flush()
    app = app_with_replica(database_url, database_url, connection, tmp_path)
    try:
        client = app.test_client()
        assert sign_in(client, "replica-reader").status_code == 302
        resp = client.get("/api/export/incidents.geojson")
        assert resp.status_code == 200
        ids = {f["id"] for f in resp.get_json()["features"]}
        assert unseen not in ids
        page = client.get("/ogcapi/collections/incidents/items?limit=10000").get_json()
        assert unseen not in {f["id"] for f in page["features"]}
        audited = session.execute(
            text(
                "SELECT count(*) FROM export_audit a JOIN app_user u ON u.id = a.user_id"
                " WHERE u.username = 'replica-reader' AND a.state = 'completed'"
            )
        ).scalar_one()
        assert audited == 2
    finally:
        app.extensions[EXTENSION].engine.dispose()
        app.extensions[EXTENSION].replica_engine.dispose()
