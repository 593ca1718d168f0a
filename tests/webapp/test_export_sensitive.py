"""A sensitive export cannot be started by another site: with a session cookie it is a POST form
under CSRF protection (the export page's form); a GET with ``include_sensitive`` is refused,
naming the field, unless it comes with an API token in the ``Authorization`` header.

Before, a link such as ``/api/export/incidents.geojson?include_sensitive=true&reason=x`` on a
third-party page, followed by a signed-in HQ analyst's browser (SameSite=Lax cookies go along
with a top-level GET), exported the reporters' contacts to the analyst's download folder.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.models import ExportAudit
from gis.types import Role
from tests.webapp.exportdata import CONTACT, ExportWorld, build, client_of
from tests.webapp.signin import csrf_token

pytestmark = pytest.mark.db

LINK = "/api/export/incidents.geojson?include_sensitive=true&reason=court+order"


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def audit_ids(session: Session) -> list[int]:
    session.expire_all()
    return list(session.execute(select(ExportAudit.id)).scalars())


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_link_with_include_sensitive_is_refused_naming_the_field(app, session, world, method):
    client = client_of(app)
    before = audit_ids(session)
    resp = client.open(LINK, method=method)
    assert resp.status_code == 400
    if method == "GET":
        body = resp.get_json()
        assert body["field"] == "include_sensitive"
        assert "POST" in body["message"] and CONTACT not in resp.get_data(as_text=True)
    assert audit_ids(session) == before


def test_a_link_without_the_flag_still_downloads(app, world):
    resp = client_of(app).get("/api/export/incidents.geojson?include_sensitive=false")
    assert resp.status_code == 200 and CONTACT not in resp.get_data(as_text=True)


def test_a_post_without_the_csrf_token_is_refused(app, session, world):
    client = client_of(app)
    before = audit_ids(session)
    resp = client.post(
        "/api/export/incidents.geojson", data={"include_sensitive": "true", "reason": "x"}
    )
    assert resp.status_code == 400
    assert CONTACT not in resp.get_data(as_text=True)
    assert audit_ids(session) == before


def test_a_post_with_the_csrf_token_exports_the_sensitive_fields(app, session, world):
    client = client_of(app)
    form = {"include_sensitive": "true", "reason": "court order", "csrf_token": csrf_token(client)}
    resp = client.post("/api/export/incidents.geojson", data=form)
    assert resp.status_code == 200 and CONTACT in resp.get_data(as_text=True)
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audit is not None and audit.sensitive and audit.reason == "court order"


@pytest.mark.parametrize(
    ("path", "form", "field"),
    [
        ("/api/export/incidents.geojson?reason=x", {"include_sensitive": "true"}, "reason"),
        ("/api/export/incidents.geojson", {"colour": "red"}, "colour"),
        ("/api/export/incidents.geojson", {"include_sensitive": "maybe"}, "include_sensitive"),
    ],
)
def test_a_post_takes_its_parameters_from_the_form_only(app, world, path, form, field):
    client = client_of(app)
    resp = client.post(path, data={**form, "csrf_token": csrf_token(client)})
    assert resp.status_code == 400 and resp.get_json()["field"] == field


def test_an_api_token_may_ask_for_the_sensitive_fields_in_a_get(app, session, world):
    secret = tokens.create_token(session, world.users[Role.HQ_ANALYST], "inquiry").secret
    session.commit()
    resp = app.test_client().get(LINK, headers={"Authorization": f"Bearer {secret}"})
    assert resp.status_code == 200 and CONTACT in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.HQ_ANALYST])
def test_other_roles_get_no_sensitive_form(app, world, role):
    page = client_of(app, role).get("/export?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "include_sensitive" not in text
    assert "/api/export/incidents.geojson" in text  # a plain download link


def test_the_export_page_form_posts_a_sensitive_export_in_every_format(app, session, world):
    client = client_of(app)
    page = client.get("/export?lang=en")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    form = re.search(r'<form id="sensitive-export" method="post"(.*?)</form>', text, re.S)
    assert form, "the sensitive export form"
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)
        )
    }
    assert set(fields) == {"csrf_token", "include_sensitive"}
    assert 'name="reason" required' in form.group(1)
    actions = [html.unescape(a) for a in re.findall(r'formaction="([^"]+)"', form.group(1))]
    formats = ("geojson", "csv", "gpkg", "shp", "kml", "fgb", "parquet")
    assert actions == [f"/api/export/incidents.{fmt}" for fmt in formats]
    resp = client.post(actions[0], data={**fields, "reason": "court order", "datetime": ""})
    assert resp.status_code == 200
    doc = json.loads(resp.get_data())
    public = {f["id"]: f for f in doc["features"]}[world.incidents["home_public"]]
    assert public["properties"]["reporter_contact"] == CONTACT


def test_the_export_page_speaks_thai(app, world):
    client = client_of(app)
    thai = client.get("/export?lang=th").get_data(as_text=True)
    english = client.get("/export?lang=en").get_data(as_text=True)
    assert re.search(r"<h1[^>]*>Exports</h1>", english)
    assert not re.search(r"<h1[^>]*>Exports</h1>", thai)
    assert "Export incidents with sensitive fields" in english
    assert "Export incidents with sensitive fields" not in thai
    assert re.search(r"<h1[^>]*>[\u0e00-\u0e7f ]+</h1>", thai)


def test_the_public_is_sent_to_sign_in(app, world):
    resp = app.test_client().get("/export")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
