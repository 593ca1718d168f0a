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
            [
                *("--sizes", "3000", "--runs", "2", "--no-write"),
                *("--database", "borderwatch_hotspots_bench_test"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("| 3,000 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[7] == "1.00000"  # ARI of borderwatch's run against the reference
    # both runs are listed, and the ratio shown is the median of theirs
    runs = next(line for line in out.splitlines() if line.startswith("- 3,000: "))
    pairs = [part.split(" (")[1].rstrip(")") for part in runs.split(": ", 1)[1].split("; ")[:2]]
    assert len(pairs) == 2 and runs.endswith(f"median of the ratios {cells[3]}")
    assert float(cells[3]) == pytest.approx(sum(float(p) for p in pairs) / 2, abs=0.011)
    memory = json.loads(next(line for line in out.splitlines() if line.startswith('{"before')))
    assert memory["run_status"] == "done" and memory["polls"] >= 1
