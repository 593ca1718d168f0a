"""The account pages (sign-in, password, API tokens, accounts), the export page, the error pages
and the public pages as a Thai reader meets them: no English word outside names, the forms'
labels above their fields and errors next to them, dates in Thai time, irreversible actions
asking first. And what the accounts page does beyond creating accounts: enable an account again,
reset a password."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import select

from gis.accounts import tokens
from gis.accounts import users as accounts
from gis.models import AccountChange, ApiToken, User
from gis.parsing import THAI_TIME
from gis.types import AccountChangeKind, Role
from tests.webapp.signin import PASSWORD, csrf_token, make_user, sign_in
from tests.webapp.thai_text import english_words, read_text
from webapp.i18n import local_time
from webapp.vocab import label

pytestmark = pytest.mark.db

THAI = {"Accept-Language": "th"}
ENGLISH = {"Accept-Language": "en"}
LAO_SCRIPT = re.compile("[\u0e80-\u0eff]")
THAI_SCRIPT = re.compile("[\u0e00-\u0e7f]")
NEW_PASSWORD = "another long passphrase"
#: The user names the accounts page shows (the header names the signed-in administrator).
ADMIN_PAGE_NAMES = ("noi", "head", "admin")


def thai_page(client, path: str, status: int = 200, names: tuple[str, ...] = ()) -> str:
    """The page at ``path`` read by a Thai browser; it says it is Thai and has no English word
    outside names."""
    resp = client.get(path, headers=THAI)
    assert resp.status_code == status, path
    page = resp.get_data(as_text=True)
    assert '<html lang="th">' in page, path
    assert english_words(page, names) == [], path
    return page


def thai_year(instant: dt.datetime) -> int:
    """The Buddhist-era year of ``instant`` in Thai time."""
    return instant.astimezone(THAI_TIME).year + 543


def controls_have_labels(page: str) -> None:
    """Every visible form control of ``page`` has a label naming it (``<label for>``)."""
    labelled = set(re.findall(r'<label for="([^"]+)"', page))
    for control in re.findall(r"<(?:input|select|textarea)\b[^>]*>", page):
        if re.search(r'type="(?:hidden|submit)"', control):
            continue
        found = re.search(r'\bid="([^"]+)"', control)
        assert found and found.group(1) in labelled, control


@pytest.fixture
def admin(client, session):
    make_user(session, Role.ADMINISTRATOR, "head-admin")
    make_user(session, Role.COORDINATOR, "noi", district="TH5703")
    session.commit()
    assert sign_in(client, "head-admin").status_code == 302
    return client


def test_the_check_finds_english_outside_names():
    page = (
        '<p>ส่ง Send the report</p><button aria-label="Close it">x</button>'
        "<code>curl -H Bearer</code><script>const a = 'Hidden';</script><p>QGIS somchai</p>"
    )
    assert english_words(page) == ["Close", "Send", "it", "report", "somchai", "the"]
    assert english_words(page, names=["somchai", "Send", "the", "report", "Close", "it"]) == []
    assert "Hidden" not in read_text(page) and "curl" not in read_text(page)


def test_the_sign_in_page_is_thai_with_its_error(client, session):
    page = thai_page(client, "/login")
    controls_have_labels(page)
    assert re.search(r'<label for="username">ชื่อผู้ใช้</label>\s*<input', page)  # label above
    make_user(session, Role.OFFICER, "somchai")
    token = csrf_token(client)
    resp = client.post(
        "/login",
        data={"username": "somchai", "password": "wrong password 123", "csrf_token": token},
        headers=THAI,
    )
    failed = resp.get_data(as_text=True)
    assert english_words(failed) == []
    assert 'role="alert">ไม่พบชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง' in failed


def test_the_password_page_is_thai_and_shows_its_tokens_in_thai_time(app, client, session):
    user = make_user(session, Role.OFFICER, "somchai")
    tokens.create_token(session, user, "คิวจีไอเอส")
    session.commit()
    sign_in(client, "somchai")
    page = thai_page(client, "/account/password", names=("somchai",))
    controls_have_labels(page)
    made = session.execute(select(ApiToken.created_at)).scalar_one()
    with app.test_request_context("/", headers=THAI):
        shown = local_time(made)
    assert f"{shown}</td>" in page and str(thai_year(made)) in shown
    assert re.search(r'<form[^>]*revoke-all"[^>]*data-confirm="[^"]+"', page)

    # a too short new password: the message next to its field, in Thai
    resp = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "short",
            "confirm": "short",
            "csrf_token": csrf_token(client),
        },
        headers=THAI,
    )
    page = resp.get_data(as_text=True)
    error = re.search(r'<p class="bw-field-error" id="new_password-error">([^<]+)</p>', page)
    shortest, longest = accounts.MIN_PASSWORD_LENGTH, accounts.MAX_PASSWORD_LENGTH
    assert error and error.group(1) == f"รหัสผ่านต้องมี {shortest} ถึง {longest} ตัวอักษร"
    assert english_words(page, names=("somchai",)) == []


def test_the_token_page_is_thai_and_shows_a_new_token_once(client, session):
    make_user(session, Role.HQ_ANALYST, "analyst")
    session.commit()
    sign_in(client, "analyst")
    thai_page(client, "/account/tokens", names=("analyst",))
    resp = client.post(
        "/account/tokens",
        data={"name": "แล็ปท็อป", "current_password": PASSWORD, "csrf_token": csrf_token(client)},
        headers=THAI,
    )
    page = resp.get_data(as_text=True)
    assert english_words(page, names=("analyst",)) == []  # the commands are code
    assert '<code class="bw-code-box">curl -H "Authorization: Bearer bw_' in html.unescape(page)
    listing = thai_page(client, "/account/tokens", names=("analyst",))
    assert re.search(r'<form[^>]*/revoke"[^>]*data-confirm="[^"]*แล็ปท็อป', listing)
    # a wrong password: said next to the password field
    resp = client.post(
        "/account/tokens",
        data={"name": "x", "current_password": "not it", "csrf_token": csrf_token(client)},
        headers=THAI,
    )
    page = resp.get_data(as_text=True)
    assert '<p class="bw-field-error" id="current_password-error">รหัสผ่านปัจจุบันไม่ถูกต้อง</p>' in page


def test_the_accounts_page_is_thai_with_labels_thai_places_and_confirmations(app, admin):
    page = thai_page(admin, "/admin/users", names=ADMIN_PAGE_NAMES)
    controls_have_labels(page)
    with app.test_request_context("/", headers=THAI):
        coordinator = label(Role.COORDINATOR)
    row = page.split('id="account-noi"', 1)[1].split("</tr>", 1)[0]
    assert f">{coordinator}</td>" in row and "อ.เชียงของ จ.เชียงราย" in row
    assert ">coordinator<" not in page  # never the stored code
    for action in ("disable", "role", "password"):
        assert re.search(
            rf'<form[^>]*action="/admin/users/noi/{action}"[^>]*data-confirm="[^"]*noi', page
        ), action
    # the administrator's own account offers no role or password form
    own = page.split('id="account-head-admin"', 1)[1].split("</details>", 1)[0]
    assert "/admin/users/head-admin/role" not in own
    assert "/admin/users/head-admin/password" not in own


def test_the_accounts_page_shows_errors_next_to_the_new_accounts_fields(admin):
    resp = admin.post(
        "/admin/users",
        data={
            "username": "x1y",
            "role": "officer",
            "password": PASSWORD,
            "confirm": "not the same password",
            "csrf_token": csrf_token(admin),
        },
        headers=THAI,
    )
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    error = re.search(r'<p class="bw-field-error" id="new-confirm-error">([^<]+)</p>', page)
    assert error and error.group(1) == "รหัสผ่านทั้งสองช่องไม่ตรงกัน"
    field = re.search(r'<input[^>]*id="new-confirm"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert english_words(page, names=ADMIN_PAGE_NAMES) == []


def test_an_administrator_enables_an_account_again(admin, session):
    token = csrf_token(admin)
    assert admin.post("/admin/users/noi/disable", data={"csrf_token": token}).status_code == 302
    assert sign_in(admin.application.test_client(), "noi").status_code == 200  # refused
    resp = admin.post("/admin/users/noi/enable", data={"csrf_token": token}, headers=ENGLISH)
    assert resp.status_code == 302
    page = admin.get("/admin/users", headers=ENGLISH).get_data(as_text=True)
    assert "Account noi enabled: it can sign in again." in html.unescape(page)
    assert sign_in(admin.application.test_client(), "noi").status_code == 302
    noi = accounts.get_user(session, "noi")
    kinds = session.execute(
        select(AccountChange.what, AccountChange.old_value, AccountChange.new_value)
        .where(AccountChange.user_id == noi.id, AccountChange.what == AccountChangeKind.ACTIVE)
        .order_by(AccountChange.id)
    ).all()
    assert [tuple(k) for k in kinds] == [
        (AccountChangeKind.ACTIVE, "true", "false"),
        (AccountChangeKind.ACTIVE, "false", "true"),
    ]
    assert admin.post("/admin/users/nobody/enable", data={"csrf_token": token}).status_code == 404


def test_an_administrator_resets_a_password_and_ends_its_sessions(app, admin, session):
    noi_browser = app.test_client()
    assert sign_in(noi_browser, "noi").status_code == 302
    resp = admin.post(
        "/admin/users/noi/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(admin)},
    )
    assert resp.status_code == 302
    assert noi_browser.get("/account/password").status_code == 302  # signed out
    assert sign_in(app.test_client(), "noi").status_code == 200  # the old password fails
    assert sign_in(app.test_client(), "noi", NEW_PASSWORD).status_code == 302
    noi = accounts.get_user(session, "noi")
    head = accounts.get_user(session, "head-admin")
    reset = session.execute(
        select(AccountChange.by_id).where(
            AccountChange.user_id == noi.id, AccountChange.what == AccountChangeKind.PASSWORD_RESET
        )
    ).scalar_one()
    assert reset == head.id


@pytest.mark.parametrize(
    ("username", "form", "status"),
    [
        ("noi", {"password": NEW_PASSWORD, "confirm": "something else entirely"}, 400),
        ("noi", {"password": "short", "confirm": "short"}, 400),
        ("head-admin", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, 403),
    ],
)
def test_a_password_reset_that_cannot_be_done_changes_nothing(
    admin, session, username, form, status
):
    before = {u.username: u.password_hash for u in session.execute(select(User)).scalars()}
    resp = admin.post(
        f"/admin/users/{username}/password",
        data={**form, "csrf_token": csrf_token(admin)},
        headers=THAI,
    )
    assert resp.status_code == status
    assert english_words(resp.get_data(as_text=True), names=ADMIN_PAGE_NAMES) == []
    session.expire_all()
    after = {u.username: u.password_hash for u in session.execute(select(User)).scalars()}
    assert after == before


def test_a_password_reset_of_no_such_account_is_a_404(admin):
    resp = admin.post(
        "/admin/users/nobody/password",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": csrf_token(admin)},
        headers=THAI,
    )
    assert resp.status_code == 404
    page = resp.get_data(as_text=True)
    assert 'role="alert">ไม่พบบัญชีนี้</p>' in page  # the domain error, in Thai
    assert english_words(page, names=ADMIN_PAGE_NAMES) == []


def test_the_export_page_is_thai(client, session):
    make_user(session, Role.HQ_ANALYST, "analyst")
    session.commit()
    sign_in(client, "analyst")
    page = thai_page(client, "/export", names=("analyst",))
    controls_have_labels(page)


@pytest.mark.parametrize(
    ("role", "method", "path", "status", "heading"),
    [
        (None, "GET", "/no-such-page", 404, "ไม่พบหน้านี้"),
        (Role.OFFICER, "GET", "/no-such-page", 404, "ไม่พบหน้านี้"),
        (Role.OFFICER, "GET", "/admin/users", 403, "คุณไม่มีสิทธิ์เปิดหน้านี้"),
        (Role.OFFICER, "DELETE", "/export", 405, "ที่อยู่นี้ไม่รองรับคำขอแบบนี้"),
    ],
)
def test_error_pages_are_thai_with_a_way_back(client, session, role, method, path, status, heading):
    if role is not None:
        make_user(session, role, "someone")
        session.commit()
        sign_in(client, "someone")
    headers = {**THAI}
    if method != "GET":
        headers["X-CSRFToken"] = csrf_token(client)
    resp = client.open(path, method=method, headers=headers)
    assert resp.status_code == status
    page = resp.get_data(as_text=True)
    assert '<html lang="th">' in page and f"<h1>{heading}</h1>" in page
    assert re.search(r'<a class="bw-btn bw-btn-primary" href="/">กลับไปที่แผนที่</a>', page)
    message = re.search(r'<p id="error-message">([^<]+)</p>', page)
    assert message and THAI_SCRIPT.search(message.group(1))  # what happened, in Thai
    assert english_words(page, names=("someone",)) == []


def test_the_public_pages_keep_their_languages_and_the_shared_look(client):
    page = thai_page(client, "/report?lang=th")
    assert "/static/css/base.css" in page and "/static/vendor/fonts/fonts.css" in page
    assert 'class="bw-nav"' not in page and "bw-lang-choice" not in page  # no staff header
    for code in ("th", "en", "lo", "km"):
        assert f'href="/report?lang={code}"' in page
    lao = client.get("/report?lang=lo").get_data(as_text=True)
    assert '<html lang="lo">' in lao and LAO_SCRIPT.search(read_text(lao))
    assert english_words(lao) == []
    # the categories are the vocabulary's labels, in Lao too
    assert "ການລັກລອບຂົນສິນຄ້າ" in lao
    thai_page(client, "/report/AAAAA-AAAAA-AAAAA-AAAAA", status=404)


def test_the_public_pages_category_labels_are_the_vocabularys(app):
    from babel.messages.pofile import read_po

    from gis.types import IncidentCategory
    from webapp.i18n import TRANSLATIONS
    from webapp.public.views import PUBLIC_LABELS

    with app.test_request_context("/", headers=ENGLISH):
        english = {label(c) for c in IncidentCategory}
    assert set(PUBLIC_LABELS) == english
    for lang in ("lo", "km"):
        with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalog = read_po(po)
        assert all(catalog.get(text) and catalog.get(text).string for text in english), lang


def test_a_dates_year_is_buddhist_era_on_the_accounts_page(app, admin, session):
    noi = accounts.get_user(session, "noi")
    page = admin.get("/admin/users", headers=THAI).get_data(as_text=True)
    with app.test_request_context("/", headers=THAI):
        created = local_time(noi.created_at)
    assert created in page and str(thai_year(noi.created_at)) in created
