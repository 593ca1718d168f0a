"""The load scenario (``make load``) at a small size, so that it cannot rot: the mixed traffic
gets no error, the flood of the public form gets 429 with Retry-After and no more accepted
reports than the limit. (The officers' latency during the flood is a measured figure, in
docs/reliability.md, not asserted here on a shared machine.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LOAD = ROOT / "bench" / "reliability" / "load.py"

pytestmark = pytest.mark.db


def test_the_mixed_load_and_the_flood_at_a_small_size():
    done = subprocess.run(
        [sys.executable, str(LOAD), "--no-write", "--seconds", "12", "--users", "6",
         "--baseline", "4", "--incidents", "600"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out = done.stdout
    assert "\n{" in out, out + done.stderr
    result = json.loads(out[out.index("\n{") + 1 :])
    assert result["mixed"], out
    assert sum(v["errors"] for v in result["mixed"].values()) == 0, result["mixed"]
    assert sum(v["requests"] for v in result["mixed"].values()) > 20
    endpoints = set(result["mixed"])
    assert {"GET /api/layers/incidents", "POST /api/incidents"} <= endpoints, endpoints
    flood = result["flood_statuses"]
    assert flood.get("429", 0) > 0 and flood.get("201", 0) <= 5, flood
    assert flood["429 without Retry-After"] == 0
    assert result["officer_alone_p95_ms"] > 0 and result["officer_during_flood_p95_ms"] > 0
