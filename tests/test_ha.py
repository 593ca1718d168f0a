"""The replicated cluster (``scripts/hacluster.sh``: a pg_auto_failover monitor, a primary and a
synchronous secondary, every node archiving its WAL with pgBackRest) as the app uses it: reads
from the standby through ``DATABASE_REPLICA_URL`` (its lag in ``/healthz``, an officer's new pin
on the map at once: commits wait until the standby has applied them), and the point-in-time
restore drill (``bench/reliability/pitr.py``): a restore to a chosen instant, across a failover,
holds exactly the rows and checksums of the incidents, events, photos and accounts at that
instant; and ``HA=1 make load`` (``bench/reliability/replica_load.py``) at a small size: the same
mixed load without and with the replica, the second reading the map layers on the standby. One
cluster of its own under ``var/ha/`` for the module; about three minutes.

Runs where pg_auto_failover and pgBackRest are installed (``scripts/system-deps.sh`` installs
them, so it runs under ``make test`` and on CI).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from gis.db import make_engine
from tests.webapp.signin import sign_in
from webapp import create_app
from webapp.db import get_read_session

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "bench" / "reliability")]

import failover  # noqa: E402
import pitr  # noqa: E402
import replica_load  # noqa: E402

pytestmark = [
    pytest.mark.db,
    pytest.mark.skipif(
        shutil.which("pg_autoctl") is None or shutil.which("pgbackrest") is None,
        reason="pg_auto_failover or pgBackRest is not installed (scripts/system-deps.sh)",
    ),
]


class Cluster:
    def __init__(self, ha: failover.HaCluster, password: str) -> None:
        self.ha, self.password = ha, password
        settings = ha.settings()
        self.url, self.replica_url = settings["DATABASE_URL"], settings["DATABASE_REPLICA_URL"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    base = failover.VAR / f"test-{os.getpid()}"
    ha = failover.HaCluster(base, failover.free_ports())
    try:
        ha.run("start")
        password, _ = failover.prepare(ha.settings()["DATABASE_URL"])
        yield Cluster(ha, password)
    finally:
        ha.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def app(cluster: Cluster):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": cluster.url,
            "DATABASE_REPLICA_URL": cluster.replica_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            # CSRF belongs to the auth tests; these are about where reads go
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    app.extensions["borderwatch.db"].engine.dispose()
    app.extensions["borderwatch.db"].replica_engine.dispose()


def home_point(url: str) -> tuple[float, float]:
    """A point inside the officer's district (TH2706)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            x, y = c.execute(
                text(
                    "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p"
                    " FROM district WHERE pcode = 'TH2706') AS s"
                )
            ).one()
    finally:
        engine.dispose()
    return float(x), float(y)


def test_the_standby_serves_the_map_and_its_lag_shows_in_healthz(cluster, app):
    client = app.test_client()
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok"
    assert health["replica"]["status"] == "ok"
    assert health["replica"]["standby"] is True
    assert 0 <= health["replica"]["lag_s"] < 5
    assert health["replica"]["lag_bytes"] >= 0

    assert sign_in(client, failover.OFFICER, cluster.password).status_code == 302
    lon, lat = home_point(cluster.url)
    key = str(uuid.uuid4())
    made = client.post(
        "/api/incidents",
        json={
            "lon": lon,
            "lat": lat,
            "category": "smuggling",
            "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
            "idempotency_key": key,
            "description": "seen on the replica",
        },
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    incident_id = made.get_json()["id"]
    bbox = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    layer = client.get(f"/api/layers/incidents?bbox={bbox}&zoom=16")
    assert layer.status_code == 200
    ids = {f["properties"].get("id") for f in layer.get_json()["features"]}
    assert incident_id in ids  # read on the standby right after the commit on the primary
    with app.test_request_context():
        assert get_read_session().execute(text("SELECT pg_is_in_recovery()")).scalar() is True


def test_a_point_in_time_restore_brings_back_exactly_that_instant(cluster):
    result = pitr.drill(cluster.ha, cluster.url, reports=9, failover=True)
    checks = pitr.verdict(result)
    assert all(ok for _, ok in checks), checks
    assert result["differences"] == []
    at = result["at_instant"]
    assert at["counts"]["incident_photo"] >= 3
    assert set(at["checksums"]) == set(pitr.CHECKSUMMED)
    assert result["source_at_end"]["counts"]["incident"] > at["counts"]["incident"]


def test_the_map_load_runs_on_the_primary_and_then_on_the_standby(cluster):
    result = replica_load.compare(
        cluster.url, cluster.replica_url, seconds=4, users=4, incidents=300, warmup=1
    )
    checks = replica_load.verdict(result)
    assert all(ok for _, ok in checks), checks
    primary, replica = result["phases"]["primary"], result["phases"]["replica"]
    assert primary["replica"] is None  # every read on the primary
    assert replica["replica"]["standby"] is True  # the layers read on the standby
    for phase in (primary, replica):
        assert phase["map_layers_requests"] > 0 and phase["map_layers_p95_ms"] > 0
        assert any(e.startswith("GET /api/layers/") for e in phase["endpoints"])
    assert "Map layers on the replica" in replica_load.document(result, checks)
