"""API tokens on the account pages: made only with the current password, listed on the password
page with one revoke-all button, and ended by sign-out, a password change and a role change."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gis.models import ApiToken, User
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build
from tests.webapp.signin import PASSWORD, csrf_token, sign_in

pytestmark = pytest.mark.db

_SECRET = re.compile(r'<input id="new-token"[^>]*value="(bw_[A-Za-z0-9_-]+)"')
ENGLISH = {"Accept-Language": "en"}


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def signed_in(app, role: Role):
    client = app.test_client()
    assert sign_in(client, f"export-{role.value}").status_code == 302
    return client


def make_token(client, name: str = "QGIS", password: str | None = PASSWORD):
    data = {"name": name, "csrf_token": csrf_token(client)}
    if password is not None:
        data["current_password"] = password
    return client.post("/account/tokens", data=data, headers=ENGLISH)


def new_secret(client, name: str = "QGIS") -> str:
    resp = make_token(client, name)
    match = _SECRET.search(resp.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(1)


def works(app, secret: str) -> bool:
    resp = app.test_client().get("/ogcapi", headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code in (200, 401)
    return resp.status_code == 200


@pytest.mark.parametrize("password", [None, "", "not my password"])
def test_a_token_needs_the_current_password(app, session, world, password):
    client = signed_in(app, Role.HQ_ANALYST)
    resp = make_token(client, "no password", password)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert '<p class="bw-field-error" id="current_password-error">' in page
    assert "current password" in page.lower()
    assert not _SECRET.search(page)
    assert session.execute(select(ApiToken).where(ApiToken.name == "no password")).first() is None


def test_the_token_page_asks_for_the_password(app, world):
    page = signed_in(app, Role.OFFICER).get("/account/tokens").get_data(as_text=True)
    assert 'name="current_password"' in page and 'autocomplete="current-password"' in page


def test_signing_out_ends_the_accounts_tokens(app, world):
    client = signed_in(app, Role.HQ_ANALYST)
    secret = new_secret(client)
    assert works(app, secret)
    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert not works(app, secret)


def test_a_password_change_ends_the_accounts_tokens(app, world):
    client = signed_in(app, Role.HQ_ANALYST)
    secret = new_secret(client)
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
    assert not works(app, secret)
    made = make_token(client, "after the change", "another long passphrase")
    assert _SECRET.search(made.get_data(as_text=True))  # this session goes on


def test_a_role_change_ends_the_accounts_tokens(app, world):
    secret = new_secret(signed_in(app, Role.PATROL_PLANNER))
    admin = signed_in(app, Role.ADMINISTRATOR)
    resp = admin.post(
        "/admin/users/export-patrol_planner/role",
        data={"role": "patrol_planner", "district": "TH5703", "csrf_token": csrf_token(admin)},
    )
    assert resp.status_code == 302
    assert not works(app, secret)


def test_a_token_reads_with_the_accounts_role_of_the_moment(app, session, world):
    client = signed_in(app, Role.HQ_ANALYST)
    header = {"Authorization": f"Bearer {new_secret(client)}"}

    def districts() -> set[str]:
        resp = app.test_client().get("/api/export/incidents.geojson", headers=header)
        assert resp.status_code == 200
        return {f["properties"]["district_pcode"] for f in json.loads(resp.get_data())["features"]}

    assert len(districts()) > 1  # national
    user = world.users[Role.HQ_ANALYST]
    district_id = world.users[Role.OFFICER].district_id
    session.execute(  # behind the account functions' back: the sessions stay
        update(User).where(User.id == user.id).values(role="officer", district_id=district_id)
    )
    session.commit()
    assert districts() == {"TH5703"}


def test_the_password_page_lists_the_tokens_and_revokes_them_all(app, session, world):
    client = signed_in(app, Role.HQ_ANALYST)
    secrets = [new_secret(client, "QGIS at the office"), new_secret(client, "nightly script")]
    page = client.get("/account/password", headers=ENGLISH).get_data(as_text=True)
    assert "QGIS at the office" in page and "nightly script" in page
    for secret in secrets:
        assert secret[:9] in page and secret not in page
    form = re.search(r'<form[^>]+action="([^"]+)"[^>]*>(?:(?!</form>).)*Revoke all', page, re.S)
    assert form, "a revoke-all form on the password page"
    resp = client.post(form.group(1), data={"csrf_token": csrf_token(client)})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/account/password")
    assert not any(works(app, secret) for secret in secrets)
    assert works(app, new_secret(client))  # the session itself goes on
    page = client.get("/account/password", headers=ENGLISH).get_data(as_text=True)
    assert "nightly script" not in page  # only live tokens are listed there


def test_revoke_all_needs_the_csrf_token_and_a_signed_in_account(app, world):
    client = signed_in(app, Role.OFFICER)
    secret = new_secret(client)
    assert client.post("/account/tokens/revoke-all").status_code == 400
    assert app.test_client().post("/account/tokens/revoke-all").status_code in (302, 400)
    assert works(app, secret)
