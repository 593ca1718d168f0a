"""Benchmark of patrol plan routing (not a test): tour quality and time, pgRouting against ours.

Measured in one run on the database of ``DATABASE_URL`` (or ``var/local.env``), inside a
transaction that is rolled back (nothing is left behind):

* **quality**: on ``--instances`` random plans of 3 to 8 stops (points in a 20 km square of
  UTM 48N), the tour of ``pgr_TSPeuclidean`` alone and the tour of
  :func:`gis.patrols.tour.plan_tour`
  against the optimum by brute force: how many are longer, by how much at most;
* **time**: :func:`gis.patrols.tour.plan_tour` (pgRouting's tour, then Held–Karp up to 14 stops or
  2-opt/or-opt beyond) against ``pgr_TSPeuclidean`` alone, median of ``--repeat`` runs, at 5, 12,
  14 (the largest exact) 15 and 25 stops;
* **end to end**: :func:`gis.patrols.plans.create_plan` of 25 hotspots in Chiang Khong (hotspots
  written for the run, each with 8 member incidents for the time window), median of runs.

The database must be migrated and seeded (reference layers: the hotspots lie in Chiang Khong).
Results are merged into ``bench/results.json`` and ``docs/benchmarks.md``::

    .venv/bin/python bench/patrols.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from demo import merge_results, merge_section  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gis.db import make_engine  # noqa: E402
from gis.patrols.plans import PlanRequest, create_plan  # noqa: E402
from gis.patrols.tour import EXACT_MAX_STOPS, pgr_tour, plan_tour, tour_length  # noqa: E402
from gis.types import PatrolUnit, Role  # noqa: E402

RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:patrols begin -->"
DOC_END = "<!-- bench:patrols end -->"
COMMAND = ".venv/bin/python bench/patrols.py"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    env = ROOT / "var" / "local.env"
    for line in env.read_text(encoding="utf-8").splitlines():
        if line.startswith("DATABASE_URL="):
            return line.split("=", 1)[1].strip().strip('"')
    raise SystemExit("DATABASE_URL is not set and var/local.env has none")


def points(seed: int, n: int, span: float = 20_000.0) -> list[tuple[float, float]]:
    rnd = random.Random(seed)
    return [
        (600_000 + rnd.uniform(0, span), 2_240_000 + rnd.uniform(0, span)) for _ in range(n + 1)
    ]


def optimum(pts: list[tuple[float, float]]) -> float:
    return min(tour_length(pts, p) for p in itertools.permutations(range(1, len(pts))))


def quality(session: Session, instances: int) -> dict[str, Any]:
    pgr_longer, ours_longer, worst = 0, 0, 0.0
    for seed in range(instances):
        pts = points(seed, 3 + seed % 6)
        best = optimum(pts)
        pgr = tour_length(pts, pgr_tour(session, pts))
        ours = plan_tour(session, pts).length_m
        if pgr > best + 1e-6:
            pgr_longer += 1
            worst = max(worst, pgr / best - 1)
        if ours > best + 1e-6:
            ours_longer += 1
    return {"instances": instances, "pgr_longer": pgr_longer, "pgr_worst_excess": worst,
            "ours_longer": ours_longer}  # fmt: skip


def median_ms(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def timings(session: Session, repeat: int) -> list[dict[str, Any]]:
    out = []
    for n in (5, 12, EXACT_MAX_STOPS, EXACT_MAX_STOPS + 1, 25):
        pts = points(1000 + n, n, span=60_000.0)
        out.append(
            {
                "stops": n,
                "ours_ms": median_ms(lambda pts=pts: plan_tour(session, pts), repeat),
                "pgr_ms": median_ms(lambda pts=pts: pgr_tour(session, pts), repeat),
            }
        )
    return out


def end_to_end(session: Session, repeat: int) -> float:
    from tests.patrol_data import HOME, make_run
    from tests.webapp.signin import make_user

    planner = make_user(session, Role.PATROL_PLANNER, "bench-patrols-planner")
    rnd = random.Random(7)
    centres = [
        (HOME[0] + rnd.uniform(-0.1, 0.1), HOME[1] + rnd.uniform(-0.1, 0.1)) for _ in range(25)
    ]
    hours = [[rnd.randrange(24) for _ in range(8)] for _ in range(25)]
    hotspots = make_run(session, centres, hours=hours)
    req = PlanRequest(
        district="TH5703",
        unit=PatrolUnit.POLICE,
        planned_for=dt.date.today(),
        hotspot_ids=tuple(h.id for h in hotspots),
    )
    return median_ms(lambda: create_plan(session, req, planner), repeat)


def merge_doc(section: str) -> None:
    merge_section(DOC, DOC_BEGIN, DOC_END, section, "# Benchmarks\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instances", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine = make_engine(database_url())
    with engine.connect() as conn:
        trans = conn.begin()
        session = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            version = conn.exec_driver_sql("SELECT pgr_version()").scalar_one()
            q = quality(session, args.instances)
            t = timings(session, args.repeat)
            e2e = end_to_end(session, args.repeat)
        finally:
            session.close()
            trans.rollback()
    engine.dispose()
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    machine = (
        f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, pgRouting {version}"
    )
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    t25 = next(x for x in t if x["stops"] == 25)
    merge_results(
        {
            "name": "patrol_tour_longer_than_optimum",
            "value": q["ours_longer"],
            "unit": f"of {q['instances']} random plans of 3-8 stops",
            "reference": "pgr_TSPeuclidean alone",
            "reference_value": q["pgr_longer"],
            "ratio": round(q["ours_longer"] / max(1, q["pgr_longer"]), 3),
            "reference_worst_excess": round(q["pgr_worst_excess"], 4),
            "command": COMMAND,
            "machine": machine,
            "measured": today,
        }
    )
    merge_results(
        {
            "name": "patrol_tour_25_stops",
            "value": round(t25["ours_ms"], 2),
            "unit": "ms",
            "reference": "pgr_TSPeuclidean alone, same points",
            "reference_value": round(t25["pgr_ms"], 2),
            "ratio": round(t25["ours_ms"] / t25["pgr_ms"], 2),
            "by_stops": [{k: round(v, 2) for k, v in x.items()} for x in t],
            "create_plan_25_stops_ms": round(e2e, 1),
            "command": COMMAND,
            "machine": machine,
            "load_average": load,
            "measured": today,
        }
    )
    rows = "\n".join(f"| {x['stops']} | {x['ours_ms']:.1f} | {x['pgr_ms']:.1f} |" for x in t)
    merge_doc(
        f"""
## Patrol plan routing (`bench/patrols.py`)

`{COMMAND}` on a migrated and seeded database (`DATABASE_URL`; here the test database) —
{machine}; {today}; load average {load} (a busy machine shared with other work: the times are
indicative).

Tour quality on {q["instances"]} random plans of 3 to 8 stops (brute-force optimum):
`pgr_TSPeuclidean` alone returned a longer tour {q["pgr_longer"]} times (at most
{100 * q["pgr_worst_excess"]:.1f} % longer); borderwatch's order (pgRouting, then exact Held–Karp up
to {EXACT_MAX_STOPS} stops, 2-opt/or-opt beyond) {q["ours_longer"]} times.

| stops | borderwatch's order (ms) | `pgr_TSPeuclidean` alone (ms) |
| ---: | ---: | ---: |
{rows}

`create_plan` of 25 hotspots (8 incidents each; stops, route, geodesic length, time window):
{e2e:.0f} ms (median of {args.repeat}).
"""
    )
    print(json.dumps({"quality": q, "timings": t, "create_plan_25_ms": e2e}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
