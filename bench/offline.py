"""The field app on a slow phone link: first visit, return visit, opening offline, photo size.

An officer of Aranyaprathet opens the field app (``/app``, the installable shell that the
service worker keeps; see docs/offline.md) on a phone: headless Chromium at 390x844 in Thai
(``th-TH``), a persistent browser profile (the service worker and its caches live in it), the
officer signed in before the first visit (once per run, with no page rendered, the session
cookie given to each new profile, which holds nothing else), the app under gunicorn as
``make run`` starts it. The link is Chromium's network emulation (Chrome DevTools Protocol
``Network.emulateNetworkConditions``: 1.6 Mbps down, 750 kbps up, 150 ms round trip) applied to
the page **and** to the service worker (see :class:`Link`), whose own fetches (the precache,
the network-first shell and layers) cross the same link.

For each load, in a new profile:

- **first visit**: the empty profile opens ``/app``. Time until usable (as bench/slowlink.py
  defines it: the Thai font loaded, the reference layers and the incidents drawn, the report
  button on screen) and the bytes the page received; then the time until the service worker
  controls the page, which it does once its install (the precache) has finished, and the bytes
  of that precache.
- **return visit**: the service worker is stopped (``ServiceWorker.stopAllWorkers``: the phone
  put the app away), started again and put on the link, and the same profile opens ``/app``
  again. Time until usable and the bytes
  that crossed the link: the page's responses not answered by the service worker
  (``response.fromServiceWorker``) plus the worker's own fetches that went to the network (not
  answered from the HTTP cache).
- **offline open**: the page and the worker emulated offline (no request leaves the browser);
  the same profile opens ``/app``: time until usable, from the copies the worker kept, with the
  offline banner on screen.
- **photo**: a 12 MP camera-like JPEG (:func:`camera_photo`, 4000x3000, quality 92, the
  picture of tests/browser/test_offline.py) shrunk in the page by ``bw.photo.shrink`` (the
  function the pin drop queues photos with): bytes before and after and the time it takes.

Bytes are the encoded (compressed) sizes the browser received, from the protocol's
``Network.loadingFinished``. Reference, in the same run: the same visits with no emulation
(the machine's loopback). Targets (issue 16): the return visit usable within 1.5 s on the slow
link; the photo uploaded in at most a fifth of its original bytes.

``make bench`` runs it on the data set that ``bench/demo.py --keep`` generated (``--reuse``).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import io
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from demo import drop_database, merge_results, merge_section, server_versions
from mapload import CHROMIUM, SCRATCH, prepare, serve
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright
from slowlink import MISSING, OFFICER, PHONE, SLOW_LINK, USABLE, officer

from gis.db import make_engine, normalise_url
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:offline begin -->"
DOC_END = "<!-- bench:offline end -->"
#: The Chromium of tests/browser/conftest.py: nothing in the background uses the link.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OFFLINE = {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
RETURN_TARGET_MS = 1_500.0
#: The photo crosses the link in at most this share of its original bytes.
PHOTO_TARGET = 1 / 5
TIMEOUT_MS = 120_000

#: In the page: performance.now() when the service worker took the page (it has installed,
#: precache included, and claims its clients).
CONTROLLED = "() => window.bwBenchControlled || false"
#: Before the page's scripts: note the moment a service worker takes the page.
NOTE_CONTROL = """if (navigator.serviceWorker) navigator.serviceWorker.addEventListener(
    'controllerchange', () => { window.bwBenchControlled = performance.now(); });"""
#: In the page: the offline banner is on screen.
BANNER = """() => { const b = document.getElementById('bw-connection');
    return !!b && !b.hidden && b.getBoundingClientRect().height > 0; }"""
#: In the page: shrink the photo (base64 JPEG) as the pin drop does; sizes and milliseconds.
SHRINK = """async (data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const file = new File([bytes], 'IMG_0412.jpg', {type: 'image/jpeg'});
    const started = performance.now();
    const shrunk = await window.bw.photo.shrink(file);
    const ms = performance.now() - started;
    const bitmap = await createImageBitmap(shrunk);
    return {before: file.size, after: shrunk.size, ms: ms, width: bitmap.width,
            height: bitmap.height, type: shrunk.type};
}"""


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG as a phone's camera writes it (quality 92): a river scene's smooth sky and
    water with fine detail, so that its bytes are a photo's, not a flat image's (the picture of
    tests/browser/test_offline.py)."""
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(180 * y / height)
        draw.line([(0, y), (width, y)], fill=(70 + shade // 3, 120 + shade // 4, 200 - shade // 2))
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    image = Image.blend(image, noise, 0.25).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92)
    return out.getvalue()


class Link:
    """The emulated link of one page and of the service worker it reaches, and what crossed
    it: the page's responses by type (those the worker did not answer), the worker's own
    fetches that went to the network.

    Chromium emulates the network per target: the page's emulation leaves the worker's fetches
    (its precache, the network-first shell and layers) at full speed. So the worker is given
    the same link: a worker that starts for the page is attached before it runs
    (``Target.setAutoAttach``, waiting for the debugger), and one already running is attached
    before the page opens (``Target.attachToTarget``).
    """

    def __init__(
        self, context: Any, page: Any, conditions: dict[str, Any] | None, origin: str
    ) -> None:
        self.conditions = conditions
        self.page_bytes: dict[str, float] = defaultdict(float)
        self.worker_bytes = 0.0
        self.worker_requests = 0
        self.crossed: list[str] = []
        #: target id -> the one session whose events count for that worker
        self.workers: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        self._urls: dict[str, str] = {}
        self._from_worker: set[str] = set()
        self._cached: set[str] = set()
        self._pending: set[int] = set()
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Target.attachedToTarget", self._attached)
        self.cdp.on("Target.receivedMessageFromTarget", self._message)
        self.cdp.send("Network.enable")
        if conditions is not None:
            self.cdp.send("Network.emulateNetworkConditions", conditions)
        self.cdp.send(
            "Target.setAutoAttach",
            {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": False},
        )
        for target in self.cdp.send("Target.getTargets")["targetInfos"]:
            if target["type"] == "service_worker" and target["url"].startswith(origin + "/"):
                attached = self.cdp.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
                )
                self._worker(target["targetId"], attached["sessionId"])

    def settle(self, page: Any) -> None:
        """Wait until the workers attached so far have taken their link (their answers come as
        events, which the page's waits deliver)."""
        for _ in range(500):
            if not self._pending:
                return
            page.wait_for_timeout(10)
        raise SystemExit("the service worker did not take the emulated link")

    def _response(self, event: dict[str, Any]) -> None:
        self._kinds[event["requestId"]] = event["type"]
        self._urls[event["requestId"]] = event["response"]["url"]
        if event["response"].get("fromServiceWorker"):
            self._from_worker.add(event["requestId"])

    def _finished(self, event: dict[str, Any]) -> None:
        rid = event["requestId"]
        if rid in self._from_worker:
            return
        self.page_bytes[self._kinds.get(rid, "Other")] += event["encodedDataLength"]
        self.crossed.append(f"{self._urls.get(rid)} ({event['encodedDataLength']:.0f} bytes)")

    def _to_target(self, session: str, method: str, params: dict[str, Any] | None = None) -> None:
        message = {"id": secrets.randbelow(2**31), "method": method, "params": params or {}}
        self._pending.add(message["id"])
        self.cdp.send(
            "Target.sendMessageToTarget", {"sessionId": session, "message": json.dumps(message)}
        )

    def _worker(self, target: str, session: str) -> None:
        """The worker's network events counted, its link set (once per worker)."""
        if target in self.workers:
            return
        self.workers[target] = session
        self._to_target(session, "Network.enable")
        if self.conditions is not None:
            self._to_target(session, "Network.emulateNetworkConditions", self.conditions)

    def _attached(self, event: dict[str, Any]) -> None:
        session = event["sessionId"]
        if event["targetInfo"]["type"] == "service_worker":
            self._worker(event["targetInfo"]["targetId"], session)
        if event.get("waitingForDebugger"):
            self._to_target(session, "Runtime.runIfWaitingForDebugger")

    def _message(self, event: dict[str, Any]) -> None:
        session = event["sessionId"]
        if session not in self.workers.values():
            return
        message = json.loads(event["message"])
        self._pending.discard(message.get("id", -1))
        method, params = message.get("method"), message.get("params", {})
        rid = session + params.get("requestId", "")
        if method == "Network.responseReceived":
            response = params["response"]
            self._urls[rid] = response["url"]
            if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
                self._cached.add(rid)
        elif method == "Network.loadingFinished" and rid not in self._cached:
            self.worker_bytes += params["encodedDataLength"]
            self.worker_requests += 1
            self.crossed.append(
                f"worker: {self._urls.get(rid)} ({params['encodedDataLength']:.0f} bytes)"
            )


def sign_in(pw: Any, base: str, password: str) -> list[dict[str, Any]]:
    """The officer's session cookie: signed in once, through a browser's cookie jar (no page is
    rendered), and given to every new profile, so that no service worker registers and
    nothing is cached before the first visit (and the sign-in's rate limit is not the
    benchmark's business)."""
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(locale="th-TH")
        form = context.request.get(base + "/login").text()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert token, "no CSRF token on the sign-in page"
        answer = context.request.post(
            base + "/login",
            form={"csrf_token": token.group(1), "username": OFFICER, "password": password},
            max_redirects=0,
        )
        assert answer.status == 302, f"sign-in refused: {answer.status}"
        cookies: list[dict[str, Any]] = context.cookies()
    finally:
        browser.close()
    return cookies


def usable(page: Any, what: str) -> float:
    try:
        handle = page.wait_for_function(USABLE, polling="raf", timeout=TIMEOUT_MS)
    except PlaywrightTimeout:
        raise SystemExit(f"the {what} never became usable: {page.evaluate(MISSING)}") from None
    return float(handle.json_value())


def visit(context: Any, base: str, conditions: dict[str, Any] | None) -> tuple[Any, Link]:
    """A new page of ``context`` on the link, with the field app opened."""
    page = context.new_page()
    link = Link(context, page, conditions, base)
    link.settle(page)
    page.goto(base + "/app", timeout=TIMEOUT_MS)
    assert page.url == base + "/app", f"the field app did not open: {page.url}"
    return page, link


def restart_worker(context: Any, origin: str) -> None:
    """The phone put the app away: its service worker is stopped, then started again before the
    next open, so that the open's :class:`Link` attaches to it before it answers anything (its
    start-up, tens of milliseconds, is not part of the open)."""
    session = context.new_cdp_session(context.pages[0])
    session.send("ServiceWorker.enable")
    session.send("ServiceWorker.stopAllWorkers")
    session.send("ServiceWorker.startWorker", {"scopeURL": origin + "/"})
    for _ in range(200):
        targets = session.send("Target.getTargets")["targetInfos"]
        if any(t["type"] == "service_worker" for t in targets):
            break
        context.pages[0].wait_for_timeout(25)
    else:
        raise SystemExit("the service worker did not start again")
    session.detach()


def phone_loads(
    pw: Any, base: str, cookies: list[dict[str, Any]], slow: bool, photo: str
) -> dict[str, Any]:
    """One new profile's first visit, return visit, offline open and photo shrink."""
    conditions = SLOW_LINK if slow else None
    profile = tempfile.mkdtemp(prefix="bw-offline-bench-")
    context = pw.chromium.launch_persistent_context(
        profile,
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport=PHONE,
        locale="th-TH",
        timezone_id="Asia/Bangkok",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    try:
        # the profile's first tab stays open: closing a browser's last tab ends its session
        # (and the session cookie with it)
        context.add_cookies(cookies)
        context.add_init_script(NOTE_CONTROL)

        page, link = visit(context, base, conditions)
        first_ms = usable(page, "first visit")
        controlled = page.wait_for_function(CONTROLLED, polling=50, timeout=TIMEOUT_MS)
        controlled_ms = float(controlled.json_value())
        page.wait_for_load_state("networkidle")
        first = {
            "ms": first_ms,
            "bytes": dict(link.page_bytes),
            "controlled_ms": controlled_ms,
            "page_bytes": sum(link.page_bytes.values()),
            "precache_bytes": link.worker_bytes,
            "precache_requests": link.worker_requests,
        }
        page.close()

        restart_worker(context, base)
        page, link = visit(context, base, conditions)
        again = {"ms": usable(page, "return visit")}
        page.wait_for_load_state("networkidle")
        again["page_bytes"] = sum(link.page_bytes.values())
        again["worker_bytes"] = link.worker_bytes
        again["bytes"] = again["page_bytes"] + again["worker_bytes"]
        again["crossed"] = link.crossed
        shrunk = page.evaluate(SHRINK, photo)
        page.close()

        restart_worker(context, base)
        page, link = visit(context, base, OFFLINE)
        gone = {"ms": usable(page, "offline open")}
        page.wait_for_function(BANNER, timeout=TIMEOUT_MS)
        gone["bytes"] = sum(link.page_bytes.values()) + link.worker_bytes
        gone["crossed"] = link.crossed
        lang = page.evaluate("document.documentElement.lang")
        page.close()
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)
    return {"first": first, "return": again, "offline": gone, "photo": shrunk, "lang": lang}


def browse(port: int, password: str, loads: int) -> dict[str, list[dict[str, Any]]]:
    base = f"http://127.0.0.1:{port}"
    photo = base64.b64encode(camera_photo()).decode("ascii")
    runs: dict[str, list[dict[str, Any]]] = {"slow": [], "loopback": []}
    with sync_playwright() as pw:
        cookies = sign_in(pw, base, password)
        phone_loads(pw, base, cookies, False, photo)  # warm the server, not the browser
        for i in range(loads):
            for name in ("loopback", "slow"):
                run = phone_loads(pw, base, cookies, name == "slow", photo)
                assert run["lang"] == "th", f"the field app is not Thai: {run['lang']}"
                crossed = run["offline"]["crossed"]
                assert not crossed, f"requests crossed the offline link: {crossed}"
                runs[name].append(run)
            slow = runs["slow"][-1]
            print(
                f"  load {i + 1}/{loads}: slow link first {slow['first']['ms']:.0f} ms, "
                f"return {slow['return']['ms']:.0f} ms, offline {slow['offline']['ms']:.0f} ms; "
                f"loopback first {runs['loopback'][-1]['first']['ms']:.0f} ms",
                flush=True,
            )
    return runs


def med(runs: list[dict[str, Any]], visit_name: str, key: str) -> float:
    return statistics.median(r[visit_name][key] for r in runs)


def worst(runs: list[dict[str, Any]], visit_name: str, key: str) -> float:
    return max(r[visit_name][key] for r in runs)


def figures(runs: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    slow, loop = runs["slow"], runs["loopback"]
    kinds: dict[str, list[float]] = defaultdict(list)
    for run in slow:
        for kind, size in run["first"]["bytes"].items():
            kinds[kind].append(size)
    photos = [r["photo"] for r in slow + loop]
    return {
        "slow": {
            v: {"median": med(slow, v, "ms"), "worst": worst(slow, v, "ms")}
            for v in ("first", "return", "offline")
        },
        "loopback": {
            v: {"median": med(loop, v, "ms"), "worst": worst(loop, v, "ms")}
            for v in ("first", "return", "offline")
        },
        "controlled": {"slow": med(slow, "first", "controlled_ms"),
                       "loopback": med(loop, "first", "controlled_ms")},
        "first_bytes": med(slow, "first", "page_bytes"),
        "first_kinds": {k: statistics.median(v) for k, v in kinds.items()},
        "precache_bytes": med(slow, "first", "precache_bytes"),
        "precache_requests": med(slow, "first", "precache_requests"),
        "return_bytes": med(slow, "return", "bytes"),
        "return_min": min(r["return"]["bytes"] for r in slow),
        "return_max": max(r["return"]["bytes"] for r in slow),
        "return_page_bytes": med(slow, "return", "page_bytes"),
        "return_worker_bytes": med(slow, "return", "worker_bytes"),
        "loop_first_bytes": med(loop, "first", "page_bytes"),
        "loop_return_bytes": med(loop, "return", "bytes"),
        "photo_before": statistics.median(p["before"] for p in photos),
        "photo_after": statistics.median(p["after"] for p in photos),
        "photo_ms": statistics.median(p["ms"] for p in photos),
        "photo_size": f"{photos[0]['width']}x{photos[0]['height']}",
        "photo_type": photos[0]["type"],
    }  # fmt: skip


def upload_seconds(size: float) -> float:
    """Seconds to send ``size`` bytes up the slow link (its upload rate alone)."""
    return size / SLOW_LINK["uploadThroughput"]


def document(runs: dict[str, list[dict[str, Any]]], meta: dict[str, Any]) -> str:
    f = figures(runs)
    kib = 1024
    rows = "\n".join(
        f"| {kind} | {size / kib:.1f} |"
        for kind, size in sorted(f["first_kinds"].items(), key=lambda kv: -kv[1])
    )
    ratio = f["photo_after"] / f["photo_before"]
    return_verdict = "met" if f["slow"]["return"]["worst"] < RETURN_TARGET_MS else "**not met**"
    photo_verdict = "met" if ratio <= PHOTO_TARGET else "**not met**"
    s, lo = f["slow"], f["loopback"]
    visits = "\n".join(
        f"| {title} | {s[v]['median']:.0f} | {s[v]['worst']:.0f} | {lo[v]['median']:.0f} | "
        f"{lo[v]['worst']:.0f} |"
        for v, title in (
            ("first", "first visit"),
            ("return", "return visit"),
            ("offline", "offline open"),
        )
    )
    before, after = f["photo_before"] / kib, f["photo_after"] / kib
    return f"""## The field app on a slow phone link (`bench/offline.py`)

The officer of Aranyaprathet opens the field app `/app` on a 390x844 phone screen in Thai, in a
browser profile of its own (the service worker and its caches live there), signed in. The slow
link is Chromium's network emulation, 1.6 Mbps down, 750 kbps up and 150 ms round trip, applied
to the page **and** to the service worker's own fetches (emulating the page alone leaves the
worker's precache and network-first fetches at loopback speed). Usable means what it means for
the map (`bench/slowlink.py`): the Thai font loaded, the reference layers and the incidents
drawn, the report button on screen. {meta["incidents"]:,} incidents stored; {meta["loads"]} new
profiles on each link, alternating; each profile makes the three visits in turn.

- **First visit**: the empty profile opens `/app`; then the service worker installs (precaches
  the scripts, styles, fonts and icons) and takes the page.
- **Return visit**: the worker stopped (the phone put the app away) and started again just
  before the open (so that it is on the emulated link before it answers anything; its start-up,
  tens of milliseconds, is not counted), the same profile opens `/app` again. The scripts,
  styles and fonts come from the worker's precache; the shell, its map script, the layers and
  `/api/session` go over the link (network first), except the reference layers the browser's
  HTTP cache still holds (`max-age` 300 s); the scripts' catalogue crosses once more, the first
  time the worker sees it (the first visit's page loaded it before the worker existed).
- **Offline open**: the page and the worker offline; `/app` opens from the copies the worker
  kept, with the offline banner on screen. No byte crossed the link.

| visit | slow link: median ms until usable | worst ms | loopback: median ms | worst ms |
| --- | ---: | ---: | ---: | ---: |
{visits}

The service worker took the page (installed, its precache done) {f["controlled"]["slow"]:.0f} ms
after the first visit began on the slow link ({f["controlled"]["loopback"]:.0f} ms on loopback):
Workbox's install fetches the precached files one after another ({f["precache_requests"]:.0f}
fetches over the link), a round trip each, so a phone that loses the signal in the first
seconds after its first visit has the page but not yet the copies that open it offline.

Bytes over the slow link (compressed, median of the loads):

| what | KiB |
| --- | ---: |
| first visit: the page until it settled | {f["first_bytes"] / kib:.0f} |
| first visit: the worker's precache | {f["precache_bytes"] / kib:.0f} |
| return visit: all that crossed the link (loads from {f["return_min"] / kib:.1f} to \
{f["return_max"] / kib:.1f}) | {f["return_bytes"] / kib:.1f} |
| of which the page's own requests (not answered by the worker) | \
{f["return_page_bytes"] / kib:.1f} |
| of which the worker's network-first fetches (shell, map script, layers) | \
{f["return_worker_bytes"] / kib:.1f} |
| offline open | 0 |

The first visit's page bytes by type:

| type | KiB |
| --- | ---: |
{rows}

**Photo**: a 12 MP camera-like JPEG (4000x3000 pixels, quality 92: a smooth sky and river
gradient under fine noise, so that it weighs what a phone's photo weighs; `camera_photo`, the
picture of tests/browser/test_offline.py) shrunk in the page by `bw.photo.shrink`, as the pin
drop does before it queues a photo: **{before:.0f} KiB before, {after:.0f} KiB after**
({f["photo_size"]}, {f["photo_type"]}), a ratio of **{ratio:.3f}** (1/{1 / ratio:.1f}), in
{f["photo_ms"]:.0f} ms on this machine (median). At the link's 750 kbps up that is
{upload_seconds(f["photo_after"]):.1f} s of upload instead of \
{upload_seconds(f["photo_before"]):.1f} s (computed from the sizes, not measured).

Targets (issue 16): return visit usable within {RETURN_TARGET_MS / 1000:.1f} s on the slow link:
{return_verdict} (worst {s["return"]["worst"]:.0f} ms); photo upload at most 1/5 of the original
bytes: {photo_verdict} ({ratio:.3f}).

Machine: {meta["machine"]}; {meta["date"]}.

Reproduce: `{meta["command"]}`
"""


def entries(runs: dict[str, list[dict[str, Any]]], meta: dict[str, Any]) -> list[dict[str, Any]]:
    f = figures(runs)
    s, lo = f["slow"], f["loopback"]
    ratio = f["photo_after"] / f["photo_before"]

    def entry(name: str, value: float, unit: str, ref: str, ref_value: float | None) -> dict:
        return {
            "name": name,
            "value": round(value, 3 if value < 10 else 1),
            "unit": unit,
            "reference": ref,
            "reference_value": None if ref_value is None else round(ref_value, 3),
            "ratio": None if not ref_value else round(value / ref_value, 3),
            "command": meta["command"],
        }

    return [
        entry(
            "field app: return visit on a slow phone link, time until usable",
            s["return"]["worst"],
            "ms (worst of the loads)",
            "target",
            RETURN_TARGET_MS,
        ),
        entry(
            "field app: return visit, slow link against loopback (median)",
            s["return"]["median"],
            "ms",
            "the same visit over loopback, same run",
            lo["return"]["median"],
        ),
        entry(
            "field app: first visit, slow link against loopback (median)",
            s["first"]["median"],
            "ms",
            "the same visit over loopback, same run",
            lo["first"]["median"],
        ),
        entry(
            "field app: offline open from the service worker's copies (median)",
            s["offline"]["median"],
            "ms",
            "the return visit on the slow link, same run",
            s["return"]["median"],
        ),
        entry(
            "field app: bytes over the slow link, return visit against first visit",
            f["return_bytes"],
            "bytes (compressed, median)",
            "the first visit's page bytes, same run",
            f["first_bytes"],
        ),
        entry(
            "field app: the service worker's precache on the first visit",
            f["precache_bytes"],
            "bytes (compressed, median)",
            "none",
            None,
        ),
        entry(
            "field app: 12 MP photo shrunk on the phone, share of the original bytes",
            ratio,
            "ratio (bytes after / bytes before)",
            "target",
            PHOTO_TARGET,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument("--loads", type=int, default=5, help="new profiles on each link")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database", default=SCRATCH + "_offline", help="scratch database")
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
    os.environ["BORDERWATCH_RATELIMIT_KEY_PREFIX"] = f"bench-offline-{secrets.token_hex(6)}"
    load_before = os.getloadavg()[0]
    try:
        with serve(url) as server:
            runs = browse(server.port, password, args.loads)
    finally:
        if not args.keep and not args.reuse:
            drop_database(server_url, args.database)
    command = f".venv/bin/python bench/offline.py --incidents {args.incidents}"
    if args.database != parser.get_default("database"):
        command += f" --database {args.database}"
    command += f" --loads {args.loads}" if args.loads != parser.get_default("loads") else ""
    meta = {
        "incidents": args.incidents,
        "loads": args.loads,
        "machine": f"{os.cpu_count()} cores (load average {load_before:.1f} before the run, "
        f"{os.getloadavg()[0]:.1f} after it: the machine is shared), "
        f"{platform.system()} {platform.machine()}, {versions}",
        "date": dt.date.today().isoformat(),
        "command": command + (" --reuse" if args.reuse else ""),
    }
    section = document(runs, meta)
    print(section)
    if not args.no_write:
        new_doc = "# Benchmarks\n\nMeasured figures of borderwatch's benchmarks (`bench/`).\n\n"
        merge_section(DOC, DOC_BEGIN, DOC_END, section, new_doc)
        for item in entries(runs, meta):
            merge_results(item)
    return 0


if __name__ == "__main__":
    sys.exit(main())
