"""An export's lifetime over HTTP: HEAD answers from the checks alone (no audit row, no file), and
a download closed before or during its body ends its audit row (``aborted``) and removes its
GeoPackage folder, whether or not the body was ever read.

Before, HEAD on ``/api/export/<collection>.gpkg`` wrote the whole GeoPackage into a
``borderwatch-export-*`` folder that only the (never started) body removed, and left the audit
row ``started`` for good.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.models import ExportAudit
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build, client_of

pytestmark = pytest.mark.db

MEDIA = {
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "gpkg": "application/geopackage+sqlite3",
    "shp": "application/zip",
    "kml": "application/vnd.google-earth.kml+xml",
    "fgb": "application/flatgeobuf",
    "parquet": "application/vnd.apache.parquet",
}


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory of this test only: exports make their folders in it."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def leftovers(workdir: Path) -> list[Path]:
    return list(workdir.glob("borderwatch-export-*"))


def audit_states(session: Session) -> list[str]:
    session.expire_all()
    return list(session.execute(select(ExportAudit.state).order_by(ExportAudit.id)).scalars())


def token_of(session: Session, world: ExportWorld, role: Role = Role.HQ_ANALYST) -> dict:
    secret = tokens.create_token(session, world.users[role], "lifetime test").secret
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize("fmt", ["gpkg", "geojson", "csv", "shp", "kml", "fgb", "parquet"])
@pytest.mark.parametrize("by", ["cookie", "token"])
def test_head_on_an_export_answers_its_headers_and_exports_nothing(
    app, session, world, workdir, fmt, by
):
    client, headers = (
        (client_of(app), {}) if by == "cookie" else (app.test_client(), token_of(session, world))
    )
    before = audit_states(session)
    head = client.head(f"/api/export/checkpoints.{fmt}?district=TH5703", headers=headers)
    head.close()
    assert head.status_code == 200
    assert head.headers["Content-Type"] == MEDIA[fmt]
    extension = "shp.zip" if fmt == "shp" else fmt
    assert head.headers["Content-Disposition"].endswith(f'.{extension}"')
    assert head.get_data() == b""
    assert audit_states(session) == before  # no audit row: nothing was exported
    assert leftovers(workdir) == []
    got = client.get(f"/api/export/checkpoints.{fmt}?district=TH5703", headers=headers)
    assert got.status_code == 200 and got.headers["Content-Type"] == head.headers["Content-Type"]
    assert got.get_data()
    assert leftovers(workdir) == []
    assert audit_states(session) == [*before, "completed"]


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/export/nothing.gpkg", 404, "collection"),
        ("/api/export/checkpoints.xlsx", 404, "format"),
        ("/api/export/checkpoints.gpkg?bbox=1,2,3", 400, "bbox"),
        ("/api/export/checkpoints.gpkg?category=smuggling", 400, "category"),
        ("/api/export/checkpoints.gpkg?colour=red", 400, "colour"),
    ],
)
def test_head_refuses_what_get_refuses(app, session, world, workdir, path, status, field):
    client = client_of(app)
    before = audit_states(session)
    assert client.head(path).status_code == status
    assert client.get(path).get_json()["field"] == field
    assert audit_states(session) == before and leftovers(workdir) == []


@pytest.mark.parametrize(
    ("fmt", "headers"),
    [("gpkg", {}), ("geojson", {"Accept-Encoding": "gzip"}), ("csv", {})],
)
def test_a_download_closed_before_its_body_is_read_is_recorded_aborted(
    app, session, world, workdir, fmt, headers
):
    client = client_of(app)
    before = audit_states(session)
    resp = client.get(f"/api/export/checkpoints.{fmt}", headers=headers, buffered=False)
    assert resp.status_code == 200
    resp.close()  # the client went away before the first byte
    assert audit_states(session) == [*before, "aborted"]
    assert leftovers(workdir) == []


def test_a_geopackage_download_cut_after_its_first_bytes_leaves_nothing(
    app, session, world, workdir
):
    client = client_of(app)
    before = audit_states(session)
    resp = client.get("/api/export/districts.gpkg", buffered=False)
    assert next(iter(resp.response)).startswith(b"SQLite format 3\x00")
    assert len(leftovers(workdir)) == 1  # the file is being sent
    resp.close()
    assert leftovers(workdir) == []
    assert audit_states(session) == [*before, "aborted"]
    whole = client.get("/api/export/districts.gpkg")
    assert whole.get_data().startswith(b"SQLite format 3\x00")
    assert leftovers(workdir) == []
    assert audit_states(session) == [*before, "aborted", "completed"]


def test_head_on_the_ogc_api_audits_nothing(app, session, world):
    client = client_of(app)
    before = audit_states(session)
    fid = world.incidents["home_verified"]
    assert client.head("/ogcapi/collections/incidents/items?limit=5").status_code == 200
    assert client.head(f"/ogcapi/collections/incidents/items/{fid}").status_code == 200
    missing = "/ogcapi/collections/incidents/items/999999999"
    assert client.head(missing).status_code == 404
    assert client.head("/ogcapi/collections/incidents/items?limit=0").status_code == 400
    assert audit_states(session) == before
    assert client.get(missing).status_code == 404
    count = select(func.count()).select_from(ExportAudit)
    assert session.execute(count).scalar_one() == len(before) + 1
