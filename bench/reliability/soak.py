"""Crash harness (``make soak``): nothing acknowledged is lost while the database is killed.

For ``--seconds`` (``SOAK_SECONDS``, default 600), on 127.0.0.1 only:

* a **scratch PostgreSQL cluster** of its own under ``var/soak/`` (never the app's cluster):
  initdb, migrate, reference data, an officer account;
* **gunicorn** (2 gthread workers of 4 threads, as ``make run``) serving the app wrapped in
  :class:`loadtest.dropper.DropAfterCommit`, which drops 1 % of the answers of committed reports
  (the client sees the connection close), so that retries of stored reports really happen;
* **16 clients** (threads), each submitting reports with its own idempotency keys and retrying
  the same key with capped exponential backoff on any error, timeout, dropped answer or 503,
  until it is acknowledged (200 or 201);
* a **chaos loop**: every ``--kill-every`` seconds (90) it kills the postmaster with SIGKILL
  together with its server processes (as a crash of the database server does) and starts the
  cluster again (crash recovery); once it restarts the cluster twice in quick succession
  (``pg_ctl restart -m fast``); once it kills a gunicorn worker with SIGKILL (gunicorn starts
  another).

**Notifications** (not in the negative control): every sixth target district has a coordinator
with an e-mail address and a linked LINE account, so that each report there writes its e-mail
and LINE notifications in its own commit; ``borderwatch worker`` (the ``notify`` queue, started
again whenever it stops, as ``make run`` does) delivers them to a local SMTP server and the LINE
stand-in, and the chaos loop also kills the worker with SIGKILL every ``--kill-every`` seconds
(mid-delivery, when it is busy). The worker's lease of a claimed delivery is 10 s here
(``BORDERWATCH_NOTIFY_LEASE_SECONDS``), so that a claim left by a killed worker is taken up
again soon.

When the time is up, no new report starts; reports in flight get ``--grace`` seconds to be
acknowledged. Then the verdict, from the clients' records and the database: acknowledged keys
missing from the database (must be 0), keys stored more than once (0), reports never
acknowledged (0), answers 500 (0), 503 answers without ``Retry-After`` (0), the longest
outage (from a kill until the first acknowledgement after it) and what the API answered during
the outages. For the notifications, after recovery (the outbox watched while
the worker drains it, until nothing waits, nothing was delivered for 150 s, or
``--notify-drain`` seconds passed): every acknowledged report of the coordinators' districts has its
notifications in the outbox, none waits or failed, and every e-mail and LINE delivery key was
received exactly once by the stand-ins (counted by the e-mail's ``Message-ID`` and the push's
``X-Line-Retry-Key``, both made from the delivery key); resends after a kill are counted apart
(an e-mail under the same ``Message-ID``, a push answered 409). Written to
``docs/reliability.md`` and ``bench/soak.json``.

``--negative-control`` runs the same with ``synchronous_commit = off`` (and the app's durability
check turned off): commits are acknowledged before their WAL is written, so a kill loses some of
them, and the verdict must show it: the harness can see a loss.

Run from the repository root: ``.venv/bin/python bench/reliability/soak.py --seconds 600``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from demo import merge_section  # noqa: E402
from ingest import free_port, target_points, wait_ready  # noqa: E402
from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gis.accounts import users as accounts  # noqa: E402
from gis.db import make_engine  # noqa: E402
from gis.models import District, User  # noqa: E402
from gis.notify.delivery import Outgoing  # noqa: E402
from gis.notify.settings import setting_of  # noqa: E402
from gis.ops import migrate  # noqa: E402
from gis.types import NotifyChannel, Role  # noqa: E402
from seeds.reference import seed as seed_reference  # noqa: E402
from tests.gis.notify.smtp import SmtpServer  # noqa: E402
from tests.support.line_standin import LineStandin  # noqa: E402
from tests.support.worker import Worker, running_worker  # noqa: E402

PG_BIN = Path(f"/usr/lib/postgresql/{os.environ.get('BW_PG_MAJOR', '15')}/bin")
VAR = ROOT / "var" / "soak"
DOC = ROOT / "docs" / "reliability.md"
RESULT = BENCH / "soak.json"
DOC_BEGIN = "<!-- soak:{} begin -->"
DOC_END = "<!-- soak:{} end -->"
OFFICER = "soak-officer"
DATABASE = "borderwatch_soak"
CATEGORIES = ("drug_trafficking", "human_trafficking", "illegal_entry", "smuggling", "other")
_TOKEN = re.compile(r'name="csrf-token" content="([^"]+)"')
#: Backoff of a client's retries: first wait, factor, cap (seconds).
BACKOFF = (0.05, 2.0, 2.0)
#: Seconds a client waits for an answer before it counts a timeout and retries.
TIMEOUT_S = 10.0
#: Every how many target districts (by code) one has a coordinator told of its reports.
NOTIFY_EVERY = 6
#: The LINE stand-in's access token.
LINE_TOKEN = "soak-line-token"
#: The worker's lease of a claimed delivery in the soak (seconds).
NOTIFY_LEASE_S = 10
#: After the run, the outbox is watched while it drains; it is stuck when nothing was delivered
#: for this long (a lease, the worker's minute and a stalled job's retry are shorter).
DRAIN_STALL_S = 150.0


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------- the cluster


def as_owner(command: list[str]) -> list[str]:
    """Run as the ``postgres`` OS user when root (initdb and postgres refuse root)."""
    return ["runuser", "-u", "postgres", "--", *command] if os.getuid() == 0 else command


@dataclass
class Cluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (trust authentication on loopback only)."""

    base: Path
    port: int
    synchronous_commit: str = "on"

    @property
    def data(self) -> Path:
        return self.base / "data"

    @property
    def logfile(self) -> Path:
        return self.base / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://borderwatch@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        if self.base.exists():
            self.stop_quietly()
            shutil.rmtree(self.base)
        self.base.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
            folder = self.base
            while folder != folder.parent:  # postgres must reach it through the parents
                folder.chmod(folder.stat().st_mode | 0o001)
                folder = folder.parent
        subprocess.run(
            as_owner(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(self.data),
                    "-U",
                    "borderwatch",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.base}'",
            "max_connections": "100",
            "shared_buffers": "128MB",
            "fsync": "on",
            "full_page_writes": "on",
            "synchronous_commit": self.synchronous_commit,
        }
        conf = "\n".join(f"{k} = {v}" for k, v in settings.items())
        config = self.data / "postgresql.conf"
        subprocess.run(
            as_owner(["sh", "-c", f"cat >> '{config}'"]), input=conf.encode(), check=True
        )

    def start(self, timeout: float = 120) -> None:
        """Start (after a crash: recovery) and wait until it accepts connections."""
        deadline = time.monotonic() + timeout
        while True:
            done = subprocess.run(
                as_owner(
                    [
                        str(PG_BIN / "pg_ctl"),
                        "-D",
                        str(self.data),
                        "-l",
                        str(self.logfile),
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ]
                ),
                capture_output=True,
                check=False,
            )
            if done.returncode == 0:
                return
            if time.monotonic() > deadline:  # e.g. old server processes still hold memory
                raise RuntimeError(f"the soak cluster did not start: {done.stderr.decode()}")
            time.sleep(0.5)

    def postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pidfile.read_text().split()[0])
        return None

    def kill(self) -> int:
        """SIGKILL the postmaster and its server processes at once (a crash); their count."""
        pid = self.postmaster_pid()
        if pid is None:
            raise RuntimeError("the soak cluster has no postmaster to kill")
        victims = [pid, *children(pid)]
        for victim in victims:
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        for victim in victims:  # wait until they are gone, so that a restart can begin
            while Path(f"/proc/{victim}").exists() and not _zombie(victim):
                time.sleep(0.01)
        return len(victims)

    def restart_fast(self) -> None:
        subprocess.run(
            as_owner(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.logfile),
                    "-m",
                    "fast",
                    "-w",
                    "restart",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def stop_quietly(self) -> None:
        if (self.data / "PG_VERSION").exists():
            subprocess.run(
                as_owner([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
                capture_output=True,
                check=False,
            )


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def _zombie(pid: int) -> bool:
    with contextlib.suppress(OSError, IndexError):
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    return True


# --------------------------------------------------------------------------- the app


@dataclass
class Gunicorn:
    port: int
    proc: subprocess.Popen[bytes]

    def workers(self) -> list[int]:
        return children(self.proc.pid)

    def kill_worker(self) -> int:
        workers = self.workers()
        if not workers:
            raise RuntimeError("gunicorn has no worker to kill")
        victim = random.choice(workers)
        os.kill(victim, signal.SIGKILL)
        return victim

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_gunicorn(
    env: dict[str, str], logfile: Path, app: str = "loadtest.dropper:app()"
) -> Gunicorn:
    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        *("--config", str(ROOT / "webapp" / "gunicorn_conf.py")),  # as make run
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--timeout",
        "30",
        "--bind",
        f"127.0.0.1:{port}",
        "--pythonpath",
        str(BENCH),
        "--log-level",
        "warning",
        app,
    ]
    with logfile.open("ab") as out:
        proc = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Gunicorn(port, proc)
    if wait_ready(proc, port, "/healthz", f"see {logfile}"):
        return server
    server.stop()
    raise RuntimeError("gunicorn did not answer within 60 s")


def sign_in(port: int, password: str, username: str = OFFICER) -> dict[str, str]:
    """Sign in (as the officer by default); the cookie and CSRF token every client sends."""
    jar: dict[str, str] = {}

    def request(method: str, path: str, body: str | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        page = resp.read().decode()
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                jar[key.strip()] = val.strip()
        conn.close()
        return resp.status, page

    _, page = request("GET", "/login")
    token = _TOKEN.search(page)
    assert token is not None, "no CSRF token on /login"
    status, _ = request(
        "POST", "/login", f"username={username}&password={password}&csrf_token={token.group(1)}"
    )
    if status != 302:
        raise RuntimeError(f"sign-in answered {status}")
    _, page = request("GET", "/account/password")
    token = _TOKEN.search(page)
    assert token is not None, "no CSRF token after sign-in"
    return {
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "X-CSRFToken": token.group(1),
        "Content-Type": "application/json",
    }


# --------------------------------------------------------------------------- the clients


@dataclass
class Answer:
    sent: float  # time.monotonic() when the request was sent
    at: float  # time.monotonic() when the answer (or the failure) came
    status: str  # "201", "503", "dropped", "timeout", "refused", ...
    retry_after: bool = False


@dataclass
class ClientLog:
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> "200" or "201"
    unacknowledged: list[str] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (key, 4xx body): a bug


class Client(threading.Thread):
    """One officer's phone: reports one after another, each retried until acknowledged."""

    def __init__(
        self,
        port: int,
        headers: dict[str, str],
        points: list[tuple[float, float]],
        stop: threading.Event,
        deadline: list[float],
        seed: int,
    ) -> None:
        super().__init__(daemon=True)
        self.port, self.headers, self.points = port, headers, points
        self.stop, self.deadline = stop, deadline
        self.random = random.Random(seed)
        self.log = ClientLog()
        self.conn: http.client.HTTPConnection | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            self.report(str(uuid.uuid4()))
        if self.conn is not None:
            self.conn.close()

    def body(self, key: str) -> bytes:
        lon, lat = self.random.choice(self.points)
        occurred = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=self.random.randint(5, 600))
        return json.dumps(
            {
                "lon": lon,
                "lat": lat,
                "category": self.random.choice(CATEGORIES),
                "occurred_at": occurred.isoformat(),
                "idempotency_key": key,
                "description": "soak",
            }
        ).encode()

    def report(self, key: str) -> None:
        body = self.body(key)
        wait, factor, cap = BACKOFF
        while True:
            sent = time.monotonic()
            status, retry_after, text_ = self.send(body)
            self.log.answers.append(Answer(sent, time.monotonic(), status, retry_after))
            if status in ("200", "201"):
                self.log.acknowledged[key] = status
                return
            if status.startswith("4"):
                self.log.refused.append((key, text_[:200]))
                return
            if time.monotonic() > self.deadline[0]:
                self.log.unacknowledged.append(key)
                return
            time.sleep(wait * (0.5 + self.random.random()))
            wait = min(cap, wait * factor)

    def send(self, body: bytes) -> tuple[str, bool, str]:
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT_S)
            self.conn.request("POST", "/api/incidents", body=body, headers=self.headers)
            resp = self.conn.getresponse()
            text_ = resp.read().decode(errors="replace")
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return str(resp.status), resp.getheader("Retry-After") is not None, text_
        except TimeoutError:
            failure = "timeout"
        except (http.client.RemoteDisconnected, http.client.IncompleteRead):
            failure = "dropped"
        except ConnectionRefusedError:
            failure = "refused"
        except (OSError, http.client.HTTPException):
            failure = "connection error"
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        return failure, False, ""


# --------------------------------------------------------------------------- chaos


@dataclass
class Event:
    at: float
    what: str
    recovered_at: float | None = None

    @property
    def outage_s(self) -> float | None:
        return None if self.recovered_at is None else self.recovered_at - self.at


def chaos(
    cluster: Cluster,
    app: Gunicorn,
    seconds: float,
    kill_every: float,
    stop: threading.Event,
    events: list[Event],
    notifier: Worker | None = None,
) -> None:
    """Kill the database every ``kill_every`` s; two fast restarts and a worker kill between;
    the notifications' worker killed every ``kill_every`` s too, a quarter before each database
    kill.

    Every kind of event happens at least once however long the others take (a slow disk can make
    a restart's shutdown checkpoint last tens of seconds): the loop ends after ``seconds`` only
    once each has happened, the late ones at once."""
    start = time.monotonic()
    fast_at = start + min(kill_every / 2, seconds / 3)
    worker_at = start + min(kill_every * 1.5, seconds * 2 / 3)
    next_kill = start + kill_every
    next_notifier_kill = start + kill_every * 0.75
    fast_done = worker_done = False
    kills = notifier_kills = 0
    while not stop.wait(0.2):
        now = time.monotonic()
        every_kind_done = (
            fast_done and worker_done and kills and (notifier is None or notifier_kills)
        )
        if now - start >= seconds and every_kind_done:
            return
        if notifier is not None and now >= next_notifier_kill:
            # once the time is up, the next try at once (it was between its restarts)
            next_notifier_kill = now + (1.0 if now - start >= seconds else kill_every)
            try:
                victim = notifier.kill()
            except RuntimeError:  # between its restarts
                log("notification worker not running at its kill: skipped")
            else:
                notifier_kills += 1
                events.append(Event(time.monotonic(), f"notification worker {victim} killed"))
                log(f"notification worker {victim} killed (SIGKILL); its supervisor restarts it")
            continue
        if not fast_done and now >= fast_at:
            fast_done = True
            events.append(Event(time.monotonic(), "two fast restarts (pg_ctl restart -m fast)"))
            cluster.restart_fast()
            cluster.restart_fast()
            log(f"database: two fast restarts done in {time.monotonic() - now:.1f} s")
        elif not worker_done and now >= worker_at:
            worker_done = True
            victim = app.kill_worker()
            events.append(Event(time.monotonic(), f"gunicorn worker {victim} killed (SIGKILL)"))
            log(f"gunicorn worker {victim} killed")
        elif now >= next_kill:
            next_kill += kill_every
            count = cluster.kill()  # the outage starts when they are gone
            kills += 1
            event = Event(time.monotonic(), "postmaster and server processes killed (SIGKILL)")
            events.append(event)
            log(f"database killed ({count} processes); restarting (crash recovery)")
            cluster.start()
            log(f"database back after {time.monotonic() - event.at:.1f} s")


# --------------------------------------------------------------------------- verdict


def outages(events: list[Event], answers: list[Answer]) -> None:
    """Set each event's recovery: the first acknowledgement of a request sent after it (a
    request sent before may still be answered after the kill: it says nothing of recovery)."""
    acks = sorted((a.sent, a.at) for a in answers if a.status in ("200", "201"))
    for event in events:
        later = [at for sent, at in acks if sent > event.at]
        event.recovered_at = min(later) if later else None


def during(events: list[Event], answers: list[Answer]) -> Counter[str]:
    """What the clients got while an outage lasted."""
    seen: Counter[str] = Counter()
    for a in answers:
        for e in events:
            if e.recovered_at is not None and e.at <= a.at <= e.recovered_at:
                label = a.status
                if a.status == "503":
                    label = "503 with Retry-After" if a.retry_after else "503 without Retry-After"
                seen[label] += 1
                break
    return seen


def stored(url: str, keys: list[str]) -> dict[str, int]:
    """Rows per idempotency key among ``keys``."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text(
                    "SELECT idempotency_key::text, count(*) FROM incident"
                    " WHERE idempotency_key = ANY(CAST(:keys AS uuid[]))"
                    " GROUP BY idempotency_key"
                ),
                {"keys": keys},
            ).all()
    finally:
        engine.dispose()
    return {k: n for k, n in rows}


# --------------------------------------------------------------------------- notifications


def coordinators(session: Session, officer: User) -> list[str]:
    """A coordinator with an e-mail address and a linked LINE account in every
    :data:`NOTIFY_EVERY`-th target district (they never sign in: the officer's password hash);
    the districts' codes."""
    districts = session.scalars(
        select(District).where(District.target).order_by(District.pcode)
    ).all()[::NOTIFY_EVERY]
    for district in districts:
        name = f"soak-coord-{district.pcode.lower()}"
        user = User(
            username=name,
            display_name=name,
            password_hash=officer.password_hash,
            role=Role.COORDINATOR,
            district_id=district.id,
        )
        session.add(user)
        session.flush()
        setting = setting_of(session, user.id)
        setting.email = f"{name}@soak.example"
        setting.line_user_id = "U" + uuid.uuid5(uuid.NAMESPACE_URL, name).hex
    return [d.pcode for d in districts]


_OUTBOX = text(
    """
    SELECT n.delivery_key, n.channel, n.status, n.attempts, i.idempotency_key::text
      FROM notification n JOIN incident i ON i.id = n.incident_id
     WHERE n.kind = 'new_report' AND i.idempotency_key = ANY(CAST(:keys AS uuid[]))
    """
)
_EXPECTED = text(
    """
    SELECT i.idempotency_key::text FROM incident i JOIN district d ON d.id = i.district_id
     WHERE d.pcode = ANY(:codes) AND i.idempotency_key = ANY(CAST(:keys AS uuid[]))
    """
)


def notifications(
    url: str,
    keys: list[str],
    codes: list[str],
    smtp: SmtpServer,
    line: LineStandin,
    drain_s: float,
) -> dict[str, Any]:
    """After recovery: the outbox of the acknowledged reports drained by the worker (within
    ``drain_s``), then counted against what the stand-ins received, by delivery key."""
    engine = make_engine(url)
    started = last_progress = time.monotonic()
    first: int | None = None
    least = None
    try:
        while True:
            with engine.connect() as c:
                outbox = c.execute(_OUTBOX, {"keys": keys}).all()
            waiting = sum(1 for r in outbox if r.status == "waiting" and r.channel != "in_app")
            first = waiting if first is None else first
            if least is None or waiting < least:
                least, last_progress = waiting, time.monotonic()
            now = time.monotonic()
            if not waiting or now - started > drain_s or now - last_progress > DRAIN_STALL_S:
                break
            time.sleep(1.0)
        drained_s = time.monotonic() - started
        with engine.connect() as c:
            expected = set(c.execute(_EXPECTED, {"keys": keys, "codes": codes}).scalars())
    finally:
        engine.dispose()
    sent = [r for r in outbox if r.channel != "in_app"]
    channels_of: dict[str, set[str]] = {}
    for r in outbox:
        channels_of.setdefault(r.idempotency_key, set()).add(r.channel)
    complete = {"in_app", "email", "line"}
    mails = Counter(str(m["Message-ID"]) for m in smtp.inbox.messages)
    pushes = Counter(str(p["retry_key"]) for p in line.recorded.pushes)
    email_ids = {
        Outgoing(NotifyChannel.EMAIL, "", "", "", r.delivery_key, "th").message_id: r
        for r in sent
        if r.channel == "email"
    }
    line_keys = {
        str(Outgoing(NotifyChannel.LINE, "", "", "", r.delivery_key, "th").retry_key): r
        for r in sent
        if r.channel == "line"
    }
    return {
        "districts": len(codes),
        "reports": len(expected),
        "reports_without_their_notifications": sum(
            1 for k in expected if channels_of.get(k, set()) != complete
        ),
        "deliveries": len(sent),
        "drained_after_s": round(drained_s, 1),
        "waiting_when_the_run_ended": first or 0,
        "delivered_per_s_after_the_run": round(((first or 0) - (least or 0)) / drained_s, 1)
        if drained_s > 0
        else 0.0,
        "waiting_after_recovery": sum(1 for r in sent if r.status == "waiting"),
        "failed": sum(1 for r in sent if r.status == "failed"),
        "emails_received": sum(1 for m in email_ids if mails[m] >= 1),
        "emails_expected": len(email_ids),
        "emails_resent_same_message_id": sum(max(mails[m] - 1, 0) for m in email_ids),
        "line_received": sum(1 for k in line_keys if pushes[k] >= 1),
        "line_expected": len(line_keys),
        "line_pushed_twice": sum(max(pushes[k] - 1, 0) for k in line_keys),
        "line_repeats_refused_409": len(line.repeats),
        "received_without_a_delivery": (
            sum(n for m, n in mails.items() if m not in email_ids)
            + sum(n for k, n in pushes.items() if k not in line_keys)
        ),
        "taken_up_again_after_a_kill": sum(1 for r in sent if r.attempts > 1),
    }


def notification_checks(n: dict[str, Any], kills: int) -> list[tuple[str, bool]]:
    """The notifications' part of the verdict: each delivered exactly once after recovery."""
    return [
        (
            f"notification worker kills: {kills}",
            kills >= 1,
        ),
        (
            f"{n['reports']} acknowledged reports in {n['districts']} districts with a "
            f"coordinator; without their notifications: {n['reports_without_their_notifications']}",
            n["reports"] > 0 and n["reports_without_their_notifications"] == 0,
        ),
        (
            f"e-mail and LINE deliveries waiting {n['drained_after_s']:g} s after the run: "
            f"{n['waiting_after_recovery']}, failed: {n['failed']}",
            n["waiting_after_recovery"] == 0 and n["failed"] == 0,
        ),
        (
            f"e-mails received by delivery key: {n['emails_received']} of "
            f"{n['emails_expected']} (resent under the same Message-ID, shown once: "
            f"{n['emails_resent_same_message_id']})",
            n["emails_received"] == n["emails_expected"] > 0,
        ),
        (
            f"LINE pushes received by delivery key: {n['line_received']} of "
            f"{n['line_expected']}, twice: {n['line_pushed_twice']} (repeats refused by their "
            f"retry key: {n['line_repeats_refused_409']})",
            n["line_received"] == n["line_expected"] > 0 and n["line_pushed_twice"] == 0,
        ),
        (
            f"messages received that the outbox does not hold: {n['received_without_a_delivery']}",
            n["received_without_a_delivery"] == 0,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds", type=float, default=float(os.environ.get("SOAK_SECONDS", "600"))
    )
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--kill-every", type=float, default=90.0)
    parser.add_argument("--drop-rate", type=float, default=0.01)
    parser.add_argument("--grace", type=float, default=60.0, help="seconds to finish in flight")
    parser.add_argument(
        "--notify-drain",
        type=float,
        default=1800.0,
        help="most seconds for the worker to deliver what waits after the run",
    )
    parser.add_argument("--negative-control", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep var/soak afterwards")
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.kill_every <= 0:
        parser.error("--seconds, --clients and --kill-every must be positive")
    if not 0 <= args.drop_rate < 1:
        parser.error("--drop-rate must be in [0, 1)")
    name = "negative-control" if args.negative_control else "soak"
    base = VAR / f"{name}-{os.getpid()}"  # runs at the same time (make soak, the suite) apart
    cluster = Cluster(base / "pg", free_port(), "off" if args.negative_control else "on")
    drops = base / "dropped.log"
    log(f"{name}: scratch cluster in {cluster.base} on 127.0.0.1:{cluster.port}")
    cluster.create()
    cluster.start()
    app: Gunicorn | None = None
    stack = contextlib.ExitStack()  # the stand-ins and the notifications' worker
    told: list[str] = []
    events: list[Event] = []
    clients: list[Client] = []
    try:
        admin = make_engine(cluster.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        url = cluster.url(DATABASE)
        engine = make_engine(url, isolation_level="AUTOCOMMIT")
        with engine.connect() as c:
            c.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            c.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
        engine.dispose()
        migrate.upgrade(url)
        password = secrets.token_urlsafe(16)
        engine = make_engine(url)
        with Session(engine) as session:
            seed_reference(session)
            officer = accounts.create_user(session, OFFICER, None, password, Role.OFFICER, "TH2706")
            told = [] if args.negative_control else coordinators(session, officer)
            points = target_points(session, 500, 11)
            session.commit()
            # the reference data written to disk now, not by the fast restarts' shutdown
            # checkpoints under load (on a slow disk those took a minute, the whole run's time)
            session.execute(text("CHECKPOINT"))
        engine.dispose()
        drops.unlink(missing_ok=True)
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": secrets.token_hex(32),
            "SESSION_COOKIE_SECURE": "false",
            "SOAK_DROP_RATE": str(args.drop_rate),
            "SOAK_DROP_LOG": str(drops),
            "BORDERWATCH_RATELIMIT_KEY_PREFIX": f"soak-{secrets.token_hex(4)}",
        }
        if args.negative_control:
            env["BORDERWATCH_REQUIRE_DURABLE_DATABASE"] = "false"
        notifier: Worker | None = None
        if told:
            smtp, line = SmtpServer(), LineStandin(LINE_TOKEN)
            smtp.start()
            stack.callback(smtp.stop)
            stack.enter_context(line)
            worker_env = {
                **env,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp.port),
                "SMTP_STARTTLS": "",
                "SMTP_USER": "",
                "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
                "LINE_API_URL": line.url,
                "BORDERWATCH_NOTIFY_LEASE_SECONDS": str(NOTIFY_LEASE_S),
            }
            # the notifications' queue and the jobs' one (the stalled-job sweep each minute),
            # as ``borderwatch worker`` runs them under ``make run``
            notifier = stack.enter_context(
                running_worker(
                    worker_env,
                    base / "worker.log",
                    queues=("notify", "jobs"),
                    concurrency=2,
                    restart=True,
                )
            )
            log(f"notifications: coordinators in {len(told)} districts; worker started")
        app = start_gunicorn(env, base / "gunicorn.log")
        headers = sign_in(app.port, password)
        stop = threading.Event()
        deadline = [float("inf")]
        clients = [
            Client(app.port, headers, points, stop, deadline, seed=i) for i in range(args.clients)
        ]
        log(f"{args.clients} clients for {args.seconds:g} s; kills every {args.kill_every:g} s")
        started = time.monotonic()
        for client in clients:
            client.start()
        chaos(cluster, app, args.seconds, args.kill_every, threading.Event(), events, notifier)
        while time.monotonic() - started < args.seconds:
            time.sleep(0.2)
        stop.set()  # no new report; the ones in flight may finish within the grace period
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
        notified = (
            notifications(url, list(acknowledged), told, smtp, line, args.notify_drain)
            if told
            else None
        )
    finally:
        if app is not None:
            app.stop()
        stack.close()
        if not args.keep:
            cluster.stop_quietly()

    outages(events, answers)
    statuses = Counter(a.status for a in answers)
    missing = [k for k in acknowledged if rows.get(k, 0) == 0]
    duplicated = [k for k, n in rows.items() if n > 1]
    without_retry_after = sum(1 for a in answers if a.status == "503" and not a.retry_after)
    dropped = len(drops.read_text().splitlines()) if drops.exists() else 0
    database_events = [e for e in events if "postmaster" in e.what or "restart" in e.what]
    longest = max((e.outage_s or 0.0 for e in database_events), default=0.0)
    result = {
        "name": name,
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "clients": args.clients,
        "kill_every_s": args.kill_every,
        "synchronous_commit": cluster.synchronous_commit,
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
        "during_outages": dict(
            sorted(during([e for e in events if "notification" not in e.what], answers).items())
        ),
        "events": [
            {
                "at_s": round(e.at - started, 1),
                "what": e.what,
                "outage_s": None if e.outage_s is None else round(e.outage_s, 2),
            }
            for e in events
        ],
        "longest_outage_s": round(longest, 2),
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}",
        "measured": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "command": command_line(args),
    }
    if notified is not None:
        result["notifications"] = notified
    checks = verdict(result, args.negative_control)
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


def verdict(result: dict[str, Any], negative: bool) -> list[tuple[str, bool]]:
    if negative:
        return [
            (
                f"the harness detects losses with synchronous_commit = off: "
                f"{result['acknowledged_missing_from_database']} acknowledged reports missing",
                result["acknowledged_missing_from_database"] > 0,
            )
        ]
    kills = sum(1 for e in result["events"] if "SIGKILL" in e["what"] and "postmaster" in e["what"])
    return [
        (
            f"{result['reports_acknowledged']} reports acknowledged",
            result["reports_acknowledged"] > 0,
        ),
        (f"{kills} database kills", kills >= 1),
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
        (
            f"503 with Retry-After during outages: "
            f"{result['during_outages'].get('503 with Retry-After', 0)}",
            result["during_outages"].get("503 with Retry-After", 0) > 0,
        ),
        (
            f"answers dropped after commit then retried: {result['answers_dropped_after_commit']}"
            f" (replays answered 200: {result['acknowledged_by_replay_200']})",
            result["answers_dropped_after_commit"] == 0 or result["acknowledged_by_replay_200"] > 0,
        ),
    ] + (
        notification_checks(
            result["notifications"],
            sum(1 for e in result["events"] if "notification worker" in e["what"]),
        )
        if "notifications" in result
        else []
    )


def command_line(args: argparse.Namespace) -> str:
    parts = [".venv/bin/python bench/reliability/soak.py", f"--seconds {args.seconds:g}"]
    if args.clients != 16:
        parts.append(f"--clients {args.clients}")
    if args.kill_every != 90:
        parts.append(f"--kill-every {args.kill_every:g}")
    if args.negative_control:
        parts.append("--negative-control")
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
    during = ", ".join(f"{k}: {v:,}" for k, v in result["during_outages"].items()) or "nothing"
    statuses = ", ".join(f"{k}: {v:,}" for k, v in result["statuses"].items())
    notified = ""
    if "notifications" in result:
        n = result["notifications"]
        notified = f"""
Notifications: a coordinator with e-mail and LINE in {n["districts"]} of the target districts;
{n["reports"]} acknowledged reports there wrote {n["deliveries"]} e-mail and LINE deliveries in
their own commits, delivered by `borderwatch worker` (killed with SIGKILL every
{result["kill_every_s"]:g} s and restarted, besides the database kills) to a local SMTP server
and the LINE stand-in. {n["waiting_when_the_run_ended"]:,} deliveries waited when the run
ended; the worker delivered them at {n["delivered_per_s_after_the_run"]:g} a second, and
{n["drained_after_s"]:g} s after the run {n["waiting_after_recovery"]} waited and {n["failed"]}
failed; the
stand-ins received {n["emails_received"]} of {n["emails_expected"]} e-mails and
{n["line_received"]} of {n["line_expected"]} LINE pushes by delivery key, none twice
({n["emails_resent_same_message_id"]} e-mails resent under the same `Message-ID`,
{n["line_repeats_refused_409"]} pushes sent again and refused by their retry key;
{n["taken_up_again_after_a_kill"]} deliveries taken up again after a kill).
"""
    title = (
        "Negative control: `synchronous_commit = off`"
        if result["name"] == "negative-control"
        else "Crash soak: kills of the database under load"
    )
    return f"""
## {title} (`make soak`)

{result["clients"]} clients submitting reports through gunicorn for {result["seconds"]:g} s
(all done after {result["elapsed_s"]:g} s), `synchronous_commit = {result["synchronous_commit"]}`,
the database killed every {result["kill_every_s"]:g} s, 1 % of committed answers dropped.

{verdicts}

| s | event | outage until the next acknowledgement, s |
| ---: | --- | ---: |
{events}

Longest database outage: {result["longest_outage_s"]:.2f} s. During the outages the clients
got: {during}. All answers and failures: {statuses}.
{notified}
Machine: {result["machine"]}; {result["measured"]}. Reproduce: `{result["command"]}`
"""


def merge_doc(name: str, section: str) -> None:
    merge_section(
        DOC,
        DOC_BEGIN.format(name),
        DOC_END.format(name),
        section,
        "# Reliability\n\nWhat borderwatch's reliability harnesses measured "
        "(`make soak`, the load scenario, fuzzing).\n\n",
    )


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
