"""The writer process of the file formats (gis.export.files, gis.export.writer): a writer started
ahead of its file (the export worker keeps one ready) writes the next file, one that died is
replaced, and one whose parent stops ends quietly."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pyogrio
import pytest
from sqlalchemy.orm import Session

from gis.export import ExportRequest, make_access, run_export
from gis.export import files as files_module
from gis.export.files import start_spare_writer
from gis.types import Role
from tests.webapp.signin import make_user

pytestmark = [pytest.mark.db, pytest.mark.gdal]


@pytest.fixture
def no_spare() -> Iterator[None]:
    """No writer ready before the test, none left after it."""
    files_module._end_spare()
    yield
    files_module._end_spare()


def geopackage(session: Session, out: Path) -> int:
    """The checkpoints written as a GeoPackage at ``out`` by an HQ analyst; the features."""
    user = make_user(session, Role.HQ_ANALYST, "writer-hq")
    run = run_export(session, make_access(session, user), ExportRequest("checkpoints", "gpkg"))
    try:
        out.write_bytes(b"".join(run))
    finally:
        run.close()
    return run.counter.n


def test_the_writer_started_ahead_writes_the_next_file(session, tmp_path, no_spare):
    start_spare_writer()
    spare = files_module._spare
    assert spare is not None and spare[0].poll() is None  # waiting for its spec
    start_spare_writer()  # one is ready: no second one
    assert files_module._spare is spare

    n = geopackage(session, tmp_path / "checkpoints.gpkg")

    assert files_module._spare is None  # taken by the file
    assert spare[0].wait(10) == 0  # and it wrote the file, then ended
    assert n > 0 and len(pyogrio.read_dataframe(tmp_path / "checkpoints.gpkg")) == n


def test_a_writer_that_died_while_waiting_is_replaced(session, tmp_path, no_spare):
    start_spare_writer()
    spare = files_module._spare
    assert spare is not None
    spare[0].kill()
    spare[0].wait()

    n = geopackage(session, tmp_path / "checkpoints.gpkg")

    assert n > 0 and len(pyogrio.read_dataframe(tmp_path / "checkpoints.gpkg")) == n


def test_a_writer_whose_spec_never_comes_ends_quietly(no_spare):
    child, log = files_module._start_writer()
    with log:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()  # its parent stopped
        try:
            assert child.wait(30) == 0
        except subprocess.TimeoutExpired:
            child.kill()
            raise
        assert child.stdout.read() == b""
        child.stdout.close()
        log.seek(0)
        assert log.read() == b""


def test_the_export_worker_starts_a_writer_ahead():
    from gis.export import tasks  # the worker imports it as it starts
    from gis.jobs import WORKER_STARTS

    assert tasks.start_spare_writer in WORKER_STARTS["exports"]


class Prepared(Exception):
    """Raised by a test's preparation: the worker stops before it takes any job."""


def test_a_worker_prepares_what_its_queues_register_before_its_first_job(
    database_url, engine, monkeypatch
):
    from gis import jobs

    called: list[str] = []

    def prepare() -> None:
        called.append("ready")
        raise Prepared

    monkeypatch.setattr(jobs, "WORKER_STARTS", {"elsewhere": [called.clear], "ours": [prepare]})
    jobs.run_worker(database_url, engine, once=True, queues=["ours"], install_signal_handlers=False)
    assert called == []
    raised: list[BaseException] = []

    def work() -> None:  # a worker that waits for jobs: in a thread, in case it never stops
        try:
            jobs.run_worker(database_url, engine, queues=["ours"], install_signal_handlers=False)
        except BaseException as exc:
            raised.append(exc)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(60)
    assert not worker.is_alive() and called == ["ready"]
    assert [type(exc) for exc in raised] == [Prepared]
