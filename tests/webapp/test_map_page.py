"""The map page: the shared header's sign-in and sign-out, the CSRF token, the pin drop only for
accounts that report, and the layers' words in the page's language."""

from __future__ import annotations

import json
import re

import pytest

from gis.types import IncidentCategory, Role
from tests.webapp.signin import make_user, sign_in
from webapp.vocab import labels

CONFIG = re.compile(
    r'<script type="application/json" id="pindrop-config" nonce="[^"]+">(.*?)</script>', re.S
)


def test_the_public_map_has_a_sign_in_link_and_no_report_form(client):
    resp = client.get("/")
    html = resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', html)
    assert re.search(r'<a id="sign-in"[^>]* href="/login\?next=/"', html)
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
    assert re.search(r'<script src="/static/js/pindrop\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert re.search(r'<script src="/static/js/csrf\.js\?v=[0-9a-f]{12}" defer></script>', html)
    options = re.findall(r'<option value="([a-z_]+)">', html)
    assert [o for o in options if o in set(IncidentCategory)] == [c.value for c in IncidentCategory]
    assert 'maxlength="5000"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    # Sign-out (the shared header's) is a POST with the token.
    assert re.search(
        r'<form method="post" action="/logout" id="sign-out-form">\s*'
        r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
        r'<button type="submit" id="sign-out"',
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


#: Words that are names, the same on a Thai page.
NAMES = {
    "NTS", "MWCC", "DEMO", "DBSCAN", "Gi", "Getis", "Ord", "FDR", "Natural", "Earth", "Mekong",
    # the methods of the emerging hot spot analysis, named as their authors name them
    "Mann", "Kendall", "ArcGIS", "Pro",
}  # fmt: skip
LOADER = re.compile(r"borderwatch\.addLayers\(\w+, (\{.*?\})\);\s*$", re.S | re.M)


def loader_options(html: str) -> dict:
    """The options the page hands static/js/layers.js (folium writes them with trailing commas)."""
    match = LOADER.search(html)
    assert match, "no layer loader on the page"
    return json.loads(re.sub(r",(\s*[\]}])", r"\1", match.group(1)))


def layer_texts(options: dict) -> list[str]:
    """Every text of the layers that people read: titles, legend, popup rows and their values,
    filters and their choices."""
    texts = []
    for layer in options["layers"]:
        style = layer["style"]
        texts += [layer["title"], style.get("label", "")]
        texts += [rule.get("label", "") for rule in style["rules"]]
        for field in layer["popupFields"]:
            texts += [field["label"], field["template"] or ""]
            texts += [text for _, text in field["values"]]
        for field in layer["filters"]:
            texts += [field["label"], *(text for _, text in field["choices"])]
    return [text for text in texts if text]


def english(text: str) -> list[str]:
    """English words of a text; a template's ``{property}`` is the feature's value."""
    return [w for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text)) if w not in NAMES]


def test_no_english_layer_title_or_legend_word_reaches_a_thai_page(app, client, session):
    user = make_user(session, Role.COORDINATOR)  # every layer: reference, hotspots, incidents
    assert sign_in(client, user.username).status_code == 302
    thai = loader_options(client.get("/", headers={"Accept-Language": "th"}).get_data(True))
    titles = [layer["title"] for layer in thai["layers"]]
    assert len(titles) == 17 and "ชั้นข้อมูล" not in titles  # emerging, twins, activities, stretches
    texts = layer_texts(thai)
    assert len(texts) > 150
    assert {text: english(text) for text in texts if english(text)} == {}
    assert "อำเภอชายแดนเป้าหมาย (ศปก.อ.)" in texts  # the target districts' legend entry
    # the categories as webapp/vocab.py labels them on a Thai page
    incidents = next(layer for layer in thai["layers"] if layer["name"] == "incidents")
    with app.test_request_context(headers={"Accept-Language": "th"}):
        categories = [list(pair) for pair in labels(IncidentCategory)]
    assert incidents["popupFields"][0]["values"] == categories
    assert all(re.search("[\u0e00-\u0e7f]", text) for _, text in categories)

    # The same page in English: the check reads real words.
    english_page = client.get("/?lang=en").get_data(as_text=True)
    texts = layer_texts(loader_options(english_page))
    assert "Target border district (NTS-MWCC)" in texts and "Drug trafficking" in texts
    assert sum(bool(english(text)) for text in texts) > 150


def test_the_map_page_is_the_shared_layout_with_the_map_below_the_header(client):
    html = client.get("/", headers={"Accept-Language": "th"}).get_data(as_text=True)
    assert '<html lang="th">' in html
    assert '<header class="bw-bar">' in html  # the shared header: navigation, language, help
    assert '<main id="main" class="bw-main bw-main-full bw-map">' in html
    assert re.search(r'<aside id="map-panel" class="bw-map-panel"[^>]*hidden>', html)
    assert '"panel": "map-panel"' in html  # layers.js puts the layer list and legend there
    assert "ตำแหน่งจุดผ่านแดนส่วนใหญ่เป็นตำแหน่งโดยประมาณ (วงเส้นประ)" in html
    # folium's viewport tag forbade zooming the page; the one left allows it
    assert "user-scalable=no" not in html and "maximum-scale" not in html


def test_the_scripts_words_of_the_map_are_in_the_thai_catalogue(client):
    page = client.get("/", headers={"Accept-Language": "th"}).get_data(as_text=True)
    url = re.search(r'<script src="(/i18n/th\.js\?v=[0-9a-f]+)"', page).group(1)
    catalogue = client.get(url).get_data(as_text=True)
    messages = json.loads(catalogue.removeprefix("window.bwCatalogue = ").rstrip(";\n"))
    words = messages["messages"]
    assert words["Layers"] == "ชั้นข้อมูล" and words["Legend"] == "คำอธิบายสัญลักษณ์"
    assert words["Loading…"] == "กำลังโหลด…"
    assert words["{n} incident here; zoom in to see it"] == ["ที่นี่มีเหตุ {n} รายการ ซูมเข้าเพื่อดู"]
