"""The pages' language: how it is chosen, the header's switch, the scripts' catalogue, labels of
vocabularies and times, all in Thai first."""

from __future__ import annotations

import datetime as dt
import enum
import json
import re

import pytest
from sqlalchemy import select

import gis.types
from gis.incidents.public import PublicState
from gis.models import User
from gis.types import IncidentCategory, IncidentStatus, Role
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.i18n import LANGUAGE_COOKIE, local_time, read_catalogues, script_messages
from webapp.vocab import LABELS, label, labels

THAI = re.compile("[\u0e00-\u0e7f]")


def html_lang(response) -> str:
    match = re.search(r'<html lang="([a-z]+)"', response.get_data(as_text=True))
    assert match, "no <html lang>"
    return match.group(1)


def test_staff_pages_are_thai_unless_the_browser_prefers_english(client):
    assert html_lang(client.get("/login")) == "th"
    assert html_lang(client.get("/login", headers={"Accept-Language": "en-GB,en"})) == "en"
    # Lao and Khmer are the public pages' languages only: a Lao browser reads staff pages in Thai
    assert html_lang(client.get("/login", headers={"Accept-Language": "lo"})) == "th"
    assert html_lang(client.get("/report", headers={"Accept-Language": "lo"})) == "lo"


def test_the_switch_keeps_the_choice_in_a_cookie_before_sign_in(client):
    token = csrf_token(client)
    answer = client.post("/language", data={"lang": "en", "next": "/login", "csrf_token": token})
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/login"
    cookie = client.get_cookie(LANGUAGE_COOKIE)
    assert cookie is not None and cookie.value == "en" and cookie.http_only
    page = client.get("/login", headers={"Accept-Language": "th"})
    assert html_lang(page) == "en"


def test_the_switch_keeps_the_choice_on_the_account(app, client, session):
    user = make_user(session, Role.OFFICER, username="lang-officer")
    session.commit()
    assert sign_in(client, "lang-officer").status_code == 302
    token = csrf_token(client)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": token})
    session.expire_all()
    assert session.execute(select(User.language).where(User.id == user.id)).scalar() == "en"
    # another browser of the same account, Thai by its header, reads English
    other = app.test_client()
    sign_in(other, "lang-officer")
    assert html_lang(other.get("/account/password", headers={"Accept-Language": "th"})) == "en"


@pytest.mark.parametrize("lang", ["", "lo", "de", "th'--"])
def test_the_switch_refuses_another_language(client, lang):
    token = csrf_token(client)
    answer = client.post(
        "/language",
        data={"lang": lang, "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["field"] == "lang"
    assert client.get_cookie(LANGUAGE_COOKIE) is None


def test_the_switch_goes_back_only_to_a_local_page(client):
    token = csrf_token(client)
    answer = client.post(
        "/language",
        data={"lang": "th", "next": "https://evil.example/", "csrf_token": token},
    )
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/"


def test_the_switch_needs_the_csrf_token(client):
    assert client.post("/language", data={"lang": "en"}).status_code == 400


def test_the_header_offers_each_role_its_pages(client, session):
    make_user(session, Role.OFFICER, username="nav-officer")
    make_user(session, Role.ADMINISTRATOR, username="nav-admin")
    session.commit()
    sign_in(client, "nav-officer")
    page = client.get("/account/password").get_data(as_text=True)
    nav = page[page.index('class="bw-nav"') : page.index("</nav>")]
    # the coordinators' review queue (not the map review, /reference/review)
    assert 'href="/review"' not in nav and "/admin/users" not in nav
    assert "แผนที่" in nav  # the map, in Thai
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    sign_in(client, "nav-admin")
    page = client.get("/account/password").get_data(as_text=True)
    nav = page[page.index('class="bw-nav"') : page.index("</nav>")]
    assert "/admin/users" in nav and 'href="/review"' not in nav and "/planner" not in nav


def test_the_scripts_catalogue_holds_thai_for_the_scripts_messages(client):
    page = client.get("/login").get_data(as_text=True)
    url = re.search(r'<script src="(/i18n/th\.js\?v=[0-9a-f]+)"', page)
    assert url, "the page does not load its scripts' catalogue"
    answer = client.get(url.group(1))
    assert answer.status_code == 200
    assert answer.mimetype == "text/javascript"
    assert "immutable" in answer.headers["Cache-Control"]
    body = answer.get_data(as_text=True)
    assert body.startswith("window.bwCatalogue = ")
    catalogue = json.loads(body.removeprefix("window.bwCatalogue = ").rstrip().rstrip(";"))
    assert catalogue["language"] == "th"
    assert set(catalogue["messages"]) <= script_messages()
    worded = {  # messages with words, not only places for values ("{field}: {message}")
        msgid: text
        for msgid, text in catalogue["messages"].items()
        if re.search(r"[A-Za-z]{3,}", re.sub(r"\{\w+\}", "", msgid))
    }
    assert worded and all(THAI.search(str(text)) for text in worded.values())
    assert client.get("/i18n/th.js").headers["Cache-Control"] == "no-cache"
    assert client.get("/i18n/de.js").status_code == 404


def test_every_vocabulary_value_has_a_label_translated_into_thai(app):
    vocabularies = [
        value
        for value in vars(gis.types).values()
        if isinstance(value, type) and issubclass(value, enum.Enum) and value.__members__
    ] + [PublicState]
    thai = read_catalogues()["th"]
    for vocabulary in vocabularies:
        assert vocabulary in LABELS, f"{vocabulary.__name__} has no labels"
        for member in vocabulary:
            text = LABELS[vocabulary].get(member)
            assert text is not None, f"{vocabulary.__name__}.{member.name} has no label"
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        for vocabulary in vocabularies:
            for member in vocabulary:
                assert THAI.search(label(member)), f"{member!r} reads {label(member)!r} in Thai"
        assert label("verified", IncidentStatus) == "ตรวจสอบแล้ว"
        assert label(None) == "–"
        first = IncidentCategory.DRUG_TRAFFICKING
        assert labels(IncidentCategory)[0] == ("drug_trafficking", label(first))
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert label(IncidentStatus.VERIFIED) == "Verified"
    assert thai  # the merged Thai catalogue exists


def test_times_read_in_thai_time_with_buddhist_era_years(app):
    # 23:30 UTC on 31 December 2026 is 06:30 on 1 January 2027 (2570 BE) in Thailand
    instant = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    with app.test_request_context("/", headers={"Accept-Language": "th"}):
        assert local_time(instant) == "1 ม.ค. 2570 06:30"
        assert local_time(instant, "date") == "1 ม.ค. 2570"
        assert local_time(dt.datetime(2024, 2, 29, 5, 0, tzinfo=dt.UTC), "date") == "29 ก.พ. 2567"
        assert local_time(None) == "–"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert local_time(instant) == "1 Jan 2027, 06:30"
