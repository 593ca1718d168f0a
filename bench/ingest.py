"""Benchmark of ``POST /api/incidents`` under sustained load (not a test).

Measured in one run, on the same machine and database server, with the same gunicorn settings
(2 workers, gthread, 4 threads each) on 127.0.0.1:

* **figure**: ``POST /api/incidents`` of the app (``webapp:create_app()``) on a scratch database
  (created, migrated, reference data seeded), signed in as an officer (one sign-in; every client
  shares the session cookie and the CSRF token of a page's meta tag): parsing, the server-side
  session check, CSRF, routing by polygon, the derived distances, the audit event, idempotency
  and the commit, every request with a fresh idempotency key and a point drawn in a target
  district (the officer's district has no coordinator: the notification step looks for the
  district's coordinators and writes nothing);
* **reference**: a bare WSGI endpoint (``bench/loadtest/bare.py``) that does one ``INSERT`` and
  ``COMMIT`` per request into a table with a unique uuid key: the floor of one durable write per
  request;
* **floors** (``bench/loadtest/floors.py``), to show where a report's cost goes: a plain Flask
  app answering the same POST without a database ("Flask hello"), and the app's own stack
  answering a signed-in POST without storing anything (session cookie, session check, CSRF,
  limiter, security headers, JSON).

Each runs for a warm-up and a measured window at each client count, the two alternating. Every
request sent is answered, and afterwards the rows are counted: the app's incidents (and audit
events) and the bare table's rows must equal the number of 201 answers. The CPU time of the
app's workers and of the database's server processes (PostgreSQL's backends of the scratch
database, read from ``/proc`` when the server runs on this machine) is counted per request.
Targets (issue 21): the app's requests/s at least 0.30 times the reference's at each client
count, p99 under 50 ms at 16 clients, no error. Results are merged into ``bench/results.json``
(one object per client count) and ``docs/benchmarks.md``.

Run from the repository root (``DATABASE_URL`` or ``var/local.env`` names the server; Redis for
the rate-limit counters from ``RATELIMIT_STORAGE_URI``)::

    .venv/bin/python bench/ingest.py --duration 15 --clients 4,16
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from demo import (
    drop_database,
    merge_results,
    merge_section,
    recreate_database,
    server_versions,
)
from loadtest import bare
from loadtest.client import LoadResult, run_load
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.db import make_engine, normalise_url
from gis.ops import migrate
from gis.types import IncidentCategory, Role
from seeds.reference import seed as seed_reference
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:ingest begin -->"
DOC_END = "<!-- bench:ingest end -->"
SCRATCH = "borderwatch_ingest_bench"
#: As ``make run`` serves the app (its config: webapp/gunicorn_conf.py), on a loopback port.
GUNICORN = [
    str(Path(sys.executable).with_name("gunicorn")),
    *("--config", "webapp/gunicorn_conf.py"),
    "--workers",
    "2",
    "--worker-class",
    "gthread",
    "--threads",
    "4",
    "--keep-alive",
    "60",
    "--log-level",
    "warning",
]
OFFICER = "bench-officer"
POINTS = 2_000
#: The app's requests/s over the bare endpoint's, at every client count (issue 21).
TARGET_RATIO = 0.30
#: The app's p99 at :data:`P99_CLIENTS` clients (issue 21).
TARGET_P99_MS = 50.0
P99_CLIENTS = 16
CSRF_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    port: int
    proc: subprocess.Popen[bytes]


def start_server(name: str, app: str, env: dict[str, str], ready_path: str) -> Server:
    """gunicorn serving ``app`` on a free loopback port, once it answers ``ready_path``."""
    port = free_port()
    command = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--pythonpath", str(BENCH), app]
    proc = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    server = Server(name, port, proc)
    if wait_ready(proc, port, ready_path, name):
        return server
    stop_server(server)
    raise RuntimeError(f"{name}: gunicorn did not answer within 60 s")


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, name: str) -> bool:
    """Whether the server ``proc`` answers ``GET path`` with 200 on ``port`` within 60 s.

    Raises:
        RuntimeError: the server exited first.
    """
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name}: gunicorn exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", path)
            with conn.getresponse() as answer:
                if answer.status == 200:
                    return True
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    return False


def stop_server(server: Server) -> None:
    """Stop gunicorn and its workers (its own process group)."""
    if server.proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.proc.pid, signal.SIGTERM)
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.proc.pid, signal.SIGKILL)
            server.proc.wait()


def _cpu_seconds(pid: int | str) -> float:
    """User and system CPU seconds of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(engine: Engine) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend of ``engine``'s database but the
    asking one, by pid; empty when the server's processes are not on this machine."""
    with engine.connect() as c:
        pids = c.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
        ).scalars()
        seconds = {}
        for pid in pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                seconds[int(pid)] = _cpu_seconds(pid)
    return seconds


def _used(before: dict[Any, float], after: dict[Any, float]) -> float:
    """CPU seconds used between two readings (processes that started in between count whole)."""
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def worker_cpu(server: Server) -> dict[str, float]:
    """CPU seconds used so far by each gunicorn worker of ``server``, by pid (Linux /proc)."""
    pid = server.proc.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    seconds = {}
    for child in children:
        with contextlib.suppress(OSError):
            seconds[child] = _cpu_seconds(child)
    return seconds


@contextlib.contextmanager
def servers(*specs: tuple[str, str, dict[str, str], str]) -> Iterator[list[Server]]:
    """Start the servers; stop every one started, whatever happens."""
    started: list[Server] = []
    try:
        for spec in specs:
            started.append(start_server(*spec))
        yield started
    finally:
        for server in started:
            stop_server(server)


# --------------------------------------------------------------------------- set-up


def prepare(engine: Engine, password: str) -> list[tuple[float, float]]:
    """Reference data, the officer account, the bare table; points in the target districts."""
    with Session(engine) as session:
        seed_reference(session)
        accounts.create_user(session, OFFICER, None, password, Role.OFFICER, district="TH2706")
        session.execute(text(bare.CREATE))
        points = target_points(session, POINTS, 7)
        session.commit()
    return points


def target_points(session: Session, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` random (lon, lat) points inside the target districts, the same for the same seed."""
    rows = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints("
            "ST_CollectionExtract(ST_Collect(geom), 3), :n, :seed))).geom AS p"
            " FROM district WHERE target) AS s"
        ),
        {"n": n, "seed": seed},
    ).all()
    return [(float(x), float(y)) for x, y in rows]


def keep_cookies(resp: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for name, value in resp.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()


def get_page(port: int, path: str, jar: dict[str, str]) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    resp = conn.getresponse()
    body = resp.read().decode()
    keep_cookies(resp, jar)
    conn.close()
    return resp.status, body


def sign_in(port: int, password: str) -> dict[str, str]:
    """Sign in once as the officer; the headers every client sends (cookie, CSRF token)."""
    jar: dict[str, str] = {}
    _, page = get_page(port, "/login", jar)
    token = CSRF_TOKEN.search(page)
    if token is None:
        raise RuntimeError("no csrf-token on /login")
    form = f"username={OFFICER}&password={password}&csrf_token={token.group(1)}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        },
    )
    resp = conn.getresponse()
    resp.read()
    keep_cookies(resp, jar)
    conn.close()
    if resp.status != 302:
        raise RuntimeError(f"sign-in answered {resp.status}")
    status, page = get_page(port, "/account/password", jar)  # a page of the new session
    token = CSRF_TOKEN.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"no csrf-token after sign-in ({status})")
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "X-CSRFToken": token.group(1),
    }


# --------------------------------------------------------------------------- run


@dataclass
class Pair:
    clients: int
    app: LoadResult
    bare: LoadResult
    app_workers_cpu_s: list[float] = field(default_factory=list)  # per worker, busiest first
    #: The floors at the same client count: "Flask hello" and the app's stack without storing.
    hello: LoadResult | None = None
    stack: LoadResult | None = None
    #: CPU seconds of the database's server processes during each run (None: not readable).
    app_db_cpu_s: float | None = None
    bare_db_cpu_s: float | None = None

    @property
    def ratio(self) -> float:
        return self.app.rate / self.bare.rate if self.bare.rate else float("nan")

    def db_ms_per_request(self, app: bool = True) -> float | None:
        """The database's CPU ms per answered request of the app (or of the bare endpoint)."""
        used, run = (self.app_db_cpu_s, self.app) if app else (self.bare_db_cpu_s, self.bare)
        answered = sum(run.statuses.values())
        return None if used is None or not answered else used / answered * 1e3


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def measure(
    app: Server,
    bare_port: int,
    engine: Engine,
    floors: tuple[Server, Server] | None,
    headers: dict[str, str],
    points: list[tuple[float, float]],
    clients: list[int],
    duration: float,
    warmup: float,
) -> list[Pair]:
    """Bare endpoint then app at each client count."""
    categories = [c.value for c in IncidentCategory]
    occurred_at = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    common: dict[str, Any] = {
        "duration": duration,
        "warmup": warmup,
        "points": points,
        "categories": categories,
        "occurred_at": occurred_at,
    }
    pairs = []
    for n in clients:
        print(f"{n} clients: bare endpoint ...", flush=True)
        db_before = backend_cpu(engine)
        reference = run_load("127.0.0.1", bare_port, "/", clients=n, seed=n, **common)
        db_between = backend_cpu(engine)
        print(f"{n} clients: POST /api/incidents ...", flush=True)
        before = worker_cpu(app)
        figure = run_load(
            "127.0.0.1", app.port, "/api/incidents", clients=n, headers=headers, seed=n, **common
        )
        after = worker_cpu(app)
        db_after = backend_cpu(engine)
        used = sorted((t - before.get(pid, 0.0) for pid, t in after.items()), reverse=True)
        pair = Pair(n, figure, reference, used)
        if db_between and db_after:
            pair.bare_db_cpu_s = _used(db_before, db_between)
            pair.app_db_cpu_s = _used(db_between, db_after)
        if floors is not None:
            hello, stack = floors
            print(f"{n} clients: Flask hello, the app's stack without storing ...", flush=True)
            pair.hello = run_load("127.0.0.1", hello.port, "/", clients=n, seed=n, **common)
            pair.stack = run_load(
                "127.0.0.1",
                stack.port,
                "/api/bench/noop",
                clients=n,
                headers=headers,
                seed=n,
                **common,
            )
        pairs.append(pair)
    return pairs


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as c:
        return {
            table: int(c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("incident", "incident_event", bare.TABLE)
        }


def check_accounting(pairs: list[Pair], rows: dict[str, int]) -> list[str]:
    """Problems: stored rows that differ from the 201 answers."""
    created_app = sum(p.app.created for p in pairs)
    created_bare = sum(p.bare.created for p in pairs)
    problems = []
    if rows["incident"] != created_app:
        problems.append(f"{rows['incident']} incidents stored for {created_app} answers 201")
    if rows["incident_event"] != rows["incident"]:
        problems.append(f"{rows['incident_event']} audit events for {rows['incident']} incidents")
    if rows[bare.TABLE] != created_bare:
        problems.append(f"{rows[bare.TABLE]} bare rows stored for {created_bare} answers 201")
    return problems


def _split(p: Pair) -> str:
    """How the app's CPU time split over its workers, busiest first (percent)."""
    total = sum(p.app_workers_cpu_s) or 1.0
    return " / ".join(f"{100 * s / total:.0f} %" for s in p.app_workers_cpu_s)


def _client_cpu(pairs: list[Pair]) -> str:
    runs = [r for p in pairs for r in (p.app, p.bare)]
    per = [r.client_cpu_s / max(1, sum(r.statuses.values())) * 1e6 for r in runs]
    return f"{min(per):.0f}-{max(per):.0f} µs"


def table(pairs: list[Pair]) -> str:
    lines = [
        "| clients | endpoint | requests/s | p50 ms | p95 ms | p99 ms | errors | ratio |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for p in pairs:
        rows = [
            ("**`POST /api/incidents`**", p.app, f"**{p.ratio:.2f}**"),
            ("bare INSERT + COMMIT", p.bare, "1"),
        ]
        if p.stack is not None and p.hello is not None:
            rows += [
                ("app stack, signed-in POST, no store", p.stack, _ratio(p.stack, p.bare)),
                ("Flask hello (no database)", p.hello, _ratio(p.hello, p.bare)),
            ]
        for label, r, ratio in rows:
            errors = r.errors
            lines.append(
                f"| {p.clients} | {label} | {r.rate:,.0f} | {r.percentile(50):.1f} "
                f"| {r.percentile(95):.1f} | {r.percentile(99):.1f} | {errors} | {ratio} |"
            )
    return "\n".join(lines)


def _ratio(r: LoadResult, reference: LoadResult) -> str:
    return f"{r.rate / reference.rate:.2f}" if reference.rate else "-"


def floor_budget(pairs: list[Pair]) -> str:
    """What the target leaves for the report's own work, from the floors (markdown)."""
    lines = []
    for p in pairs:
        if p.stack is None or not p.stack.rate or not p.app.rate or not p.bare.rate:
            continue
        target = TARGET_RATIO * p.bare.rate
        lines.append(
            f"- {p.clients} clients: the target is {target:,.0f} requests/s, "
            f"{1e3 / target:.2f} ms of the server's time per request (2 cores: "
            f"{2e3 / target:.2f} ms of CPU); the app's stack alone, storing nothing, "
            f"takes {1e3 / p.stack.rate:.2f} ms ({p.stack.rate:,.0f} requests/s, "
            f"{p.stack.rate / target:.2f}× the target); a report takes "
            f"{1e3 / p.app.rate:.2f} ms, {1e3 / p.app.rate - 1e3 / p.stack.rate:.2f} ms more "
            f"than the stack (the bare endpoint: {1e3 / p.bare.rate:.2f} ms)."
        )
    return "\n".join(lines)


def targets(pairs: list[Pair]) -> list[tuple[str, bool]]:
    checks = []
    for p in pairs:
        checks.append(
            (
                f"{p.clients} clients: ratio {p.ratio:.2f} >= {TARGET_RATIO:.2f}",
                p.ratio >= TARGET_RATIO,
            )
        )
        if p.clients == P99_CLIENTS:
            p99 = p.app.percentile(99)
            checks.append(
                (
                    f"{p.clients} clients: p99 {p99:.1f} ms < {TARGET_P99_MS:g} ms",
                    p99 < TARGET_P99_MS,
                )
            )
        checks.append((f"{p.clients} clients: {p.app.errors} errors", p.app.errors == 0))
    return checks


def _statuses(r: LoadResult) -> dict[str, int]:
    return dict(sorted(r.statuses.items()))


def write_results(
    pairs: list[Pair], command: str, machine: str, loads: str, args: argparse.Namespace
) -> None:
    for p in pairs:
        merge_results(
            {
                "name": f"ingest_post_incidents_{p.clients}_clients",
                "value": round(p.app.rate, 1),
                "unit": "requests/s",
                "reference": "bare WSGI endpoint, one INSERT and COMMIT per request, same "
                f"gunicorn settings, {p.clients} clients",
                "reference_value": round(p.bare.rate, 1),
                "ratio": round(p.ratio, 3),
                "command": command,
                "clients": p.clients,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "p50_ms": round(p.app.percentile(50), 2),
                "p95_ms": round(p.app.percentile(95), 2),
                "p99_ms": round(p.app.percentile(99), 2),
                "statuses": _statuses(p.app),
                "reference_p50_ms": round(p.bare.percentile(50), 2),
                "reference_p99_ms": round(p.bare.percentile(99), 2),
                "reference_statuses": _statuses(p.bare),
                "app_cpu_per_worker_s": [round(x, 2) for x in p.app_workers_cpu_s],
                "app_cpu_ms_per_request": round(
                    sum(p.app_workers_cpu_s) / max(1, sum(p.app.statuses.values())) * 1e3, 2
                ),
                "client_cpu_us_per_request": round(
                    p.app.client_cpu_s / max(1, sum(p.app.statuses.values())) * 1e6
                ),
                "db_cpu_ms_per_request": _round(p.db_ms_per_request(app=True)),
                "reference_db_cpu_ms_per_request": _round(p.db_ms_per_request(app=False)),
                "app_stack_floor_rps": round(p.stack.rate, 1) if p.stack else None,
                "flask_hello_rps": round(p.hello.rate, 1) if p.hello else None,
                "machine": machine,
                "load_average": loads,
                "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
            }
        )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def database_cpu(pairs: list[Pair]) -> str:
    """The database's CPU per request of the app and of the bare endpoint (markdown)."""
    parts = []
    for p in pairs:
        app, bare_ = p.db_ms_per_request(True), p.db_ms_per_request(False)
        if app is not None and bare_ is not None:
            parts.append(f"{p.clients} clients {app:.2f} ms against {bare_:.2f} ms")
    if not parts:
        return "The database's CPU time was not measured (its server runs elsewhere)."
    return (
        "PostgreSQL's server processes used, per request, for a report against one bare "
        f"`INSERT`: {'; '.join(parts)}."
    )


def merge_doc(section: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md, keep the rest."""
    merge_section(DOC, DOC_BEGIN, DOC_END, section, "# Benchmarks\n")


def document(
    pairs: list[Pair],
    checks: list[tuple[str, bool]],
    command: str,
    machine: str,
    loads: str,
    args: argparse.Namespace,
) -> str:
    splits = "; ".join(f"{p.clients} clients {_split(p)}" for p in pairs)
    cpu_ms = " and ".join(
        f"{sum(p.app_workers_cpu_s) / max(1, sum(p.app.statuses.values())) * 1e3:.1f}"
        for p in pairs
    )
    verdicts = "\n".join(f"- {'met' if ok else '**not met**'}: {text}" for text, ok in checks)
    return f"""
## Incident ingest: `POST /api/incidents` (`bench/ingest.py`)

Sustained `POST /api/incidents` from keep-alive clients on 127.0.0.1 ({args.warmup:g} s warm-up,
then {args.duration:g} s measured), every request a new report with its own idempotency key at
a random point in a target district, signed in as an officer (session check and CSRF on every
request): routing by polygon, border distance, nearest checkpoint and crossing, audit event and
idempotency in one `INSERT`, and the commit. Reference, in the same run: a bare WSGI endpoint
(`bench/loadtest/bare.py`) that does one `INSERT` and `COMMIT` per request into a table with a
unique uuid key. Both under gunicorn with 2 gthread workers of 4 threads. The ratio is the
app's requests/s over the reference's at the same number of clients.

{table(pairs)}

Targets (issue 21: at least 0.30 times the bare endpoint at each client count, p99 under
{TARGET_P99_MS:g} ms at {P99_CLIENTS} clients, no error):
{verdicts}

Where the time goes (the floors, measured in the same run under the same gunicorn settings):
{floor_budget(pairs)}

The app's workers used {cpu_ms} ms of CPU per request; per worker (busiest first): {splits}.
With few keep-alive clients, gunicorn's workers do not share the connections evenly (the
worker that accepts first keeps them): at 4 clients one worker, one Python interpreter, may
serve most requests while the other idles; the bare endpoint, which spends little CPU per
request, does not notice.

The load generator (several processes of plain-socket clients) used {_client_cpu(pairs)} of
CPU per request, start-up included: not the bottleneck.

Accounting: every request sent was answered; the incidents, their audit events and the bare
table's rows were counted afterwards and equal the 201 answers.

{database_cpu(pairs)}

What a report costs the database, in four round trips: `BEGIN` (psycopg2 sends it on its own),
the session check (one `SELECT` of the account), one `EXECUTE` of the prepared store statement
(`gis.incidents.reports.store_report`: routing, derived distances, the incident, its audit
event, the district's names and the ids of its active coordinators to notify, none in this
run; a generic plan, so no planning per report), and the `COMMIT`. The coordinators were a
query of their own, a fifth round trip and about 200 Python calls per report, until
2026-12-07. Under `EXPLAIN ANALYZE` (2026-12-07, on this data) the store statement runs in
0.58-0.69 ms: the routing by polygon about 0.08 ms, nearest checkpoint and border distance about
0.07 ms, the insert with its nine indexes about 0.13 ms, the seven foreign keys about 0.05 ms,
and the statement-level triggers that keep `incident_cell` (the map's counts, three levels,
0.07-0.09 ms) and `incident_period` (the dashboard's weeks and months, 0.04-0.05 ms); the bare
`INSERT` has one index and no trigger. Two lighter forms of the triggers were tried on the same
data, and neither is lighter: one statement-level trigger doing both upserts took 0.12-0.19 ms,
a row-level trigger doing both 0.11-0.22 ms, against 0.11-0.13 ms for the two (so no migration
changes them). Pooled connections are pinged only after a second idle (`webapp/db.py`), not
before every request. The rest is the app's Python, about 1,600 Python calls per report, of
which the handler (`webapp/incidents/api.py`: parsing, the store statement, the commit, the JSON
answer) makes about 380; the others are the stack every signed-in request pays: flask-limiter's
check (about 200 calls, no limit on this route, so no call to Redis), the CSRF check (about 160),
the session cookie (about 130), flask-login's account loading (about 220, one `SELECT`),
flask-talisman's headers (about 90) and Flask's own dispatch, on 2 cores that also run
PostgreSQL and the load generator. The account's row and the store statement's row are read on
the session's connection without the ORM's execution path, and the answer's reader is made from
the account already loaded. The lines under "Where the time goes" give, at each client count,
how much more than the stack floor a report may take at the target, and how much it takes: the
store statement alone is about 0.3 ms of the server's time on 2 cores (0.6 ms of one core)
before any Python runs.

Profiled again on 2026-12-08. Sampled with `perf` (the app's two gunicorn workers and its
database's backends only, 6 s at 4 clients, load average about 3), 64 % of their CPU was the
app's processes (52 % the Python interpreter, 9 % the kernel: sockets and thread switches, 2 %
libc) and 33 % PostgreSQL's backends (1 % of it PostGIS). `pg_stat_activity`, sampled every
3 ms at 16 clients, found the backends waiting for the app nearly all the time and never waiting
on a lock: the count triggers' upserts of shared cells do not queue reports behind each other.
Python's garbage collector took 0.005 ms per report (2,000 reports in one process). Four
gunicorn workers of 2 threads instead of 2 of 4 gained nothing (alternating runs at load 5-7:
4 clients 0.24-0.25 against 0.21-0.24, 16 clients 0.13 against 0.19-0.22). In the figures
of the 2026-12-07 run at 4 clients: the target is 1.53 ms of the server's time per report (3.05
ms of CPU on 2 cores); PostgreSQL's backends alone use 1.41 ms of CPU for a report, the load
generator 0.15 ms, and gunicorn with Flask answering "hello" 0.8 ms, which leaves 0.7 ms of CPU
for the stack's checks and the handler, which take about 1.9 ms. Even a stack that cost nothing
more than Flask's hello (0.31 ms of the server's time less per request) would leave a report at
1.98 ms, a ratio of about 0.23. The target is out of reach for this app on 2 cores that it
shares with its database by cuts of this kind; it needs a decision (a restated target, or the
database measured on cores of its own, as a production server would have).

Machine: {machine}; load average before the run {loads} (other sessions shared the machine, so
absolute figures are noisy; the ratio is measured in the same run).

Reproduce: `{command}`
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per run")
    parser.add_argument("--clients", default="4,16", help="client counts, comma-separated")
    parser.add_argument("--database", default=SCRATCH, help="scratch database (dropped first)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--no-floors", action="store_true", help="skip the Flask hello and app stack floors"
    )
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c.strip()]
    if not clients or min(clients) < 1 or args.duration <= 0 or args.warmup < 0:
        parser.error("--clients needs positive counts, --duration a positive number")

    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    if not os.environ.get("RATELIMIT_STORAGE_URI"):
        raise SystemExit("RATELIMIT_STORAGE_URI is not set: run `make up` first")
    loads = load_average()
    print(f"load average {loads}; scratch database {args.database}: migrate and seed", flush=True)
    url = recreate_database(server_url, args.database)
    engine = make_engine(url)
    password = secrets.token_urlsafe(16)
    try:
        migrate.upgrade(url)
        points = prepare(engine, password)
        app_env = {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "BORDERWATCH_RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        }
        specs = [
            ("app", "webapp:create_app()", app_env, "/healthz"),
            ("bare", "loadtest.bare:app", {"BENCH_BARE_DSN": libpq_dsn(url)}, "/"),
        ]
        if not args.no_floors:
            specs += [
                ("hello", "loadtest.floors:hello", {}, "/"),
                ("stack", "loadtest.floors:stack()", app_env, "/healthz"),
            ]
        with servers(*specs) as started:
            app, reference = started[:2]
            floors = None if args.no_floors else (started[2], started[3])
            headers = sign_in(app.port, password)
            pairs = measure(
                app,
                reference.port,
                engine,
                floors,
                headers,
                points,
                clients,
                args.duration,
                args.warmup,
            )
        rows = count_rows(engine)
        versions = server_versions(engine)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(server_url, args.database)

    print(table(pairs))
    print(floor_budget(pairs))
    print(f"load generator CPU per request: {_client_cpu(pairs)}")
    for p in pairs:
        print(f"app CPU per worker at {p.clients} clients: {_split(p)}")
    checks = targets(pairs)
    for text_, ok in checks:
        print(f"{'met' if ok else 'NOT MET'}: {text_}")
    problems = check_accounting(pairs, rows)
    for problem in problems:
        print(f"ACCOUNTING: {problem}")
    print(f"rows: {rows}")
    if problems:
        return 1
    cores = os.cpu_count()
    machine = f"{cores} cores, {platform.system()} {platform.machine()}, {versions}"
    command = (
        f".venv/bin/python bench/ingest.py --duration {args.duration:g} "
        f"--clients {','.join(map(str, clients))}"
    )
    if not args.no_write:
        write_results(pairs, command, machine, loads, args)
        merge_doc(document(pairs, checks, command, machine, loads, args))
    return 0


def libpq_dsn(url: str) -> str:
    """A libpq URI for psycopg2 from a SQLAlchemy URL."""
    return url.replace("postgresql+psycopg2://", "postgresql://", 1)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the clean-up on SIGTERM
    sys.exit(main())
