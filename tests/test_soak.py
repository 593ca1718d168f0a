"""The crash harness (``make soak``) at a small size, so that it cannot rot: with the database
killed under load nothing acknowledged is lost and every report's notifications are delivered
exactly once after recovery (the notifications' worker killed too), and its negative control
(``synchronous_commit = off``) does lose acknowledged reports, which proves that the harness
can see a loss.

Each run builds its own scratch cluster under ``var/soak/`` (never the test database's server)
and serves the app with gunicorn on 127.0.0.1; about 30 s each.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOAK = ROOT / "bench" / "reliability" / "soak.py"

pytestmark = pytest.mark.db


def run(*args: str) -> tuple[int, str, dict]:
    done = subprocess.run(
        [sys.executable, str(SOAK), "--no-write", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=420,
        check=False,
    )
    out = done.stdout
    summary = json.loads(out[out.index("\n{") + 1 :]) if "\n{" in out else {}
    return done.returncode, out + done.stderr, summary


def test_killing_the_database_under_load_loses_nothing_acknowledged():
    code, out, result = run("--seconds", "24", "--kill-every", "8", "--clients", "6")
    assert code == 0, out
    assert result["reports_acknowledged"] > 100
    assert result["acknowledged_missing_from_database"] == 0
    assert result["keys_stored_more_than_once"] == 0
    assert result["reports_never_acknowledged"] == 0
    assert result["answers_500"] == 0
    assert result["answers_503_without_retry_after"] == 0
    assert result["during_outages"].get("503 with Retry-After", 0) > 0
    assert "database killed" in out and "two fast restarts" in out and "worker" in out
    # every report's e-mail and LINE notifications delivered exactly once after recovery, with
    # the notifications' worker killed with SIGKILL along the way
    assert "notification worker" in out and "killed (SIGKILL)" in out
    told = result["notifications"]
    assert told["reports"] > 0 and told["reports_without_their_notifications"] == 0
    assert told["waiting_after_recovery"] == 0 and told["failed"] == 0
    assert told["emails_received"] == told["emails_expected"] == told["reports"]
    assert told["line_received"] == told["line_expected"] == told["reports"]
    assert told["line_pushed_twice"] == 0 and told["received_without_a_delivery"] == 0


def test_the_negative_control_shows_the_harness_detects_losses():
    code, out, result = run(
        "--seconds", "24", "--kill-every", "6", "--clients", "6", "--negative-control"
    )
    assert result["synchronous_commit"] == "off", out
    assert result["acknowledged_missing_from_database"] > 0, out
    assert code == 0, out
