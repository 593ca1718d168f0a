"""bench/dashboard.py runs end to end at a tiny size (not a timed test: nothing here asserts a
duration), so that the benchmark cannot rot."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.db

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_benchmark_runs_at_a_tiny_size(monkeypatch, capsys, database_url):
    monkeypatch.syspath_prepend(str(BENCH))
    bench = importlib.import_module("dashboard")
    argv = ["--incidents", "3000", "--repeat", "1", "--no-write"]
    assert bench.main([*argv, "--database", "borderwatch_dashboard_bench_test"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ") and " ms" not in line]
    requests = [r for r in rows if "`/" in r]
    assert len(requests) == 15  # five requests as each of three roles
    assert "weeks" in out and "Emerging hot spots on" in out
