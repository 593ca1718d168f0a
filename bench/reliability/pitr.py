"""Point-in-time restore drill: pgBackRest brings the database back to a chosen instant.

On a replicated cluster of its own (``scripts/hacluster.sh`` under ``var/ha/``, every node
archiving its WAL with pgBackRest to a local repository):

1. a full backup (``hacluster.sh backup full``);
2. activity after it: accounts, reports with their events, photos (``--reports``);
3. the **chosen instant**: the server's clock between two commits, and the fingerprint of the
   database then: the rows of every table, and checksums of the incidents, their events, their
   photos and the accounts (:func:`gis.ops.backup.fingerprint`);
4. more activity after the instant (which the restore must not bring back), then a failover,
   so that the WAL to replay crosses from one timeline to the next and from one node's archive
   to the other's (``--no-failover`` leaves it out);
5. ``hacluster.sh restore INSTANT``: the backup and the archived WAL up to the instant, into a
   copy of its own (the nodes are not touched); its fingerprint must equal the one of step 3.

Written to ``docs/reliability.md`` and ``bench/soak.json`` (as ``pitr``). Run from the
repository root: ``.venv/bin/python bench/reliability/pitr.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import shutil
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH), str(BENCH / "reliability")]

from failover import VAR, HaCluster, free_ports, prepare  # noqa: E402
from ingest import target_points  # noqa: E402
from PIL import Image  # noqa: E402
from soak import RESULT, log, merge_doc  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from gis.accounts import users as accounts  # noqa: E402
from gis.db import make_engine  # noqa: E402
from gis.incidents.photos import add_photo, prepare_photo  # noqa: E402
from gis.incidents.reports import IncidentInput, create_incident  # noqa: E402
from gis.ops.backup import Fingerprint, fingerprint  # noqa: E402
from gis.types import Channel, IncidentCategory, Role  # noqa: E402

NAME = "pitr"
#: The programme's records whose rows are checksummed, beyond being counted.
CHECKSUMMED = ("incident", "incident_event", "incident_photo", "app_user")


def photo_bytes(seed: int) -> bytes:
    """A small JPEG of one colour."""
    rng = random.Random(seed)
    image = Image.new("RGB", (64, 48), tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


def activity(url: str, reports: int, seed: int) -> None:
    """An account, ``reports`` reports by it (each with its first event) and a photo of every
    third, committed report by report as the app does."""
    engine = make_engine(url)
    rng = random.Random(seed)
    try:
        with Session(engine) as session:
            # ST_GeneratePoints gives nothing for a handful of points over the target districts
            points = target_points(session, max(reports, 200), seed)[:reports]
            officer = accounts.create_user(
                session, f"pitr-{seed}-{uuid.uuid4().hex[:6]}", None, uuid.uuid4().hex,
                Role.OFFICER, "TH2706",
            )  # fmt: skip
            session.commit()
            for i, (lon, lat) in enumerate(points):
                incident, _ = create_incident(
                    session,
                    IncidentInput(
                        lon=lon,
                        lat=lat,
                        category=rng.choice(list(IncidentCategory)),
                        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
                        channel=Channel.OFFICER_APP,
                        idempotency_key=uuid.uuid4(),
                        reporter_id=officer.id,
                        description=f"PITR drill {seed}-{i}",
                    ),
                )
                if i % 3 == 0:
                    add_photo(
                        session, incident, prepare_photo(photo_bytes(seed * 1000 + i)), officer
                    )
                session.commit()
    finally:
        engine.dispose()


def snapshot(url: str) -> tuple[str, Fingerprint]:
    """The server's clock now and the database's fingerprint at that instant (nothing else
    writes meanwhile: the drill is the only client)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            instant = c.execute(text("SELECT clock_timestamp()")).scalar_one()
            found = fingerprint(c, CHECKSUMMED)
            c.rollback()
    finally:
        engine.dispose()
    # pgBackRest's --target: "YYYY-MM-DD HH:MM:SS.mmm+00", rounded down to the millisecond
    # (the drill's commits are a second away from the instant)
    moment = instant.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "+00"
    return moment, found


def restored_fingerprint(url: str) -> Fingerprint:
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            found = fingerprint(c, CHECKSUMMED)
            c.rollback()
    finally:
        engine.dispose()
    return found


def drill(cluster: HaCluster, url: str, reports: int, failover: bool) -> dict[str, Any]:
    """Steps 1 to 5 of the module's docstring on a running, prepared cluster."""
    started = time.monotonic()
    cluster.run("backup", "full", timeout=600)
    backup_s = time.monotonic() - started
    log(f"full backup in {backup_s:.1f} s")
    activity(url, reports, 1)
    time.sleep(1.0)  # commits before and after the instant a clear second apart
    instant, before = snapshot(url)
    time.sleep(1.0)
    log(f"the instant: {instant}; {before.counts.get('incident', 0)} incidents")
    activity(url, reports, 2)
    if failover:
        cluster.run("failover", timeout=180)
        log(f"failover: {cluster.run('primary')} is the primary")
        activity(url, max(1, reports // 4), 3)
    _, after = snapshot(url)
    restore_started = time.monotonic()
    out = cluster.run("restore", instant, timeout=900)
    restore_s = time.monotonic() - restore_started
    restored_url = out.rsplit(": ", 1)[1].strip()
    log(f"restored in {restore_s:.1f} s: {restored_url}")
    restored = restored_fingerprint(restored_url)
    cluster.run("restore-stop")
    return {
        "name": NAME,
        "instant": instant,
        "reports_per_batch": reports,
        "failover_after_instant": failover,
        "backup_s": round(backup_s, 1),
        "restore_s": round(restore_s, 1),
        "at_instant": {"counts": before.counts, "checksums": before.checksums},
        "restored": {"counts": restored.counts, "checksums": restored.checksums},
        "source_at_end": {"counts": after.counts, "checksums": after.checksums},
        "differences": before.differences(restored),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200, help="reports per batch")
    parser.add_argument("--no-failover", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's folder")
    args = parser.parse_args(argv)
    if args.reports < 1:
        parser.error("--reports must be positive")
    base = VAR / f"{NAME}-{os.getpid()}"
    cluster = HaCluster(base, free_ports())
    log(f"{NAME}: replicated cluster in {base} on 127.0.0.1:{cluster.port}-{cluster.port + 3}")
    try:
        cluster.run("start")
        url = cluster.settings()["DATABASE_URL"]
        prepare(url)
        result = drill(cluster, url, args.reports, not args.no_failover)
    finally:
        cluster.stop()
    result["machine"] = f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}"
    result["measured"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    result["command"] = " ".join(
        [".venv/bin/python bench/reliability/pitr.py", f"--reports {args.reports}"]
        + (["--no-failover"] if args.no_failover else [])
    )
    checks = verdict(result)
    for label, ok in checks:
        print(f"{'ok  ' if ok else 'FAIL'} {label}")
    print(json.dumps({k: v for k, v in result.items() if k not in ("source_at_end",)}, indent=1))
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    if not args.no_write:
        write(result, checks)
    return 0 if all(ok for _, ok in checks) else 1


def verdict(result: dict[str, Any]) -> list[tuple[str, bool]]:
    at, restored, end = result["at_instant"], result["restored"], result["source_at_end"]
    return [
        (
            f"rows at the instant equal the restored rows in all {len(at['counts'])} tables",
            at["counts"] == restored["counts"],
        ),
        (
            "checksums of " + ", ".join(sorted(at["checksums"])) + " equal",
            at["checksums"] == restored["checksums"] and set(at["checksums"]) == set(CHECKSUMMED),
        ),
        (
            f"what came after the instant is not restored: {end['counts'].get('incident')} "
            f"incidents at the end, {restored['counts'].get('incident')} restored",
            end["counts"].get("incident", 0) > restored["counts"].get("incident", 0),
        ),
    ]


def write(result: dict[str, Any], checks: list[tuple[str, bool]]) -> None:
    entries: list[dict[str, Any]] = []
    if RESULT.exists():
        entries = json.loads(RESULT.read_text(encoding="utf-8"))
    entries = [e for e in entries if e.get("name") != NAME] + [result]
    RESULT.write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    merge_doc(NAME, document(result, checks))


def document(result: dict[str, Any], checks: list[tuple[str, bool]]) -> str:
    verdicts = "\n".join(f"- {'ok' if ok else '**FAILED**'}: {label}" for label, ok in checks)
    at, restored = result["at_instant"], result["restored"]
    tables = ("incident", "incident_event", "incident_photo", "app_user", "account_change")
    after = (
        "a failover (the WAL to replay crosses to the next timeline and the other node's "
        "archive) and more reports"
        if result["failover_after_instant"]
        else "no failover"
    )
    rows = "\n".join(
        f"| `{t}` | {at['counts'].get(t, '-')} | {restored['counts'].get(t, '-')} | "
        f"{'`' + at['checksums'][t][:12] + '`' if t in at['checksums'] else '-'} | "
        f"{'`' + restored['checksums'][t][:12] + '`' if t in restored['checksums'] else '-'} |"
        for t in tables
    )
    return f"""
## Point-in-time restore drill (`make pitr-drill`)

A full pgBackRest backup of the replicated cluster, then {result["reports_per_batch"]} reports
(with their events, a photo for every third, a new account), the chosen instant
{result["instant"]}, {result["reports_per_batch"]} more reports,
{after};
then `make restore TARGET_TIME="{result["instant"]}"` into a copy of its own. Backup
{result["backup_s"]} s, restore (with the WAL replay) {result["restore_s"]} s.

{verdicts}

| table | rows at the instant | rows restored | checksum at the instant | checksum restored |
| --- | ---: | ---: | --- | --- |
{rows}

Machine: {result["machine"]}; {result["measured"]}. Reproduce: `{result["command"]}`
"""


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main())
