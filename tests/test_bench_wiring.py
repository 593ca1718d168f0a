"""`make bench` runs every benchmark under bench/, and each of them starts (its imports hold)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = sorted(p.name for p in (ROOT / "bench").glob("*.py"))


def bench_recipe() -> str:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^bench:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert match, "no bench target in the Makefile"
    return match.group(1)


def test_make_bench_runs_every_benchmark():
    recipe = bench_recipe()
    assert BENCHMARKS and "mapload.py" in BENCHMARKS
    missing = [name for name in BENCHMARKS if f"bench/{name}" not in recipe]
    assert missing == []


@pytest.mark.parametrize("name", BENCHMARKS)
def test_each_benchmark_starts(name):
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / name), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
