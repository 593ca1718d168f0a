"""Every role's pages in Thai, at phone and desktop size, as a new user meets them.

For each role (anonymous, officer, village security volunteer, coordinator, patrol planner, HQ
analyst, administrator) and each page the header offers it (plus the pages reached from them:
an incident, a patrol sheet, the public report), at 390x844 and 1366x900, headless Chromium
with a Thai browser (``th-TH``):

- the page says it is Thai (``<html lang="th">``) and shows no English word outside names (the
  visible text of the page, read by the browser, checked against :data:`NAMES`);
- nothing scrolls sideways;
- axe-core finds no serious or critical violation;
- a screenshot is saved under ``test-output/workspace/`` (look at them).

The header's language switch is also tried: English, then back to Thai, kept on the account.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import sync_playwright
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gis.models import HotspotRun, PatrolPlan, User
from gis.patrols.plans import create_plan, parse_plan
from gis.types import IncidentCategory, Role
from tests.browser.axe import assert_accessible
from tests.browser.committed import Committed
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.patrol_data import HOME, make_run
from tests.webapp.signin import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "workspace"
#: Words that are names, the same on a Thai page (the project, formats, agencies' acronyms,
#: map attribution).
NAMES = {
    "NTS", "Mekong", "Watch", "MWCC", "API", "OGC", "GeoJSON", "GeoPackage", "CSV", "QGIS",
    "JSON", "URL", "ID", "QR", "PNG", "JPEG", "WebP", "MB", "km", "Leaflet", "OpenStreetMap",
    "OSM", "HDX", "OCHA", "geoBoundaries", "Natural", "Earth", "CC", "BY", "IGO", "ODbL",
    "Gi", "DBSCAN", "English", "LINE", "PDR", "Lao", "KML", "Shapefile", "FlatGeobuf",
    "GeoParquet", "borderwatch", "GADM", "UTC", "EPSG", "WGS", "GIS", "UTM", "TH", "GDAL",
    "Features", "PDF", "Excel", "Google", "zip",
}  # fmt: skip
#: In the page: the text people read, without what is not meant to be Thai: code and command
#: examples (code, pre, kbd, samp), the data sources' citations (their titles as published),
#: names marked as another language (lang="en") or as not to
#: be translated (translate="no"), and hidden elements.
VISIBLE_TEXT = """() => {
    const skip = 'code, pre, kbd, samp, script, style, noscript, [translate="no"], .bw-citations,'
        + ' [lang]:not([lang="th"]):not(html)';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(skip)) continue;
        if (parent.checkVisibility && !parent.checkVisibility({visibilityProperty: true})) continue;
        parts.push(node.textContent);
    }
    return parts.join(' ');
}"""
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
THAI = re.compile("[\u0e00-\u0e7f]")
CHIANG_KHONG = "TH5703"
CATEGORIES = (
    IncidentCategory.SMUGGLING,
    IncidentCategory.DRUG_TRAFFICKING,
    IncidentCategory.ILLEGAL_ENTRY,
)


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def world(engine: Engine, committed: Committed) -> Iterator[dict[str, Any]]:
    """An account of every role (Thai display names), incidents of Chiang Khong, a finished
    hotspot run and a patrol plan made from it."""
    tag = uuid.uuid4().hex[:6]
    users = {
        Role.OFFICER: committed.user(
            Role.OFFICER, f"ws-officer-{tag}", "สมชาย ใจดี", district=CHIANG_KHONG
        ),
        Role.VOLUNTEER: committed.user(
            Role.VOLUNTEER, f"ws-volunteer-{tag}", "บุญมี ศรีสุข", district=CHIANG_KHONG
        ),
        Role.COORDINATOR: committed.user(
            Role.COORDINATOR, f"ws-coordinator-{tag}", "อรุณี ประสาน", district=CHIANG_KHONG
        ),
        Role.PATROL_PLANNER: committed.user(
            Role.PATROL_PLANNER, f"ws-planner-{tag}", "อนงค์ วางแผน", province="TH57"
        ),
        Role.HQ_ANALYST: committed.user(Role.HQ_ANALYST, f"ws-analyst-{tag}", "วิภา วิเคราะห์"),
        Role.ADMINISTRATOR: committed.user(
            Role.ADMINISTRATOR, f"ws-admin-{tag}", "ประเสริฐ ดูแลระบบ"
        ),
    }
    now = dt.datetime.now(dt.UTC)
    incidents = [
        committed.incident(
            (HOME[0] + 0.01 * i, HOME[1] + 0.005 * i),
            category=category,
            occurred_at=now - dt.timedelta(hours=6 + 30 * i),
            description="พบรถกระบะขนสินค้าข้ามแม่น้ำโขงตอนกลางคืน",
            reporter=users[Role.OFFICER] if i % 2 else None,
        )
        for i, category in enumerate(CATEGORIES)
    ]
    planner = users[Role.PATROL_PLANNER]
    with Session(engine, expire_on_commit=False) as session:
        hotspots = make_run(
            session,
            [(HOME[0] + 0.02, HOME[1]), (HOME[0] - 0.02, HOME[1] + 0.01)],
            reporter_id=users[Role.OFFICER].id,
        )
        run_id = hotspots[0].run_id
        session.commit()
        me = session.get_one(User, planner.id)
        request = parse_plan(
            {
                "district": CHIANG_KHONG,
                "unit": "border_patrol_police",
                "planned_for": (dt.date.today() + dt.timedelta(days=1)).isoformat(),
                "hotspot_ids": [h.id for h in hotspots],
            },
            dt.date.today(),
        )
        plan_id = create_plan(session, request, me).plan.id
        session.commit()
    try:
        yield {"users": users, "incidents": incidents, "plan": plan_id}
    finally:
        with engine.begin() as conn:
            ids = list(committed.user_ids)
            conn.execute(delete(PatrolPlan).where(PatrolPlan.created_by_id.in_(ids)))
            conn.execute(delete(HotspotRun).where(HotspotRun.id == run_id))


def pages_of(world: dict[str, Any]) -> dict[str | None, list[str]]:
    """Each role's pages: the header's pages and those reached from them."""
    incident, plan = world["incidents"][0], world["plan"]
    mine = ["/", "/my-reports", "/account/password", "/account/tokens", "/export", "/help"]
    return {
        None: ["/login", "/report", "/about", "/"],
        Role.OFFICER: [*mine, "/desk/new", "/notifications", "/account/notifications"],
        Role.VOLUNTEER: ["/", "/my-reports", "/help"],
        Role.COORDINATOR: [
            "/review",
            f"/review/incidents/{incident}",
            "/desk/new",
            "/my-reports",
            "/planner",
            "/dashboard",
            "/cooperation",
            "/cooperation/new",
            "/cooperation/budget",
            "/export",
            "/account/notifications",
            "/reference/edit",
        ],
        Role.PATROL_PLANNER: [
            "/planner",
            f"/patrols/{plan}/sheet",
            "/dashboard",
            "/cooperation",
            "/export",
        ],
        Role.HQ_ANALYST: [
            "/",
            "/planner",
            f"/review/incidents/{incident}",
            "/dashboard",
            "/cooperation/national",
            "/export",
            "/exports",
        ],
        Role.ADMINISTRATOR: [
            "/admin/users",
            "/",
            "/account/tokens",
            "/cooperation/budget",
            "/admin/notifications",
            "/reference/edit",
            "/reference/review",
        ],
    }


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


def signed_in(browser: Any, base: str, username: str | None, size: str) -> Any:
    context = browser.new_context(
        locale="th-TH",
        viewport=SIZES[size],
        is_mobile=size == "phone",
        has_touch=size == "phone",
    )
    page = context.new_page()
    if username:
        page.goto(base + "/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        assert "/login" not in page.url, page.inner_text("main")
    return page


#: Identifiers such as user names (demo-officer, ws-admin-1a2b): not words of a language.
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)+")


def english_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(_IDENTIFIER.sub(" ", text)) if word not in NAMES]


def check_page(page: Any, name: str) -> list[str]:
    """What is wrong with the page as it is now: language, English words, sideways scrolling;
    axe fails the test by itself. Saves the screenshot."""
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != "th":
        problems.append(f"<html lang={lang!r}>")
    visible = page.evaluate(VISIBLE_TEXT)
    words = english_words(visible)
    if words:
        problems.append(f"English: {sorted(set(words))[:15]}")
    if not THAI.search(visible):
        problems.append("no Thai text at all")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:
        problems.append(f"scrolls sideways by {overflow} px")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=False)
    return problems


@pytest.mark.parametrize("size", list(SIZES))
def test_every_role_meets_only_thai_and_accessible_pages(
    live_server: str, world: dict[str, Any], chromium: Any, size: str
):
    found: dict[str, list[str]] = {}
    for role, paths in pages_of(world).items():
        user = world["users"][role] if role else None
        page = signed_in(chromium, live_server, user.username if user else None, size)
        for path in paths:
            answer = page.goto(live_server + path)
            assert answer is not None and answer.ok, f"{role} {path}: {answer and answer.status}"
            page.wait_for_load_state("networkidle")
            who = role.value if role else "anonymous"
            name = f"{size}-{who}-{path.strip('/').replace('/', '-') or 'map'}"
            problems = check_page(page, name)
            try:
                assert_accessible(page)
            except AssertionError as failure:
                problems.append(f"axe: {failure}")
            if problems:
                found[f"{who} {path}"] = problems
        page.context.close()
    assert not found, "\n".join(f"{where}: {what}" for where, what in found.items())


def test_the_language_switch_changes_every_page_and_stays(
    live_server: str, world: dict[str, Any], chromium: Any, engine: Engine
):
    officer = world["users"][Role.OFFICER]
    page = signed_in(chromium, live_server, officer.username, "desktop")
    page.goto(live_server + "/account/password")
    page.click(".bw-lang [data-lang=en]")
    page.wait_for_load_state()
    assert page.url.endswith("/account/password")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Change password" in page.inner_text("main")
    with Session(engine) as session:
        chosen = session.scalar(select(User.language).where(User.id == officer.id))
    assert chosen == "en"
    # a new browser of the same account (Thai by its settings) reads English too
    other = signed_in(chromium, live_server, officer.username, "phone")
    other.goto(live_server + "/")
    assert other.evaluate("document.documentElement.lang") == "en"
    other.context.close()
    page.click(".bw-lang [data-lang=th]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "th"
    assert THAI.search(page.inner_text("main"))
    page.context.close()


def test_the_header_menu_opens_on_a_phone(live_server: str, world: dict[str, Any], chromium: Any):
    coordinator = world["users"][Role.COORDINATOR]
    page = signed_in(chromium, live_server, coordinator.username, "phone")
    page.goto(live_server + "/account/password")
    menu = page.locator("#bw-menu")
    assert not menu.is_visible()
    page.click(".bw-bar-toggle")
    assert menu.is_visible()
    assert page.get_attribute(".bw-bar-toggle", "aria-expanded") == "true"
    links = page.locator(".bw-nav a").all_inner_texts()
    assert "คัดกรองรายงาน" in links and "แผนที่" in links
    page.click(".bw-bar-toggle")
    assert not menu.is_visible()
    page.context.close()


def test_the_check_sees_english_and_sideways_scrolling(live_server: str, chromium: Any):
    """The check itself: it finds an English word and a page wider than the screen."""
    page = signed_in(chromium, live_server, None, "phone")
    page.goto(live_server + "/login")
    page.evaluate(
        "() => { const p = document.createElement('p'); p.textContent = 'Send the report';"
        " p.style.width = '900px'; document.querySelector('main').append(p);"
        " const c = document.createElement('code'); c.textContent = 'curl --header';"
        " document.querySelector('main').append(c); }"
    )
    problems = check_page(page, "check-itself")
    assert any("English" in p and "Send" in p for p in problems)
    assert not any("curl" in p for p in problems)  # a command example is not English text
    assert any("sideways" in p for p in problems)
    page.context.close()
