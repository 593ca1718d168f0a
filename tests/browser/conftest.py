"""Browser fixtures: the real app on 127.0.0.1 in a thread, and headless Debian Chromium.

Playwright drives the system's ``/usr/bin/chromium`` (no browser download). Each test gets a
fresh browser profile, so nothing is cached between tests and page weights are first visits.
``thai_browser`` opens pages as a Thai browser does (``th-TH``) at a given size, ``committed``
(tests/browser/committed.py) writes the rows the live server reads, and ``sign_in`` signs a page
in through the sign-in form.
"""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from tests.browser.committed import committed  # noqa: F401  (the fixture, for every module)
from tests.webapp.signin import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output"
VENDOR = ROOT / "webapp" / "static" / "vendor"
CHROMIUM = os.environ.get("BORDERWATCH_CHROMIUM", "/usr/bin/chromium")
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
VIEWPORT = {"width": 1280, "height": 800}


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port in a thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def vendor_assets() -> Path:
    """``webapp/static/vendor``, which ``make assets`` fills from the npm registry."""
    if not (VENDOR / "leaflet" / "leaflet.js").is_file():
        pytest.fail("Leaflet is not installed in webapp/static/vendor: run `make assets` first")
    return VENDOR


@pytest.fixture
def start_server(database_url: str, vendor_assets: Path) -> Iterator[Callable[..., str]]:
    """Start the real app (on the test database) with extra config; returns its base URL."""
    from webapp import create_app

    stack: list[Any] = []

    def start(**config: Any) -> str:
        settings = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            # the rate-limit counters of this server only: every run on the machine signs in
            # from 127.0.0.1, and a shared count of sign-ins (200 an hour) answered 429
            "RATELIMIT_KEY_PREFIX": f"browser-{uuid.uuid4().hex}",
        }
        app = create_app({**settings, **config})
        server = serve(app)
        stack.append((app, server))
        return server.__enter__()

    yield start
    for app, server in reversed(stack):
        server.__exit__(None, None, None)
        app.extensions["borderwatch.db"].engine.dispose()


@pytest.fixture
def live_server(start_server: Callable[..., str]) -> str:
    """Base URL of the app with no basemap (``TILE_URL`` empty): nothing leaves 127.0.0.1."""
    return start_server(TILE_URL="")


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[Any]:
    """A headless Chromium with a fresh profile and a 1280x800 viewport."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=VIEWPORT,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def thai_browser() -> Iterator[Callable[[dict[str, int]], Any]]:
    """New pages of a headless Chromium in Thai, each in a fresh context of the given size."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

        def new_page(viewport: dict[str, int]) -> Any:
            return browser.new_context(locale="th-TH", viewport=viewport).new_page()

        try:
            yield new_page
        finally:
            browser.close()


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign ``page`` in as ``username`` (the tests' password) through the sign-in form."""
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("body")


class PageLog:
    """What a page did: requests, console errors, uncaught exceptions and dialogs."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def page_and_log(browser_context: Any) -> tuple[Any, PageLog]:
    """A new page of the browser, with everything it requests and reports recorded."""
    page = browser_context.new_page()
    log = PageLog()
    page.on("request", lambda request: log.requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            log.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: log.page_errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        log.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page, log


@pytest.fixture
def output_dir() -> Path:
    """``test-output/`` at the repository root (ignored by git)."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
