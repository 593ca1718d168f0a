"""GDAL's own OGC API client (the OAPIF driver QGIS uses) reads every collection from a live
server with a personal API token, including one of more than 10,000 features through the next
links. Needs Debian's gdal-bin (``scripts/system-deps.sh``): without it the tests fail."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.export.collections import COLLECTIONS
from gis.models import District
from gis.types import Role
from tests.browser.conftest import serve
from tests.webapp.exportdata import ExportWorld, build

pytestmark = [pytest.mark.db, pytest.mark.gdal]

#: More than one page at the largest page size (10,000).
MANY = 10_050


@pytest.fixture
def gdal() -> dict[str, str]:
    """Paths of ogrinfo and ogr2ogr (the test fails, never skips, without them)."""
    found = {name: shutil.which(name) for name in ("ogrinfo", "ogr2ogr")}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: install gdal-bin (scripts/system-deps.sh)")
    return {name: str(path) for name, path in found.items()}


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    district_id = session.execute(
        select(District.id).where(District.pcode == "TH5703")
    ).scalar_one()
    session.execute(
        text(
            "INSERT INTO incident (idempotency_key, category, status, channel, occurred_at,"
            " district_id, severity, description, geom)"
            " SELECT gen_random_uuid(), 'illegal_entry', 'verified', 'patrol',"
            " now() - g * interval '1 minute', :d, 1 + g % 5, 'ข้ามแม่น้ำ ' || g,"
            " ST_SetSRID(ST_MakePoint(100.35 + (g % 100) * 1e-3, 20.2 + (g / 100) * 1e-3), 4326)"
            " FROM generate_series(1, :n) g"
        ),
        {"d": district_id, "n": MANY},
    )
    session.commit()
    return w


def run(args: list[str], secret: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "GDAL_HTTP_HEADERS": f"Authorization: Bearer {secret}",
        "CPL_CURL_VERBOSE": "NO",
        "GDAL_HTTP_TIMEOUT": "120",
    }
    done = subprocess.run(
        args, env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def test_gdal_reads_every_collection_through_the_next_links(app, session, world, gdal, tmp_path):
    new = tokens.create_token(session, world.users[Role.HQ_ANALYST], "GDAL")
    session.commit()
    with serve(app) as base:
        url = f"OAPIF:{base}/ogcapi"
        listing = run([gdal["ogrinfo"], "-ro", "-so", url], new.secret, tmp_path).stdout
        for name in COLLECTIONS:
            assert f": {name}" in listing, listing
        counts: dict[str, int] = {}
        for name in COLLECTIONS:
            out = tmp_path / f"{name}.geojson"
            options = ["-preserve_fid", "-f", "GeoJSON", "-oo", "PAGE_SIZE=1000"]
            run(
                [gdal["ogr2ogr"], *options, str(out), url, name],
                new.secret,
                tmp_path,
            )
            doc = json.loads(out.read_text(encoding="utf-8"))
            counts[name] = len(doc["features"])
            expected = app.test_client().get(
                f"/api/export/{name}.geojson", headers={"Authorization": f"Bearer {new.secret}"}
            )
            want = json.loads(expected.get_data())["features"]
            assert counts[name] == len(want), name
            if name == "incidents":
                assert "id" in doc["features"][0], doc["features"][0]
                got_ids = sorted(int(f["id"]) for f in doc["features"])
                assert got_ids == sorted(f["id"] for f in want)
                thai = [f for f in doc["features"] if f["properties"]["description"] == "ข้ามแม่น้ำ 7"]
                assert len(thai) == 1
    assert counts["incidents"] > MANY
    assert counts["districts"] > 40 and counts["border_segments"] > 0


def test_gdal_without_a_valid_token_is_refused(app, world, gdal, tmp_path):
    with serve(app) as base:
        done = subprocess.run(
            [gdal["ogrinfo"], "-ro", "-so", f"OAPIF:{base}/ogcapi"],
            env={**os.environ, "GDAL_HTTP_HEADERS": "Authorization: Bearer bw_wrong"},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode != 0
    assert "401" in done.stderr or "unauthorized" in done.stderr.lower()
