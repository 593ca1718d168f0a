"""The planner and the patrol sheet speak the reader's language: Thai words, vocabulary labels
instead of stored values, Buddhist-era years and Thai units on Thai pages; English on English
ones."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from gis.parsing import THAI_TIME
from gis.types import IncidentCategory, PatrolUnit, StopOutcome
from tests.patrol_data import HOME, make_run
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.vocab import label

pytestmark = pytest.mark.db

TOMORROW = dt.datetime.now(THAI_TIME).date() + dt.timedelta(days=1)
THAI = {"Accept-Language": "th"}
ENGLISH = {"Accept-Language": "en"}
VOCABULARIES = (IncidentCategory, PatrolUnit, StopOutcome)


@pytest.fixture
def planner(app, session):
    make_user(session, "patrol_planner", "lang-planner")
    client = app.test_client()
    assert sign_in(client, "lang-planner").status_code == 302
    return client


def english_words(app) -> set[str]:
    """The English labels of the vocabularies a sheet shows."""
    with app.test_request_context(headers=ENGLISH):
        return {label(member) for vocabulary in VOCABULARIES for member in vocabulary}


def page_text(page: str) -> str:
    """What a reader reads of a page: no scripts, no tags, entities decoded."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def make_plan(session, client, unit: str = "joint_patrol") -> dict:
    hotspots = make_run(session, [HOME, (100.43, 20.29)], hours=[[21, 22], [23]])
    body = {
        "district": "TH5703",
        "hotspot_ids": [h.id for h in hotspots],
        "unit": unit,
        "planned_for": TOMORROW.isoformat(),
    }
    resp = client.post("/api/patrols", json=body, headers={"X-CSRFToken": csrf_token(client)})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_thai_sheet_has_no_english_vocabulary_and_buddhist_era_years(app, session, planner):
    plan = make_plan(session, planner)
    page = planner.get(f"/patrols/{plan['id']}/sheet", headers=THAI).get_data(as_text=True)
    text = page_text(page)

    assert '<html lang="th">' in page
    found = sorted(word for word in english_words(app) if word in text)
    assert found == [], f"English vocabulary on a Thai sheet: {found}"
    for raw in ("joint_patrol", "nothing_found", "incident_found", "illegal_entry"):
        assert raw not in text
    with app.test_request_context(headers=THAI):
        assert label(PatrolUnit.JOINT_PATROL) in text
        assert label(StopOutcome.NOTHING_FOUND) in text
    # the plan's date in the Buddhist era, never the Common Era's year
    facts = re.search(r'id="sheet-date">([^<]+)<', page).group(1)
    assert str(TOMORROW.year + 543) in facts and str(TOMORROW.year) not in facts
    assert "น. (เวลาประเทศไทย)" in re.search(r'id="sheet-window">([^<]+)<', page).group(1)
    assert re.search(r"\d+ จุดแวะ ระยะทางรวม [\d.,]+ กม\.", text)
    # the map's own words: its name, the scale's unit, north
    svg = re.search(r"<svg .*?</svg>", page, flags=re.S).group(0)
    assert f'aria-label="เส้นทางของแผนลาดตระเวนเลขที่ {plan["id"]}"' in svg
    assert re.search(r">[\d.]+ (กม|ม)\.</text>", svg)
    assert ">เหนือ</text>" in svg and ">N</text>" not in svg


def test_an_english_sheet_keeps_english_words(app, session, planner):
    plan = make_plan(session, planner, unit="police")
    page = planner.get(f"/patrols/{plan['id']}/sheet", headers=ENGLISH).get_data(as_text=True)
    text = page_text(page)
    assert '<html lang="en">' in page
    assert "Police" in text and "Nothing found" in text
    assert str(TOMORROW.year) in re.search(r'id="sheet-date">([^<]+)<', page).group(1)
    svg = re.search(r"<svg .*?</svg>", page, flags=re.S).group(0)
    assert re.search(r">[\d.]+ k?m</text>", svg) and ">N</text>" in svg


def test_the_thai_planner_hands_its_script_labels_not_stored_values(app, session, planner):
    page = planner.get("/planner", headers=THAI).get_data(as_text=True)
    config = json.loads(
        re.search(r'<script type="application/json" id="planner-config"[^>]*>(.*?)</script>',
                  page, flags=re.S).group(1)
    )  # fmt: skip
    with app.test_request_context(headers=THAI):
        units = [[unit.value, label(unit)] for unit in PatrolUnit]
        categories = [[c.value, label(c)] for c in IncidentCategory]
    assert config["units"] == units and config["categories"] == categories
    assert config["districts"] and all(re.search("[ก-๙]", d["name"]) for d in config["districts"])
    text = page_text(page)
    found = sorted(word for word in english_words(app) if word in text)
    assert found == [], f"English vocabulary on the Thai planner: {found}"
    assert "drug_trafficking" not in text and "border_patrol_police" not in text
    assert "วางแผนลาดตระเวน" in text and "จุดเสี่ยงเรียงตามอันดับ" in text
    # which method drew what: under each layer's own (translated) title
    methods = re.search(r'id="planner-methods">(.*?)</details>', page, flags=re.S).group(1)
    assert "จุดเสี่ยง (กลุ่มเหตุ DBSCAN)" in methods and "Hotspots (DBSCAN" not in methods
    # the scripts' catalogue of the page carries the planner's words in Thai
    catalogue = re.search(r'<script src="(/i18n/th\.js[^"]*)"', page).group(1)
    words = planner.get(html.unescape(catalogue)).get_data(as_text=True)
    assert '"Show on the map": "ดูบนแผนที่"' in words
    assert '"{n} km": "{n} กม."' in words
