"""Personal API tokens: made on the account page (shown once, stored as a digest), accepted as
a bearer header by the export and OGC API routes only, revocable; CSRF still guards cookie
sessions."""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.models import ApiToken, ExportAudit, User
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build
from tests.webapp.signin import PASSWORD, csrf_token, sign_in

pytestmark = pytest.mark.db

_SECRET = re.compile(r'<input id="new-token"[^>]*value="(bw_[A-Za-z0-9_-]+)"')


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def make_token_on_the_page(app, role: Role, name: str = "QGIS on my laptop") -> tuple[str, object]:
    client = app.test_client()
    assert sign_in(client, f"export-{role.value}").status_code == 302
    page = client.get("/account/tokens")
    assert page.status_code == 200 and 'id="token-form"' in page.get_data(as_text=True)
    resp = client.post(
        "/account/tokens",
        data={"name": name, "current_password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    match = _SECRET.search(resp.get_data(as_text=True))
    assert match, "the new token is shown"
    return match.group(1), client


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_is_shown_once_and_stored_as_its_digest(app, session, world):
    secret, client = make_token_on_the_page(app, Role.HQ_ANALYST)
    row = session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    assert row is not None and row.name == "QGIS on my laptop"
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.prefix) and len(secret) >= 40
    stored = session.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.name)).all()
    assert all(secret not in "".join(r) for r in stored)
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert secret not in listing and row.prefix in listing  # never shown again


def test_bearer_token_reads_the_export_with_the_accounts_scope(app, session, world):
    secret, _ = make_token_on_the_page(app, Role.OFFICER)
    resp = app.test_client().get("/api/export/incidents.geojson", headers=bearer(secret))
    assert resp.status_code == 200
    doc = json.loads(resp.get_data())
    assert doc["features"]
    assert {f["properties"]["district_pcode"] for f in doc["features"]} == {"TH5703"}
    assert "Set-Cookie" not in resp.headers  # a token request leaves no session behind
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    token = session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    assert audit is not None and token is not None
    assert audit.token_id == token.id and audit.user_id == world.users[Role.OFFICER].id
    assert token.last_used_at is not None


def test_bearer_token_opens_the_ogc_api(app, world):
    secret, _ = make_token_on_the_page(app, Role.HQ_ANALYST)
    client = app.test_client()
    assert client.get("/ogcapi", headers=bearer(secret)).status_code == 200
    assert client.get("/ogcapi").status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "Bearer bw_wrong",
        "Bearer " + "bw_" + "x" * 43,
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "bw_no_scheme",
    ],
)
def test_a_wrong_token_is_401_json_even_with_a_session_cookie(app, world, header):
    client = app.test_client()
    assert sign_in(client, "export-hq_analyst").status_code == 302
    resp = client.get("/api/export/incidents.geojson", headers={"Authorization": header})
    assert resp.status_code == 401
    assert resp.get_json()["error"] == "unauthorized"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(app, session, world):
    secret, client = make_token_on_the_page(app, Role.HQ_ANALYST)
    assert app.test_client().get("/ogcapi", headers=bearer(secret)).status_code == 200
    token = session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    assert token is not None
    resp = client.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert resp.status_code == 303
    assert app.test_client().get("/ogcapi", headers=bearer(secret)).status_code == 401
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert f"/account/tokens/{token.id}/revoke" not in listing  # no revoke button any more
    assert "เพิกถอนแล้วเมื่อ" in listing  # "revoked on ...", in Thai time


def test_a_token_of_a_disabled_account_is_refused(app, session, world):
    secret, _ = make_token_on_the_page(app, Role.COORDINATOR)
    user = world.users[Role.COORDINATOR]
    session.execute(update(User).where(User.id == user.id).values(is_active=False))
    session.commit()
    resp = app.test_client().get("/api/export/districts.geojson", headers=bearer(secret))
    assert resp.status_code == 401


def test_tokens_do_not_open_the_account_pages_or_other_apis(app, world):
    secret, _ = make_token_on_the_page(app, Role.HQ_ANALYST)
    client = app.test_client()
    assert client.get("/account/tokens", headers=bearer(secret)).status_code == 302  # sign in
    assert client.get("/api/review/incidents", headers=bearer(secret)).status_code == 401
    made = client.post("/account/tokens", data={"name": "x"}, headers=bearer(secret))
    assert made.status_code == 400  # CSRF: a token is no cookie session


def test_token_forms_need_the_csrf_token(app, session, world):
    client = app.test_client()
    assert sign_in(client, "export-hq_analyst").status_code == 302
    resp = client.post("/account/tokens", data={"name": "no csrf"})
    assert resp.status_code == 400
    assert session.execute(select(ApiToken).where(ApiToken.name == "no csrf")).first() is None


def test_an_account_revokes_only_its_own_tokens(app, session, world):
    other = tokens.create_token(session, world.users[Role.OFFICER], "officer's")
    session.commit()
    client = app.test_client()
    assert sign_in(client, "export-hq_analyst").status_code == 302
    resp = client.post(
        f"/account/tokens/{other.id}/revoke", data={"csrf_token": csrf_token(client)}
    )
    assert resp.status_code == 404
    assert session.get_one(ApiToken, other.id).revoked_at is None


def test_a_token_needs_a_name(app, world):
    client = app.test_client()
    assert sign_in(client, "export-officer").status_code == 302
    resp = client.post("/account/tokens", data={"name": " ", "csrf_token": csrf_token(client)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and '<p class="bw-field-error" id="name-error">' in page
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="name"', page)
    assert not _SECRET.search(resp.get_data(as_text=True))


def test_the_last_use_is_recorded_on_any_token_request(app, session, world):
    secret, _ = make_token_on_the_page(app, Role.PATROL_PLANNER)
    assert app.test_client().get("/ogcapi/conformance", headers=bearer(secret)).status_code == 200
    token = session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars().first()
    assert token is not None and token.last_used_at is not None
