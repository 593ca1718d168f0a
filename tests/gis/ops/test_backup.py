"""`borderwatch backup` and `borderwatch restore`: a restore into a scratch database holds the
same rows as the backup (counts of every table, checksum of the incidents and their audit), and
every way a restore can go wrong stops with a clear message and restores nothing."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis.db import make_engine
from gis.incidents.reports import create_incident, parse_incident
from gis.ops.backup import BackupError, backup, fingerprint, manifest_path, restore
from gis.types import Channel
from tests.dbtools import create_database, drop_database

pytestmark = pytest.mark.db

POINTS = [(102.5066, 13.6928), (104.723, 16.545), (100.4053, 20.2627)]


@pytest.fixture
def stored_incidents(engine: Engine) -> list[int]:
    """Three committed incidents with Thai text (a backup sees committed rows only); deleted
    afterwards."""
    now = dt.datetime.now(dt.UTC)
    ids = []
    with Session(engine) as session:
        for i, (lon, lat) in enumerate(POINTS):
            data = parse_incident(
                {
                    "lon": lon,
                    "lat": lat,
                    "category": "smuggling",
                    "occurred_at": (now - dt.timedelta(hours=i + 1)).isoformat(),
                    "idempotency_key": str(uuid.uuid4()),
                    "description": f"ลักลอบขนสินค้า {i}",
                },
                now,
                channel=Channel.HOTLINE,
            )
            ids.append(create_incident(session, data)[0].id)
        session.commit()
    yield ids
    with engine.begin() as c:
        c.execute(text("DELETE FROM incident_event WHERE incident_id = ANY(:ids)"), {"ids": ids})
        c.execute(text("DELETE FROM incident WHERE id = ANY(:ids)"), {"ids": ids})


@pytest.fixture
def scratch(server_url: str):
    """An empty scratch database (PostGIS and pgRouting installed), dropped afterwards."""
    name = f"borderwatch_restore_{uuid.uuid4().hex[:8]}"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


def test_a_restore_holds_every_row_of_the_backup(
    database_url, engine, stored_incidents, scratch, tmp_path
):
    archive = tmp_path / "borderwatch.dump"
    manifest = backup(database_url, archive)
    assert archive.stat().st_size == manifest.archive_bytes > 0
    assert manifest.counts["incident"] >= 3
    assert manifest.counts["district"] > 100 and manifest.counts["border_segment"] > 0
    assert manifest.schema_revision is not None
    with engine.connect() as c:
        assert fingerprint(c) == manifest.fingerprint  # nothing else was writing

    restored = restore(scratch, archive)
    assert restored == manifest
    check = make_engine(scratch)
    try:
        with check.connect() as c:
            assert fingerprint(c) == manifest.fingerprint
            thai = c.execute(
                text("SELECT description FROM incident WHERE id = ANY(:ids) ORDER BY id"),
                {"ids": stored_incidents},
            ).scalars()
            assert list(thai) == [f"ลักลอบขนสินค้า {i}" for i in range(3)]
            nearest = c.execute(
                text(
                    "SELECT d.pcode FROM district d"
                    " WHERE ST_Covers(d.geom, ST_SetSRID(ST_MakePoint(102.5066, 13.6928), 4326))"
                )
            ).scalar_one()  # the spatial data and its functions work in the copy
            assert nearest == "TH2706"
    finally:
        check.dispose()


def test_a_changed_row_is_caught_by_the_checksum(engine, stored_incidents):
    with engine.connect() as c:
        before = fingerprint(c)
        c.execute(
            text("UPDATE incident SET severity = 5 - severity WHERE id = :id"),
            {"id": stored_incidents[0]},
        )
        after = fingerprint(c)
        c.rollback()
    assert before.counts == after.counts
    assert before.differences(after) == ["incident: the rows' checksum differs"]


def test_a_restore_refuses_a_database_that_is_not_empty(database_url, tmp_path):
    archive = tmp_path / "b.dump"
    backup(database_url, archive)
    with pytest.raises(BackupError, match="the database is not empty"):
        restore(database_url, archive)


def test_a_damaged_archive_or_manifest_restores_nothing(database_url, scratch, tmp_path):
    archive = tmp_path / "b.dump"
    backup(database_url, archive)
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="does not match its manifest"):
        restore(scratch, archive)

    backup(database_url, archive)
    wrong = json.loads(manifest_path(archive).read_text())
    wrong["counts"]["district"] += 1  # the archive is intact, the figures are not
    manifest_path(archive).write_text(json.dumps(wrong))
    with pytest.raises(BackupError, match=r"district: \d+ rows in the backup, \d+ after"):
        restore(scratch, archive)

    manifest_path(archive).unlink()
    with pytest.raises(BackupError, match=r"manifest .* is missing"):
        restore(scratch, archive)
    with pytest.raises(BackupError, match="no backup at"):
        restore(scratch, tmp_path / "missing.dump")


def test_a_failed_pg_restore_leaves_the_database_empty(database_url, scratch, tmp_path):
    archive = tmp_path / "b.dump"
    backup(database_url, archive)
    blocker = make_engine(scratch)
    try:
        with blocker.begin() as c:  # a sequence of the same name makes the restore fail midway
            c.execute(text("CREATE SEQUENCE public.incident_id_seq"))
        with pytest.raises(BackupError, match="pg_restore failed, nothing was restored"):
            restore(scratch, archive)
        with blocker.connect() as c:
            assert fingerprint(c).counts == {}
    finally:
        blocker.dispose()


def test_the_commands(app, database_url, scratch, tmp_path):
    archive = tmp_path / "cli.dump"
    runner = app.test_cli_runner()
    made = runner.invoke(args=["backup", str(archive)])
    assert made.exit_code == 0, made.output
    assert "backup written" in made.output and archive.exists()
    assert manifest_path(archive).exists()
    again = runner.invoke(args=["restore", str(archive)])  # into the app's own database
    assert again.exit_code == 1 and "the database is not empty" in again.output
    done = runner.invoke(args=["restore", str(archive), "--database-url", scratch])
    assert done.exit_code == 0, done.output
    assert "equal to the manifest" in done.output
    missing = runner.invoke(args=["backup", str(tmp_path / "no" / "such" / "dir.dump")])
    assert missing.exit_code == 1 and "does not exist" in missing.output


def test_a_database_that_does_not_answer_leaves_no_file(tmp_path):
    with pytest.raises(BackupError, match="cannot reach the database"):
        backup("postgresql://nobody@127.0.0.1:1/none", tmp_path / "x.dump")
    assert list(Path(tmp_path).iterdir()) == []
