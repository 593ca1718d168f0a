"""The reference editor's and reviewers' pages (webapp/reference/pages.py): who opens them, the
district they start on, the form's fields and the scripts' configuration in the page's language.
What the scripts do on them is driven in Chromium (tests/browser/test_reference_edit.py)."""

from __future__ import annotations

import json
import re

import pytest

from gis.types import Role
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

CONFIG = re.compile(
    r'<script type="application/json" id="reference-config"[^>]*>(.*?)</script>', re.S
)


def as_role(client, session, role: Role, **scope):
    user = make_user(session, role, **scope)
    assert sign_in(client, user.username).status_code == 302
    return user


def config_of(html: str) -> dict:
    found = CONFIG.search(html)
    assert found, "no reference-config block"
    return json.loads(found.group(1))


def test_a_coordinator_edits_their_own_district_in_thai(client, session):
    as_role(client, session, Role.COORDINATOR)
    page = client.get("/reference/edit")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert '<html lang="th">' in html
    assert "vendor/leaflet-geoman/leaflet-geoman.min.js" in html
    assert "js/reference-edit.js" in html
    # one district: named, not chosen
    assert '<select id="rf-district"' not in html
    assert re.search(r'<input type="hidden" id="rf-district" value="TH\d+">', html)
    # every attribute of every type has its field and its error line
    for name in (
        "name", "name_th", "kind", "status", "hours", "days", "counterpart", "crossing_rules",
        "status_note", "address", "phone", "risk_level", "season", "note", "demarcation",
        "source", "precision", "reason",
    ):  # fmt: skip
        assert f'id="rf-{name}"' in html, name
        assert f'id="rf-{name}-error"' in html, name
    assert html.count('name="crosses"') == 4
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
    config = config_of(html)
    assert config["role"] == "coordinator"
    assert config["changesUrl"] == "/api/reference/changes"
    assert config["vocab"]["precision"]["surveyed"] == "สำรวจในพื้นที่"
    assert set(config["vocab"]["crosses"]) == {"people", "goods", "vehicles", "livestock"}
    assert config["fields"]["crossing_rules"] != "Crossing rules"  # in Thai
    # a coordinator reviews nothing by default: no link to the review page
    assert "/reference/review" not in html


def test_an_administrator_chooses_any_target_district(client, session):
    as_role(client, session, Role.ADMINISTRATOR)
    html = client.get("/reference/edit?district=TH5703").get_data(as_text=True)
    options = re.findall(r'<option value="(TH\d+)"( selected)?>', html)
    assert len(options) >= 40  # the target districts
    assert [code for code, chosen in options if chosen] == ["TH5703"]
    assert 'href="/reference/review"' in html
    # a district outside the list is not taken: the first one is
    html = client.get("/reference/edit?district=XX").get_data(as_text=True)
    chosen = re.findall(r'<option value="(TH\d+)" selected>', html)
    assert chosen == [options[0][0]]


@pytest.mark.parametrize(
    "role", [Role.OFFICER, Role.VOLUNTEER, Role.PATROL_PLANNER, Role.HQ_ANALYST]
)
def test_other_roles_are_refused(client, session, role):
    as_role(client, session, role)
    assert client.get("/reference/edit").status_code == 403
    assert client.get("/reference/review").status_code == 403


def test_the_public_is_sent_to_sign_in(client):
    for path in ("/reference/edit", "/reference/review"):
        answer = client.get(path)
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_coordinators_review_only_when_the_province_reviews(app, client, session):
    as_role(client, session, Role.COORDINATOR)
    assert client.get("/reference/review").status_code == 403
    app.config["REFERENCE_REVIEWERS"] = "province"
    page = client.get("/reference/review")
    assert page.status_code == 200
    assert "js/reference-review.js" in page.get_data(as_text=True)
    assert 'href="/reference/review"' in client.get("/reference/edit").get_data(as_text=True)


def test_the_review_page_carries_the_scripts_words(client, session):
    as_role(client, session, Role.ADMINISTRATOR)
    page = client.get("/reference/review")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    config = config_of(html)
    assert config["acceptUrl"] == "/api/reference/changes/{id}/accept"
    assert config["vocab"]["change_status"]["proposed"]
    assert "vendor/leaflet/leaflet.js" in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
