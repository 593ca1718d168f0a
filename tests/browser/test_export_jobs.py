"""The export jobs page (``GET /exports``) in headless Chromium, in Thai: an HQ analyst starts a
GeoPackage job, watches its progress while a real worker (``borderwatch worker --once``'s
function) writes it, downloads it, and GDAL opens the file; at phone size (390x844) and at
1366x900, with no serious or critical axe-core violation and no sideways scrolling."""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, text

from gis.jobs import run_worker
from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.db, pytest.mark.gdal]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def exports(engine: Engine, committed: Committed, tmp_path: Path) -> Iterator[Path]:
    """The export folder; the test's jobs, their audit rows and worker jobs deleted after."""
    with engine.connect() as conn:
        last_job = conn.execute(
            text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs")
        ).scalar_one()
    yield tmp_path / "exports"
    with engine.begin() as conn:
        users = {"ids": committed.user_ids}
        conn.execute(text("DELETE FROM export_file WHERE user_id = ANY(:ids)"), users)
        conn.execute(text("DELETE FROM export_audit WHERE user_id = ANY(:ids)"), users)
        conn.execute(
            text("DELETE FROM procrastinate.procrastinate_jobs WHERE id > :id"), {"id": last_job}
        )


def _browser() -> Any:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_an_analyst_starts_a_geopackage_job_watches_it_and_downloads_it(
    start_server, database_url, engine, committed, exports, output_dir, tmp_path, size
):
    base = start_server(TILE_URL="", EXPORT_DIR=str(exports))
    analyst = committed.user(Role.HQ_ANALYST, f"jobs-hq-{uuid.uuid4().hex[:8]}", "Malee (HQ)")
    _browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                locale="th-TH", viewport=SIZES[size], accept_downloads=True
            )
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(page, base, analyst.username)

            response = page.goto(base + "/exports")
            assert response is not None and response.status == 200
            assert page.get_attribute("html", "lang") == "th"
            assert page.inner_text("h1") == "งานส่งออกข้อมูล"
            assert page.locator("#jobs-empty").is_visible()
            assert not page.locator("#export-jobs").is_visible()  # no header over no job

            page.select_option("#job-collection", "districts")
            page.select_option("#job-format", "gpkg")
            page.click("#job-start")
            row = page.locator("#export-jobs tbody tr").first
            row.locator(".bw-job-status", has_text="รอตัวประมวลผล").wait_for()
            assert not page.locator("#jobs-empty").is_visible()
            assert row.locator("progress").get_attribute("value") == "0"
            page.screenshot(path=str(output_dir / f"export-jobs-{size}-th-waiting.png"))

            worker = threading.Thread(
                target=run_worker,
                args=(database_url, engine),
                kwargs={
                    "once": True,
                    "queues": ["exports"],
                    "install_signal_handlers": False,
                    "settings": {"EXPORT_DIR": str(exports), "EXPORT_KEEP_DAYS": 7},
                },
            )
            worker.start()
            worker.join(120)
            assert not worker.is_alive()
            # the page's polling shows the job done, its bar full, a download link
            row.locator(".bw-job-status", has_text="พร้อมดาวน์โหลด").wait_for(timeout=15_000)
            assert row.locator("progress").get_attribute("value") == "1"
            link = row.locator("a", has_text="ดาวน์โหลด")
            assert link.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
            assert_accessible(page)
            page.screenshot(path=str(output_dir / f"export-jobs-{size}-th.png"), full_page=True)

            with page.expect_download() as info:
                link.click()
            saved = tmp_path / "downloaded.gpkg"
            info.value.save_as(saved)
            assert info.value.suggested_filename.endswith(".gpkg")
            frame = pyogrio.read_dataframe(saved)
            assert len(frame) > 0 and frame.geometry.notna().all()
            assert errors == []
        finally:
            browser.close()
