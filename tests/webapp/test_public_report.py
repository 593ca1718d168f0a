"""The public report pages: no sign-in, CSRF, four languages, rate limits, nothing leaked."""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from gis.incidents.public import ALPHABET, normalise_code
from gis.models import Incident
from gis.parsing import THAI_TIME
from gis.types import Channel, IncidentStatus

pytestmark = pytest.mark.db

ARANYAPRATHET = ("102.5066", "13.6928")
BANGKOK = ("100.5018", "13.7563")
CONTACT = "tel 081-555-0199 / LINE secret-informant"
DESCRIPTION = "Boats unloading boxes behind the rice mill"

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_CODE = re.compile(r'id="receipt-code">([^<]+)<')

THAI = re.compile(r"[\u0e00-\u0e7f]")
LAO = re.compile(r"[\u0e80-\u0eff]")
KHMER = re.compile(r"[\u1780-\u17ff]")


def form(client, lang: str = "en", ip: str = "10.9.0.1") -> str:
    resp = client.get(f"/report?lang={lang}", environ_base={"REMOTE_ADDR": ip})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def fields(**overrides: Any) -> dict[str, str]:
    data = {
        "lon": ARANYAPRATHET[0],
        "lat": ARANYAPRATHET[1],
        "category": "smuggling",
        "occurred_at": "2026-11-20T21:15",
        "description": DESCRIPTION,
        "reporter_contact": CONTACT,
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, ip: str = "10.9.0.1", lang: str = "en", **overrides: Any):
    token = _TOKEN.search(form(client, lang, ip))
    assert token
    return client.post(
        f"/report?lang={lang}",
        data={"csrf_token": token.group(1), **fields(**overrides)},
        environ_base={"REMOTE_ADDR": ip},
    )


def receipt_code(resp) -> str:
    match = _CODE.search(resp.get_data(as_text=True))
    assert match, "no receipt code on the page"
    return match.group(1)


def public_incidents(session) -> int:
    query = select(func.count()).select_from(Incident).where(Incident.channel == "online_public")
    return session.execute(query).scalar_one()


def test_a_report_stores_one_new_public_incident_and_answers_its_receipt(client, session):
    resp = submit(client)
    assert resp.status_code == 201
    code = receipt_code(resp)
    symbols = code.replace("-", "")
    assert len(symbols) * 5 >= 80 and set(symbols) <= set(ALPHABET)
    assert normalise_code(code) == code
    incident = session.execute(select(Incident).where(Incident.receipt_code == code)).scalar_one()
    assert incident.channel is Channel.ONLINE_PUBLIC
    assert incident.status is IncidentStatus.NEW
    assert incident.reporter_id is None
    assert incident.reporter_contact == CONTACT
    assert incident.description == DESCRIPTION
    assert incident.occurred_at.isoformat().startswith("2026-11-20T14:15:00+00:00")
    assert public_incidents(session) == 1
    assert f'href="/report/{code}?lang=en"' in resp.get_data(as_text=True)


def test_a_resent_form_gives_the_same_receipt_and_one_row(client, session):
    key = str(uuid.uuid4())
    first = receipt_code(submit(client, idempotency_key=key))
    assert receipt_code(submit(client, idempotency_key=key)) == first
    assert public_incidents(session) == 1


@pytest.mark.parametrize(
    "changed",
    [{"description": "another text"}, {"lon": "102.6"}, {"reporter_contact": "LINE other"}],
)
def test_a_key_sent_with_another_submission_gets_no_receipt(client, session, changed):
    """Whoever learns a report's idempotency key and sends it with other content gets a
    conflict, not the stored report's receipt code (which shows its status)."""
    key = str(uuid.uuid4())
    first = receipt_code(submit(client, idempotency_key=key))
    other = submit(client, ip="10.9.0.2", idempotency_key=key, **changed)
    assert other.status_code == 409
    page = other.get_data(as_text=True)
    assert first not in page and first.replace("-", "") not in page
    assert public_incidents(session) == 1


def test_a_post_without_the_csrf_token_is_refused(client, session):
    resp = client.post("/report", data=fields())
    assert resp.status_code == 400
    assert public_incidents(session) == 0


def test_the_status_page_shows_state_category_and_date_only(client, session):
    code = receipt_code(submit(client))
    resp = client.get(f"/report/{code}?lang=en")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert 'data-state="received"' in page and "Received: waiting to be checked" in page
    assert 'data-category="smuggling"' in page and "Smuggling of goods" in page
    incident = session.execute(select(Incident).where(Incident.receipt_code == code)).scalar_one()
    day = incident.reported_at.astimezone(THAI_TIME).date().isoformat()
    assert f'data-date="{day}"' in page
    for secret in (DESCRIPTION, CONTACT, "secret-informant", *ARANYAPRATHET, "102.50", "13.69"):
        assert secret not in page
    assert "Aranyaprathet" not in page  # not even the district


def test_the_status_page_shows_no_note_for_the_reporter(client, session):
    from gis.incidents.review import apply_action

    code = receipt_code(submit(client))
    incident = session.execute(select(Incident).where(Incident.receipt_code == code)).scalar_one()
    apply_action(
        session, incident.id, "verify", None, note="STAFF-NOTE", reporter_note="REPORTER-NOTE"
    )
    for lang in ("en", "th"):
        page = client.get(f"/report/{code}?lang={lang}").get_data(as_text=True)
        assert 'data-state="' in page
        assert "REPORTER-NOTE" not in page and "STAFF-NOTE" not in page


def test_a_code_is_found_as_typed_in_lower_case(client):
    code = receipt_code(submit(client))
    assert client.get(f"/report/{code.lower()}").status_code == 200


@pytest.mark.parametrize(
    "code", ["22222-22222-22222-22222", "ZZZZZZZZZZZZZZZZZZZZ", "abc", "%3Cscript%3E", "1" * 300]
)
def test_unknown_and_malformed_codes_give_the_same_404(client, code):
    reference = client.get("/report/00000-00000-00000-00000?lang=en")
    resp = client.get(f"/report/{code}?lang=en")
    assert reference.status_code == resp.status_code == 404
    assert resp.get_data() == reference.get_data()


def test_the_sixth_report_in_a_minute_from_one_address_is_throttled(client, session):
    codes = [submit(client, ip="10.9.1.1").status_code for _ in range(5)]
    assert codes == [201] * 5
    blocked = submit(client, ip="10.9.1.1")
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert public_incidents(session) == 5
    assert submit(client, ip="10.9.1.2").status_code == 201  # another address still reports


def test_the_form_page_is_not_throttled(client):
    for _ in range(5):
        submit(client, ip="10.9.2.1")
    assert client.get("/report", environ_base={"REMOTE_ADDR": "10.9.2.1"}).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"lon": None}, 400, "lon"),
        ({"lat": ""}, 400, "lat"),
        ({"lat": "north"}, 400, "lat"),
        ({"lon": "nan"}, 400, "lon"),
        ({"lon": "inf"}, 400, "lon"),
        ({"lat": "91"}, 400, "lat"),
        ({"lon": "181"}, 400, "lon"),
        ({"lon": ARANYAPRATHET[1], "lat": ARANYAPRATHET[0]}, 400, "lat"),
        ({"category": "arson"}, 400, "category"),
        ({"category": None}, 400, "category"),
        ({"occurred_at": "yesterday"}, 400, "occurred_at"),
        ({"occurred_at": "1999-12-31T23:00"}, 400, "occurred_at"),
        ({"occurred_at": "2999-01-01T00:00"}, 400, "occurred_at"),
        ({"description": "x" * 5001}, 400, "description"),
        ({"reporter_contact": "x" * 501}, 400, "reporter_contact"),
        ({"status": "verified"}, 400, "status"),
        ({"district_id": "1"}, 400, "district_id"),
        ({"idempotency_key": "not-a-uuid"}, 400, "idempotency_key"),
        ({"lon": BANGKOK[0], "lat": BANGKOK[1]}, 422, "lon"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client, session, overrides, status, field
):
    resp = submit(client, **overrides)
    assert resp.status_code == status
    page = resp.get_data(as_text=True)
    assert f'role="alert" data-field="{field}"' in page
    assert public_incidents(session) == 0


def test_the_form_keeps_what_was_typed_after_an_error(client):
    page = submit(client, category="arson", description="kept text").get_data(as_text=True)
    assert "kept text" in page
    assert "Please check this field: What happened" in page


def test_an_error_names_the_field_in_the_page_language(client):
    page = submit(client, lang="th", category="arson").get_data(as_text=True)
    assert "โปรดตรวจสอบช่องนี้: เกิดอะไรขึ้น" in page


def test_outside_the_watch_area_says_so(client):
    page = submit(client, lon=BANGKOK[0], lat=BANGKOK[1]).get_data(as_text=True)
    assert "outside the area the programme covers" in page


@pytest.fixture
def loud_sqlalchemy(caplog):
    """SQLAlchemy at DEBUG before the test's connection opens: its engine then logs every
    statement and every fetched row (a connection decides whether it logs when it opens)."""
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")


def test_the_contact_never_reaches_replies_or_logs(loud_sqlalchemy, client, caplog):
    caplog.set_level(logging.DEBUG)
    replies = []
    ok = submit(client)
    replies.append(ok)
    code = receipt_code(ok)
    replies.append(client.get(f"/report/{code}"))
    replies.append(submit(client, category="arson"))  # an error page re-shows the form ...
    replies.append(submit(client, reporter_contact=CONTACT + "x" * 500))  # ... and a too long one
    replies.append(submit(client, lon=BANGKOK[0], lat=BANGKOK[1]))
    assert [r.status_code for r in replies] == [201, 200, 400, 400, 422]
    for resp in replies:  # not even on the error pages that refill the form
        body = resp.get_data(as_text=True)
        assert "secret-informant" not in body and "081-555" not in body
    for record in caplog.records:
        text = record.getMessage() + str(record.args or "")
        assert "secret-informant" not in text and "081-555" not in text
    assert "secret-informant" not in caplog.text


@pytest.mark.parametrize(
    ("query", "headers", "script"),
    [
        ("?lang=th", {}, THAI),
        ("?lang=lo", {}, LAO),
        ("?lang=km", {}, KHMER),
        ("", {"Accept-Language": "lo-LA,lo;q=0.9,en;q=0.5"}, LAO),
        ("", {"Accept-Language": "km"}, KHMER),
        ("", {}, THAI),  # Thai by default
        ("?lang=xx", {"Accept-Language": "fr"}, THAI),
    ],
)
def test_the_page_speaks_the_asked_language(client, query, headers, script):
    page = client.get(f"/report{query}", headers=headers).get_data(as_text=True)
    i = page.index("<h1>")
    assert script.search(page[i : i + 200])


def test_lang_in_the_query_wins_over_the_header(client):
    page = client.get("/report?lang=en", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert '<html lang="en">' in page and "<h1>Report an incident</h1>" in page


@pytest.mark.parametrize("lang", ["th", "lo", "km"])
def test_every_catalogue_translates_every_string(lang):
    from babel.messages.pofile import read_po

    from webapp.i18n import TRANSLATIONS

    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    assert all(m.string and not m.fuzzy for m in catalog if m.id)


def test_the_form_page_has_no_inline_script_and_local_leaflet(client):
    page = client.get("/report").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/js/report.js" in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert 'name="csrf_token"' in page


def test_public_pages_are_not_stored_by_caches(client):
    code = receipt_code(ok := submit(client))
    for resp in (client.get("/report"), ok, client.get(f"/report/{code}"), client.get("/report/x")):
        assert resp.headers["Cache-Control"] == "no-store"
