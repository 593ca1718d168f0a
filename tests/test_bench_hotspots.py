"""bench/hotspots.py runs end to end at a tiny size (not a timed test: nothing here asserts a
duration), so that the benchmark cannot rot."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.db

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_benchmark_runs_at_a_tiny_size_and_agrees_with_the_reference(
    monkeypatch, capsys, database_url
):
    monkeypatch.syspath_prepend(str(BENCH))
    bench = importlib.import_module("hotspots")
    assert (
        bench.main(
            ["--sizes", "3000", "--no-write", "--database", "borderwatch_hotspots_bench_test"]
        )
        == 0
    )
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| 3,000 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[7] == "1.00000"  # ARI of borderwatch's run against the reference
    memory = json.loads(next(line for line in out.splitlines() if line.startswith('{"before')))
    assert memory["run_status"] == "done" and memory["polls"] >= 1
