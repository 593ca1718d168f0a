"""Map layers read on the replica against on the primary, under the load of ``make load``
(``HA=1 make load``).

On the replicated cluster of ``make ha-up`` (``DATABASE_URL`` naming both nodes with
``target_session_attrs=read-write``, ``DATABASE_REPLICA_URL`` with ``prefer-standby``; both
from ``var/ha/ha.env`` when not in the environment), in a scratch database of its own on it
(migrated, reference data, ``--incidents`` demo incidents, a finished hotspot run; created on
the primary, so on the standby too), the same mixed traffic as ``make load``
(:class:`load.User`: ``--users`` users, 70 % map and hotspot reads, 20 % reports, 10 % a
coordinator's queue, 0.5-1.5 s of think time) runs in two modes, ``--seconds`` a phase, through
gunicorn as ``make run`` serves it:

1. **primary**: the app without ``DATABASE_REPLICA_URL``: every read on the primary;
2. **replica**: the app with it: the map layers (``/api/layers/*``) read on the standby
   (``webapp.db.get_read_session``); ``/healthz`` must say ``"standby": true``.

Each phase starts with a new gunicorn and ``--warmup`` seconds of the same traffic that are not
counted. With ``--rounds 2`` the phases run primary, replica, replica, primary (and so on), so
that a load of the machine that drifts during the run weighs on both alike; each mode's samples
are pooled, and the machine's load average at the end of each phase is recorded beside it.
Per mode: the map layers' p50/p95/p99 (every ``/api/layers/*`` request together and per
endpoint), the map layers' and all requests' throughput, errors. Written side by side to
``bench/results.json`` (``map_layers_replica_vs_primary``), ``docs/benchmarks.md`` and
``docs/reliability.md``.

Both nodes of ``make ha-up`` run on this machine, beside the app and the clients: the standby
takes no CPU from the primary that another machine would not take, so the figures cannot show
the relief a replica on its own machine brings; they show that the replica's path serves the
same load, and at what latency when both compete for the same cores.

Run from the repository root: ``HA=1 make load`` or
``.venv/bin/python bench/reliability/replica_load.py --seconds 90``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(Path(__file__).resolve().parent)]

from demo import DOC as BENCH_DOC  # noqa: E402
from demo import (  # noqa: E402
    drop_database,
    merge_results,
    merge_section,
    on_database,
    recreate_database,
)
from load import TIMEOUT_S, Recorder, Sample, User, percentile, prepare, summary  # noqa: E402
from soak import Gunicorn, log, merge_doc, sign_in, start_gunicorn  # noqa: E402
from sqlalchemy import text  # noqa: E402

from gis.db import make_engine  # noqa: E402
from gis.ops import migrate  # noqa: E402

NAME = "map_layers_replica_vs_primary"
DATABASE = "borderwatch_replica_load"
HA_ENV = ROOT / "var" / "ha" / "ha.env"
LAYERS = "GET /api/layers/"
DOC_BEGIN = "<!-- bench:replica begin -->"
DOC_END = "<!-- bench:replica end -->"
PHASES = ("primary", "replica")


def cluster_urls() -> tuple[str, str]:
    """``DATABASE_URL`` and ``DATABASE_REPLICA_URL`` of the replicated cluster: from the
    environment (``HA=1`` exports them), else from ``var/ha/ha.env`` (``make ha-up``)."""
    values = {k: os.environ.get(k, "") for k in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    if not values["DATABASE_REPLICA_URL"] and HA_ENV.exists():
        for line in HA_ENV.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key in values:
                values[key] = value.strip("'")
    if not values["DATABASE_URL"] or not values["DATABASE_REPLICA_URL"]:
        raise SystemExit(
            "no replicated cluster: run `make ha-up` (or set DATABASE_URL and "
            "DATABASE_REPLICA_URL), then `HA=1 make load`"
        )
    return values["DATABASE_URL"], values["DATABASE_REPLICA_URL"]


def wait_for_standby(replica_url: str, seconds: float = 60.0) -> None:
    """Until the replica's URL reaches a standby that has the scratch database's data."""
    deadline = time.monotonic() + seconds
    engine = make_engine(replica_url)
    try:
        while True:
            try:
                with engine.connect() as c:
                    standby = c.execute(text("SELECT pg_is_in_recovery()")).scalar()
                    hotspots = c.execute(text("SELECT count(*) FROM hotspot_run")).scalar()
                if standby and hotspots:
                    return
            except Exception as exc:  # the database not replayed on the standby yet
                log(f"standby not ready: {type(exc).__name__}")
            if time.monotonic() > deadline:
                raise RuntimeError("the replica's URL reaches no standby with the data")
            time.sleep(1)
    finally:
        engine.dispose()


def healthz(port: int) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_S)
    try:
        conn.request("GET", "/healthz")
        return dict(json.loads(conn.getresponse().read()))
    finally:
        conn.close()


def traffic(
    port: int,
    cookies: dict[str, dict[str, str]],
    points: list[tuple[float, float]],
    users: int,
    seconds: float,
) -> tuple[list[Sample], float]:
    """``users`` users of the mixed load for ``seconds``: the samples and the time taken."""
    recorder, stop = Recorder(), threading.Event()
    crowd = [User(i, port, cookies, {"points": points}, stop, recorder) for i in range(users)]
    started = time.monotonic()
    for user in crowd:
        user.start()
    time.sleep(seconds)
    stop.set()
    for user in crowd:
        user.join(TIMEOUT_S + 5)
    return recorder.samples, time.monotonic() - started


def order(rounds: int) -> list[str]:
    """The phases of ``rounds`` rounds: primary, replica, then replica, primary, ..."""
    return [p for r in range(rounds) for p in (PHASES if r % 2 == 0 else PHASES[::-1])]


def phase_result(samples: list[Sample], elapsed: float, health: dict[str, Any]) -> dict[str, Any]:
    layers = [s for s in samples if s.endpoint.startswith(LAYERS)]
    ms = [s.ms for s in layers]
    errors = sum(1 for s in samples if not s.status.isdigit() or s.status.startswith("5"))
    return {
        "map_layers_requests": len(layers),
        "map_layers_p50_ms": round(percentile(ms, 50), 1),
        "map_layers_p95_ms": round(percentile(ms, 95), 1),
        "map_layers_p99_ms": round(percentile(ms, 99), 1),
        "map_layers_per_s": round(len(layers) / elapsed, 1),
        "requests_per_s": round(len(samples) / elapsed, 1),
        "errors": errors,
        "elapsed_s": round(elapsed, 1),
        "endpoints": summary(samples),
        "replica": health.get("replica"),
    }


def compare(
    primary_url: str,
    replica_url: str,
    *,
    seconds: float,
    users: int,
    incidents: int,
    warmup: float,
    rounds: int = 1,
    keep: bool = False,
) -> dict[str, Any]:
    """The same load on the primary alone, then with the replica (see the module docstring)."""
    name = f"{DATABASE}_{os.getpid()}"
    log(f"scratch database {name} on the primary: migrate, seed, {incidents:,} incidents, a run")
    url = recreate_database(primary_url, name)
    replica = on_database(replica_url, name)
    password = secrets.token_urlsafe(16)
    logs = ROOT / "var" / "load"
    logs.mkdir(parents=True, exist_ok=True)
    phases: dict[str, Any] = {}
    pooled: dict[str, tuple[list[Sample], float, dict[str, Any]]] = {}
    loads: dict[str, list[float]] = {p: [] for p in PHASES}
    try:
        migrate.upgrade(url)
        points = prepare(url, incidents, password)
        wait_for_standby(replica)
        for phase in order(rounds):
            env = {
                "DATABASE_URL": url,
                "SECRET_KEY": secrets.token_hex(32),
                "SESSION_COOKIE_SECURE": "false",
                "BORDERWATCH_RATELIMIT_KEY_PREFIX": f"load-{phase}-{secrets.token_hex(4)}",
            }
            # set either way: gunicorn inherits this process's environment (HA=1 exports it)
            env["DATABASE_REPLICA_URL"] = replica if phase == "replica" else ""
            app: Gunicorn = start_gunicorn(
                env, logs / f"gunicorn-{phase}-{os.getpid()}.log", "webapp:create_app()"
            )
            try:
                cookies = {
                    role: {**sign_in(app.port, password, f"load-{role}"), "Accept-Encoding": "gzip"}
                    for role in ("officer", "coordinator", "planner", "hq")
                }
                health = healthz(app.port)
                log(f"{phase}: warm-up {warmup:g} s, then {users} users for {seconds:g} s")
                traffic(app.port, cookies, points, users, warmup)
                samples, elapsed = traffic(app.port, cookies, points, users, seconds)
                loads[phase].append(round(os.getloadavg()[0], 2))
                done = phase_result(samples, elapsed, health)
                log(
                    f"{phase}: map layers p50 {done['map_layers_p50_ms']} ms, "
                    f"p95 {done['map_layers_p95_ms']} ms, {done['requests_per_s']} requests/s "
                    f"(load average {loads[phase][-1]:g})"
                )
                before = pooled.get(phase, ([], 0.0, health))
                pooled[phase] = (before[0] + samples, before[1] + elapsed, health)
            finally:
                app.stop()
        for phase, (samples, elapsed, health) in pooled.items():
            phases[phase] = phase_result(samples, elapsed, health)
            phases[phase]["load_average_at_ends"] = loads[phase]
    finally:
        if not keep:
            drop_database(primary_url, name)
    return {
        "name": NAME,
        "users": users,
        "seconds": seconds,
        "warmup_s": warmup,
        "rounds": rounds,
        "order": order(rounds),
        "incidents": incidents,
        "phases": phases,
        "p95_replica_over_primary": round(
            phases["replica"]["map_layers_p95_ms"]
            / max(phases["primary"]["map_layers_p95_ms"], 1e-9),
            2,
        ),
        "machine": f"{os.cpu_count()} cores; the primary, the standby, the monitor, the app and "
        "the clients on the same machine",
        "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": " ".join(f"{v:.2f}" for v in os.getloadavg()),
    }


def verdict(result: dict[str, Any]) -> list[tuple[str, bool]]:
    primary, replica = result["phases"]["primary"], result["phases"]["replica"]
    standby = (replica.get("replica") or {}).get("standby")
    return [
        (
            f"errors: {primary['errors']} reading on the primary, {replica['errors']} on the "
            "replica",
            primary["errors"] == 0 and replica["errors"] == 0,
        ),
        (f"the replica phase read from a standby (/healthz standby: {standby})", standby is True),
        (
            f"map layer requests: {primary['map_layers_requests']:,} and "
            f"{replica['map_layers_requests']:,}",
            primary["map_layers_requests"] > 0 and replica["map_layers_requests"] > 0,
        ),
        ("the primary phase had no replica", primary.get("replica") is None),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="measured, per phase")
    parser.add_argument("--warmup", type=float, default=10.0, help="not counted, per phase")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument(
        "--rounds", type=int, default=2, help="1: primary, replica; 2: and replica, primary"
    )
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.users < 1 or args.warmup < 0 or args.incidents < 0:
        parser.error("--seconds and --users must be positive")
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    primary_url, replica_url = cluster_urls()
    result = compare(
        primary_url,
        replica_url,
        seconds=args.seconds,
        users=args.users,
        incidents=args.incidents,
        warmup=args.warmup,
        rounds=args.rounds,
        keep=args.keep,
    )
    result["command"] = command_line(args)
    checks = verdict(result)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    print(json.dumps(result, indent=1))
    if not args.no_write:
        merge_results(result)
        section = document(result, checks)
        merge_section(BENCH_DOC, DOC_BEGIN, DOC_END, section, "")
        merge_doc("replica", section)
    return 0 if all(ok for _, ok in checks) else 1


def command_line(args: argparse.Namespace) -> str:
    parts = ["HA=1 make load", f"REPLICA_LOAD_SECONDS={args.seconds:g}"]
    if args.users != 50 or args.incidents != 20_000 or args.warmup != 10 or args.rounds != 2:
        parts = [
            ".venv/bin/python bench/reliability/replica_load.py",
            f"--seconds {args.seconds:g} --warmup {args.warmup:g} --users {args.users} "
            f"--incidents {args.incidents} --rounds {args.rounds}",
        ]
    return " ".join(parts)


def document(result: dict[str, Any], checks: list[tuple[str, bool]]) -> str:
    p, r = result["phases"]["primary"], result["phases"]["replica"]
    rows = [
        ("map layers p50, ms", "map_layers_p50_ms"),
        ("map layers p95, ms", "map_layers_p95_ms"),
        ("map layers p99, ms", "map_layers_p99_ms"),
        ("map layer requests/s", "map_layers_per_s"),
        ("all requests/s", "requests_per_s"),
        ("errors", "errors"),
    ]
    table = "\n".join(f"| {label} | {p[key]:g} | {r[key]:g} |" for label, key in rows)
    table += (
        f"\n| load average at each phase's end | "
        f"{', '.join(f'{v:g}' for v in p.get('load_average_at_ends', []))} | "
        f"{', '.join(f'{v:g}' for v in r.get('load_average_at_ends', []))} |"
    )
    order_text = ", ".join(result.get("order", PHASES))
    endpoints = sorted(e for e in p["endpoints"] if e.startswith(LAYERS))
    per_endpoint = "\n".join(
        f"| {e} | {p['endpoints'][e]['p50_ms']:.1f} / {p['endpoints'][e]['p95_ms']:.1f} | "
        f"{r['endpoints'].get(e, {}).get('p50_ms', float('nan')):.1f} / "
        f"{r['endpoints'].get(e, {}).get('p95_ms', float('nan')):.1f} |"
        for e in endpoints
    )
    verdicts = "\n".join(f"- {'ok' if ok else '**FAILED**'}: {label}" for label, ok in checks)
    return f"""
## Map layers on the replica against on the primary (`HA=1 make load`)

The mixed load of `make load` ({result["users"]} users, 70 % map and hotspot reads, 20 %
reports, 10 % a coordinator's queue) for {result["seconds"]:g} s a phase, after
{result["warmup_s"]:g} s of warm-up, in one run on the replicated cluster of `make ha-up` (a
scratch database with {result["incidents"]:,} demo incidents and a hotspot run), in the order
{order_text}: "primary" is the app without `DATABASE_REPLICA_URL` (every read on the
primary), "replica" the app with it (the map layers read on the synchronous standby,
`prefer-standby`; `/healthz` said `"standby": true`). Each mode's phases are pooled.

| | reads on the primary | map layers on the replica |
| --- | ---: | ---: |
{table}

p50 / p95 in ms per layer endpoint:

| endpoint | on the primary | on the replica |
| --- | ---: | ---: |
{per_endpoint}

Map layers' p95 on the replica / on the primary: {result["p95_replica_over_primary"]:g}.

{verdicts}

Both nodes, the monitor, gunicorn and the clients share this machine's {os.cpu_count()} cores
(load average {result["load_average"]} at the end, mostly other work): the standby takes no
CPU from the primary here that another machine would not take, so these figures cannot show
the relief a standby on its own machine brings to the primary; they show that the replica's
path (a second pool, read-only connections, a standby replaying the reports' WAL, commits
waiting for `remote_apply`) serves the same load without errors, and how its latency compares
on a machine where both compete for the same cores. A difference between the modes smaller
than the change of the load average between their phases is noise. Measured
{result["measured"]}. Reproduce: `make ha-up`, then `{result.get("command", "HA=1 make load")}`
"""


if __name__ == "__main__":
    sys.exit(main())
