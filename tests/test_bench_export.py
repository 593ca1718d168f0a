"""bench/export.py at a tiny size, so that it cannot rot (not a timed test: nothing here asserts
a rate). Needs gunicorn and Debian's gdal-bin (ogr2ogr, ogrinfo)."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import make_url

pytestmark = [pytest.mark.db, pytest.mark.gdal]

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch) -> Any:
    """The benchmark module, imported as it runs (``bench/`` on the path)."""
    monkeypatch.syspath_prepend(str(BENCH))
    return importlib.import_module("export")


def test_the_export_benchmark_runs_end_to_end(bench, database_url, capsys):
    scratch = f"{make_url(database_url).database}_bench_export"
    before = (bench.DOC.read_text(encoding="utf-8"), (BENCH / "results.json").read_bytes())
    formats = ["csv", "fgb", "gpkg", "kml", "parquet", "shp"]
    args = ["--sizes", "300", "--formats", ",".join(formats), "--scratch", scratch, "--no-record"]
    status = bench.main(args)
    out = capsys.readouterr().out
    assert status == 0
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    # the GeoPackage as an export job (--jobs gpkg by default): worker, progress and file
    (job,) = [r for r in lines if "first_progress_s" in r]
    rows = [r for r in lines if "first_progress_s" not in r]
    (row,) = [r for r in rows if "fmt" not in r]
    assert job["fmt"] == "gpkg" and job["read_back"] == job["features"] == row["features"]
    assert 0 < job["first_progress_s"] <= job["seconds"] and job["polls"] > 0
    assert job["worker_peak_mb"] >= job["worker_idle_mb"] > 0 and job["web_peak_mb"] > 0
    assert row["size"] == 300 and 0 < row["features"] <= 300
    assert sorted(r["fmt"] for r in rows if "fmt" in r) == formats
    for other in (r for r in rows if "fmt" in r):
        assert other["read_back"] == other["features"] == row["features"]
        assert other["peak_mb"] >= other["idle_mb"] > 0 and other["reference_seconds"] > 0
    assert row["gdal_count"] == row["features"] == row["ogr_features"]
    assert row["seconds"] > 0 and row["ogr_seconds"] > 0 and row["cursor_seconds"] > 0
    assert row["query_seconds"] > 0  # COPY of the export's own statement
    assert row["peak_mb"] >= row["idle_mb"] > 0
    assert row["busy_peak_mb"] >= row["busy_idle_mb"] > 0  # a worker that served the map first
    assert "throughput at 300" in out
    # --no-record leaves the shared figures alone
    assert (bench.DOC.read_text(encoding="utf-8"), (BENCH / "results.json").read_bytes()) == before
