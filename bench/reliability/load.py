"""Load scenario (``make load``): mixed traffic of many users, and a flood of the public form.

On 127.0.0.1, against the app under gunicorn (2 gthread workers of 4 threads, as ``make run``)
and a scratch database on the local server (migrated, reference data, ``--incidents`` demo
incidents, a finished hotspot run):

1. **baseline**: one officer submits reports one after another (``--baseline`` seconds): the
   officers' unloaded latency;
2. **flood**: the same officer, while a client floods the public report form (``POST /report``)
   as fast as it can from the same address: the form must answer 429 with ``Retry-After``
   beyond the configured limit (``REPORT_LIMIT_IP``) and the officer's p95 must stay within
   1.5x the baseline's;
3. **mixed load**: ``--users`` users (default 50) for ``--seconds`` (600), each choosing, after
   a think time of 0.5-1.5 s, a map or hotspot read (70 %: the incidents layer at a random view,
   reference layers, hotspot polygons, the latest run, the ranked hotspots), a report
   submission (20 %), or a coordinator's list and detail (10 %).

Per endpoint: requests, errors (5xx, timeouts, refused connections), p50/p95/p99 latency.
Written to ``docs/reliability.md`` and, as the entry ``load``, to ``bench/soak.json``.

Run from the repository root: ``.venv/bin/python bench/reliability/load.py --seconds 600``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import http.client
import json
import multiprocessing
import os
import random
import re
import secrets
import sys
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(Path(__file__).resolve().parent)]

from demo import drop_database, recreate_database  # noqa: E402
from ingest import target_points  # noqa: E402
from soak import Gunicorn, log, merge_doc, sign_in, start_gunicorn  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gis.accounts import users as accounts  # noqa: E402
from gis.db import make_engine, normalise_url  # noqa: E402
from gis.hotspots.runs import run_hotspots  # noqa: E402
from gis.ops import migrate  # noqa: E402
from gis.types import Role  # noqa: E402
from seeds.demo import generate_demo  # noqa: E402
from seeds.reference import seed as seed_reference  # noqa: E402
from webapp.config import load_local_env  # noqa: E402

RESULT = ROOT / "bench" / "soak.json"
DATABASE = "borderwatch_load"
CATEGORIES = ("drug_trafficking", "human_trafficking", "illegal_entry", "smuggling", "other")
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
TIMEOUT_S = 30.0
#: The officers' p95 during the flood, at most this times the baseline's.
FLOOD_FACTOR = 1.5


@dataclass
class Sample:
    endpoint: str
    status: str
    ms: float


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, endpoint: str, status: str, ms: float) -> None:
        with self.lock:
            self.samples.append(Sample(endpoint, status, ms))


class Http:
    """A keep-alive connection that times requests and records them."""

    def __init__(self, port: int, recorder: Recorder, headers: dict[str, str] | None = None):
        self.port, self.recorder, self.headers = port, recorder, headers or {}
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[str, bytes, http.client.HTTPResponse | None]:
        started = time.perf_counter()
        try:
            reused = self.conn is not None
            try:
                resp = self._send(method, path, body, headers)
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                if not reused:
                    raise
                # the server closed the idle keep-alive connection: a browser sends again on a
                # new one, and so do we
                self.close()
                resp = self._send(method, path, body, headers)
            data = resp.read()
            if resp.getheader("Content-Encoding") == "gzip":
                data = gzip.decompress(data)
            status = str(resp.status)
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
        except TimeoutError:
            status, data, resp = "timeout", b"", None
            self.close()
        except (OSError, http.client.HTTPException):
            status, data, resp = "connection error", b"", None
            self.close()
        self.recorder.add(endpoint, status, (time.perf_counter() - started) * 1e3)
        return status, data, resp

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str] | None
    ) -> http.client.HTTPResponse:
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
        self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
        return self.conn.getresponse()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def report_body(rng: random.Random, points: list[tuple[float, float]]) -> bytes:
    lon, lat = rng.choice(points)
    occurred = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=rng.randint(5, 600))
    return json.dumps(
        {
            "lon": lon,
            "lat": lat,
            "category": rng.choice(CATEGORIES),
            "occurred_at": occurred.isoformat(),
            "idempotency_key": str(uuid.uuid4()),
            "description": "load",
        }
    ).encode()


def officer_loop(
    port: int, headers: dict[str, str], points: list[tuple[float, float]], stop: threading.Event,
    recorder: Recorder, label: str,
) -> None:  # fmt: skip
    client = Http(port, recorder, headers)
    rng = random.Random(7)
    while not stop.is_set():
        client.request(label, "POST", "/api/incidents", report_body(rng, points))
    client.close()


def flood_loop(port: int, seconds: float, out: Any) -> None:
    """POST the public form as fast as possible from one address for ``seconds`` (in a process
    of its own, so that its client does not slow the officer's); puts the answers' statuses
    and the latencies of its requests on ``out``."""
    recorder = Recorder()
    client = Http(port, recorder)
    _, page, resp = client.request("flood: GET /report", "GET", "/report")
    cookie = resp.getheader("Set-Cookie", "").split(";", 1)[0] if resp else ""
    token = _TOKEN.search(page.decode())
    seen: dict[str, int] = defaultdict(int)
    retry_after_missing = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        form = (
            "lat=13.6928&lon=102.5066&category=smuggling&occurred_at=2026-11-20T08:00"
            f"&idempotency_key={uuid.uuid4()}&csrf_token={token.group(1) if token else ''}"
        )
        status, _, answer = client.request(
            "flood: POST /report",
            "POST",
            "/report",
            form.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        seen[status] += 1
        if status == "429" and answer is not None and answer.getheader("Retry-After") is None:
            retry_after_missing += 1
    client.close()
    seen["429 without Retry-After"] = retry_after_missing
    out.put((dict(seen), [(x.endpoint, x.status, x.ms) for x in recorder.samples]))


class User(threading.Thread):
    """One user of the mixed load."""

    def __init__(self, n: int, port: int, cookies: dict[str, dict[str, str]], world: dict[str, Any],
                 stop: threading.Event, recorder: Recorder) -> None:  # fmt: skip
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.port, self.cookies, self.world, self.stop, self.recorder = (
            port, cookies, world, stop, recorder,
        )  # fmt: skip
        self.clients = {role: Http(port, recorder, h) for role, h in cookies.items()}

    def run(self) -> None:
        while not self.stop.is_set():
            time.sleep(self.rng.uniform(0.5, 1.5))
            pick = self.rng.random()
            if pick < 0.7:
                self.read_map()
            elif pick < 0.9:
                self.clients["officer"].request(
                    "POST /api/incidents",
                    "POST",
                    "/api/incidents",
                    report_body(self.rng, self.world["points"]),
                )
            else:
                self.coordinate()
        for client in self.clients.values():
            client.close()

    def view(self) -> str:
        lon, lat = self.rng.choice(self.world["points"])
        zoom = self.rng.randint(8, 13)
        half = 360 / 2**zoom * 2.5  # about a 1280-pixel wide screen
        box = (lon - half, lat - half / 1.6, lon + half, lat + half / 1.6)
        return "bbox=" + ",".join(f"{v:.5f}" for v in box) + f"&zoom={zoom}"

    def read_map(self) -> None:
        hq, planner = self.clients["hq"], self.clients["planner"]
        choice = self.rng.random()
        if choice < 0.4:
            hq.request("GET /api/layers/incidents", "GET", "/api/layers/incidents?" + self.view())
        elif choice < 0.6:
            name = self.rng.choice(["districts", "border", "checkpoints", "parallel_areas"])
            hq.request("GET /api/layers/<reference>", "GET", f"/api/layers/{name}?" + self.view())
        elif choice < 0.8:
            planner.request(
                "GET /api/layers/hotspots", "GET", "/api/layers/hotspots?" + self.view()
            )
        elif choice < 0.9:
            planner.request("GET /api/hotspots/runs?latest=1", "GET", "/api/hotspots/runs?latest=1")
        else:
            planner.request("GET /api/patrols/hotspots", "GET", "/api/patrols/hotspots")

    def coordinate(self) -> None:
        client = self.clients["coordinator"]
        status, body, _ = client.request(
            "GET /api/review/incidents", "GET", "/api/review/incidents?limit=50"
        )
        if status != "200":
            return
        items = json.loads(body).get("items") or []
        if items:
            pick = self.rng.choice(items)["id"]
            client.request("GET /api/review/incidents/<id>", "GET", f"/api/review/incidents/{pick}")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def summary(samples: list[Sample]) -> dict[str, dict[str, Any]]:
    by: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by[s.endpoint].append(s)
    out = {}
    for endpoint, rows in sorted(by.items()):
        ms = [r.ms for r in rows]
        errors = sum(1 for r in rows if not r.status.isdigit() or r.status.startswith("5"))
        out[endpoint] = {
            "requests": len(rows),
            "errors": errors,
            "statuses": dict(sorted(_count(r.status for r in rows).items())),
            "p50_ms": round(percentile(ms, 50), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
        }
    return out


def _count(values: Any) -> dict[str, int]:
    seen: dict[str, int] = defaultdict(int)
    for v in values:
        seen[v] += 1
    return seen


def prepare(url: str, incidents: int, password: str) -> list[tuple[float, float]]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            seed_reference(session)
            generate_demo(session, incidents=incidents, seed=42)
            users = {
                "load-officer": (Role.OFFICER, {"district": "TH2706"}),
                "load-coordinator": (Role.COORDINATOR, {"district": "TH5703"}),
                "load-planner": (Role.PATROL_PLANNER, {"province": "TH57"}),
                "load-hq": (Role.HQ_ANALYST, {}),
            }
            for name, (role, scope) in users.items():
                accounts.create_user(session, name, None, password, role, **scope)
            session.execute(text("UPDATE incident SET status = 'verified' WHERE id % 3 = 0"))
            points = target_points(session, 500, 5)
            session.commit()
        run_hotspots(engine, {"eps_m": 1500, "min_points": 5})
    finally:
        engine.dispose()
    return points


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 600)))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--baseline", type=float, default=20.0)
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.users < 1 or args.baseline <= 0 or args.incidents < 0:
        parser.error("--seconds, --users and --baseline must be positive")
    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    name = f"{DATABASE}_{os.getpid()}"
    log(f"scratch database {name}: migrate, seed, {args.incidents:,} demo incidents, a run")
    url = recreate_database(server_url, name)
    app: Gunicorn | None = None
    password = secrets.token_urlsafe(16)
    try:
        migrate.upgrade(url)
        points = prepare(url, args.incidents, password)
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "false",
            "BORDERWATCH_RATELIMIT_KEY_PREFIX": f"load-{secrets.token_hex(4)}",
        }
        logs = ROOT / "var" / "load"
        logs.mkdir(parents=True, exist_ok=True)
        app = start_gunicorn(env, logs / f"gunicorn-{os.getpid()}.log", "webapp:create_app()")
        cookies = {
            role: {**sign_in(app.port, password, f"load-{role}"), "Accept-Encoding": "gzip"}
            for role in ("officer", "coordinator", "planner", "hq")
        }

        def phase(label: str, seconds: float, flood: bool) -> tuple[Recorder, dict[str, int]]:
            recorder, stop = Recorder(), threading.Event()
            flooded: dict[str, int] = {}
            officer = threading.Thread(
                target=officer_loop,
                args=(app.port, cookies["officer"], points, stop, recorder, label),
            )
            officer.start()
            flooder, out = None, multiprocessing.get_context("spawn").Queue()
            if flood:
                flooder = multiprocessing.get_context("spawn").Process(
                    target=flood_loop, args=(app.port, seconds, out)
                )
                flooder.start()
            time.sleep(seconds)
            stop.set()
            officer.join()
            if flooder is not None:
                flooded, samples = out.get(timeout=TIMEOUT_S + seconds)
                flooder.join()
                for endpoint, status, ms in samples:
                    recorder.add(endpoint, status, ms)
            return recorder, flooded

        log(f"baseline: one officer for {args.baseline:g} s")
        baseline, _ = phase("officer alone", args.baseline, flood=False)
        log(f"flood of the public form, with the officer, for {args.baseline:g} s")
        flood, flooded = phase("officer during the flood", args.baseline, flood=True)
        log(f"mixed load: {args.users} users for {args.seconds:g} s")
        mixed, stop = Recorder(), threading.Event()
        users = [
            User(i, app.port, cookies, {"points": points}, stop, mixed) for i in range(args.users)
        ]
        started = time.monotonic()
        for user in users:
            user.start()
        time.sleep(args.seconds)
        stop.set()
        for user in users:
            user.join(TIMEOUT_S + 5)
        elapsed = time.monotonic() - started
    finally:
        if app is not None:
            app.stop()
        if not args.keep:
            drop_database(server_url, name)

    base = [s.ms for s in baseline.samples]
    during = [s.ms for s in flood.samples if s.endpoint == "officer during the flood"]
    result = {
        "name": "load",
        "users": args.users,
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "incidents": args.incidents,
        "mixed": summary(mixed.samples),
        "mixed_requests_per_s": round(len(mixed.samples) / elapsed, 1),
        "officer_alone_p50_ms": round(percentile(base, 50), 1),
        "officer_alone_p95_ms": round(percentile(base, 95), 1),
        "officer_during_flood_p50_ms": round(percentile(during, 50), 1),
        "officer_during_flood_p95_ms": round(percentile(during, 95), 1),
        "flood_statuses": flooded,
        "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "load_average": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        "command": f".venv/bin/python bench/reliability/load.py --seconds {args.seconds:g}"
        + (f" --users {args.users}" if args.users != 50 else ""),
    }
    checks = verdict(result)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    print(json.dumps(result, indent=1))
    if not args.no_write:
        write(result, checks)
    return 0 if all(ok for _, ok in checks) else 1


def verdict(result: dict[str, Any]) -> list[tuple[str, bool]]:
    errors = sum(v["errors"] for v in result["mixed"].values())
    flooded = result["flood_statuses"]
    accepted = flooded.get("201", 0)
    factor = result["officer_during_flood_p95_ms"] / max(result["officer_alone_p95_ms"], 1e-9)
    return [
        (f"mixed load: {errors} errors", errors == 0),
        (f"flood: {flooded.get('429', 0):,} answers 429", flooded.get("429", 0) > 0),
        (f"flood: {accepted} reports accepted (limit 5 a minute)", accepted <= 5),
        (
            f"flood: 429 without Retry-After: {flooded.get('429 without Retry-After', 0)}",
            flooded.get("429 without Retry-After", 0) == 0,
        ),
        (
            f"officer p95 during the flood {result['officer_during_flood_p95_ms']:.1f} ms = "
            f"{factor:.2f}x alone ({result['officer_alone_p95_ms']:.1f} ms), at most "
            f"{FLOOD_FACTOR}x",
            factor <= FLOOD_FACTOR,
        ),
    ]


def write(result: dict[str, Any], checks: list[tuple[str, bool]]) -> None:
    entries: list[dict[str, Any]] = []
    if RESULT.exists():
        entries = json.loads(RESULT.read_text(encoding="utf-8"))
    entries = [e for e in entries if e.get("name") != "load"] + [result]
    RESULT.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    rows = "\n".join(
        f"| {endpoint} | {v['requests']:,} | {v['errors']} | {v['p50_ms']:.1f} | "
        f"{v['p95_ms']:.1f} | {v['p99_ms']:.1f} |"
        for endpoint, v in result["mixed"].items()
    )
    verdicts = "\n".join(f"- {'ok' if ok else '**FAILED**'}: {label}" for label, ok in checks)
    flood = ", ".join(f"{k}: {v:,}" for k, v in result["flood_statuses"].items())
    merge_doc(
        "load",
        f"""
## Load: {result["users"]} users for {result["seconds"]:g} s, and a flood of the public form

Mixed traffic through gunicorn (2 gthread workers of 4 threads) against a scratch database with
{result["incidents"]:,} demo incidents and a finished hotspot run: 70 % map and hotspot reads,
20 % report submissions, 10 % a coordinator's queue and one incident of it, each user waiting
0.5-1.5 s between requests ({result["mixed_requests_per_s"]:g} requests/s in all).

| endpoint | requests | errors | p50 ms | p95 ms | p99 ms |
| --- | ---: | ---: | ---: | ---: | ---: |
{rows}

Flood of `POST /report` from one address while an officer submits: {flood}. The officer's
p50/p95: {result["officer_alone_p50_ms"]:.1f}/{result["officer_alone_p95_ms"]:.1f} ms alone,
{result["officer_during_flood_p50_ms"]:.1f}/{result["officer_during_flood_p95_ms"]:.1f} ms
during the flood.

{verdicts}

Measured {result["measured"]} (load average {result["load_average"]} at the end). Reproduce:
`{result["command"]}`
""",
    )


if __name__ == "__main__":
    sys.exit(main())
