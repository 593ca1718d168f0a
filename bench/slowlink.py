"""The first map load in Thai on a slow phone link: how long until an officer can work.

A village security volunteer or a district officer opens borderwatch for the first time on a
rural mobile link. Measured in headless Chromium with the network emulated as such a link
(Chrome DevTools Protocol ``Network.emulateNetworkConditions``: 1.6 Mbps down, 750 kbps up,
150 ms round trip, the "slow 4G" figures of the issue), a phone-sized screen (390x844), Thai
(``th-TH``), an empty cache and no service worker (a new browser context for every load; the
field app's worker and a return visit are bench/offline.py's), the officer already signed in
(once, the session cookie given to every load), the app under gunicorn as ``make run`` starts it.

**Usable** is the moment all of these hold, read in the page at each animation frame: the
Thai font is loaded (``document.fonts.check`` of Sarabun with Thai text), the reference layers
and the incidents layer are drawn, and the report button of the pin drop is on screen. The
bytes are every response's encoded size as the browser received it (compressed), from the
protocol's ``Network.loadingFinished`` events, by type.

Reference, in the same run: the same load with no network emulation (the machine's own
loopback), so the ratio says what the link costs. Target: usable within 5 s on the slow link.

``make bench`` runs it on the data set that ``bench/demo.py --keep`` generated (``--reuse``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from demo import drop_database, merge_results, merge_section, server_versions
from mapload import CHROMIUM, CHROMIUM_ARGS, DRAWN, SCRATCH, prepare, serve
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.db import make_engine, normalise_url
from gis.models import User
from gis.types import Role
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:slowlink begin -->"
DOC_END = "<!-- bench:slowlink end -->"
OFFICER = "bench-slowlink-officer"
#: The officer's district (Aranyaprathet, Sa Kaeo: a crossing town on the Cambodian border).
DISTRICT = "TH2706"
PHONE = {"width": 390, "height": 844}
#: The emulated link: bytes per second down and up, and the added round trip.
SLOW_LINK = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
TARGET_MS = 5_000.0

#: In the page: performance.now() once the map is usable (see the module's docstring).
USABLE = (
    """() => {
    if (!document.fonts.check('16px Sarabun', 'ก')) return false;
    const drawn = ("""
    + DRAWN
    + """)();
    if (drawn === false) return false;
    const map = window.borderwatch.maps[0].map;
    const drawnLayer = (name) => {
        const layer = window.borderwatch.findLayer(map, name);
        return !!layer && !!layer.group && layer.group.getLayers().length > 0;
    };
    if (!['districts', 'border'].every(drawnLayer)) return false;
    const report = document.querySelector('[data-bw-report], #pd-report, .bw-pd-report');
    if (!report || report.hidden || report.getBoundingClientRect().width === 0) return false;
    return performance.now();
}"""
)


#: In the page: which of :data:`USABLE`'s conditions do not hold (when it never does).
MISSING = (
    """() => ({
    font: document.fonts.check('16px Sarabun', 'ก'),
    drawn: ("""
    + DRAWN
    + """)() !== false,
    reference: ['districts', 'border'].map((name) => {
        const layer = window.borderwatch.findLayer(window.borderwatch.maps[0].map, name);
        return name + ': ' + (layer ? (layer.group ? layer.group.getLayers().length : 'no group')
            : 'missing');
    }),
    report: !!document.querySelector('[data-bw-report], #pd-report, .bw-pd-report'),
})"""
)


def officer(url: str, password: str) -> None:
    """The bench's officer account in :data:`DISTRICT`, with ``password``."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            old = session.scalars(select(User).where(User.username == OFFICER)).first()
            if old is not None:
                old.password_hash = accounts.hash_password(password)
                old.language = None
            else:
                accounts.create_user(
                    session, OFFICER, None, password, Role.OFFICER, district=DISTRICT
                )
            session.commit()
    finally:
        engine.dispose()


def sign_in(browser: Any, base: str, password: str) -> list[dict[str, Any]]:
    """The officer's session cookie, signed in once for every load (the sign-in's rate limit
    allows five a minute)."""
    context = browser.new_context(locale="th-TH", service_workers="block")
    page = context.new_page()
    page.goto(base + "/login")
    page.fill("input[name=username]", OFFICER)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"sign-in refused: {page.url}"
    cookies: list[dict[str, Any]] = context.cookies()
    context.close()
    return cookies


def load_once(browser: Any, base: str, cookies: list[dict[str, Any]], slow: bool) -> dict[str, Any]:
    """One first load of the map: ms until usable, bytes received by type. A new context with
    the session cookie and nothing else; no service worker (it would answer from its precache,
    and its own fetches escape the page's network emulation: bench/offline.py measures the
    visits with it)."""
    context = browser.new_context(
        viewport=PHONE,
        locale="th-TH",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        service_workers="block",
    )
    context.add_cookies(cookies)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if slow:
        cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
    kinds: dict[str, str] = {}
    sizes: dict[str, float] = defaultdict(float)
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(
            kinds.get(e["requestId"], "Other"),
            sizes[kinds.get(e["requestId"], "Other")] + e["encodedDataLength"],
        ),
    )
    page.goto(base + "/")
    try:
        usable = page.wait_for_function(USABLE, polling="raf", timeout=120_000)
    except PlaywrightTimeout:
        raise SystemExit(f"the map never became usable: {page.evaluate(MISSING)}") from None
    ms = float(usable.json_value())
    page.wait_for_load_state("networkidle")
    lang = page.evaluate("document.documentElement.lang")
    context.close()
    return {"ms": ms, "bytes": dict(sizes), "lang": lang}


def browse(port: int, password: str, loads: int) -> dict[str, list[dict[str, Any]]]:
    base = f"http://127.0.0.1:{port}"
    runs: dict[str, list[dict[str, Any]]] = {"slow": [], "loopback": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        cookies = sign_in(browser, base, password)
        load_once(browser, base, cookies, slow=False)  # warm the server, not the browser
        for i in range(loads):
            for name in ("loopback", "slow"):
                run = load_once(browser, base, cookies, slow=name == "slow")
                assert run["lang"] == "th", f"the map page is not Thai: {run['lang']}"
                runs[name].append(run)
            print(
                f"  load {i + 1}/{loads}: slow link {runs['slow'][-1]['ms']:.0f} ms, "
                f"loopback {runs['loopback'][-1]['ms']:.0f} ms",
                flush=True,
            )
        browser.close()
    return runs


def summary(runs: list[dict[str, Any]]) -> tuple[float, float, dict[str, float]]:
    times = [r["ms"] for r in runs]
    kinds: dict[str, list[float]] = defaultdict(list)
    for run in runs:
        for kind, size in run["bytes"].items():
            kinds[kind].append(size)
    return statistics.median(times), max(times), {k: statistics.median(v) for k, v in kinds.items()}


def document(runs: dict[str, list[dict[str, Any]]], meta: dict[str, Any]) -> str:
    slow_median, slow_worst, slow_bytes = summary(runs["slow"])
    loop_median, _, _ = summary(runs["loopback"])
    loop_worst = max(r["ms"] for r in runs["loopback"])
    total = sum(slow_bytes.values())
    rows = "\n".join(
        f"| {kind} | {size / 1024:.1f} |"
        for kind, size in sorted(slow_bytes.items(), key=lambda kv: -kv[1])
    )
    verdict = "met" if slow_worst < TARGET_MS else "**not met**"
    return f"""## First map load in Thai on a slow phone link (`bench/slowlink.py`)

An officer's first visit: a 390x844 phone screen in Thai, an empty cache, signed in, the map
page opened over an emulated link of 1.6 Mbps down, 750 kbps up and 150 ms round trip
(Chromium's network emulation). Usable means the Thai font is loaded, the reference layers and
the incidents are drawn, and the report button is on screen. {meta["incidents"]:,} incidents
stored; {meta["loads"]} loads of each kind, alternating.

| link | median ms until usable | worst ms |
| --- | ---: | ---: |
| slow phone link | {slow_median:.0f} | {slow_worst:.0f} |
| loopback (reference, same run) | {loop_median:.0f} | {loop_worst:.0f} |

Bytes received on the slow link (compressed, median of the loads): **{total / 1024:.0f} KiB**.

| type | KiB |
| --- | ---: |
{rows}

Target: {verdict}: usable within {TARGET_MS / 1000:.0f} s on the slow link (worst \
{slow_worst:.0f} ms; {slow_median / loop_median:.1f}x the loopback load).

Machine: {meta["machine"]}; {meta["date"]}.

Reproduce: `{meta["command"]}`
"""


def entries(runs: dict[str, list[dict[str, Any]]], meta: dict[str, Any]) -> list[dict[str, Any]]:
    slow_median, slow_worst, slow_bytes = summary(runs["slow"])
    loop_median, _, _ = summary(runs["loopback"])
    return [
        {
            "name": "first map load in Thai on a slow phone link: time until usable",
            "value": round(slow_worst, 1),
            "unit": "ms (worst of the loads)",
            "reference": "target",
            "reference_value": TARGET_MS,
            "ratio": round(slow_worst / TARGET_MS, 3),
            "command": meta["command"],
        },
        {
            "name": "first map load in Thai: slow link against loopback (median)",
            "value": round(slow_median, 1),
            "unit": "ms",
            "reference": "the same load over loopback, same run",
            "reference_value": round(loop_median, 1),
            "ratio": round(slow_median / loop_median, 3),
            "command": meta["command"],
        },
        {
            "name": "first map load in Thai: bytes received",
            "value": round(sum(slow_bytes.values())),
            "unit": "bytes (compressed, median)",
            "reference": "none",
            "reference_value": None,
            "ratio": None,
            "command": meta["command"],
        },
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--loads", type=int, default=5, help="loads of each kind")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", default=SCRATCH + "_slowlink", help="scratch database")
    parser.add_argument("--reuse", action="store_true", help="keep the data if it is there")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)

    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    password = secrets.token_urlsafe(18)
    url, _ = prepare(server_url, args, password)
    officer(url, password)
    engine = make_engine(url)
    try:
        versions = server_versions(engine)
    finally:
        engine.dispose()
    # this run's sign-in counters of its own (the limiter's storage is shared with other runs)
    os.environ["BORDERWATCH_RATELIMIT_KEY_PREFIX"] = f"bench-slowlink-{secrets.token_hex(6)}"
    try:
        with serve(url) as server:
            runs = browse(server.port, password, args.loads)
    finally:
        if not args.keep and not args.reuse:
            drop_database(server_url, args.database)
    command = f".venv/bin/python bench/slowlink.py --incidents {args.incidents}"
    if args.database != parser.get_default("database"):
        command += f" --database {args.database}"
    meta = {
        "incidents": args.incidents,
        "loads": args.loads,
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, {versions}",
        "date": dt.date.today().isoformat(),
        "command": command + (" --reuse" if args.reuse else ""),
    }
    section = document(runs, meta)
    print(section)
    if not args.no_write:
        new_doc = "# Benchmarks\n\nMeasured figures of borderwatch's benchmarks (`bench/`).\n\n"
        merge_section(DOC, DOC_BEGIN, DOC_END, section, new_doc)
        for entry in entries(runs, meta):
            merge_results(entry)
    return 0


if __name__ == "__main__":
    sys.exit(main())
