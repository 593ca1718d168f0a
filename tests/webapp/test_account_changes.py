"""Account changes made on the pages and the command line are recorded with their author and
shown on the administrators' account page; nobody changes their own role there."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from gis.accounts import users as accounts
from gis.models import AccountChange, User
from gis.types import AccountChangeKind as Kind
from gis.types import Role
from tests.webapp.signin import PASSWORD, csrf_token, make_user, sign_in
from webapp.vocab import label

pytestmark = pytest.mark.db

ENGLISH = {"Accept-Language": "en"}


def changes_of(session, username: str) -> list[tuple[Kind, str | None, str | None, str | None]]:
    user = accounts.get_user(session, username)
    by = {u.id: u.username for u in session.execute(select(User)).scalars()}
    found = session.execute(
        select(AccountChange).where(AccountChange.user_id == user.id).order_by(AccountChange.id)
    ).scalars()
    return [(c.what, c.old_value, c.new_value, by.get(c.by_id)) for c in found]


@pytest.fixture
def admin(client, session):
    make_user(session, Role.ADMINISTRATOR, "head-admin")
    make_user(session, Role.ADMINISTRATOR, "second-admin")
    session.commit()
    assert sign_in(client, "head-admin").status_code == 302
    return client


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (ENGLISH, "You cannot change your own role: ask another administrator."),
        ({}, "คุณเปลี่ยนบทบาทของตนเองไม่ได้ โปรดให้ผู้ดูแลระบบคนอื่นเปลี่ยนให้"),
    ],
)
def test_an_administrator_cannot_change_their_own_role(admin, session, headers, message):
    before = changes_of(session, "head-admin")
    resp = admin.post(
        "/admin/users/head-admin/role",
        data={"role": "hq_analyst", "csrf_token": csrf_token(admin)},
        headers=headers,
    )
    assert resp.status_code == 403
    assert message in html.unescape(resp.get_data(as_text=True))
    me = accounts.get_user(session, "head-admin")
    session.refresh(me)
    assert (me.role, me.session_version) == (Role.ADMINISTRATOR, 1)
    assert changes_of(session, "head-admin") == before
    assert admin.get("/admin/users").status_code == 200  # still signed in, still administrator


def test_changes_on_the_admin_page_are_recorded_and_listed(app, admin, session):
    form = {
        "username": "noi",
        "display_name": "Noi",
        "role": "coordinator",
        "district": "TH5703",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_token(admin),
    }
    assert admin.post("/admin/users", data=form).status_code == 302
    token = csrf_token(admin)
    assert (
        admin.post(
            "/admin/users/noi/role",
            data={"role": "patrol_planner", "csrf_token": token, "province": "TH57"},
        ).status_code
        == 302
    )
    assert admin.post("/admin/users/noi/disable", data={"csrf_token": token}).status_code == 302
    assert changes_of(session, "noi") == [
        (Kind.CREATED, None, "coordinator district:TH5703", "head-admin"),
        (Kind.ROLE, "coordinator", "patrol_planner", "head-admin"),
        (Kind.SCOPE, "district:TH5703", "province:TH57", "head-admin"),
        (Kind.ACTIVE, "true", "false", "head-admin"),
    ]
    page = admin.get("/admin/users", headers=ENGLISH).get_data(as_text=True)
    assert shown_changes(page)[:4] == [
        ["noi", "Enabled or disabled", "Enabled", "Disabled", "head-admin"],
        ["noi", "Area changed", "Chiang Khong, Chiang Rai", "Chiang Rai province", "head-admin"],
        ["noi", "Role changed", "MWCC coordinator", "Patrol planner", "head-admin"],
        ["noi", "Account created", "", "MWCC coordinator, Chiang Khong, Chiang Rai", "head-admin"],
    ]
    thai = admin.get("/admin/users").get_data(as_text=True)  # the values in words, in Thai
    assert shown_changes(thai)[1][2:4] == ["อ.เชียงของ จ.เชียงราย", "จังหวัดเชียงราย"]
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        roles = [label(Role.COORDINATOR), label(Role.PATROL_PLANNER)]
    assert shown_changes(thai)[2][2:4] == roles


def shown_changes(page: str) -> list[list[str]]:
    """The cells of the account changes' table after the time: account, change, before, after,
    by."""
    table = page.split('id="account-changes"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("</tr>")
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in row[1:]] for row in cells if row
    ]


def test_an_accounts_own_changes_are_recorded_as_its_own(client, session):
    make_user(session, Role.HQ_ANALYST, "analyst")
    session.commit()
    assert sign_in(client, "analyst").status_code == 302
    made = client.post(
        "/account/tokens",
        data={"name": "QGIS", "current_password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert made.status_code == 200
    resp = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "another long passphrase",
            "confirm": "another long passphrase",
            "csrf_token": csrf_token(client),
        },
    )
    assert resp.status_code == 200
    kinds = [(c[0], c[3]) for c in changes_of(session, "analyst")]
    assert kinds[1:] == [
        (Kind.TOKEN_MADE, "analyst"),
        (Kind.PASSWORD_CHANGED, "analyst"),
        (Kind.TOKEN_REVOKED, "analyst"),  # the password change ends the token
    ]


def test_command_line_changes_are_recorded_without_an_author(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "somchai", "--role", "officer", "--district", "TH5703",
              "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=["user", "set-password", "somchai", "--password-stdin"],
        input="another long passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert changes_of(session, "somchai") == [
        (Kind.CREATED, None, "officer district:TH5703", None),
        (Kind.PASSWORD_RESET, None, None, None),
    ]
