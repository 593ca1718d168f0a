"""The map page: sign-in links, the CSRF token, and the pin drop only for accounts that report."""

from __future__ import annotations

import json
import re

import pytest

from gis.types import IncidentCategory, Role
from tests.webapp.signin import make_user, sign_in
from webapp.map.views import CATEGORY_LABELS

CONFIG = re.compile(
    r'<script type="application/json" id="pindrop-config" nonce="[^"]+">(.*?)</script>', re.S
)


def test_the_public_map_has_a_sign_in_link_and_no_report_form(client):
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert 'id="sign-in" href="/login?next=/"' in html
    assert "pindrop" not in html and 'id="pd-form"' not in html


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR])
def test_accounts_that_report_get_the_pin_drop(client, session, role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    html = client.get("/").get_data(as_text=True)
    match = CONFIG.search(html)
    assert match, "no pin-drop configuration on the page"
    config = json.loads(match.group(1))
    assert config["user"] == user.id  # the outbox is per account
    assert config["incidentsUrl"] == "/api/incidents"
    assert config["maxPhotoBytes"] == 10 * 1024 * 1024
    assert config["photoTypes"] == ["image/jpeg", "image/png", "image/webp"]
    assert re.search(r'<script src="/static/js/pindrop\.js\?v=[0-9a-f]{12}"></script>', html)
    assert re.search(r'<script src="/static/js/csrf\.js\?v=[0-9a-f]{12}"></script>', html)
    options = re.findall(r'<option value="([a-z_]+)">', html)
    assert [o for o in options if o in set(IncidentCategory)] == [c.value for c in CATEGORY_LABELS]
    assert set(CATEGORY_LABELS) == set(IncidentCategory)
    assert 'maxlength="5000"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    # Sign-out is a POST with the token.
    assert re.search(
        r'<form class="bw-signout" method="post" action="/logout">\s*'
        r'<input type="hidden" name="csrf_token" value="[^"]+">',
        html,
    )


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.HQ_ANALYST, Role.PATROL_PLANNER])
def test_other_roles_see_the_map_without_the_pin_drop(client, session, role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert 'id="sign-out"' in html
    assert "pindrop" not in html and 'id="pd-form"' not in html


def test_the_display_name_is_escaped_in_the_header(client, session):
    from gis.accounts import users as accounts
    from tests.webapp.signin import PASSWORD

    accounts.create_user(
        session, "pd-escape", "<b>Somchai</b>", PASSWORD, Role.OFFICER, district="TH5703"
    )
    assert sign_in(client, "pd-escape").status_code == 302
    html = client.get("/").get_data(as_text=True)
    assert "&lt;b&gt;Somchai&lt;/b&gt;" in html and "<b>Somchai</b>" not in html
