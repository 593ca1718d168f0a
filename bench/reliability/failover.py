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

* **the worker** (``borderwatch worker``, procrastinate) on the same multi-host URL, started
  again 5 s after it stops, as ``make run`` and docker compose's restart policy do; just before
  each loss, hotspot runs are queued (committed, so on both nodes): some for at once, some for
  a moment after the kill. Each must end ``done`` exactly once: its job ``succeeded``, its
  clusters stored once (``hotspot`` rows equal to the run's ``n_clusters``). ``--no-worker``
  leaves the worker out.

The verdict: acknowledged keys missing (must be 0), keys stored more than once (0), reports
never acknowledged (0), answers 500 (0), 503 without ``Retry-After`` (0), hotspot runs queued
before a loss not done (0) or done more than once (0); for each loss the time from the kill to
the first acknowledged write sent after it, the median and the worst. Written to
``docs/reliability.md`` and ``bench/soak.json`` (as ``failover``).

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
from gis.hotspots.runs import TASK as RUN_TASK  # noqa: E402
from gis.hotspots.runs import start_run  # noqa: E402
from gis.jobs import defer  # noqa: E402
from gis.ops import migrate  # noqa: E402
from gis.types import Role  # noqa: E402
from seeds.reference import seed as seed_reference  # noqa: E402

SCRIPT = ROOT / "scripts" / "hacluster.sh"
VAR = ROOT / "var" / "ha"
NAME = "failover"
BORDERWATCH = Path(sys.executable).with_name("borderwatch")
#: Seconds before the worker is started again after it stopped (as ``make run`` does).
WORKER_RESTART_S = 5.0
#: The hotspot runs queued before each loss: for at once, and for this long after it.
RUNS_AT_ONCE, RUNS_LATER, LATER_S = 2, 2, 3.0
#: What the runs cluster: the officer's district, every incident the clients reported (a wide
#: radius, so that there are clusters to store, once each).
RUN_PARAMS = {
    "districts": ["TH2706"],
    "statuses": ["new"],
    "corridor_only": False,
    "eps_m": 5000,
    "min_points": 3,
}
#: Job states after which nothing more happens to a job.
FINISHED = ("succeeded", "failed", "cancelled", "aborted")
#: Seconds to wait after the clients for the queued runs (a job whose worker died while it ran
#: is taken up again once its heartbeat is 30 s old, by the check each minute).
JOBS_GRACE_S = 150.0


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


# --------------------------------------------------------------------------- the worker


class Worker(threading.Thread):
    """``borderwatch worker`` on the cluster, started again :data:`WORKER_RESTART_S` after it
    stops (it exits when it loses its database), until :meth:`finish`."""

    def __init__(self, env: dict[str, str], logfile: Path) -> None:
        super().__init__(daemon=True)
        self.env, self.logfile = env, logfile
        self.stopping = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.exits: list[int] = []

    def run(self) -> None:
        while not self.stopping.is_set():
            with self.logfile.open("ab") as out:
                self.proc = subprocess.Popen(
                    [str(BORDERWATCH), "worker", "--poll", "1"],
                    env={**os.environ, **self.env},
                    cwd=ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.starts += 1
            while self.proc.poll() is None and not self.stopping.is_set():
                time.sleep(0.2)
            if self.proc.poll() is None:
                break
            self.exits.append(int(self.proc.returncode))
            code = self.proc.returncode
            log(f"the worker stopped (status {code}); started again in {WORKER_RESTART_S:g} s")
            self.stopping.wait(WORKER_RESTART_S)

    def finish(self) -> None:
        self.stopping.set()
        proc = self.proc
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.join(10)


def queue_runs(url: str) -> list[int]:
    """Hotspot runs queued and committed now: :data:`RUNS_AT_ONCE` for the worker at once and
    :data:`RUNS_LATER` for :data:`LATER_S` from now (after the kill that follows)."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            ids = [start_run(session, RUN_PARAMS, None).id for _ in range(RUNS_AT_ONCE)]
            later = [start_run(session, RUN_PARAMS, None, enqueue=False) for _ in range(RUNS_LATER)]
            when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LATER_S)
            for run in later:
                defer(
                    session, RUN_TASK, lock=f"hotspot_run:{run.id}", schedule_at=when, run_id=run.id
                )
            session.commit()
            return ids + [run.id for run in later]
    finally:
        engine.dispose()


_RUNS = text(
    """
    SELECT r.id, r.status, r.n_clusters, r.error,
           (SELECT count(*) FROM hotspot h WHERE h.run_id = r.id) AS stored,
           j.status::text AS job, j.attempts,
           (SELECT count(*) FROM procrastinate.procrastinate_events e
             WHERE e.job_id = j.id AND e.type = 'started') AS starts
      FROM hotspot_run r
      LEFT JOIN procrastinate.procrastinate_jobs j
        ON j.task_name = :task AND (j.args->>'run_id')::int = r.id
     WHERE r.id = ANY(:ids)
    """
)


def runs_state(url: str, ids: list[int]) -> list[dict[str, Any]]:
    """Each queued run: its status, clusters stored against ``n_clusters``, its job's status
    and how many times a worker started it."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(_RUNS, {"ids": ids, "task": RUN_TASK}).mappings().all()
    finally:
        engine.dispose()
    return [dict(r) for r in rows]


def wait_for_runs(url: str, ids: list[int], seconds: float) -> list[dict[str, Any]]:
    """The runs' state once every run's job has finished, or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            state = runs_state(url, ids)
        except Exception as exc:  # the cluster between two primaries
            log(f"runs not readable yet: {type(exc).__name__}")
            state = []
        if len(state) == len(ids) and all(r["job"] in FINISHED for r in state):
            return state
        if time.monotonic() > deadline:
            return state or runs_state(url, ids)
        time.sleep(1)


def runs_verdict(state: list[dict[str, Any]], queued: int) -> dict[str, Any]:
    done_once = [
        r for r in state
        if r["status"] == "done" and r["job"] == "succeeded" and r["stored"] == r["n_clusters"]
    ]  # fmt: skip
    twice = [r for r in state if r["n_clusters"] is not None and r["stored"] != r["n_clusters"]]
    return {
        "queued": queued,
        "done_once": len(done_once),
        "not_done": queued - len(done_once) - len(twice),
        "done_more_than_once": len(twice),
        "taken_up_again": sum(1 for r in state if (r["starts"] or 0) > 1),
        "clusters_stored": sum(int(r["stored"]) for r in state),
        "not_done_runs": [
            {k: r[k] for k in ("id", "status", "job", "attempts", "starts", "error")}
            for r in state
            if r not in done_once
        ],
    }


# --------------------------------------------------------------------------- chaos


def chaos(
    cluster: HaCluster,
    seconds: float,
    kill_every: float,
    planned: bool,
    events: list[Event],
    runs: list[int] | None = None,
) -> None:
    """Lose the primary every ``kill_every`` s and build the lost node again; with ``runs``,
    queue hotspot runs just before each loss (their ids added to it)."""
    start = time.monotonic()
    next_kill = start + kill_every
    while time.monotonic() - start < seconds:
        if time.monotonic() < next_kill:
            time.sleep(0.2)
            continue
        next_kill += kill_every
        victim = cluster.run("primary")
        if runs is not None:
            runs.extend(queue_runs(cluster.settings()["DATABASE_URL"]))
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
    parser.add_argument("--no-worker", action="store_true", help="no worker, no hotspot runs")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.kill_every <= 0:
        parser.error("--seconds, --clients and --kill-every must be positive")
    base = VAR / f"{NAME}-{os.getpid()}"
    cluster = HaCluster(base, free_ports())
    drops = base / "dropped.log"
    app: Gunicorn | None = None
    worker: Worker | None = None
    runs: list[int] | None = None if args.no_worker else []
    state: list[dict[str, Any]] = []
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
        if runs is not None:
            worker_env = {k: v for k, v in env.items() if not k.startswith("SOAK_")}
            worker = Worker(worker_env, base / "worker.log")
            worker.start()
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
        chaos(cluster, args.seconds, args.kill_every, args.planned, events, runs)
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
        if worker is not None and runs is not None:
            state = wait_for_runs(url, runs, JOBS_GRACE_S)
            worker.finish()
        answers = [a for c in clients for a in c.log.answers]
        acknowledged = {k: s for c in clients for k, s in c.log.acknowledged.items()}
        unacknowledged = [k for c in clients for k in c.log.unacknowledged]
        refused = [r for c in clients for r in c.log.refused]
        rows = stored(url, list(acknowledged) + unacknowledged)
    finally:
        if app is not None:
            app.stop()
        if worker is not None:
            worker.finish()
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
        "hotspot_runs": None if runs is None else runs_verdict(state, len(runs)),
        "worker_starts": None if worker is None else worker.starts,
        "worker_exits": None if worker is None else worker.exits,
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
    runs = result.get("hotspot_runs")
    worker = (
        []
        if runs is None
        else [
            (
                f"hotspot runs queued before the losses: {runs['queued']}, done once: "
                f"{runs['done_once']} ({runs['clusters_stored']} clusters stored; taken up "
                f"again after losing the database: {runs['taken_up_again']}; the worker "
                f"started {result['worker_starts']} times)",
                runs["queued"] > 0 and runs["done_once"] == runs["queued"],
            ),
            (f"hotspot runs not done: {runs['not_done']}", runs["not_done"] == 0),
            (
                f"hotspot runs done more than once: {runs['done_more_than_once']}",
                runs["done_more_than_once"] == 0,
            ),
        ]
    )
    checks = [
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
    checks.extend(worker)
    return checks


def command_line(args: argparse.Namespace) -> str:
    parts = [".venv/bin/python bench/reliability/failover.py", f"--seconds {args.seconds:g}"]
    if args.clients != 16:
        parts.append(f"--clients {args.clients}")
    if args.kill_every != 180:
        parts.append(f"--kill-every {args.kill_every:g}")
    if args.planned:
        parts.append("--planned")
    if args.no_worker:
        parts.append("--no-worker")
    return " ".join(parts)


def write(result: dict[str, Any], checks: list[tuple[str, bool]]) -> None:
    entries: list[dict[str, Any]] = []
    if RESULT.exists():
        entries = json.loads(RESULT.read_text(encoding="utf-8"))
    entries = [e for e in entries if e.get("name") != result["name"]] + [result]
    RESULT.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    merge_doc(result["name"], document(result, checks))


def worker_text(result: dict[str, Any]) -> str:
    if result.get("hotspot_runs") is None:
        return ""
    return f"""
The worker (`borderwatch worker`, procrastinate) ran on the same multi-host URL, started again
{WORKER_RESTART_S:g} s after it stopped, as `make run` does; just before each loss
{RUNS_AT_ONCE} hotspot runs were queued for at once and {RUNS_LATER} for {LATER_S:g} s later
(after the kill). The worker stopped {len(result["worker_exits"])} times (exit statuses
{", ".join(str(c) for c in result["worker_exits"]) or "none"}) and was started
{result["worker_starts"]} times in all."""


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
built again as the new secondary; 1 % of committed answers dropped.{worker_text(result)}

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
