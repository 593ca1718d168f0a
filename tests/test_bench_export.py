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


def made_run(bench: Any, seconds: float, reference_seconds: float, load: float) -> Any:
    return bench.FormatMeasure(
        size=100_000,
        fmt="shp",
        features=99_000,
        seconds=seconds,
        first_byte_s=seconds,
        megabytes=10.0,
        peak_mb=187.0,
        idle_mb=183.0,
        read_back=99_000,
        reference=bench.REFERENCES["shp"],
        reference_seconds=reference_seconds,
        run_loads=[load],
    )


@pytest.mark.parametrize(
    ("ratios", "shown"),
    [([0.9, 1.2, 1.05], 1.05), ([1.2, 0.9], 0.9), ([0.8], 0.8)],
)
def test_repeated_runs_show_the_median_run_with_every_ratio(bench, ratios, shown):
    """--repeat: the row is the run of the median ratio (of two, the lower), and the table and
    bench/results.json give every run's ratio and load average in the order measured."""
    runs = [made_run(bench, 2.0, 2.0 * r, 3.0 + i) for i, r in enumerate(ratios)]
    row = bench.median_run(runs)
    assert row.ratio == pytest.approx(shown)
    assert row.ratios == (pytest.approx(ratios) if len(ratios) > 1 else [])
    assert row.run_loads == [3.0 + i for i in range(len(ratios))]
    table = bench.format_table([row])
    met = "met" if shown >= 1 else "**not met**"
    assert f"| {shown:.2f} (≥ 1: {met}" in table
    if len(ratios) > 1:
        listed = ", ".join(f"{r:.2f} at load {3.0 + i:.1f}" for i, r in enumerate(ratios))
        assert f"median of {len(ratios)} runs: {listed}" in table
    else:
        assert "median of" not in table
    entry = {"read_back": 99_000, "reference": "x", "reference_seconds": 2.0, "ratios": ratios}
    entry |= {"features": 99_000, "seconds": 2.0, "first_byte_ms": 1, "megabytes": 1}
    entry |= {"peak_rss_mb": 1, "idle_rss_mb": 1, "run_loads": row.run_loads}
    again = bench.FormatMeasure.from_entry(entry, "shp", 100_000)
    assert again.ratios == ratios and again.run_loads == row.run_loads
