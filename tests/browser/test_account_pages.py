"""The account pages, the export page, an error page and the public report in headless Chromium,
in Thai (``th-TH``), at 390x844 and 1366x900: sign-in (a wrong password, then the right one),
the password page, the token page (a token made and revoked, which asks first), the accounts
page of an administrator (an account's forms opened, an account disabled after the question),
the export page of an HQ analyst, a 404 page and the public report form.

Each page says it is Thai, shows no English word outside names (its text, commands and user
names in ``<code>`` aside), scrolls nothing sideways, has no serious or critical axe-core
violation, and leaves a screenshot in ``test-output/accounts/`` (look at them).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, delete, select

from gis.models import ApiToken, ExportAudit, User
from gis.types import Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webapp.signin import PASSWORD
from tests.webapp.thai_text import english_in

pytestmark = [pytest.mark.browser, pytest.mark.db]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "accounts"
#: The text a reader reads: the page's text nodes outside scripts, styles and code (commands,
#: user names), each on its own.
READ_TEXT = """() => {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => node.parentElement.closest("script, style, code")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
  });
  const parts = [];
  while (walk.nextNode()) parts.push(walk.currentNode.nodeValue);
  return parts.join(" ");
}"""


@pytest.fixture
def world(engine: Engine) -> Iterator[dict[str, Any]]:
    """An administrator, an HQ analyst and a coordinator with Thai display names (user names
    of letters and digits: ``accadmin123456``)."""
    rows = Committed(engine)
    tag = str(uuid.uuid4().int)[:6]
    users = {
        Role.ADMINISTRATOR: rows.user(Role.ADMINISTRATOR, f"accadmin{tag}", "ประเสริฐ ดูแลระบบ"),
        Role.HQ_ANALYST: rows.user(Role.HQ_ANALYST, f"accanalyst{tag}", "วิภา วิเคราะห์"),
        Role.COORDINATOR: rows.user(
            Role.COORDINATOR, f"acccoord{tag}", "อรุณี ประสาน", district="TH5703"
        ),
    }
    try:
        yield {"users": users, "names": {"accadmin", "accanalyst", "acccoord"}}
    finally:
        with engine.begin() as conn:
            ids = [u.id for u in users.values()]
            conn.execute(delete(ExportAudit).where(ExportAudit.user_id.in_(ids)))
            conn.execute(delete(ApiToken).where(ApiToken.user_id.in_(ids)))
        rows.clean_up()


@pytest.fixture
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def thai_page(browser: Any, size: str) -> tuple[Any, list[str]]:
    """A new page of a Thai browser at ``size``; its uncaught errors are collected, and its
    questions (data-confirm) answered yes and collected."""
    context = browser.new_context(
        locale="th-TH", viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone"
    )
    page = context.new_page()
    seen: list[str] = []
    page.on("pageerror", lambda error: seen.append(f"error: {error}"))

    def answer(dialog: Any) -> None:
        seen.append(f"asked: {dialog.message}")
        dialog.accept()

    page.on("dialog", answer)
    return page, seen


def check(page: Any, name: str, names: set[str] = frozenset(), lang: str = "th") -> None:
    """The page is in ``lang``, shows no English outside names, fits the screen and passes axe;
    its screenshot is saved."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.lang") == lang, name
    words = english_in(page.evaluate(READ_TEXT), names)
    assert words == [], f"{name}: English {words}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{name}: scrolls sideways by {overflow} px"
    assert_accessible(page)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url, page.inner_text("main")


@pytest.mark.parametrize("size", list(SIZES))
def test_sign_in_and_the_404_page_in_thai(live_server, chromium, world, size):
    page, seen = thai_page(chromium, size)
    page.goto(live_server + "/login")
    assert page.inner_text("h1") == "เข้าสู่ระบบ"
    # the labels are above their fields
    label_box = page.locator("label[for=username]").bounding_box()
    field_box = page.locator("#username").bounding_box()
    assert label_box and field_box and label_box["y"] + label_box["height"] <= field_box["y"] + 1
    check(page, f"{size}-login")
    page.fill("#username", "nobody-here")
    page.fill("#password", "a wrong password")
    page.click("main button[type=submit]")
    page.wait_for_selector("#login-error")
    assert page.inner_text("#login-error") == "ไม่พบชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    check(page, f"{size}-login-failed")

    answer = page.goto(live_server + "/no-such-page")
    assert answer is not None and answer.status == 404
    assert page.inner_text("h1") == "ไม่พบหน้านี้"
    check(page, f"{size}-404")
    page.click("text=กลับไปที่แผนที่")  # the way back
    page.wait_for_load_state()
    assert page.url == live_server + "/"
    assert seen == []
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_an_analyst_changes_password_makes_and_revokes_a_token_and_exports(
    live_server, chromium, world, size
):
    analyst = world["users"][Role.HQ_ANALYST]
    names = world["names"]
    page, seen = thai_page(chromium, size)
    sign_in(page, live_server, analyst.username)

    page.goto(live_server + "/account/password")
    assert page.inner_text("h1") == "เปลี่ยนรหัสผ่าน"
    check(page, f"{size}-password", names)

    page.goto(live_server + "/account/tokens")
    check(page, f"{size}-tokens-empty", names)
    page.fill("#name", "คิวจีไอเอสในแล็ปท็อป")
    page.fill("#current_password", PASSWORD)
    page.click("#token-form button[type=submit]")
    page.wait_for_selector("#new-token")
    assert page.input_value("#new-token").startswith("bw_")
    check(page, f"{size}-tokens-new", names)

    page.goto(live_server + "/account/tokens")
    page.click("#token-list form button")  # revoke: asks first
    page.wait_for_load_state()
    assert any(q.startswith("asked: เพิกถอนโทเคน คิวจีไอเอสในแล็ปท็อป") for q in seen), seen
    assert page.locator("#token-list .bw-badge").inner_text().startswith("เพิกถอนแล้วเมื่อ")
    check(page, f"{size}-tokens-revoked", names)

    page.goto(live_server + "/export")
    assert page.inner_text("h1") == "ส่งออกข้อมูล"
    assert page.locator("#sensitive-export").is_visible()
    check(page, f"{size}-export", names)
    assert not [s for s in seen if s.startswith("error")]
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_an_administrator_manages_accounts_in_thai(
    live_server, chromium, world, engine: Engine, size
):
    admin = world["users"][Role.ADMINISTRATOR]
    coordinator = world["users"][Role.COORDINATOR]
    names = world["names"]
    page, seen = thai_page(chromium, size)
    sign_in(page, live_server, admin.username)
    page.goto(live_server + "/admin/users")
    assert page.inner_text("h1") == "บัญชีผู้ใช้"
    row = page.locator(f"#account-{coordinator.username}")
    assert "อ.เชียงของ จ.เชียงราย" in row.inner_text()
    check(page, f"{size}-accounts", names)

    manage = page.locator(f"#account-{coordinator.username} + tr details")
    manage.locator("summary").click()
    assert manage.locator(f"#role-{coordinator.username}").is_visible()
    manage.scroll_into_view_if_needed()
    check(page, f"{size}-accounts-manage", names)

    manage.locator(".bw-btn-danger").click()  # disable: asks first
    page.wait_for_load_state()
    assert any(q.startswith(f"asked: ระงับบัญชี {coordinator.username}") for q in seen), seen
    flash = page.locator(".bw-flash-done").inner_text()
    assert flash == f"ระงับบัญชี {coordinator.username} แล้ว การเข้าสู่ระบบของบัญชีนี้สิ้นสุดทั้งหมด"
    with engine.connect() as conn:
        active = conn.scalar(select(User.is_active).where(User.id == coordinator.id))
    assert active is False
    check(page, f"{size}-accounts-disabled", names)
    assert not [s for s in seen if s.startswith("error")]
    page.context.close()


@pytest.mark.parametrize("size", list(SIZES))
def test_the_public_report_in_thai_and_lao_in_the_shared_look(live_server, chromium, size):
    page, seen = thai_page(chromium, size)
    page.goto(live_server + "/report")
    assert page.inner_text("h1") == "แจ้งเหตุ"
    assert page.locator(".bw-nav").count() == 0  # no staff navigation
    font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Sarabun"') or font.startswith("Sarabun"), font
    check(page, f"{size}-report")
    page.click(".bw-public-langs a[lang=lo]")
    page.wait_for_load_state()
    assert page.url.endswith("/report?lang=lo")
    check(page, f"{size}-report-lo", lang="lo")
    assert not seen
    page.context.close()
