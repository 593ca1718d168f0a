"""Export jobs (``/api/exports``, gis.export.jobs): a GeoPackage is always a job, a small
GeoJSON still streams at once, the job's file is written by the worker's function with its
progress and audit, downloaded with ranges by its owner only, and deleted when it expires."""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET  # nosec B405: our own export, parsed in a test
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gis.export import jobs as jobs_module
from gis.export.jobs import ExportSettings, expire_exports, write_export_file
from gis.models import ExportAudit, ExportFile
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build, client_of
from tests.webapp.signin import csrf_token
from webapp.cli.common import cli_language

pytestmark = [pytest.mark.db, pytest.mark.gdal]


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


@pytest.fixture
def settings(app, tmp_path: Path) -> ExportSettings:
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return ExportSettings.from_config(app.config)


def sessions_of(connection: Connection):
    """The worker's sessions, inside the test's transaction."""
    return lambda: Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


def ask(client, **body):
    return client.post("/api/exports", json=body, headers={"X-CSRFToken": csrf_token(client)})


def test_a_geopackage_is_a_job_written_by_the_worker_and_downloaded_by_its_owner(
    app, session, connection, world, settings
):
    client = client_of(app, Role.HQ_ANALYST)
    resp = ask(client, collection="incidents", format="gpkg", params={"status": "verified"})
    assert resp.status_code == 202, resp.get_data(as_text=True)
    job = resp.get_json()
    assert resp.headers["Location"] == f"/api/exports/{job['id']}"
    assert job["status"] == "queued" and job["features_estimated"] == 2
    queued = session.scalar(
        select(ExportFile.id).where(ExportFile.id == job["id"])
    )  # the job row and its worker's job are in the request's transaction
    assert queued == job["id"]

    seen: list[int] = []
    done = write_export_file(sessions_of(connection), job["id"], settings)
    seen.append(done.features_written)
    assert done.status == "done" and done.features_written == 2 and done.file_size > 0
    assert done.expires_at - done.finished_at == dt.timedelta(days=7)
    audit = session.get_one(ExportAudit, done.audit_id)
    assert (audit.state, audit.feature_count, audit.format) == ("completed", 2, "gpkg")

    status = client.get(f"/api/exports/{job['id']}").get_json()
    assert status["status"] == "done" and status["progress"] == 1.0
    assert [j["id"] for j in client.get("/api/exports").get_json()["exports"]] == [job["id"]]

    whole = client.get(f"/api/exports/{job['id']}/file")
    data = whole.get_data()
    whole.close()
    assert whole.status_code == 200
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert "attachment" in whole.headers["Content-Disposition"]
    path = Path(settings.directory) / done.file_name
    frame = pyogrio.read_dataframe(path)
    assert sorted(frame["id"]) == sorted(
        [world.incidents["home_verified"], world.incidents["home_public"]]
    )
    part = client.get(f"/api/exports/{job['id']}/file", headers={"Range": "bytes=0-15"})
    piece = part.get_data()
    part.close()
    assert part.status_code == 206 and piece == data[:16]
    assert piece.startswith(b"SQLite format 3")
    assert session.get_one(ExportFile, job["id"]).downloads == 2

    # nobody else reads it, not even another HQ analyst: the same 404 as no job at all
    other = client_of(app, Role.COORDINATOR)
    for path_ in (f"/api/exports/{job['id']}", f"/api/exports/{job['id']}/file"):
        assert other.get(path_).status_code == 404
    assert other.get("/api/exports").get_json() == {"exports": []}
    assert client.get("/api/exports/999999999").status_code == 404


def test_the_first_features_written_are_committed_at_once(
    app, session, connection, world, settings, monkeypatch
):
    """A poller sees the job move as soon as the writer reports its first batch, not half a
    second after the job started: the first progress is committed before the end."""
    client = client_of(app, Role.HQ_ANALYST)
    job_id = ask(client, collection="incidents", format="gpkg").get_json()["id"]
    marks: list[dict] = []
    mark = jobs_module._mark

    def recorded(sessions, export_id, **values):
        marks.append(values)
        mark(sessions, export_id, **values)

    monkeypatch.setattr(jobs_module, "_mark", recorded)
    done = write_export_file(sessions_of(connection), job_id, settings)
    assert done.status == "done" and done.features_written > 0
    progress, end = marks[0], marks[-1]
    assert progress == {"features_written": done.features_written}  # real: all it had written
    assert end["status"] == "done" and len(marks) == 2


def test_a_small_geojson_still_streams_at_once(app, world, settings):
    client = client_of(app, Role.COORDINATOR)
    resp = ask(client, collection="incidents", format="geojson", params={"status": "verified"})
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/api/export/incidents.geojson?status=verified"
    assert (
        ask(client, collection="incidents", format="geojson", job=True).status_code == 202
    )  # asked as a job


def test_any_format_above_the_threshold_is_a_job(app, world, settings):
    app.config["EXPORT_JOB_THRESHOLD"] = 1
    client = client_of(app, Role.HQ_ANALYST)
    assert ask(client, collection="incidents", format="csv").status_code == 202


def test_a_sensitive_export_is_a_job_of_hq_analysts_with_a_reason(app, world, settings):
    analyst = client_of(app, Role.HQ_ANALYST)
    resp = ask(
        analyst, collection="incidents", format="geojson", include_sensitive=True, reason="case"
    )
    assert resp.status_code == 202 and resp.get_json()["sensitive"] is True
    coordinator = client_of(app, Role.COORDINATOR)
    resp = ask(
        coordinator, collection="incidents", format="geojson", include_sensitive=True, reason="x"
    )
    assert resp.status_code == 403 and resp.get_json()["field"] == "include_sensitive"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"collection": "incidents"}, 400, "format"),
        ({"collection": "incidents", "format": "docx"}, 404, "format"),
        ({"collection": "nowhere", "format": "gpkg"}, 404, "collection"),
        ({"collection": "incidents", "format": "gpkg", "params": {"colour": "red"}}, 400, "colour"),
        ({"collection": "incidents", "format": "gpkg", "params": {"bbox": "1,2"}}, 400, "bbox"),
        ({"collection": "incidents", "format": "gpkg", "job": "yes"}, 400, "job"),
        ({"collection": "incidents", "format": "gpkg", "extra": 1}, 400, "extra"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    app, session, world, settings, body, status, field
):
    before = session.scalar(select(ExportFile.id).order_by(ExportFile.id.desc()).limit(1))
    resp = ask(client_of(app, Role.HQ_ANALYST), **body)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.get_json()["field"] == field
    assert session.scalar(select(ExportFile.id).order_by(ExportFile.id.desc()).limit(1)) == before


def test_a_volunteer_cannot_export_an_operational_collection_as_a_job(app, world, settings):
    resp = ask(client_of(app, Role.VOLUNTEER), collection="hotspots", format="gpkg")
    assert resp.status_code == 404 and resp.get_json()["field"] == "collection"


def test_expired_files_are_deleted_and_their_jobs_say_so(app, session, connection, world, settings):
    client = client_of(app, Role.HQ_ANALYST)
    job_id = ask(client, collection="incidents", format="gpkg").get_json()["id"]
    done = write_export_file(sessions_of(connection), job_id, settings)
    path = settings.directory / done.file_name
    assert path.is_file()
    assert expire_exports(session, settings, done.expires_at - dt.timedelta(seconds=1)) == []
    assert job_id in expire_exports(session, settings, done.expires_at)
    assert not path.exists()
    assert client.get(f"/api/exports/{job_id}").get_json()["status"] == "expired"
    assert client.get(f"/api/exports/{job_id}/file").status_code == 404


def test_a_job_whose_owner_was_disabled_fails_and_writes_nothing(
    app, session, connection, world, settings
):
    client = client_of(app, Role.HQ_ANALYST)
    job_id = ask(client, collection="incidents", format="gpkg").get_json()["id"]
    world.users[Role.HQ_ANALYST].is_active = False
    session.commit()
    with pytest.raises(Exception, match="disabled"):
        write_export_file(sessions_of(connection), job_id, settings)
    row = session.get_one(ExportFile, job_id)
    session.refresh(row)
    assert row.status == "failed" and row.file_name is None
    assert not any(settings.directory.iterdir())
    assert json.dumps(row.params) == '{"language": "th"}'  # no filter, the requester's language


def test_the_command_line_asks_for_a_job_and_shows_it_finished(
    app, session, connection, world, settings
):
    runner = app.test_cli_runner()
    analyst = world.users[Role.HQ_ANALYST].username
    queued = runner.invoke(
        args=["export-job", "incidents", "--user", analyst, "--status", "verified", "--no-wait"]
    )
    assert queued.exit_code == 0, queued.output
    row = session.scalars(select(ExportFile).order_by(ExportFile.id.desc()).limit(1)).one()
    assert f"export job {row.id} queued" in queued.output
    params = {"status": "verified", "language": cli_language()}
    assert (row.format, row.params, row.features_estimated) == ("gpkg", params, 2)
    write_export_file(sessions_of(connection), row.id, settings)
    refused = runner.invoke(args=["export-job", "nowhere", "--user", analyst, "--no-wait"])
    assert refused.exit_code == 1 and "collection" in refused.output


KML = "{http://www.opengis.net/kml/2.2}"


@pytest.mark.parametrize(
    ("query", "language", "name", "label"),
    [
        ("", "th", "ค้ายาเสพติด", "ประเภท"),  # the page's language: Thai by default
        ("?lang=en", "en", "Drug trafficking", "Category"),
    ],
)
def test_a_job_writes_its_kml_in_the_language_of_its_requester(
    app, session, connection, world, settings, query, language, name, label
):
    """The worker has no reader: the job keeps the language of the request that asked for it
    and writes the KML's names, labels and document title in it."""
    client = client_of(app, Role.HQ_ANALYST)
    resp = client.post(
        f"/api/exports{query}",
        json={"collection": "incidents", "format": "kml", "job": True},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert resp.status_code == 202, resp.get_data(as_text=True)
    job_id = resp.get_json()["id"]
    assert session.get_one(ExportFile, job_id).params == {"language": language}
    done = write_export_file(sessions_of(connection), job_id, settings)
    assert done.status == "done"
    root = ET.parse(settings.directory / done.file_name).getroot()  # nosec B314: our own file
    verified = world.incidents["home_verified"]
    placemark = root.find(f"{KML}Document/{KML}Placemark[@id='incidents.{verified}']")
    assert placemark is not None
    assert placemark.findtext(f"{KML}name") == f"{name} #{verified}"
    shown = {d.get("name"): d.findtext(f"{KML}displayName") for d in placemark.iter(f"{KML}Data")}
    assert shown["category"] == label
