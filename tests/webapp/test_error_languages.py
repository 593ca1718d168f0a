"""Errors in the request's language: JSON keeps its ``error`` code and ``field`` and says its
``message`` in the language the request names (English when it names none); pages and forms
speak the page's language. Every error message of the code is translated into Thai.

The Thai catalogue of the error messages is ``webapp/translations/th/LC_MESSAGES/errors.po``::

    scripts/catalogue.sh errors gis webapp/errors.py webapp/params.py \\
        webapp/incidents/schemas.py webapp/review/schemas.py webapp/auth/__init__.py \\
        webapp/export/api.py webapp/export/ogcapi.py webapp/export/protocol.py \\
        webapp/hotspots/api.py webapp/incidents/photos.py webapp/patrols/api.py
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from sqlalchemy import update

from gis.errors import Conflict, InvalidInput
from gis.models import User
from gis.text import N_
from gis.types import IncidentStatus, Role
from tests.factories import make_incident
from tests.webapp.signin import make_user, sign_in
from webapp.errors import user_message
from webapp.i18n import read_catalogues

ROOT = Path(__file__).resolve().parents[2]
THAI = re.compile("[\u0e00-\u0e7f]")
ARANYA = (102.5066, 13.6928)


def get_json(client, url: str, language: str | None):
    headers = {"Accept-Language": language} if language else {}
    resp = client.get(url, headers=headers)
    return resp.status_code, resp.get_json()


# --------------------------------------------------------------------------- JSON answers


@pytest.mark.db
@pytest.mark.parametrize(
    ("query", "field", "english", "thai"),
    [
        (
            "?bbox=102,13,103",
            "bbox",
            "bbox must be minx,miny,maxx,maxy (4 numbers)",
            "bbox ต้องเป็น minx,miny,maxx,maxy (ตัวเลข 4 ค่า)",
        ),
        (
            "?zoom=23",
            "zoom",
            "zoom must be an integer from 0 to 22",
            "zoom ต้องเป็นจำนวนเต็มตั้งแต่ 0 ถึง 22",
        ),
        (
            "?BBOX=102,13,103,14",
            "BBOX",
            "unknown query parameter 'BBOX'",
            "ไม่รู้จักพารามิเตอร์ 'BBOX'",
        ),
    ],
)
def test_an_api_error_says_its_message_in_thai_with_the_same_code_and_field(
    client, query, field, english, thai
):
    url = f"/api/layers/districts{query}"
    status_th, body_th = get_json(client, url, "th-TH,th;q=0.9")
    status_en, body_en = get_json(client, url, "en-GB,en")
    assert status_th == status_en == 400
    assert body_th == {"error": "invalid_input", "field": field, "message": thai}
    assert body_en == {"error": "invalid_input", "field": field, "message": english}


@pytest.mark.db
def test_an_api_request_that_names_no_language_is_answered_in_english(client):
    """Scripts and GIS tools send no Accept-Language: they read the English as before."""
    status, body = get_json(client, "/api/layers/districts?bbox=102,13,103", None)
    assert status == 400
    assert body["message"] == "bbox must be minx,miny,maxx,maxy (4 numbers)"


@pytest.mark.db
def test_http_errors_of_the_api_speak_thai_too(client):
    status, body = get_json(client, "/api/nowhere", "th")
    assert status == 404
    assert body["error"] == "not_found" and body["message"] == "ไม่พบหน้าที่ต้องการ"
    status, body = get_json(client, "/api/nowhere", "en")
    assert status == 404 and body["message"].startswith("The requested URL was not found")


@pytest.fixture
def coordinator(app, session):
    """A signed-in coordinator of Aranyaprathet (CSRF off: the actions are the subject)."""
    app.config["WTF_CSRF_ENABLED"] = False
    user = make_user(session, Role.COORDINATOR, "coord-errors", district="TH2706")
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client, user


def reject(client, incident_id: int, language: str | None):
    headers = {"Accept-Language": language} if language else {}
    return client.post(
        f"/api/incidents/{incident_id}/actions", json={"action": "reject"}, headers=headers
    )


@pytest.mark.db
def test_a_refused_action_names_the_status_by_its_thai_label(session, coordinator):
    client, _ = coordinator
    incident = make_incident(session, where=ARANYA, with_event=True, status="verified")
    thai = reject(client, incident.id, "th")
    english = reject(client, incident.id, "en")
    assert thai.status_code == english.status_code == 409
    assert thai.get_json() == {
        "error": "conflict",
        "field": "action",
        "current": "verified",
        "message": "ปฏิเสธรายงานที่มีสถานะ “ตรวจสอบแล้ว” ไม่ได้",
    }
    assert english.get_json()["message"] == "cannot reject an incident whose status is verified"


@pytest.mark.db
def test_the_accounts_own_language_is_the_answers_language(session, coordinator):
    client, user = coordinator
    incident = make_incident(session, where=ARANYA, with_event=True, status="verified")
    session.execute(update(User).where(User.id == user.id).values(language="th"))
    assert THAI.search(reject(client, incident.id, None).get_json()["message"])
    session.execute(update(User).where(User.id == user.id).values(language="en"))
    message = reject(client, incident.id, "th").get_json()["message"]
    assert message == "cannot reject an incident whose status is verified"


# --------------------------------------------------------------------------- pages and forms


@pytest.mark.db
def test_a_form_shows_the_refusal_in_the_pages_language(session, coordinator):
    client, _ = coordinator
    incident = make_incident(session, where=ARANYA, with_event=True, status="verified")
    page = client.post(
        f"/review/incidents/{incident.id}/actions",
        data={"action": "reject", "return_to": "incident"},
        headers={"Accept-Language": "th"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "ปฏิเสธรายงานที่มีสถานะ “ตรวจสอบแล้ว” ไม่ได้" in page.get_data(as_text=True)


@pytest.mark.db
def test_an_error_page_speaks_the_pages_language(client):
    assert "ไม่พบหน้าที่ต้องการ" in client.get("/nowhere").get_data(as_text=True)
    english = client.get("/nowhere", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "The requested URL was not found on the server." in english


def test_user_message_translates_the_template_and_its_values(app):
    nested = InvalidInput(N_("{field} must be a number"), field="lat")
    cases = [
        (
            InvalidInput(
                N_("{field} must be between {low} and {high}"), field="severity", low=1, high=5
            ),
            "severity ต้องอยู่ระหว่าง 1 ถึง 5",
            "severity must be between 1 and 5",
        ),
        (
            Conflict(
                N_("the original must not itself be {status}"), status=IncidentStatus.DUPLICATE
            ),
            "รายงานต้นเรื่องต้องไม่อยู่ในสถานะ “ซ้ำ”",
            "the original must not itself be duplicate",
        ),
        (
            InvalidInput(N_("{label}: {problem}"), label="crossings.geojson", problem=nested),
            "crossings.geojson: lat ต้องเป็นตัวเลข",
            "crossings.geojson: lat must be a number",
        ),
        (
            InvalidInput(N_("incident_found needs incident: {{category, ...}}")),
            "ผล incident_found (พบเหตุ) ต้องมี incident: {category, ...}",
            "incident_found needs incident: {category, ...}",
        ),
    ]
    for exc, thai, english in cases:
        with app.test_request_context("/", headers={"Accept-Language": "th"}):
            assert user_message(exc) == thai
        with app.test_request_context("/", headers={"Accept-Language": "en"}):
            assert user_message(exc) == english == exc.message


def test_an_untranslated_template_is_said_in_english(app):
    exc = InvalidInput(N_("{field} is a message no catalogue has"), field="x")
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        assert user_message(exc) == "x is a message no catalogue has"


# --------------------------------------------------------------------------- the catalogue


#: Where error messages are written: the whole domain, and webapp's edge (its parsers, its
#: error answers, the request checks of the API views).
ERROR_SOURCES = [
    "gis",
    "webapp/errors.py",
    "webapp/params.py",
    "webapp/incidents/schemas.py",
    "webapp/review/schemas.py",
    "webapp/auth/__init__.py",
    "webapp/export/api.py",
    "webapp/export/ogcapi.py",
    "webapp/export/protocol.py",
    "webapp/hotspots/api.py",
    "webapp/incidents/photos.py",
    "webapp/patrols/api.py",
]


def error_templates() -> set[str]:
    """The messages marked with N_ in :data:`ERROR_SOURCES`, as pybabel extracts them."""
    found: set[str] = set()
    for source in ERROR_SOURCES:
        path = ROOT / source
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            for _, message, _, _ in extract_from_file("python", str(file), keywords={"N_": None}):
                found.add(message)
    return found


def fields(template: str) -> list[tuple[str, str, str]]:
    return sorted(
        (name, conversion or "", spec or "")
        for _, name, spec, conversion in string.Formatter().parse(template)
        if name is not None
    )


def test_every_error_template_is_translated_into_thai_with_its_placeholders():
    templates = error_templates()
    assert "{field} must be between {low} and {high}" in templates
    assert "cannot verify an incident whose status is {status}" in templates
    assert len(templates) > 150
    thai = read_catalogues()["th"]
    untranslated, mismatched = [], []
    for template in sorted(templates):
        entry = thai.get(template)
        if entry is None or not entry.string or entry.fuzzy:
            untranslated.append(template)
        elif fields(entry.string) != fields(template):
            mismatched.append(f"{template!r} -> {entry.string!r}")
    assert not untranslated, untranslated
    assert not mismatched, mismatched
