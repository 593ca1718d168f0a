"""Benchmark of hotspot runs at 100,000 and 1,000,000 incidents in the corridor (not a test).

Measured in one process run, per size, on a scratch database (created, migrated, reference data
seeded; never the app's or the tests' database) holding synthetic verified incidents along the
border: 30 % spread uniformly within 4 km of the border lines, 70 % in blobs (σ 300 m) around
centres within 3 km of them, two years of dates. DBSCAN with eps 1,500 m and min points 10:

* **figure**: borderwatch's run end to end (:func:`gis.clustering.run_hotspots` on the engine:
  the queued run committed, the points fetched, clustered, the ranked hotspots stored with hulls,
  scores, trends, districts, parallel areas, nearest crossings and checkpoints, the members, the
  Gi* hexagons; committed);
* **reference**: a psycopg2 fetch of the same incidents projected by PostGIS
  (``SELECT id, ST_X(ST_Transform(geom, 32648)), ST_Y(...) ... ORDER BY id``, ``fetchall``)
  and the ``dbscan`` package on the numpy array;
* the plain ``ST_ClusterDBSCAN`` window query over the same rows (``--skip-plain-at`` sizes are
  left out, ``--plain-timeout`` stops it);
* scikit-learn's DBSCAN with the same fetch (up to ``--sklearn-max`` points: its neighbourhoods
  need memory quadratic in the density);
* cluster memberships compared with the reference by the adjusted Rand index (noise as one label);
* the web worker's memory while a run executes: gunicorn (2 workers) serves the app on the
  scratch database; an HQ analyst POSTs a run (202) and polls it while this process executes it
  as ``borderwatch worker`` does; the workers' resident memory is sampled throughout.

Targets at the largest size: borderwatch ≤ 1.0 × the reference, ≥ 50 × faster than the plain
query, ARI ≥ 0.999. Results go to ``bench/results.json`` (entries named ``hotspots_*``) and the
``bench:hotspots`` section of ``docs/benchmarks.md``.

Run from the repository root (``DATABASE_URL`` or ``var/local.env`` names the server)::

    .venv/bin/python bench/hotspots.py                     # 100,000 and 1,000,000
    .venv/bin/python bench/hotspots.py --sizes 20000 --no-write   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from demo import (
    RESULTS,
    drop_database,
    merge_results,
    merge_section,
    on_database,
    recreate_database,
    server_versions,
)
from ingest import _TOKEN, GUNICORN, Server, _cookie, _get, free_port, load_average, stop_server
from pyproj import Transformer
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from gis import accounts, migrate
from gis.clustering import run_hotspots, run_next
from gis.db import make_engine, normalise_url
from gis.models import User
from gis.types import IncidentCategory, Role
from seeds.reference import seed as seed_reference
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:hotspots begin -->"
DOC_END = "<!-- bench:hotspots end -->"
SCRATCH = "borderwatch_hotspots_bench"
EPS_M = 1_500.0
MIN_POINTS = 10
UNTIL = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SINCE = UNTIL - dt.timedelta(days=730)
ANALYST = "bench-analyst"
COMMAND = ".venv/bin/python bench/hotspots.py"
TARGET_REFERENCE_RATIO = 1.0
TARGET_PLAIN_SPEEDUP = 50.0
TARGET_ARI = 0.999

_FROM_METRIC = Transformer.from_crs(32648, 4326, always_xy=True)

REFERENCE_SQL = (
    "SELECT id, ST_X(ST_Transform(geom, 32648)), ST_Y(ST_Transform(geom, 32648)) FROM incident "
    "WHERE status = 'verified' AND occurred_at >= %s AND occurred_at < %s ORDER BY id"
)
PLAIN_SQL = (
    "SELECT id, ST_ClusterDBSCAN(ST_Transform(geom, 32648), %s, %s) OVER () FROM incident "
    "WHERE status = 'verified' AND occurred_at >= %s AND occurred_at < %s"
)


# --------------------------------------------------------------------------- data


def _along_border(
    lines: list[Any], weights: np.ndarray, n: int, radius: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` metric points within ``radius`` of the border lines, and their line's index."""
    which = rng.choice(len(lines), size=n, p=weights)
    lengths = np.array([line.length for line in lines])
    along = rng.random(n) * lengths[which]
    base = shapely.line_interpolate_point(np.array(lines, dtype=object)[which], along)
    xy = shapely.get_coordinates(base)
    r = radius * np.sqrt(rng.random(n))
    theta = rng.random(n) * 2 * np.pi
    return xy + np.column_stack([r * np.cos(theta), r * np.sin(theta)]), which


def synthetic_rows(engine: Engine, n: int, seed: int) -> bytes:
    """COPY text of ``n`` verified incidents along the border (see the module docstring)."""
    rng = np.random.default_rng(seed)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT coalesce(district_id, (SELECT min(id) FROM district WHERE target)), "
                "ST_AsBinary(ST_Transform(geom, 32648)) FROM border_segment ORDER BY id"
            )
        ).all()
    districts = np.array([r[0] for r in rows])
    lines = [shapely.from_wkb(bytes(r[1])) for r in rows]
    lengths = np.array([line.length for line in lines])
    weights = lengths / lengths.sum()
    n_background = n * 3 // 10
    background, b_line = _along_border(lines, weights, n_background, 4_000.0, rng)
    n_blob_points = n - n_background
    n_blobs = max(20, n // 400)
    centres, c_line = _along_border(lines, weights, n_blobs, 3_000.0, rng)
    member_of = rng.integers(0, n_blobs, n_blob_points)
    blobs = centres[member_of] + rng.normal(0.0, 300.0, (n_blob_points, 2))
    xy = np.vstack([background, blobs])
    line_of = np.concatenate([b_line, c_line[member_of]])
    order = rng.permutation(n)
    xy, line_of = xy[order], line_of[order]
    lon, lat = _FROM_METRIC.transform(xy[:, 0], xy[:, 1])
    seconds = rng.random(n) * (UNTIL - SINCE).total_seconds()
    categories = [c.value for c in IncidentCategory]
    cat = rng.integers(0, len(categories), n)
    severity = rng.integers(1, 6, n)
    keys = rng.bytes(16 * n).hex()
    out = io.StringIO()
    start = SINCE.timestamp()
    for k in range(n):
        when = dt.datetime.fromtimestamp(start + seconds[k], dt.UTC).isoformat()
        key = str(uuid.UUID(keys[32 * k : 32 * k + 32]))
        out.write(
            f"{key}\t{categories[cat[k]]}\tverified\tofficer_app\t{severity[k]}\t{when}\t{when}"
            f"\t{districts[line_of[k]]}\tt\tSRID=4326;POINT({lon[k]:.7f} {lat[k]:.7f})\n"
        )
    return out.getvalue().encode()


def load_incidents(engine: Engine, n: int, seed: int) -> float:
    """Replace the scratch database's incidents with ``n`` synthetic ones; seconds taken."""
    started = time.perf_counter()
    payload = synthetic_rows(engine, n, seed)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("TRUNCATE hotspot_run, incident RESTART IDENTITY CASCADE")
            cur.copy_expert(
                "COPY incident (idempotency_key, category, status, channel, severity, "
                "occurred_at, reported_at, district_id, is_demo, geom) FROM STDIN",
                io.BytesIO(payload),
            )
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE incident"))
    return time.perf_counter() - started


# --------------------------------------------------------------------------- measures


@dataclass
class Sizes:
    n: int
    load_s: float = 0.0
    reference_fetch_s: float = 0.0
    reference_cluster_s: float = 0.0
    reference_s: float = 0.0
    borderwatch_s: float = 0.0
    borderwatch_steps: dict[str, float] = field(default_factory=dict)
    n_clusters: int = 0
    n_clustered: int = 0
    ari: float | None = None
    plain_s: float | None = None
    plain_note: str = ""
    plain_ari: float | None = None
    sklearn_s: float | None = None
    sklearn_ari: float | None = None


def warm_up() -> None:
    """Import the libraries of both sides before timing, as a long-running worker has them."""
    import dbscan  # noqa: F401
    import esda  # noqa: F401
    import libpysal.weights  # noqa: F401
    import sklearn.cluster  # noqa: F401


def reference(engine: Engine) -> tuple[np.ndarray, np.ndarray, float, float]:
    """psycopg2 fetch + dbscan: (ids, labels, fetch seconds, cluster seconds)."""
    from dbscan import DBSCAN

    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(REFERENCE_SQL, (SINCE, UNTIL))
            rows = cur.fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        xy = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        fetched = time.perf_counter()
        labels, _core = DBSCAN(xy, EPS_M, MIN_POINTS)
        done = time.perf_counter()
    finally:
        raw.rollback()
        raw.close()
    return ids, np.asarray(labels), fetched - started, done - fetched


def borderwatch(engine: Engine) -> tuple[int, float, dict[str, float]]:
    """borderwatch's run end to end: (run id, seconds, seconds at each progress step)."""
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(fraction: float) -> None:
        marks[f"{fraction:.2f}"] = round(time.perf_counter() - started, 3)

    run = run_hotspots(engine, _params(), None, progress=progress)
    elapsed = time.perf_counter() - started
    if run.status != "done":
        raise RuntimeError(f"run {run.id} failed: {run.error}")
    return run.id, elapsed, marks


def _params() -> dict[str, Any]:
    return {
        "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "statuses": ["verified"],
        "corridor_only": False,
        "eps_m": EPS_M,
        "min_points": MIN_POINTS,
    }


def run_labels(engine: Engine, run_id: int, ids: np.ndarray) -> np.ndarray:
    """The run's cluster (hotspot rank) of each incident of ``ids``, -1 for noise."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.incident_id, h.rank FROM hotspot_member m "
                "JOIN hotspot h ON h.id = m.hotspot_id WHERE h.run_id = :r"
            ),
            {"r": run_id},
        ).all()
    members = np.array([r[0] for r in rows], dtype=np.int64)
    ranks = np.array([r[1] for r in rows], dtype=np.int64)
    labels = np.full(len(ids), -1, dtype=np.int64)
    if len(members):
        labels[np.searchsorted(ids, members)] = ranks
    return labels


def plain(engine: Engine, ids: np.ndarray, timeout_s: float) -> tuple[float | None, Any, str]:
    """The plain ST_ClusterDBSCAN query: (seconds or None, labels aligned with ``ids``, note)."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET statement_timeout = %s", (int(timeout_s * 1000),))
            started = time.perf_counter()
            try:
                cur.execute(PLAIN_SQL, (EPS_M, MIN_POINTS, SINCE, UNTIL))
                rows = cur.fetchall()
            except Exception as exc:  # the timeout
                raw.rollback()
                return None, None, f"stopped after {timeout_s:.0f} s ({type(exc).__name__})"
            elapsed = time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()
    got = np.array([r[0] for r in rows], dtype=np.int64)
    lab = np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int64)
    labels = np.full(len(ids), -1, dtype=np.int64)
    labels[np.searchsorted(ids, got)] = lab
    return elapsed, labels, ""


def sklearn_run(engine: Engine) -> tuple[float, np.ndarray]:
    """scikit-learn's DBSCAN with the reference's fetch: (seconds, labels)."""
    from sklearn.cluster import DBSCAN

    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(REFERENCE_SQL, (SINCE, UNTIL))
            rows = cur.fetchall()
        xy = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        labels = DBSCAN(eps=EPS_M, min_samples=MIN_POINTS).fit(xy).labels_
        return time.perf_counter() - started, labels
    finally:
        raw.rollback()
        raw.close()


def ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


# --------------------------------------------------------------------------- web worker memory


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def _sign_in(port: int, password: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    _, page = _get(port, "/login", jar)
    token = _TOKEN.search(page)
    assert token is not None
    form = f"username={ANALYST}&password={password}&csrf_token={token.group(1)}".encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/login", body=form, headers=headers)
    resp = conn.getresponse()
    resp.read()
    _cookie(resp, jar)
    conn.close()
    _, page = _get(port, "/account/password", jar)
    token = _TOKEN.search(page)
    assert token is not None
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "X-CSRFToken": token.group(1)}


@contextlib.contextmanager
def serve(env: dict[str, str]) -> Iterator[Server]:
    """gunicorn serving the app on a free loopback port once ``/healthz`` answers 200."""
    port = free_port()
    command = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "webapp:create_app()"]
    proc = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    server = Server("app", port, proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        yield server
    finally:
        stop_server(server)


def web_memory(engine: Engine, url: str, password: str) -> dict[str, Any]:
    """RSS of the gunicorn workers before, during (max) and after a run that the web app queues
    and this process executes as the worker does."""
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "false",
    }
    with serve(env) as server:
        headers = _sign_in(server.port, password)
        pid = server.proc.pid
        workers = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        before = {w: _rss_kib(w) for w in workers}
        status, reply, _ = _request(
            server.port,
            "POST",
            "/api/hotspots/runs",
            {**headers, "Content-Type": "application/json"},
            json.dumps(_params()).encode(),
        )
        if status != 202:
            raise RuntimeError(f"POST /api/hotspots/runs answered {status}")
        location = reply.get("Location", "")
        peak = dict(before)
        result: dict[str, Any] = {}
        worker = threading.Thread(target=lambda: result.setdefault("run", run_next(engine)))
        started = time.perf_counter()
        worker.start()
        polls = 0
        while worker.is_alive():
            _request(server.port, "GET", location, {"Cookie": headers["Cookie"]}, None)
            polls += 1
            for w in workers:
                with contextlib.suppress(OSError):
                    peak[w] = max(peak[w], _rss_kib(w))
            time.sleep(0.2)
        worker.join()
        seconds = time.perf_counter() - started
        status, _, body = _request(
            server.port, "GET", location, {"Cookie": headers["Cookie"]}, None
        )
        after = {w: _rss_kib(w) for w in workers}
        done = json.loads(body)
    return {
        "before_mib": round(sum(before.values()) / 1024, 1),
        "peak_mib": round(sum(peak.values()) / 1024, 1),
        "after_mib": round(sum(after.values()) / 1024, 1),
        "max_growth_mib": round(max(peak[w] - before[w] for w in workers) / 1024, 1),
        "workers": len(workers),
        "polls": polls,
        "run_s": round(seconds, 2),
        "run_status": done.get("status"),
    }


# --------------------------------------------------------------------------- report


def _incidents(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM incident")).scalar_one())


def earlier(name: str) -> dict[str, Any] | None:
    """An entry of an earlier run in bench/results.json."""
    if not RESULTS.exists():
        return None
    return next((e for e in json.loads(RESULTS.read_text()) if e.get("name") == name), None)


def measure_size(engine: Engine, n: int, args: argparse.Namespace) -> Sizes:
    s = Sizes(n)
    if args.reuse and _incidents(engine) == n:
        print(f"== {n:,} incidents: reusing the database's", flush=True)
    else:
        print(f"== {n:,} incidents: generating", flush=True)
        s.load_s = load_incidents(engine, n, args.seed)
    ids, ref_labels, s.reference_fetch_s, s.reference_cluster_s = reference(engine)
    s.reference_s = s.reference_fetch_s + s.reference_cluster_s
    print(f"   reference {s.reference_s:.2f} s (fetch {s.reference_fetch_s:.2f})", flush=True)
    run_id, s.borderwatch_s, s.borderwatch_steps = borderwatch(engine)
    labels = run_labels(engine, run_id, ids)
    s.n_clusters = int(labels.max()) if len(labels) and labels.max() > 0 else 0
    s.n_clustered = int((labels >= 0).sum())
    s.ari = ari(ref_labels, labels)
    print(f"   borderwatch {s.borderwatch_s:.2f} s, ARI {s.ari:.5f}", flush=True)
    if n in args.skip_plain_at:
        s.plain_note = "skipped (--skip-plain-at)"
    else:
        s.plain_s, plain_labels, s.plain_note = plain(engine, ids, args.plain_timeout)
        if plain_labels is not None:
            s.plain_ari = ari(ref_labels, plain_labels)
        print(f"   plain ST_ClusterDBSCAN {s.plain_s} s {s.plain_note}", flush=True)
    if n <= args.sklearn_max:
        s.sklearn_s, sk = sklearn_run(engine)
        s.sklearn_ari = ari(ref_labels, sk)
        print(f"   scikit-learn {s.sklearn_s:.2f} s", flush=True)
    return s


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def document(sizes: list[Sizes], memory: dict[str, Any], machine: str, loads: str) -> str:
    lines = [
        "## Hotspot runs (`bench/hotspots.py`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine}; load average before the run "
        f"{loads} (a shared machine: other sessions were working, figures are noisy). Synthetic "
        "verified incidents along the border (30 % uniform within 4 km of the lines, 70 % in "
        f"blobs of σ 300 m), DBSCAN eps {EPS_M:,.0f} m, min points {MIN_POINTS}, all incidents "
        "(corridor_only false: the reference reads the same rows).",
        "",
        "| incidents | borderwatch run (end to end) | reference: psycopg2 fetch + dbscan "
        "| ratio | plain ST_ClusterDBSCAN | speed-up | scikit-learn (with fetch) "
        "| ARI vs reference | hotspots |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        plain_s, plain_cell = s.plain_s, _f(s.plain_s) + " s" if s.plain_s else s.plain_note or "–"
        before = earlier(f"hotspots_plain_st_clusterdbscan_{s.n}")
        if plain_s is None and before is not None:  # measured once, in an earlier run
            plain_s = float(before["value"])
            plain_cell = f"{_f(plain_s)} s (earlier run, {before.get('measured', '?')})"
        speedup = plain_s / s.borderwatch_s if plain_s else None
        lines.append(
            f"| {s.n:,} | {_f(s.borderwatch_s)} s | {_f(s.reference_s)} s "
            f"(fetch {_f(s.reference_fetch_s)}) | {_f(s.borderwatch_s / s.reference_s)} "
            f"| {plain_cell} | {_f(speedup, 0) + '×' if speedup else '–'} "
            f"| {_f(s.sklearn_s) + ' s' if s.sklearn_s else '–'} | {_f(s.ari, 5)} "
            f"| {s.n_clusters:,} ({s.n_clustered:,} incidents) |"
        )
    measured = {s.n for s in sizes}
    for entry in _earlier_runs(measured):
        lines.append(entry)
    lines += ["", "borderwatch's steps (seconds since the start, at each progress mark):", ""]
    for s in sizes:
        lines.append(f"- {s.n:,}: {json.dumps(s.borderwatch_steps)}")
    lines += [
        "",
        "Web worker memory while a run executes (gunicorn, "
        f"{memory.get('workers', '?')} workers, RSS summed; the run is POSTed to the API, "
        f"executed by the worker function in another process and polled "
        f"{memory.get('polls', '?')} times): before {memory.get('before_mib')} MiB, peak "
        f"{memory.get('peak_mib')} MiB, after {memory.get('after_mib')} MiB (largest growth "
        f"of one worker {memory.get('max_growth_mib')} MiB; run {memory.get('run_s')} s, "
        f"{memory.get('run_status')}).",
        "",
        f"Targets at the largest size: ratio ≤ {TARGET_REFERENCE_RATIO}, speed-up ≥ "
        f"{TARGET_PLAIN_SPEEDUP:.0f}×, ARI ≥ {TARGET_ARI}.",
        "",
        f"This run: `{COMMAND}`. The full set: `.venv/bin/python bench/hotspots.py` (100,000 and "
        "1,000,000; `--skip-plain-at 1000000` leaves out the minutes-long plain query, "
        "`--keep` then `--reuse` measures again on the same data without generating it).",
    ]
    return "\n".join(lines)


def _earlier_runs(measured: set[int]) -> list[str]:
    """Table rows of sizes measured by an earlier run only (from bench/results.json)."""
    if not RESULTS.exists():
        return []
    rows = []
    for entry in json.loads(RESULTS.read_text()):
        name = str(entry.get("name", ""))
        if not name.startswith("hotspots_run_"):
            continue
        n = int(name.rsplit("_", 1)[1])
        if n in measured:
            continue
        plain = earlier(f"hotspots_plain_st_clusterdbscan_{n}")
        sk = earlier(f"hotspots_sklearn_dbscan_{n}")
        plain_s = float(plain["value"]) if plain else None
        rows.append(
            f"| {n:,} (earlier run, {entry.get('measured', '?')}, engine of then) "
            f"| {_f(entry['value'])} s | {_f(entry['reference_value'])} s | {_f(entry['ratio'])} "
            f"| {_f(plain_s) + ' s' if plain_s else '–'} "
            f"| {_f(plain_s / entry['value'], 0) + '×' if plain_s else '–'} "
            f"| {_f(sk['value']) + ' s' if sk else '–'} | {_f(entry.get('ari'), 5)} "
            f"| {entry.get('hotspots', '?')} |"
        )
    return rows


def merge_doc(section: str) -> None:
    merge_section(DOC, DOC_BEGIN, DOC_END, section, "# Benchmarks\n")


def entries(sizes: list[Sizes], memory: dict[str, Any], machine: str) -> list[dict[str, Any]]:
    out = []
    for s in sizes:
        common = {"command": COMMAND, "machine": machine, "measured": dt.date.today().isoformat()}
        out.append(
            {
                "name": f"hotspots_run_{s.n}",
                "value": round(s.borderwatch_s, 3),
                "unit": "s",
                "reference": "psycopg2 fetch (ST_Transform in SQL, fetchall) + dbscan package",
                "reference_value": round(s.reference_s, 3),
                "ratio": round(s.borderwatch_s / s.reference_s, 3),
                "ari": s.ari,
                "hotspots": s.n_clusters,
                "steps_s": s.borderwatch_steps,
                **common,
            }
        )
        if s.plain_s:
            out.append(
                {
                    "name": f"hotspots_plain_st_clusterdbscan_{s.n}",
                    "value": round(s.plain_s, 3),
                    "unit": "s",
                    "reference": "borderwatch's hotspot run end to end",
                    "reference_value": round(s.borderwatch_s, 3),
                    "ratio": round(s.plain_s / s.borderwatch_s, 1),
                    "ari": s.plain_ari,
                    **common,
                }
            )
        if s.sklearn_s:
            out.append(
                {
                    "name": f"hotspots_sklearn_dbscan_{s.n}",
                    "value": round(s.sklearn_s, 3),
                    "unit": "s",
                    "reference": "psycopg2 fetch + dbscan package",
                    "reference_value": round(s.reference_s, 3),
                    "ratio": round(s.sklearn_s / s.reference_s, 3),
                    "ari": s.sklearn_ari,
                    **common,
                }
            )
    if memory:
        out.append(
            {
                "name": "hotspots_web_worker_memory",
                "value": memory["max_growth_mib"],
                "unit": "MiB",
                "reference": "RSS of the gunicorn workers before the run",
                "reference_value": memory["before_mib"],
                "ratio": round(memory["peak_mib"] / memory["before_mib"], 3),
                **memory,
                "command": COMMAND,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="incident counts")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-plain-at", default="", help="sizes without the plain query")
    parser.add_argument("--plain-timeout", type=float, default=900.0, help="seconds")
    parser.add_argument("--sklearn-max", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the web worker memory")
    parser.add_argument("--database", default=SCRATCH, help="scratch database (dropped first)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the scratch database as it is (kept by --keep) when it holds the size's "
        "incidents; implies --keep",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    global COMMAND
    COMMAND = " ".join([".venv/bin/python bench/hotspots.py", *(argv or sys.argv[1:])])
    sizes = [int(v) for v in args.sizes.split(",") if v.strip()]
    args.skip_plain_at = {int(v) for v in args.skip_plain_at.split(",") if v.strip()}
    if not sizes or min(sizes) < 100:
        parser.error("--sizes needs counts of at least 100")

    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    loads = load_average()
    print(f"load average {loads}; scratch database {args.database}", flush=True)
    if args.reuse:
        args.keep = True
        url = on_database(server_url, args.database)
    else:
        url = recreate_database(server_url, args.database)
    engine = make_engine(url)
    password = secrets.token_urlsafe(16)
    try:
        migrate.upgrade(url)
        with Session(engine) as session:
            seed_reference(session)
            analyst = session.execute(select(User).where(User.username == ANALYST)).scalar()
            if analyst is None:
                accounts.create_user(session, ANALYST, None, password, Role.HQ_ANALYST)
            else:
                analyst.password_hash = accounts.hash_password(password)
            session.commit()
        machine = server_versions(engine)
        warm_up()
        results = [measure_size(engine, n, args) for n in sizes]
        memory = {} if args.no_memory else web_memory(engine, url, password)
        print(json.dumps(memory), flush=True)
        section = document(results, memory, machine, loads)
        print(section)
        if not args.no_write:
            merge_doc(section)
            for entry in entries(results, memory, machine):
                merge_results(entry)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(server_url, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
