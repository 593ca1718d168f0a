"""Sign-in, server-side end of sessions, CSRF, the account admin page and the user CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from gis.accounts import users as accounts
from gis.models import User
from gis.types import Role
from tests.webapp.signin import PASSWORD, csrf_token, make_user, sign_in

pytestmark = pytest.mark.db

PRIVATE = "/account/password"  # any page that needs a signed-in account


def signed_in(client) -> bool:
    resp = client.get(PRIVATE)
    assert resp.status_code in (200, 302)
    return resp.status_code == 200


def masked(body: str) -> str:
    """The page without its CSRF tokens (signed with a timestamp, so they differ per second)."""
    body = re.sub(r'name="csrf-token" content="[^"]+"', "TOKEN", body)
    return re.sub(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]+"', r"\1TOKEN", body)


def test_sign_in_works_and_starts_a_fresh_session(client, session):
    make_user(session, Role.OFFICER, "somchai")
    csrf_token(client)
    with client.session_transaction() as before:
        before["planted"] = "by an attacker before sign-in"
        token_before = before["csrf_token"]
    cookie_before = client.get_cookie("session").value
    resp = sign_in(client, "somchai")
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    with client.session_transaction() as after:
        assert "planted" not in after  # session.clear() at sign-in
        assert after.get("csrf_token") != token_before
        assert after["_user_id"].endswith(":1")
    assert signed_in(client)
    assert client.get_cookie("session").value != cookie_before


def test_sign_in_goes_back_to_a_local_page_only(client, session):
    make_user(session, Role.OFFICER, "somchai")
    token = csrf_token(client)
    form = {"username": "somchai", "password": PASSWORD, "csrf_token": token}
    resp = client.post("/login?next=/account/password", data=form)
    assert resp.headers["Location"] == "/account/password"
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client.post("/logout", data={"csrf_token": csrf_token(client)})
        form["csrf_token"] = csrf_token(client)
        resp = client.post("/login", query_string={"next": target}, data=form)
        assert resp.headers["Location"] == "/", target


def test_unknown_user_and_wrong_password_get_the_identical_answer(app, session):
    make_user(session, Role.OFFICER, "somchai")
    make_user(session, Role.OFFICER, "retired")
    accounts.disable_user(session, "retired")
    answers = []
    for username, password in [
        ("somchai", "wrong password 123"),
        ("nobody-at-all", "wrong password 123"),
        ("retired", PASSWORD),
    ]:
        resp = sign_in(app.test_client(), username, password)
        answers.append((resp.status_code, masked(resp.get_data(as_text=True))))
    assert answers[0] == answers[1] == answers[2]
    status, body = answers[0]
    assert status == 200 and 'id="login-error"' in body
    assert "ไม่พบชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in body  # the page is Thai by default
    assert "somchai" not in body and "nobody-at-all" not in body


def test_a_cookie_captured_before_sign_out_is_refused_after_it(app, client, session):
    make_user(session, Role.OFFICER, "somchai")
    sign_in(client, "somchai")
    stolen = client.get_cookie("session").value
    resp = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 302 and not signed_in(client)

    replay = app.test_client()
    replay.set_cookie("session", stolen)
    resp = replay.get(PRIVATE)
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login")


def test_a_password_change_ends_the_other_sessions_only(app, session):
    make_user(session, Role.COORDINATOR, "malee")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "malee")
    sign_in(phone, "malee")
    new = "a brand new passphrase"
    resp = laptop.post(
        PRIVATE,
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(laptop),
        },
    )
    assert resp.status_code == 200 and 'id="password-changed"' in resp.get_data(as_text=True)
    assert signed_in(laptop)
    assert not signed_in(phone)
    assert sign_in(phone, "malee", PASSWORD).status_code == 200  # the old password fails
    assert sign_in(phone, "malee", new).status_code == 302


def test_a_wrong_current_password_changes_nothing(client, session):
    user = make_user(session, Role.OFFICER, "somchai")
    sign_in(client, "somchai")
    new = "a brand new passphrase"
    resp = client.post(
        PRIVATE,
        data={
            "current_password": "not my password",
            "new_password": new,
            "confirm": new,
            "csrf_token": csrf_token(client),
        },
        headers={"Accept-Language": "en"},
    )
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "the current password is wrong" in page
    # next to the field it is about, which says it is invalid and points to the message
    error = re.search(r'<p class="bw-field-error" id="current_password-error">([^<]*)</p>', page)
    assert error and "the current password is wrong" in error.group(1)
    field = re.search(r'<input[^>]*id="current_password"[^>]*>', page)
    assert field and 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="current_password-error"' in field.group(0)
    session.refresh(user)
    assert user.session_version == 1 and signed_in(client)


def test_disabling_an_account_ends_its_sessions(app, session):
    make_user(session, Role.ADMINISTRATOR, "admin")
    make_user(session, Role.OFFICER, "somchai")
    officer, admin = app.test_client(), app.test_client()
    sign_in(officer, "somchai")
    sign_in(admin, "admin")
    assert signed_in(officer)
    resp = admin.post("/admin/users/somchai/disable", data={"csrf_token": csrf_token(admin)})
    assert resp.status_code == 302
    assert not signed_in(officer)
    assert sign_in(officer, "somchai").status_code == 200  # refused


@pytest.mark.parametrize("path", ["/login", "/logout"])
def test_sign_in_and_sign_out_need_the_csrf_token(client, session, path):
    make_user(session, Role.OFFICER, "somchai")
    sign_in(client, "somchai")
    form = {"username": "somchai", "password": PASSWORD}
    assert client.post(path, data=form).status_code == 400
    assert client.post(path, data=form | {"csrf_token": "forged"}).status_code == 400
    assert signed_in(client)  # sign-out without the token did nothing


def test_a_token_from_another_session_is_refused(app, session):
    make_user(session, Role.OFFICER, "somchai")
    attacker, victim = app.test_client(), app.test_client()
    sign_in(victim, "somchai")
    resp = victim.post("/logout", data={"csrf_token": csrf_token(attacker)})
    assert resp.status_code == 400 and signed_in(victim)


def test_the_token_is_accepted_as_an_x_csrftoken_header(client, session):
    make_user(session, Role.OFFICER, "somchai")
    sign_in(client, "somchai")
    resp = client.post("/logout", headers={"X-CSRFToken": csrf_token(client)})
    assert resp.status_code == 302 and not signed_in(client)


def state_changing_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}):
            url = rule.rule
            for arg in rule.arguments:
                url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", "1", url)
            routes.append((method, url))
    return routes


#: The one route exempt from the CSRF token: LINE's webhook, which no browser session calls
#: and which LINE signs instead (X-Line-Signature, checked before anything is read).
SIGNED_BY_LINE = ("POST", "/line/webhook")


def test_every_state_changing_route_needs_the_csrf_token(app, client, session):
    """Nothing else is exempt: every POST/PUT/PATCH/DELETE, forms and JSON, answers 400 without
    it; the LINE webhook answers 400 without LINE's signature, also to a signed-in browser."""
    make_user(session, Role.ADMINISTRATOR, "admin")
    sign_in(client, "admin")
    routes = state_changing_routes(app)
    assert ("POST", "/login") in routes and ("POST", "/admin/users") in routes
    assert SIGNED_BY_LINE in routes
    for body in ({"data": {"x": "1"}}, {"json": {"x": 1}}):
        assert client.post(SIGNED_BY_LINE[1], **body).status_code == 400
    for method, url in routes:
        if (method, url) == SIGNED_BY_LINE:
            continue
        for body in ({"data": {"x": "1"}}, {"json": {"x": 1}}):
            resp = client.open(url, method=method, **body)
            assert resp.status_code == 400, (method, url, body)
            assert "CSRF" in resp.get_data(as_text=True), (method, url)
    assert signed_in(client)


# --------------------------------------------------------------------------- admin page


def test_admin_page_sends_the_public_to_sign_in(client):
    resp = client.get("/admin/users")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/login?next=/admin/users")
    assert client.post("/admin/users/x/disable", data={}).status_code == 400  # no token


@pytest.mark.parametrize(
    "role", [r for r in Role if r != Role.ADMINISTRATOR], ids=lambda r: r.value
)
def test_admin_page_is_forbidden_to_other_roles(client, session, role):
    make_user(session, role, "someone")
    sign_in(client, "someone")
    assert client.get("/admin/users").status_code == 403
    token = csrf_token(client)
    resp = client.post("/admin/users/someone/disable", data={"csrf_token": token})
    assert resp.status_code == 403
    assert session.execute(select(User.is_active)).scalar_one()


def test_admin_creates_an_account_and_sets_its_role(client, session):
    make_user(session, Role.ADMINISTRATOR, "admin")
    sign_in(client, "admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/admin/users").get_data(as_text=True)
    assert "admin" in page and 'name="csrf-token"' in page
    form = {
        "username": "noi",
        "display_name": "Noi <b>",
        "role": "coordinator",
        "district": "Chiang Saen",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_token(client),
    }
    resp = client.post("/admin/users", data=form)
    assert resp.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Account noi created." in page and "Noi &lt;b&gt;" in page
    assert "Chiang Saen, Chiang Rai" in page
    thai = client.get("/admin/users", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert "อ.เชียงแสน จ.เชียงราย" in thai  # the area by its Thai names on the Thai page

    resp = client.post(
        "/admin/users/noi/role",
        data={"role": "patrol_planner", "province": "Nan", "csrf_token": csrf_token(client)},
    )
    assert resp.status_code == 302
    noi = accounts.get_user(session, "noi")
    session.refresh(noi)
    assert (noi.role, noi.session_version) == (Role.PATROL_PLANNER, 2)


def test_admin_page_names_the_wrong_field(client, session):
    make_user(session, Role.ADMINISTRATOR, "admin")
    sign_in(client, "admin")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    form = {
        "username": "noi",
        "role": "officer",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_token(client),
    }
    resp = client.post("/admin/users", data=form)
    assert resp.status_code == 400
    error = re.search(
        r'<p class="bw-field-error" id="new-district-error">([^<]*)</p>',
        resp.get_data(as_text=True),
    )
    assert error and "account needs a district" in error.group(1)
    resp = client.post("/admin/users/nobody/disable", data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 404
    assert session.execute(select(User.username)).scalars().all() == ["admin"]


# --------------------------------------------------------------------------- CLI


def test_cli_creates_disables_and_sets_roles(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["user", "create", "Somchai", "--role", "officer", "--district", "TH5703",
              "--name", "Somchai K.", "--password-stdin"],
        input=PASSWORD + "\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "account somchai created (officer)" in result.output
    assert PASSWORD not in result.output
    assert accounts.authenticate(session, "somchai", PASSWORD) is not None

    result = runner.invoke(
        args=["user", "create", "hq-one", "--role", "hq_analyst"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output

    result = runner.invoke(
        args=["user", "set-role", "somchai", "--role", "patrol_planner", "--province", "Nan"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "disable", "somchai"])
    assert result.exit_code == 0, result.output
    user = accounts.get_user(session, "somchai")
    session.refresh(user)
    assert (user.role, user.is_active, user.session_version) == (Role.PATROL_PLANNER, False, 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "x1y", "--role", "coordinator", "--password-stdin"], "needs a district"),
        (["create", "x1y", "--role", "officer", "--district", "Atlantis", "--password-stdin"],
         "no district matches"),
        (["create", "ab", "--role", "hq_analyst", "--password-stdin"], "user name"),
        (["disable", "nobody"], "no such account"),
        (["set-role", "nobody", "--role", "hq_analyst"], "no such account"),
    ],
)  # fmt: skip
def test_cli_errors_are_clean_and_write_nothing(app, session, args, message):
    result = app.test_cli_runner().invoke(args=["user", *args], input=PASSWORD + "\n")
    assert result.exit_code in (1, 2)  # 2: a usage error, a bad USERNAME before any prompt
    assert message in result.output and "Traceback" not in result.output
    assert session.execute(select(User)).first() is None


def test_cli_refuses_a_short_password(app, session):
    result = app.test_cli_runner().invoke(
        args=["user", "create", "somchai", "--role", "hq_analyst", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1 and "at least 12 characters" in result.output
