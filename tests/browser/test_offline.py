"""The field app without a signal, in headless Chromium at phone size in Thai: the service worker
installed online keeps the shell, the layers and "My reports"; with the app's server stopped and
the browser offline (``set_offline`` alone does not stop a service worker's own fetches) the app
opens from the cache, draws the kept layers, takes two reports (one with a photo) into the
outbox; back online they are stored once each, the photo shrunk on the phone. A new deployment's
worker waits for "Reload" and takes over without losing a report waiting in the outbox."""

from __future__ import annotations

import io
import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFilter
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, select
from werkzeug.serving import make_server

from gis.models import Incident, IncidentPhoto
from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, OUTPUT
from tests.browser.test_pindrop import ARANYAPRATHET, fill_form, outbox, tap_at
from tests.webapp.signin import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]

PHONE = {"width": 390, "height": 844}
WORKER = Path(__file__).resolve().parents[2] / "webapp" / "static" / "sw" / "sw.js"
SHELL_READY = """() => !!(window.borderwatch && window.borderwatch.pindrop &&
    document.querySelectorAll('path.bw-layer-districts').length > 100)"""
#: The map of the district at zoom 12: the shell's scripts ran and the kept districts drew.
DISTRICT_DRAWN = """() => !!(window.borderwatch && window.borderwatch.pindrop &&
    document.querySelectorAll('path.bw-layer-districts').length > 0)"""
CONTROLLED = "() => !!navigator.serviceWorker.controller"


class Server:
    """The app on a fixed port of 127.0.0.1 that can be stopped and started again (the phone
    loses and finds the signal)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.port = 0
        self.server: Any = None
        self.thread: threading.Thread | None = None

    def start(self) -> str:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            assert self.thread is not None
            self.thread.join(timeout=10)
            self.server = None


@pytest.fixture
def worker_file(tmp_path: Path) -> Path:
    """A copy of the built service worker, which the test "deploys" again changed."""
    if not WORKER.is_file():
        pytest.fail("the service worker is not built: run `make assets`")
    copy = tmp_path / "sw.js"
    shutil.copyfile(WORKER, copy)
    return copy


@pytest.fixture
def app_server(database_url: str, vendor_assets: Path, worker_file: Path) -> Iterator[Server]:
    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "TILE_URL": "",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "SERVICE_WORKER_PATH": str(worker_file),
        }
    )
    server = Server(app)
    server.start()
    yield server
    server.stop()
    app.extensions["borderwatch.db"].engine.dispose()


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    """The test's accounts and their reports, deleted afterwards."""
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def phone(tmp_path: Path) -> Iterator[Any]:
    """A Thai phone: Chromium at 390x844, th-TH, a fresh profile (service workers allowed)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=PHONE,
            locale="th-TH",
            timezone_id="Asia/Bangkok",
        )
        context.on("dialog", lambda dialog: dialog.accept())
        try:
            yield context
        finally:
            context.close()


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A 12 MP JPEG as a phone's camera writes it (quality 92): a river scene's smooth sky and
    water with fine detail, so that its bytes are a photo's, not a flat image's."""
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


def stored(engine: Engine, user_id: int) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """The user's reports: id, category and the sizes of their photos."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Incident.id, Incident.category)
            .where(Incident.reporter_id == user_id)
            .order_by(Incident.id)
        ).all()
        result = []
        for row in rows:
            photos = conn.execute(
                select(IncidentPhoto.width, IncidentPhoto.height).where(
                    IncidentPhoto.incident_id == row.id
                )
            ).all()
            result.append((row.id, str(row.category), [(p.width, p.height) for p in photos]))
        return result


def wait_stored(engine: Engine, user_id: int, count: int, page: Any) -> None:
    for _ in range(120):
        if len(stored(engine, user_id)) >= count and not outbox(page):
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"not stored: {stored(engine, user_id)}, outbox {outbox(page)}")


def wait_kept(page: Any, paths: list[str]) -> None:
    """Wait until the worker's caches hold each of ``paths``."""
    for _ in range(60):
        kept = page.evaluate(
            "(paths) => Promise.all(paths.map((p) => caches.match(p))).then((r) => r.map(Boolean))",
            paths,
        )
        if all(kept):
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"not kept: {dict(zip(paths, kept, strict=True))}")


def offline(server: Server, phone: Any) -> None:
    server.stop()
    phone.set_offline(True)


def online(server: Server, phone: Any) -> None:
    server.start()
    phone.set_offline(False)


def test_the_field_app_opens_and_reports_without_a_signal(
    app_server: Server,
    phone: Any,
    committed: Committed,
    engine: Engine,
    worker_file: Path,
) -> None:
    shots = OUTPUT / "offline"
    shots.mkdir(parents=True, exist_ok=True)
    officer = committed.user(Role.OFFICER, f"offline-{uuid.uuid4().hex[:8]}", district="TH2706")
    base = f"http://127.0.0.1:{app_server.port}"
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # online: sign in, the worker installs and takes the page; the shell, the layers (at the
    # district's zoom too) and My reports pass through it once and are kept
    page.goto(base + "/login?next=/app")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/app")
    page.wait_for_function(SHELL_READY, timeout=30_000)
    page.wait_for_function(CONTROLLED, timeout=30_000)
    # the first visit is enough: once the worker controls the page, the page has it keep the
    # shell, its script, My reports and the catalogue (its own requests left before the worker)
    wait_kept(page, ["/app", "/app/map.js", "/my-reports"])
    assert (
        page.evaluate(
            "() => caches.open('bw-catalogues').then((c) => c.keys()).then((k) => k.length)"
        )
        == 1
    )
    page.evaluate(
        "([lat, lon]) => window.borderwatch.pindrop.map.setView([lat, lon], 12, {animate: false})",
        list(ARANYAPRATHET),
    )
    page.wait_for_load_state("networkidle")
    manifest = page.evaluate(
        "() => fetch(document.querySelector('link[rel=manifest]').href).then(r => r.json())"
    )
    assert manifest["start_url"] == "/app" and manifest["short_name"] == "เฝ้าระวังชายแดน"

    # no signal: the server is gone and the phone is offline
    offline(app_server, phone)
    page.goto(base + "/app#map=12/13.69280/102.50660")
    page.wait_for_function(DISTRICT_DRAWN, timeout=30_000)
    banner = page.locator("#bw-connection")
    banner.wait_for(state="visible")
    assert "ไม่มีสัญญาณ" in banner.inner_text()
    # the district's layers drew from the copies (the incidents' from the worker's cache, the
    # reference layers possibly from the browser's HTTP cache: max-age 300); none failed
    state = page.evaluate(
        """() => { const bw = window.borderwatch;
            return bw.findLayer(bw.pindrop.map, 'incidents').state(); }"""
    )
    assert state["on"] and not state["error"] and not state["loading"], state
    page.click("#bw-layers-button")
    page.screenshot(path=str(shots / "offline-layers-phone.png"))
    page.click("#bw-layers-button")
    page.screenshot(path=str(shots / "offline-map-phone.png"))
    assert_accessible(page)

    # two reports, the first with a 12 MP photo, both kept in the outbox
    photo = camera_photo()
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "smuggling", "ขนบุหรี่ลงเรือที่ท่าน้ำ")
    page.set_input_files(
        "#pd-photo", files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    page.click("#pd-submit")
    page.wait_for_function("() => document.querySelector('#pd-form').hidden", timeout=30_000)
    tap_at(page, ARANYAPRATHET[0] + 0.002, ARANYAPRATHET[1] + 0.002)
    fill_form(page, "illegal_entry", "คนข้ามแดนทางช่องทางธรรมชาติ")
    page.click("#pd-submit")
    page.wait_for_function("() => document.querySelector('#pd-form').hidden", timeout=30_000)
    waiting = outbox(page)
    assert [item["state"] for item in waiting] == ["waiting", "waiting"]
    assert [item["photo"] for item in waiting] == [True, False]
    page.wait_for_selector("#pd-outbox", state="visible")
    assert "2" in page.inner_text("#pd-outbox-status")
    page.screenshot(path=str(shots / "offline-outbox-phone.png"))
    assert stored(engine, officer.id) == []

    # My reports opens from the copy too, with the two reports waiting above it
    page.goto(base + "/my-reports")
    page.wait_for_selector("#my-outbox", state="visible")
    assert page.locator("#my-reports-made").is_visible()
    page.screenshot(path=str(shots / "offline-my-reports-phone.png"), full_page=True)

    # the signal returns: both are stored once, the photo shrunk on the phone
    online(app_server, phone)
    page.goto(base + "/app")
    page.wait_for_function(SHELL_READY, timeout=30_000)
    wait_stored(engine, officer.id, 2, page)
    reports = {category: photos for _, category, photos in stored(engine, officer.id)}
    assert {category: len(photos) for category, photos in reports.items()} == {
        "smuggling": 1,
        "illegal_entry": 0,
    }
    width, height = reports["smuggling"][0]
    assert max(width, height) <= 2048 and (width, height) == (2048, 1536)
    assert page.locator("#bw-connection").is_hidden()

    # a new deployment: its worker waits for "Reload"; a report made meanwhile survives it
    worker_file.write_text(worker_file.read_text() + "\n// deployment 2\n")
    page.evaluate("() => window.bw.serviceWorker.update()")
    page.wait_for_selector("#bw-update", state="visible", timeout=30_000)
    page.screenshot(path=str(shots / "update-ready-phone.png"))
    offline(app_server, phone)
    tap_at(page, ARANYAPRATHET[0] - 0.002, ARANYAPRATHET[1])
    fill_form(page, "human_trafficking", "รถตู้รับคนที่ชายแดน")
    page.click("#pd-submit")
    page.wait_for_function("() => document.querySelector('#pd-form').hidden", timeout=30_000)
    assert len(outbox(page)) == 1
    with page.expect_navigation(timeout=30_000):
        page.click("#bw-update-reload")  # the new worker takes over, the page loads again
    page.wait_for_function(DISTRICT_DRAWN, timeout=30_000)
    assert page.evaluate(
        """() => navigator.serviceWorker.getRegistration().then((r) =>
            !r.waiting && r.active === navigator.serviceWorker.controller)"""
    )
    assert page.locator("#bw-update").is_hidden()
    assert len(outbox(page)) == 1  # the new worker kept the report waiting
    online(app_server, phone)
    page.reload()
    page.wait_for_function(DISTRICT_DRAWN, timeout=30_000)
    wait_stored(engine, officer.id, 3, page)
    assert sorted(category for _, category, _ in stored(engine, officer.id)) == [
        "human_trafficking",
        "illegal_entry",
        "smuggling",
    ]
    assert not errors, errors


def test_signing_out_empties_the_kept_copies_but_keeps_the_outbox(
    app_server: Server, phone: Any, committed: Committed
) -> None:
    officer = committed.user(Role.OFFICER, f"offline-{uuid.uuid4().hex[:8]}", district="TH2706")
    base = f"http://127.0.0.1:{app_server.port}"
    page = phone.new_page()
    page.goto(base + "/login?next=/app")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_function(CONTROLLED, timeout=30_000)
    wait_kept(page, ["/app"])
    page.reload()
    page.wait_for_function(SHELL_READY, timeout=30_000)
    names = page.evaluate("() => caches.keys()")
    assert "bw-shell" in names and "bw-layers" in names
    key = page.evaluate("() => window.borderwatch.pindrop.storageKey")
    page.evaluate("(k) => localStorage.setItem(k, '[]')", key)
    page.click(".bw-bar-toggle")
    page.click(".bw-account summary")
    page.click("#sign-out")
    page.wait_for_url(base + "/login")
    names = page.evaluate("() => caches.keys()")
    assert not {"bw-shell", "bw-pages", "bw-layers"} & set(names), names
    assert page.evaluate("(k) => localStorage.getItem(k)", key) == "[]"
