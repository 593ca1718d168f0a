"""The coordinator's triage workspace (``/review``) and the incident page as pages: tabs whose
counts are their rows, reports waiting over 48 hours first and marked, the filters in the
address, the next report after an action, and the messages in Thai and English."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

import pytest
from sqlalchemy import func, select

from gis.models import Incident
from gis.types import IncidentStatus, Role
from tests.factories import district, make_incident
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

#: Days no other test's incidents fall in; the page's date filters isolate this test's rows.
WINDOW = dt.datetime(2020, 3, 1, 5, 0, tzinfo=dt.UTC)
DAYS = "since=2020-03-01&until=2020-03-10"
EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _without_csrf(app):
    """CSRF is tested with the queue page elsewhere (test_review_api); here forms are posted
    without the token."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def coordinator(app, session):
    make_user(session, Role.COORDINATOR, "desk-coord", district="TH2706")
    client = app.test_client()
    assert sign_in(client, "desk-coord").status_code == 302
    return client


def windowed(session, hours: float, **overrides) -> Incident:
    """An incident of Aranyaprathet in the test's days, reported when it occurred (years ago:
    a new one is overdue)."""
    when = WINDOW + dt.timedelta(hours=hours)
    return make_incident(session, occurred_at=when, reported_at=when, with_event=True, **overrides)


def recent(session, hours: float, **overrides) -> Incident:
    """An incident that occurred and was reported ``hours`` before the database's now (the
    start of the test's transaction, from which the queue counts the wait)."""
    when = session.scalar(select(func.now())) - dt.timedelta(hours=hours)
    return make_incident(session, occurred_at=when, reported_at=when, with_event=True, **overrides)


def text_of(page: str) -> str:
    """What a reader reads: the page without its scripts, tags and entities."""
    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


def tab_counts(page: str) -> dict[str, tuple[str, int]]:
    """Each status tab of the queue: its address and its count (``""``: all)."""
    tabs = page.split('id="review-tabs"')[1].split("</ul>")[0]
    found = re.findall(
        r'<a href="([^"]+)"[^>]*data-status="(\w*)">[^<]*<span class="bw-count">(\d+)</span>', tabs
    )
    return {status: (htmllib.unescape(href), int(n)) for href, status, n in found}


def listed(page: str) -> list[int]:
    """The ids of the reports the queue lists, in order."""
    if 'id="review-list"' not in page:
        return []
    block = page.split('id="review-list"')[1].split("</ol>")[0]
    return [int(i) for i in re.findall(r'<article[^>]* id="report-(\d+)"', block)]


def flashes(page: str) -> list[str]:
    return [
        htmllib.unescape(m)
        for m in re.findall(r'<p class="bw-flash bw-flash-\w+"[^>]*>([^<]*)</p>', page)
    ]


# --------------------------------------------------------------------------- the tabs


def test_each_tab_counts_the_rows_it_lists(session, coordinator):
    for hours, status in enumerate(["new", "new", "verified", "rejected", "referred", "new"]):
        windowed(session, hours, status=status)
    windowed(session, 7, status="duplicate", category="drug_trafficking")
    windowed(session, 8, district_name="Chiang Khong")  # another district

    page = coordinator.get(f"/review?{DAYS}").get_data(as_text=True)
    tabs = tab_counts(page)

    assert set(tabs) == {"", *(s.value for s in IncidentStatus)}
    assert {s: n for s, (_, n) in tabs.items()} == {
        "": 7,
        "new": 3,
        "verified": 1,
        "rejected": 1,
        "duplicate": 1,
        "referred": 1,
        "closed": 0,
    }
    for status, (href, count) in tabs.items():
        assert "since=2020-03-01" in href and "until=2020-03-10" in href  # the filters stay
        rows = listed(coordinator.get(href).get_data(as_text=True))
        assert len(rows) == count, status
    # the current tab is marked; a filter narrows every count
    assert re.search(r'aria-current="page" data-status="">', page)
    drugs = tab_counts(
        coordinator.get(f"/review?{DAYS}&category=drug_trafficking").get_data(as_text=True)
    )
    assert drugs[""][1] == 1 and drugs["duplicate"][1] == 1 and drugs["new"][1] == 0


def test_an_empty_tab_says_so(session, coordinator):
    windowed(session, 1)
    page = coordinator.get(f"/review?{DAYS}&status=closed", headers=EN).get_data(as_text=True)
    assert listed(page) == []
    assert 'id="review-empty"' in page and "No report matches these filters." in page


# --------------------------------------------------------------------------- waiting over 48 hours


def test_reports_waiting_over_48_hours_come_first_and_stand_out(session, coordinator):
    fresh = recent(session, 2)
    overdue = recent(session, 75)  # 3 days and 3 hours
    day_old = recent(session, 30)
    handled = recent(session, 100, status="verified")

    page = coordinator.get("/review", headers=EN).get_data(as_text=True)
    order = [i for i in listed(page) if i in {fresh.id, overdue.id, day_old.id, handled.id}]
    assert order == [overdue.id, fresh.id, day_old.id, handled.id]

    def card(incident: Incident) -> str:
        return page.split(f'id="report-{incident.id}"')[1].split("</article>")[0]

    assert (
        'class="bw-card rv-card rv-card-overdue"'
        in page.split(f'id="report-{overdue.id}"')[0][-80:]
    )
    assert re.search(r'class="bw-badge bw-badge-overdue[^"]*">waiting 3 days<', card(overdue))
    assert "waiting 30 hours" in text_of(card(day_old)) and "bw-badge-overdue" not in card(day_old)
    assert "waiting 2 hours" in text_of(card(fresh))
    assert "waiting" not in text_of(card(handled))  # only new reports wait
    assert "1 new report has waited longer than 48 hours" in text_of(page)

    thai = coordinator.get("/review").get_data(as_text=True)
    assert "รอมา 3 วัน" in text_of(thai.split(f'id="report-{overdue.id}"')[1].split("</article>")[0])
    assert "รอตรวจสอบนานเกิน 48 ชั่วโมง" in text_of(thai)
    # the incident page says it too
    incident = coordinator.get(f"/review/incidents/{overdue.id}", headers=EN).get_data(True)
    assert re.search(r'bw-badge-overdue[^"]*">waiting 3 days<', incident)


# --------------------------------------------------------------------------- the next report


def test_after_an_action_the_next_new_report_of_the_same_view_opens(session, coordinator):
    first = windowed(session, 1)
    second = windowed(session, 2)
    other_category = windowed(session, 3, category="drug_trafficking")
    windowed(session, 4, status="verified")
    trail = f"{DAYS}&category=smuggling"

    page = coordinator.get(f"/review/incidents/{first.id}?{trail}").get_data(as_text=True)
    back = htmllib.unescape(re.search(r'name="back" value="([^"]*)"', page).group(1))
    assert back == "since=2020-03-01&until=2020-03-10&category=smuggling"
    resp = coordinator.post(
        f"/review/incidents/{first.id}/actions",
        data={"action": "verify", "note": "seen", "back": back, "return_to": "incident"},
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/review/incidents/{second.id}?{trail}"
    opened = coordinator.get(resp.headers["Location"]).get_data(as_text=True)
    assert flashes(opened) == [f"รายงาน #{first.id} ตรวจสอบแล้ว"]  # Thai, the default
    assert f"รายงาน #{second.id}:" in opened  # the next report's page
    # its way back keeps the view of the queue
    assert f'href="/review?{trail.replace("&", "&amp;")}"' in opened

    # the last new report of this view: back to the queue, saying so
    resp = coordinator.post(
        f"/review/incidents/{second.id}/actions",
        data={"action": "reject", "back": back},
        headers=EN,
    )
    assert resp.headers["Location"] == f"/review?{trail}"
    queue = coordinator.get(resp.headers["Location"], headers=EN).get_data(as_text=True)
    assert flashes(queue) == [
        f"Report #{second.id} rejected.",
        "No new report is left in the queue.",
    ]
    # without the category filter the other category's report is next
    resp = coordinator.post(
        f"/review/incidents/{first.id}/actions",
        data={"action": "close", "back": DAYS},
    )
    assert resp.headers["Location"] == f"/review/incidents/{other_category.id}?{DAYS}"


def test_a_refused_action_comes_back_to_its_page_with_the_reason(session, coordinator):
    inc = windowed(session, 1, status="rejected")
    windowed(session, 2)  # a new report, not opened after a refusal
    resp = coordinator.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "back": DAYS, "return_to": "incident"},
        headers=EN,  # the message is written in the language of the request that acts
    )
    assert resp.headers["Location"] == f"/review/incidents/{inc.id}?{DAYS}"
    page = coordinator.get(resp.headers["Location"], headers=EN).get_data(as_text=True)
    assert flashes(page) == [
        f"Report #{inc.id}: cannot verify an incident whose status is rejected"
    ]
    thai = coordinator.post(
        f"/review/incidents/{inc.id}/actions", data={"action": "verify", "back": DAYS}
    )
    assert thai.headers["Location"] == f"/review?{DAYS}"  # sent from the queue: the queue
    (message,) = flashes(coordinator.get(thai.headers["Location"]).get_data(as_text=True))
    assert message.startswith(f"รายงาน #{inc.id}: ")


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ({"action": "refer", "agency": "customs"}, "Report #{id} referred to Customs."),
        ({"action": "verify"}, "Report #{id} verified."),
        ({"action": "close"}, None),  # refused from new: see the next test
    ],
)
def test_each_action_says_what_it_did(session, coordinator, form, expected):
    inc = windowed(session, 1)
    resp = coordinator.post(f"/review/incidents/{inc.id}/actions", data=form, headers=EN)
    (message,) = flashes(coordinator.get(resp.headers["Location"], headers=EN).get_data(True))[:1]
    if expected is None:
        assert message.startswith(f"Report #{inc.id}: cannot close")
    else:
        assert message == expected.format(id=inc.id)


def test_a_duplicate_is_chosen_from_the_candidates_or_typed(session, coordinator):
    original = windowed(session, 1)
    copy = windowed(session, 2)
    other = windowed(session, 3)
    page = coordinator.get(f"/review/incidents/{copy.id}?{DAYS}", headers=EN).get_data(True)
    form = page.split('data-action="mark_duplicate"')[1].split("</form>")[0]
    options = re.findall(r'<option value="(\d+)"', form)
    assert str(original.id) in options and str(other.id) in options  # the candidates
    assert 'name="duplicate_of_other"' in form
    assert re.search(r'<form [^>]*data-action="mark_duplicate" data-confirm="[^"]+"', page)

    # the number typed is taken instead of the choice
    resp = coordinator.post(
        f"/review/incidents/{copy.id}/actions",
        data={"action": "mark_duplicate", "duplicate_of": str(other.id),
              "duplicate_of_other": str(original.id), "back": DAYS},
        headers=EN,
    )  # fmt: skip
    assert resp.status_code == 303
    session.expire_all()
    assert session.get_one(Incident, copy.id).duplicate_of_id == original.id
    message = flashes(coordinator.get(resp.headers["Location"], headers=EN).get_data(True))[0]
    assert message == f"Report #{copy.id} marked as a duplicate of #{original.id}."
    # a number that is not an id is refused naming the field
    resp = coordinator.post(
        f"/review/incidents/{other.id}/actions",
        data={"action": "mark_duplicate", "duplicate_of_other": "12a"},
        headers=EN,
    )
    message = flashes(coordinator.get(resp.headers["Location"], headers=EN).get_data(True))[0]
    assert message == f"Report #{other.id}: duplicate_of must be an incident id"
    assert session.scalar(select(Incident.status).where(Incident.id == other.id)) == "new"


def test_irreversible_actions_ask_first(session, coordinator):
    inc = windowed(session, 1)
    page = coordinator.get(f"/review/incidents/{inc.id}").get_data(as_text=True)
    forms = dict(re.findall(r'<form [^>]*data-action="(\w+)"([^>]*)>', page))
    asks = {action for action, rest in forms.items() if "data-confirm=" in rest}
    assert set(forms) == {"verify", "reject", "mark_duplicate", "refer"}
    assert asks == {"reject", "mark_duplicate"}
    assert f'data-confirm="ไม่รับเรื่องรายงาน #{inc.id} หรือไม่ ทำแล้วย้อนกลับไม่ได้"' in page


# --------------------------------------------------------------------------- words and filters


def test_the_pages_show_labels_and_thai_time_never_raw_values(session, coordinator):
    inc = windowed(session, 1, category="drug_trafficking")
    coordinator.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "refer", "agency": "border_patrol_police"},
    )
    for path in (f"/review?{DAYS}", f"/review/incidents/{inc.id}"):
        english = text_of(coordinator.get(path, headers=EN).get_data(as_text=True))
        thai = text_of(coordinator.get(path).get_data(as_text=True))
        for raw in ("drug_trafficking", "border_patrol_police", "officer_app", "referred"):
            assert raw not in english and raw not in thai, (path, raw)
        assert "Drug trafficking" in english and "ค้ายาเสพติด" in thai
        assert "1 Mar 2020, 13:00" in english  # 06:00 UTC is 13:00 in Thailand
        assert "1 มี.ค. 2563 13:00" in thai  # the Buddhist era
    page = text_of(coordinator.get(f"/review/incidents/{inc.id}", headers=EN).get_data(True))
    assert "Border Patrol Police" in page and "Officer's app" in page


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("district=abc", "district"),
        ("district=0", "district"),
        ("status=bogus", "status"),
        ("since=2020-02-30", "since"),
        ("bogus=1", "bogus"),
    ],
)
def test_bad_filters_of_either_page_are_named(session, coordinator, query, field):
    inc = windowed(session, 1)
    for path in ("/review", f"/review/incidents/{inc.id}"):
        resp = coordinator.get(f"{path}?{query}", headers={"Accept": "application/json"})
        assert resp.status_code == 400, path
        assert resp.get_json()["field"] == field


def test_the_district_filter_takes_only_the_viewers_districts(session, coordinator):
    inc = windowed(session, 1)
    aranya = district(session, "Aranyaprathet").id
    chiang_khong = district(session, "Chiang Khong").id
    ok = coordinator.get(f"/review?{DAYS}&district={aranya}")
    assert ok.status_code == 200 and listed(ok.get_data(as_text=True)) == [inc.id]
    # one district: no district select to choose from
    assert 'name="district"' not in ok.get_data(as_text=True)
    refused = coordinator.get(
        f"/review?district={chiang_khong}", headers={"Accept": "application/json"}
    )
    assert refused.status_code == 400 and refused.get_json()["field"] == "district"
