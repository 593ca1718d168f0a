"""Failover soak (``make soak-ha``): nothing acknowledged is lost when the primary is lost.

For ``--seconds`` (``SOAK_HA_SECONDS``, default 600), on 127.0.0.1 only:

* a **replicated cluster** of its own (``scripts/hacluster.sh`` with ``BW_HA_DIR`` under
  ``var/ha/``, free ports from 5450 on; never the app's cluster, never ``make ha-up``'s): a
  pg_auto_failover monitor, a primary and a synchronous secondary; migrated, reference data, an
  officer account;
* **gunicorn** as ``make soak`` serves it (2 gthread workers of 4 threads, 1 % of committed
  answers dropped), its ``DATABASE_URL`` naming both nodes with ``target_session_attrs=
  read-write``: libpq finds the primary, whichever node it is;
* **16 clients** (:class:`soak.Client`), each retrying the same idempotency key with backoff
  until its report is acknowledged;
* a **chaos loop**: every ``--kill-every`` seconds (180) the node that is primary is lost:
  its pg_autoctl and its postmaster with every server process killed with SIGKILL, then its
  data directory made unavailable (``hacluster.sh lose``); the monitor promotes the
  secondary. The lost node is then built again from the new primary (``hacluster.sh
  rebuild``: dropped from the monitor, a new base backup, a synchronous secondary again), so
  that the next kill finds a standby. ``--planned`` instead switches over with ``pg_autoctl
  perform failover``.

The verdict: acknowledged keys missing (must be 0), keys stored more than once (0), reports
never acknowledged (0), answers 500 (0), 503 without ``Retry-After`` (0); for each loss the time
from the kill to the first acknowledged write sent after it, the median and the worst. Written
to ``docs/reliability.md`` and ``bench/soak.json`` (as ``failover``).

Run from the repository root: ``.venv/bin/python bench/reliability/failover.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH), str(BENCH / "reliability")]

from ingest import target_points  # noqa: E402
from soak import (  # noqa: E402
    OFFICER,
    RESULT,
    TIMEOUT_S,
    Client,
    Event,
    Gunicorn,
    during,
    log,
    merge_doc,
    outages,
    sign_in,
    start_gunicorn,
    stored,
)
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gis.accounts import users as accounts  # noqa: E402
from gis.db import make_engine  # noqa: E402
from gis.ops import migrate  # noqa: E402
from gis.types import Role  # noqa: E402
from seeds.reference import seed as seed_reference  # noqa: E402

SCRIPT = ROOT / "scripts" / "hacluster.sh"
VAR = ROOT / "var" / "ha"
NAME = "failover"


# --------------------------------------------------------------------------- the cluster


def free_ports(first: int = 5450, count: int = 4) -> int:
    """The first of ``count`` consecutive free ports on 127.0.0.1 from ``first`` on."""
    for base in range(first, first + 300, count):
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError(f"no {count} free consecutive ports from {first} on")


class HaCluster:
    """``scripts/hacluster.sh`` on a folder and ports of its own."""

    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port
        self.env = {**os.environ, "BW_HA_DIR": str(base), "BW_HA_PORT": str(port)}

    def run(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(SCRIPT), *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"hacluster.sh {' '.join(args)}: {done.stdout}{done.stderr}")
        return done.stdout.strip()

    def settings(self) -> dict[str, str]:
        values = {}
        for line in (self.base / "ha.env").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            values[key] = value.strip("'")
        return values

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.run("stop", timeout=120)


def setting(url: str, name: str) -> str:
    """A server setting of the primary (``SHOW``)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            return str(c.execute(text(f"SHOW {name}")).scalar_one())  # constant names
    finally:
        engine.dispose()


def prepare(url: str) -> tuple[str, list[tuple[float, float]]]:
    """Migrate, load the reference data and an officer: the officer's password and points."""
    migrate.upgrade(url)
    password = secrets.token_urlsafe(16)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed_reference(session)
            accounts.create_user(session, OFFICER, None, password, Role.OFFICER, "TH2706")
            points = target_points(session, 500, 11)
            session.commit()
    finally:
        engine.dispose()
    return password, points


# --------------------------------------------------------------------------- chaos


def chaos(
    cluster: HaCluster,
    seconds: float,
    kill_every: float,
    planned: bool,
    events: list[Event],
) -> None:
    """Lose the primary every ``kill_every`` s and build the lost node again."""
    start = time.monotonic()
    next_kill = start + kill_every
    while time.monotonic() - start < seconds:
        if time.monotonic() < next_kill:
            time.sleep(0.2)
            continue
        next_kill += kill_every
        victim = cluster.run("primary")
        if planned:
            event = Event(time.monotonic(), f"planned failover away from {victim}")
            events.append(event)
            cluster.run("failover", timeout=120)
            log(f"failover from {victim} done")
            continue
        cluster.run("lose", victim)  # the outage starts when its processes are gone
        event = Event(time.monotonic(), f"primary {victim} killed (SIGKILL), data directory gone")
        events.append(event)
        log(f"primary {victim} lost; the monitor promotes the secondary")
        cluster.run("rebuild", victim, timeout=300)
        log(f"{victim} rebuilt as the secondary {time.monotonic() - event.at:.1f} s after")


# --------------------------------------------------------------------------- verdict


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("SOAK_HA_SECONDS", "600"))
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-every", type=float, default=180.0)
    parser.add_argument("--drop-rate", type=float, default=0.01)
    parser.add_argument("--grace", type=float, default=60.0, help="seconds to finish in flight")
    parser.add_argument("--planned", action="store_true", help="pg_autoctl perform failover")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's folder")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.kill_every <= 0:
        parser.error("--seconds, --clients and --kill-every must be positive")
    base = VAR / f"{NAME}-{os.getpid()}"
    cluster = HaCluster(base, free_ports())
    drops = base / "dropped.log"
    app: Gunicorn | None = None
    events: list[Event] = []
    clients: list[Client] = []
    log(f"{NAME}: replicated cluster in {base} on 127.0.0.1:{cluster.port}-{cluster.port + 2}")
    try:
        started_cluster = time.monotonic()
        cluster.run("start")
        log(f"cluster up in {time.monotonic() - started_cluster:.1f} s")
        url = cluster.settings()["DATABASE_URL"]
        password, points = prepare(url)
        synchronous_commit = setting(url, "synchronous_commit")
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "false",
            "SOAK_DROP_RATE": str(args.drop_rate),
            "SOAK_DROP_LOG": str(drops),
            "BORDERWATCH_RATELIMIT_KEY_PREFIX": f"soak-ha-{secrets.token_hex(4)}",
        }
        app = start_gunicorn(env, base / "gunicorn.log")
        headers = sign_in(app.port, password)
        stop = threading.Event()
        deadline = [float("inf")]
        clients = [
            Client(app.port, headers, points, stop, deadline, seed=i) for i in range(args.clients)
        ]
        log(f"{args.clients} clients, {args.seconds:g} s; primary lost every {args.kill_every:g} s")
        started = time.monotonic()
        for client in clients:
            client.start()
        chaos(cluster, args.seconds, args.kill_every, args.planned, events)
        while time.monotonic() - started < args.seconds:
            time.sleep(0.2)
        stop.set()
        deadline[0] = time.monotonic() + args.grace
        for client in clients:
            client.join(args.grace + TIMEOUT_S + 5)
        elapsed = time.monotonic() - started
        if any(c.is_alive() for c in clients):
            raise RuntimeError("a client did not finish within the grace period")
        app.stop()
        app = None
        answers = [a for c in clients for a in c.log.answers]
        acknowledged = {k: s for c in clients for k, s in c.log.acknowledged.items()}
        unacknowledged = [k for c in clients for k in c.log.unacknowledged]
        refused = [r for c in clients for r in c.log.refused]
        rows = stored(url, list(acknowledged) + unacknowledged)
    finally:
        if app is not None:
            app.stop()
        cluster.stop()

    outages(events, answers)
    statuses = Counter(a.status for a in answers)
    missing = [k for k in acknowledged if rows.get(k, 0) == 0]
    duplicated = [k for k, n in rows.items() if n > 1]
    without_retry_after = sum(1 for a in answers if a.status == "503" and not a.retry_after)
    dropped = len(drops.read_text().splitlines()) if drops.exists() else 0
    switch = [e.outage_s for e in events if e.outage_s is not None]
    result: dict[str, Any] = {
        "name": NAME,
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "clients": args.clients,
        "kill_every_s": args.kill_every,
        "planned": args.planned,
        "synchronous_commit": synchronous_commit,
        "reports_acknowledged": len(acknowledged),
        "acknowledged_by_replay_200": sum(1 for s in acknowledged.values() if s == "200"),
        "acknowledged_missing_from_database": len(missing),
        "keys_stored_more_than_once": len(duplicated),
        "reports_never_acknowledged": len(unacknowledged),
        "refused_4xx": len(refused),
        "answers_500": statuses.get("500", 0),
        "answers_503_without_retry_after": without_retry_after,
        "answers_dropped_after_commit": dropped,
        "statuses": dict(sorted(statuses.items())),
        "during_outages": dict(sorted(during(events, answers).items())),
        "events": [
            {
                "at_s": round(e.at - started, 1),
                "what": e.what,
                "outage_s": None if e.outage_s is None else round(e.outage_s, 2),
            }
            for e in events
        ],
        "failovers": len(events),
        "kill_to_first_write_median_s": round(statistics.median(switch), 2) if switch else None,
        "kill_to_first_write_worst_s": round(max(switch), 2) if switch else None,
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
        "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "command": command_line(args),
    }
    checks = verdict(result)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    if refused:
        print("refused reports (first 3):", refused[:3])
    print(json.dumps({k: v for k, v in result.items() if k != "events"}, indent=1))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    if not args.no_write:
        write(result, checks)
    return 0 if all(ok for _, ok in checks) else 1


def verdict(result: dict[str, Any]) -> list[tuple[str, bool]]:
    return [
        (
            f"{result['reports_acknowledged']} reports acknowledged",
            result["reports_acknowledged"] > 0,
        ),
        (f"{result['failovers']} failovers", result["failovers"] >= 1),
        (
            f"every failover followed by an acknowledged write: "
            f"{sum(1 for e in result['events'] if e['outage_s'] is not None)}",
            all(e["outage_s"] is not None for e in result["events"]),
        ),
        (
            f"acknowledged reports missing from the database: "
            f"{result['acknowledged_missing_from_database']}",
            result["acknowledged_missing_from_database"] == 0,
        ),
        (
            f"keys stored more than once: {result['keys_stored_more_than_once']}",
            result["keys_stored_more_than_once"] == 0,
        ),
        (
            f"reports never acknowledged: {result['reports_never_acknowledged']}",
            result["reports_never_acknowledged"] == 0,
        ),
        (f"reports refused (4xx): {result['refused_4xx']}", result["refused_4xx"] == 0),
        (f"answers 500: {result['answers_500']}", result["answers_500"] == 0),
        (
            f"503 answers without Retry-After: {result['answers_503_without_retry_after']}",
            result["answers_503_without_retry_after"] == 0,
        ),
    ]


def command_line(args: argparse.Namespace) -> str:
    parts = [".venv/bin/python bench/reliability/failover.py", f"--seconds {args.seconds:g}"]
    if args.clients != 16:
        parts.append(f"--clients {args.clients}")
    if args.kill_every != 180:
        parts.append(f"--kill-every {args.kill_every:g}")
    if args.planned:
        parts.append("--planned")
    return " ".join(parts)


def write(result: dict[str, Any], checks: list[tuple[str, bool]]) -> None:
    entries: list[dict[str, Any]] = []
    if RESULT.exists():
        entries = json.loads(RESULT.read_text(encoding="utf-8"))
    entries = [e for e in entries if e.get("name") != result["name"]] + [result]
    RESULT.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    merge_doc(result["name"], document(result, checks))


def document(result: dict[str, Any], checks: list[tuple[str, bool]]) -> str:
    verdicts = "\n".join(f"- {'ok' if ok else '**FAILED**'}: {label}" for label, ok in checks)
    events = "\n".join(
        f"| {e['at_s']:g} | {e['what']} | "
        f"{'-' if e['outage_s'] is None else format(e['outage_s'], '.2f')} |"
        for e in result["events"]
    )
    during_ = ", ".join(f"{k}: {v:,}" for k, v in result["during_outages"].items()) or "nothing"
    statuses = ", ".join(f"{k}: {v:,}" for k, v in result["statuses"].items())
    return f"""
## Failover soak: the primary lost under load (`make soak-ha`)

{result["clients"]} clients submitting reports through gunicorn for {result["seconds"]:g} s
(all done after {result["elapsed_s"]:g} s) to a pg_auto_failover pair (a primary and a
synchronous secondary, `scripts/hacluster.sh`), the app's `DATABASE_URL` naming both nodes with
`target_session_attrs=read-write`, commits acknowledged with `synchronous_commit =
{result["synchronous_commit"]}`; every {result["kill_every_s"]:g} s the primary's pg_autoctl
and postmaster killed with SIGKILL and its data directory made unavailable, then the lost node
built again as the new secondary; 1 % of committed answers dropped.

{verdicts}

| s | event | kill to the first acknowledged write, s |
| ---: | --- | ---: |
{events}

Kill to the first acknowledged write on the new primary: median
{result["kill_to_first_write_median_s"]} s, worst {result["kill_to_first_write_worst_s"]} s.
During the switches the clients got: {during_}. All answers and failures: {statuses}.

Machine: {result["machine"]}; {result["measured"]}. Reproduce: `{result["command"]}`
"""


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
