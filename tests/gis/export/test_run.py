"""One export workflow (gis.export.run): every check before anything is written, the audit row
closed exactly once however the body ends, the GeoPackage's folder removed whatever happens, and
one feature read by its id."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.errors import BorderwatchError, NotFound
from gis.export import ExportRequest, check_export, make_access, run_export
from gis.export import run as run_module
from gis.export.plan import Access
from gis.models import District, ExportAudit, User
from gis.types import Role
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db


@pytest.fixture
def hq(session: Session) -> Callable[[], Access]:
    """An HQ analyst's access, read again for each run (a run's end closes its session, and
    with it the account's row)."""
    user_id = make_user(session, Role.HQ_ANALYST, "run-hq").id
    return lambda: make_access(session, session.get_one(User, user_id))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary directory of this test only (the GeoPackage's folder is made in it)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def folders(workdir: Path) -> list[Path]:
    return list(workdir.glob("borderwatch-export-*"))


def audit_row(session: Session, audit_id: int) -> ExportAudit:
    session.expire_all()
    return session.get_one(ExportAudit, audit_id)


def audits(session: Session) -> int:
    return session.execute(select(func.count()).select_from(ExportAudit)).scalar_one()


def test_a_body_read_to_the_end_completes_the_audit(session, hq):
    run = run_export(session, hq(), ExportRequest("districts", "geojson"))
    assert audit_row(session, run.audit_id).state == "started"  # committed before the body
    doc = json.loads(b"".join(run))
    row = audit_row(session, run.audit_id)
    assert row.state == "completed" and row.finished_at is not None
    assert row.feature_count == len(doc["features"]) > 40
    run.close()  # after the end: nothing changes
    assert audit_row(session, run.audit_id).state == "completed"


@pytest.mark.parametrize("fmt", ["geojson", "csv", "gpkg"])
def test_a_run_closed_before_its_body_is_read_is_aborted(session, hq, workdir, fmt):
    run = run_export(session, hq(), ExportRequest("checkpoints", fmt))
    run.close()
    row = audit_row(session, run.audit_id)
    assert row.state == "aborted" and row.finished_at is not None
    assert folders(workdir) == []
    assert list(run) == []  # a closed run yields nothing more


def test_the_geopackage_folder_is_removed_however_the_body_ends(session, hq, workdir):
    run = run_export(session, hq(), ExportRequest("checkpoints", "gpkg"))
    assert len(folders(workdir)) == 1  # the file waits for its body
    assert next(run).startswith(b"SQLite format 3\x00")
    run.close()  # cut after the first bytes
    assert folders(workdir) == []
    assert audit_row(session, run.audit_id).state == "aborted"
    whole = run_export(session, hq(), ExportRequest("checkpoints", "gpkg"))
    assert b"".join(whole).startswith(b"SQLite format 3\x00")
    assert folders(workdir) == []
    assert audit_row(session, whole.audit_id).state == "completed"


def test_a_geopackage_that_fails_leaves_no_folder_and_a_failed_audit(
    session, hq, workdir, monkeypatch
):
    def broken(session, collection, access, f, path, counter, progress=None) -> None:
        path.write_bytes(b"half a file")
        counter.n = 3
        raise RuntimeError("disk full")

    monkeypatch.setattr(run_module, "write_geopackage", broken)
    before = audits(session)
    with pytest.raises(RuntimeError):
        run_export(session, hq(), ExportRequest("checkpoints", "gpkg"))
    assert folders(workdir) == []
    row = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audits(session) == before + 1
    assert row is not None and row.state == "failed" and row.feature_count == 3


def test_an_error_while_the_body_is_read_fails_the_audit(session, hq, monkeypatch):
    def broken(*args, **kwargs) -> Iterator[bytes]:
        yield b"WKT,id\r\n"
        raise RuntimeError("connection lost")

    monkeypatch.setattr(run_module, "csv_chunks", broken)
    run = run_export(session, hq(), ExportRequest("districts", "csv"))
    assert next(run) == b"WKT,id\r\n"
    with pytest.raises(RuntimeError):
        next(run)
    run.close()
    assert audit_row(session, run.audit_id).state == "failed"


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (ExportRequest("nothing", "geojson"), "collection"),
        (ExportRequest("hexagon_cells", "geojson"), "collection"),  # not for officers
        (ExportRequest("districts", "xlsx"), "format"),
        (ExportRequest("districts", "ogcapi"), "format"),  # a page or a feature only
        (ExportRequest("districts", "csv", limit=10), "format"),  # a file is whole
        (ExportRequest("districts", "geojson", {"category": "smuggling"}), "category"),
        (ExportRequest("incidents", "geojson", {"datetime": "../.."}), "datetime"),
        (ExportRequest("incidents", "ogcapi", limit=10, cursor="bm9wZQ"), "cursor"),
    ],
)
def test_every_check_comes_before_anything_is_written(session, request_, field):
    officer = make_access(session, make_user(session, Role.OFFICER, "run-officer"))
    before = audits(session)
    with pytest.raises(BorderwatchError) as refused:
        run_export(session, officer, request_)
    assert refused.value.field == field
    with pytest.raises(BorderwatchError):
        check_export(session, officer, request_)
    assert audits(session) == before


def test_check_export_answers_without_an_audit(session, hq):
    before = audits(session)
    job = check_export(session, hq(), ExportRequest("checkpoints", "gpkg"))
    assert job.collection.name == "checkpoints" and job.fmt == "gpkg"
    newest = session.execute(select(func.max(District.id))).scalar_one()
    item = ExportRequest("districts", "ogcapi", fid=newest)
    assert check_export(session, hq(), item).filters.fid == newest
    with pytest.raises(NotFound) as missing:
        check_export(session, hq(), ExportRequest("districts", "ogcapi", fid=newest + 1000))
    assert missing.value.field == "featureId"
    assert audits(session) == before


def test_one_feature_is_read_by_its_id_with_its_members(session, hq):
    ids = session.execute(select(District.id).order_by(District.id)).scalars().all()
    fid = ids[len(ids) // 2]
    item = ExportRequest("districts", "ogcapi", fid=fid)
    run = run_export(session, hq(), item, members={"links": "[]", "left_out": lambda c: None})
    feature = json.loads(b"".join(run))
    assert feature["type"] == "Feature" and feature["id"] == fid
    assert feature["links"] == [] and "left_out" not in feature
    row = audit_row(session, run.audit_id)
    assert row.filters == {"fid": fid}
    assert row.state == "completed" and row.feature_count == 1
    before = audits(session)
    with pytest.raises(NotFound) as missing:
        run_export(session, hq(), ExportRequest("districts", "ogcapi", fid=ids[-1] + 1000))
    assert missing.value.field == "featureId"
    row = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audits(session) == before + 1
    assert row is not None and row.state == "completed" and row.feature_count == 0


def test_a_page_counts_first_and_reports_progress(session, hq):
    seen: list[tuple[int, int | None]] = []
    page = ExportRequest("districts", "ogcapi", limit=7, count=True)
    run = run_export(
        session,
        hq(),
        page,
        members={"numberMatched": lambda c: str(c.matched)},
        progress=lambda c: seen.append((c.n, c.matched)),
    )
    doc = json.loads(b"".join(run))
    total = session.execute(select(func.count()).select_from(District)).scalar_one()
    assert run.matched == doc["numberMatched"] == total
    assert len(doc["features"]) == 7 and run.counter.more
    assert seen and seen[-1] == (7, total)
