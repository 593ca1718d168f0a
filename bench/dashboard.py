"""Benchmark of the statistics dashboard and of an emerging hot spot run (not a test).

Measured in one run, on a scratch database holding ``borderwatch demo``'s data set of N
incidents (two years; :func:`seeds.demo.generate_demo`; ``--reuse`` takes the one ``make bench``
made, as the map load does):

* **dashboard**: the server time of each request of the dashboard (the app in this process,
  Flask's test client, signed in; the JSON, the map, the page, the weekly brief) as an HQ
  analyst (national), a province's patrol planner (Chiang Rai) and a district's coordinator
  (Chiang Khong), ``--repeat`` times each after a warm-up: median, 95th percentile and most.
  Target: p95 < 300 ms at 1,000,000 incidents. The counts read ``incident`` through its
  indexes (no per-day pre-aggregate: see docs/benchmarks.md for why it was not needed);
* **emerging hot spots**: a national hotspot run over every incident of the two years with the
  weekly emerging hot spot analysis (:func:`gis.hotspots.runs.run_hotspots`, as the worker runs
  it, committed), and the analysis alone on the run's fetched points (cube, space-time Gi*,
  Mann-Kendall, categories): seconds and the process's peak resident memory while each runs.
  Target: 30 s for the analysis at 1,000,000 incidents, 2 years, weekly steps.

Results go to ``bench/results.json`` (``dashboard_requests``, ``emerging_run``) and the
``bench:dashboard`` section of ``docs/benchmarks.md``.

Run from the repository root (``DATABASE_URL`` or ``var/local.env`` names the server)::

    .venv/bin/python bench/dashboard.py                    # 1,000,000 incidents (~5 min)
    .venv/bin/python bench/dashboard.py --incidents 5000 --repeat 3 --no-write   # quick
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from demo import (
    drop_database,
    merge_results,
    merge_section,
    on_database,
    recreate_database,
    run_demo,
    server_versions,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.db import make_engine, normalise_url
from gis.hotspots import cube
from gis.hotspots.engine import fetch_points
from gis.hotspots.params import parse_run_params
from gis.hotspots.runs import run_hotspots
from gis.models import Incident, User
from gis.ops import migrate
from gis.types import IncidentStatus, Role
from seeds.reference import seed as seed_reference
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:dashboard begin -->"
DOC_END = "<!-- bench:dashboard end -->"
SCRATCH = "borderwatch_dashboard_bench"
PASSWORD = "bench dashboard password"  # a scratch database's account
TARGET_MS = 300.0
TARGET_EMERGING_S = 30.0
ACCOUNTS = {
    Role.HQ_ANALYST: ("bench-dash-hq", {}),
    Role.PATROL_PLANNER: ("bench-dash-planner", {"province": "TH57"}),
    Role.COORDINATOR: ("bench-dash-coordinator", {"district": "TH5703"}),
}
REQUESTS = (
    "/api/dashboard?period=month",
    "/api/dashboard?period=week",
    "/api/dashboard/map?period=month",
    "/dashboard?period=month",
    "/dashboard/brief",
)


class PeakMemory:
    """The process's resident memory sampled every 20 ms while in the ``with`` block."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()

    @staticmethod
    def rss() -> int:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.rss())

    def __enter__(self) -> PeakMemory:
        self.before = self.rss()
        self.peak = self.before
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def ensure_accounts(engine: Any) -> None:
    with Session(engine) as session:
        for role, (username, scope) in ACCOUNTS.items():
            if session.scalar(select(User.id).where(User.username == username)) is None:
                accounts.create_user(session, username, None, PASSWORD, role, **scope)
        session.commit()


def signed_in(app: Any, username: str) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    if token is None:
        raise SystemExit("no CSRF token on /login")
    answer = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token[1]}
    )
    if answer.status_code != 302:
        raise SystemExit(f"sign-in of {username} failed: {answer.status_code}")
    return client


def time_requests(url: str, repeat: int) -> list[dict[str, Any]]:
    """Median, p95 and most of each request as each role (ms)."""
    from webapp import create_app

    settings = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    app = create_app({**settings, "RATELIMIT_STORAGE_URI": "memory://"})
    rows = []
    for role, (username, _) in ACCOUNTS.items():
        client = signed_in(app, username)
        for path in REQUESTS:
            for _ in range(2):
                client.get(path)  # warm-up: caches, prepared plans
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                answer = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    raise SystemExit(f"{role} {path}: {answer.status_code}")
            rows.append(
                {
                    "role": role.value,
                    "path": path,
                    "median_ms": round(float(np.median(times)), 1),
                    "p95_ms": round(float(np.percentile(times, 95)), 1),
                    "max_ms": round(max(times), 1),
                }
            )
            print(f"  {role.value:15} {path:35} p95 {rows[-1]['p95_ms']:8.1f} ms", flush=True)
    app.extensions["borderwatch.db"].engine.dispose()
    return rows


def emerging(engine: Any) -> dict[str, Any]:
    """A national run with weekly emerging hot spots over the two years, then the analysis
    alone on the same points."""
    with Session(engine) as session:
        last = session.scalar(select(func.max(Incident.occurred_at)))
        n_all = session.scalar(select(func.count()).select_from(Incident))
    until = last + dt.timedelta(seconds=1)
    payload = {
        "since": (until - dt.timedelta(days=731)).isoformat(),
        "until": until.isoformat(),
        "statuses": [s.value for s in IncidentStatus],
        "corridor_only": False,
        "emerging": "week",
    }
    params = parse_run_params(payload, now=until)
    with PeakMemory() as run_memory:
        started = time.perf_counter()
        run = run_hotspots(engine, payload, None)
        run_s = time.perf_counter() - started
    if run.status != "done":
        raise SystemExit(f"the run failed: {run.error}")
    with Session(engine) as session:
        points = fetch_points(session, params)
    with PeakMemory() as memory:
        started = time.perf_counter()
        cells = cube.analyse_emerging(params, points.xy, points.at_us)
        analysis_s = time.perf_counter() - started
    steps = int(cells.result.z.shape[1]) if cells.result is not None else 0
    print(f"  run {run_s:.1f} s, analysis {analysis_s:.1f} s: {cells.note}", flush=True)
    return {
        "incidents": len(points),
        "incidents_in_database": n_all,
        "run_s": round(run_s, 2),
        "run_peak_rss_mb": round(run_memory.peak / 2**20),
        "analysis_s": round(analysis_s, 2),
        "analysis_peak_rss_mb": round(memory.peak / 2**20),
        "analysis_added_rss_mb": round((memory.peak - memory.before) / 2**20),
        "hexagons": len(cells.i),
        "steps": steps,
        "note": cells.note,
        "run_note": run.emerging,
    }


def section(requests: list[dict[str, Any]], found: dict[str, Any], meta: dict[str, Any]) -> str:
    worst = max(r["p95_ms"] for r in requests)
    lines = [
        "## Statistics dashboard and emerging hot spots (`bench/dashboard.py`)",
        "",
        f"Measured {meta['measured']} on {meta['machine']}, {meta['incidents']:,} demo incidents "
        f"over two years; command: `{meta['command']}`. The machine's load average (1 min) was "
        f"{meta['load_before']} before and {meta['load_after']} after (the server and this "
        "process share its cores with whatever else runs).",
        "",
        f"**Dashboard requests**: worst p95 {worst:.0f} ms (target < {TARGET_MS:.0f} ms), "
        f"server time in-process, {meta['repeat']} requests each after a warm-up.",
        "",
        "| role | request | median ms | p95 ms | most ms |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r['role']} | `{r['path']}` | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | "
        f"{r['max_ms']:.1f} |"
        for r in requests
    ]
    lines += [
        "",
        f"**Emerging hot spots**, weekly over two years, {found['incidents']:,} incidents: the "
        f"analysis (cube, space-time Gi*, Mann-Kendall, categories) {found['analysis_s']:.1f} s "
        f"(target {TARGET_EMERGING_S:.0f} s), peak resident memory {found['analysis_peak_rss_mb']}"
        f" MB ({found['analysis_added_rss_mb']} MB over the process before it); "
        f"{found['hexagons']:,} hexagons × {found['steps']} weeks. The whole national run as the "
        f"worker makes it (fetch, DBSCAN, hotspots stored, Gi* cells, the analysis, "
        f"emerging cells stored, committed) {found['run_s']:.1f} s, peak "
        f"{found['run_peak_rss_mb']} MB. {found['note']}.",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", default=SCRATCH, help="scratch database")
    parser.add_argument("--reuse", action="store_true", help="use the database's data set")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    if args.reuse:
        url = on_database(server_url, args.database)
        migrate.upgrade(url)
    else:
        print(f"scratch database {args.database}: {args.incidents:,} demo incidents", flush=True)
        url = recreate_database(server_url, args.database)
        migrate.upgrade(url)
    engine = make_engine(url)
    try:
        if not args.reuse:
            with Session(engine) as session:
                seed_reference(session)
                session.commit()
            run_demo(engine, args.incidents, args.seed)
        with Session(engine) as session:
            incidents = session.scalar(select(func.count()).select_from(Incident))
        ensure_accounts(engine)
        load_before = round(os.getloadavg()[0], 1)
        print("dashboard requests", flush=True)
        requests = time_requests(url, args.repeat)
        print("emerging hot spots", flush=True)
        found = emerging(engine)
        meta = {
            "measured": dt.date.today().isoformat(),
            "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, "
            + server_versions(engine),
            "incidents": incidents,
            "repeat": args.repeat,
            "load_before": load_before,
            "load_after": round(os.getloadavg()[0], 1),
            "command": ".venv/bin/python bench/dashboard.py"
            + (f" --incidents {args.incidents}" if args.incidents != 1_000_000 else "")
            + (f" --database {args.database} --reuse" if args.reuse else ""),
        }
        worst = max(r["p95_ms"] for r in requests)
        print(section(requests, found, meta))
        if not args.no_write:
            merge_results(
                {
                    "name": "dashboard_requests",
                    "value": worst,
                    "unit": "ms (worst p95)",
                    "target": TARGET_MS,
                    "rows": incidents,
                    "requests": requests,
                    **meta,
                }
            )
            merge_results(
                {
                    "name": "emerging_run",
                    "value": found["analysis_s"],
                    "unit": "s",
                    "target": TARGET_EMERGING_S,
                    "rows": found["incidents"],
                    **found,
                    **meta,
                }
            )
            merge_section(DOC, DOC_BEGIN, DOC_END, section(requests, found, meta), "")
    finally:
        engine.dispose()
        if not args.keep and not args.reuse:
            drop_database(server_url, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
