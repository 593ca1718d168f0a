"""GET /api/layers/border_stretches: public like the border, the source of the knowledge for
signed-in accounts only, never reused across a sign-in."""

from __future__ import annotations

import pytest

from gis.models import BorderStretch
from gis.reference.editing.changes import Reviewers, accept, parse_change, propose
from gis.types import Role
from tests.gis.reference.test_stretch_layer import SOURCE, editor, flag
from tests.webapp.signin import make_user, sign_in
from webapp.map.api import REFERENCE_MAX_AGE

pytestmark = pytest.mark.db

URL = "/api/layers/border_stretches?bbox=102.0,13.0,103.5,14.5&zoom=11"


@pytest.fixture
def stretch(session) -> BorderStretch:
    coordinator = make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706")
    admin = make_user(session, Role.ADMINISTRATOR, "admin-1")
    change = propose(session, editor(session, coordinator), parse_change(flag(session)))
    accept(session, editor(session, admin), change.id, None, Reviewers.ADMIN)
    return session.get(BorderStretch, change.feature_id)


def test_the_public_gets_the_stretch_without_its_source(client, stretch):
    resp = client.get(URL)
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    (feature,) = resp.get_json()["features"]
    assert feature["id"] == stretch.id
    assert feature["properties"]["demarcation"] == "unmarked"
    assert "source" not in feature["properties"]
    assert SOURCE not in resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == f"private, max-age={REFERENCE_MAX_AGE}"
    assert "Cookie" in resp.headers["Vary"]


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.OFFICER, Role.HQ_ANALYST])
def test_an_account_gets_the_source(client, session, stretch, role):
    make_user(session, role, "reader")
    assert sign_in(client, "reader").status_code == 302
    resp = client.get(URL)
    (feature,) = resp.get_json()["features"]
    assert feature["properties"]["source"] == SOURCE
    assert "Cookie" in resp.headers["Vary"]


def test_the_public_layer_list_names_the_stretches(client):
    layers = {layer["name"]: layer for layer in client.get("/api/layers").get_json()["layers"]}
    assert layers["border_stretches"]["geometry"] == "line"
