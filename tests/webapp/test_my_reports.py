"""``/my-reports``: the signed-in reporter's own reports, in Thai and English, by status and by
page; never another account's report nor a coordinator's note."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from gis.incidents.review import apply_action
from gis.types import IncidentCategory, Role
from tests.factories import make_incident
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)
ENGLISH = {"Accept-Language": "en"}
THAI = {"Accept-Language": "th-TH,th;q=0.9"}
CARD = re.compile(r'<li class="bw-card bw-my-report" id="report-(\d+)" data-status="(\w+)">')
CONFIG = re.compile(
    # no nonce: the page is kept by the service worker (webapp/offline) and a data block needs none
    r'<script type="application/json" id="my-reports-config">(.*?)</script>',
    re.S,
)


def report(session, reporter, hours: int, **values):
    at = T0 + dt.timedelta(hours=hours)
    return make_incident(
        session,
        reporter=reporter,
        with_event=True,
        reported_at=at,
        occurred_at=at - dt.timedelta(hours=1),
        **values,
    )


def cards(html: str) -> list[tuple[int, str]]:
    return [(int(i), status) for i, status in CARD.findall(html)]


def page_of(client, query: str = "", headers=ENGLISH) -> str:
    resp = client.get("/my-reports" + query, headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    # the account's service worker keeps it (webapp/offline); no shared cache does
    assert resp.headers["Cache-Control"] == "private, no-cache"
    return resp.get_data(as_text=True)


def test_the_public_is_sent_to_sign_in(client):
    resp = client.get("/my-reports?status=new")
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/login?next=/my-reports?status%3Dnew"


@pytest.mark.parametrize("role", [Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.ADMINISTRATOR])
def test_roles_that_do_not_report_are_refused_and_not_offered_the_page(client, session, role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    assert client.get("/my-reports", headers=ENGLISH).status_code == 403
    home = client.get("/", headers=ENGLISH).get_data(as_text=True)
    assert 'href="/my-reports"' not in home


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR])
def test_reporters_find_the_page_in_the_header(client, session, role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    html = page_of(client)
    assert re.search(r'<a href="/my-reports" aria-current="page">My reports</a>', html)
    assert "<h1>My reports</h1>" in html


def test_only_the_accounts_own_reports_newest_first(app, client, session):
    me = make_user(session, Role.OFFICER, "my-officer")
    other = make_user(session, Role.OFFICER, "my-other")
    coordinator = make_user(session, Role.COORDINATOR, "my-coordinator")
    older = report(session, me, 1, description="MY-OWN-TEXT")
    newer = report(session, me, 2, district_name="Chiang Khong", category="drug_trafficking")
    theirs = report(session, other, 3, description="SOMEONE-ELSES-TEXT")
    public = report(session, None, 4, channel="online_public", reporter_contact="081-999-0000")
    coordinators = report(session, coordinator, 5)

    assert sign_in(client, me.username).status_code == 302
    html = page_of(client)
    assert cards(html) == [(newer.id, "new"), (older.id, "new")]
    for stranger in (theirs, public, coordinators):
        assert f'id="report-{stranger.id}"' not in html
    assert "SOMEONE-ELSES-TEXT" not in html and "081-999-0000" not in html
    assert "my-other" not in html
    # what each card says: category, place, times in Thai time, status, last change
    card = html[html.index(f'id="report-{newer.id}"') : html.index(f'id="report-{older.id}"')]
    assert "Drug trafficking" in card
    assert "Chiang Khong, Chiang Rai" in card
    assert "1 Jun 2026, 10:00" in card  # happened 03:00 UTC, in Thai time
    assert "1 Jun 2026, 11:00" in card  # reported
    assert '<span class="bw-badge bw-badge-new">New</span>' in card
    # the event of the report itself, written now by the factory
    assert re.search(
        r'<dd class="bw-my-change">\d+ \w+ \d{4}, \d\d:\d\d ·\s*Report sent</dd>', card
    )
    assert "drug_trafficking" not in card.replace('data-status="new"', "")

    # the coordinator's page lists the coordinator's own report only, not the district's
    theirs_client = app.test_client()
    assert sign_in(theirs_client, coordinator.username).status_code == 302
    assert cards(page_of(theirs_client)) == [(coordinators.id, "new")]


def test_a_coordinators_notes_and_action_details_are_never_shown(client, session):
    me = make_user(session, Role.VOLUNTEER, "my-volunteer")
    verified = report(session, me, 1)
    referred = report(session, me, 2)
    duplicate = report(session, me, 3)
    apply_action(session, verified.id, "verify", None, note="NOTE-INTERNAL-ONE")
    apply_action(session, referred.id, "refer", None, note="NOTE-INTERNAL-TWO", agency="customs")
    apply_action(
        session, duplicate.id, "mark_duplicate", None, note="NOTE-THREE", duplicate_of=verified.id
    )

    assert sign_in(client, me.username).status_code == 302
    for query in ("", "?status=referred", "?status=duplicate"):
        html = page_of(client, query)
        assert "NOTE-" not in html
        assert "Customs" not in html  # the agency it was referred to is a detail for staff
    html = page_of(client)
    assert dict(cards(html)) == {
        verified.id: "verified",
        referred.id: "referred",
        duplicate.id: "duplicate",
    }
    assert "Status changed to Referred" in html
    assert "Status changed to Duplicate" in html


def test_notes_for_the_reporter_are_shown_newest_first_to_the_reporter_only(app, client, session):
    me = make_user(session, Role.OFFICER, "my-noted")
    colleague = make_user(session, Role.OFFICER, "my-colleague")  # same district as me
    coordinator = make_user(session, Role.COORDINATOR, "my-note-writer")
    mine = report(session, me, 1)
    apply_action(
        session,
        mine.id,
        "verify",
        coordinator.id,
        note="NOTE-INTERNAL-STAFF",
        reporter_note="REPORTER-NOTE-FIRST",
    )
    apply_action(
        session, mine.id, "close", coordinator.id, reporter_note="REPORTER-NOTE-SECOND\nline two"
    )

    assert sign_in(client, me.username).status_code == 302
    html = page_of(client)
    card = html[html.index(f'id="report-{mine.id}"') :]
    assert "NOTE-INTERNAL-STAFF" not in html
    assert card.index("REPORTER-NOTE-SECOND\nline two") < card.index("REPORTER-NOTE-FIRST")
    notes = card[card.index('class="bw-my-notes"') :]
    # who wrote it by role, never by name; when in Thai time
    assert notes.count("MWCC coordinator") == 2
    assert "my-note-writer" not in html
    assert re.search(r'<p class="bw-muted">\d+ \w+ \d{4}, \d\d:\d\d · MWCC coordinator</p>', notes)
    thai = page_of(client, headers=THAI)
    assert "REPORTER-NOTE-FIRST" in thai and "NOTE-INTERNAL-STAFF" not in thai
    assert "ผู้ประสานงาน" in thai[thai.index('class="bw-my-notes"') :]

    # another officer of the same district sees neither note: the report is not theirs
    other = app.test_client()
    assert sign_in(other, colleague.username).status_code == 302
    theirs = page_of(other)
    assert f'id="report-{mine.id}"' not in theirs
    assert "REPORTER-NOTE" not in theirs and "NOTE-INTERNAL" not in theirs


def test_tabs_count_by_status_and_filter_in_the_address(client, session):
    me = make_user(session, Role.OFFICER, "my-tabs")
    reports = [report(session, me, h) for h in range(4)]
    apply_action(session, reports[0].id, "verify", None)
    apply_action(session, reports[1].id, "reject", None)
    assert sign_in(client, me.username).status_code == 302

    html = page_of(client)
    tabs = re.findall(
        r'<li><a href="([^"]+)"(?: aria-current="page")?(?: data-status="\w+")?>'
        r'([^<]+) <span class="bw-count">(\d+)</span>',
        html,
    )
    assert tabs == [
        ("/my-reports", "All", "4"),
        ("/my-reports?status=new", "New", "2"),
        ("/my-reports?status=verified", "Verified", "1"),
        ("/my-reports?status=rejected", "Rejected", "1"),
    ]
    assert re.search(r'<a href="/my-reports" aria-current="page">All', html)

    verified = page_of(client, "?status=verified")
    assert cards(verified) == [(reports[0].id, "verified")]
    assert 'aria-current="page" data-status="verified"' in verified
    # a status with no report: its tab while chosen, and an empty state with a way back
    closed = page_of(client, "?status=closed")
    assert cards(closed) == []
    assert "None of your reports is “Closed”." in closed
    assert 'href="/my-reports?status=closed" aria-current="page"' in closed


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?status=lost", "status"),
        ("?page=0", "page"),
        ("?page=two", "page"),
        ("?status=new&status=verified", "status"),
        ("?user=12", "user"),
    ],
)
def test_bad_parameters_are_refused_naming_them(client, session, query, field):
    me = make_user(session, Role.OFFICER, "my-bad")
    assert sign_in(client, me.username).status_code == 302
    resp = client.get("/my-reports" + query, headers={**ENGLISH, "Accept": "application/json"})
    assert resp.status_code == 400
    assert resp.get_json()["field"] == field


def test_fifty_reports_a_page_with_links_between_pages(client, session):
    me = make_user(session, Role.OFFICER, "my-pages")
    ids = [report(session, me, h, category="smuggling").id for h in range(52)]
    assert sign_in(client, me.username).status_code == 302

    first = page_of(client)
    assert [i for i, _ in cards(first)] == ids[::-1][:50]
    assert "Page 1 of 2" in first
    assert 'rel="next" href="/my-reports?page=2"' in first and 'rel="prev"' not in first
    second = page_of(client, "?page=2")
    assert [i for i, _ in cards(second)] == ids[::-1][50:]
    assert 'rel="prev" href="/my-reports?page=1"' in second and 'rel="next"' not in second
    # paging keeps the status filter
    filtered = page_of(client, "?status=new")
    assert 'rel="next" href="/my-reports?status=new&amp;page=2"' in filtered
    past = page_of(client, "?page=3")
    assert cards(past) == [] and "There are no reports on this page." in past


def test_an_account_without_reports_gets_an_empty_state_linking_the_map(client, session):
    me = make_user(session, Role.VOLUNTEER, "my-empty")
    assert sign_in(client, me.username).status_code == 302
    html = page_of(client)
    assert cards(html) == []
    empty = html[html.index('id="my-reports-empty"') :]
    assert "You have not sent any report yet." in empty
    assert re.search(
        r'<a class="bw-btn bw-btn-primary" href="/">Report an incident on the map', empty
    )


def test_the_outbox_script_gets_the_account_and_the_categories_words(client, session):
    me = make_user(session, Role.OFFICER, "my-config")
    assert sign_in(client, me.username).status_code == 302
    html = page_of(client, headers=THAI)
    config = json.loads(CONFIG.search(html).group(1))
    assert config["user"] == me.id  # the outbox's key: borderwatch.outbox.v1.<id>
    assert config["mapUrl"] == "/"
    assert [value for value, _ in config["categories"]] == [c.value for c in IncidentCategory]
    assert dict(config["categories"])["drug_trafficking"] != "Drug trafficking"  # in Thai
    assert re.search(r'<script src="/static/js/outbox\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert re.search(r'<script src="/static/js/my-reports\.js\?v=[0-9a-f]{12}" defer>', html)
    assert 'id="my-outbox"' in html and "hidden" in html[html.index('id="my-outbox"') :][:120]


def test_the_page_in_thai(client, session):
    me = make_user(session, Role.OFFICER, "my-thai")
    report(session, me, 1, district_name="Chiang Khong")
    assert sign_in(client, me.username).status_code == 302
    html = page_of(client, headers=THAI)
    assert '<html lang="th">' in html
    assert "<h1>รายงานของฉัน</h1>" in html
    assert "อ.เชียงของ จ.เชียงราย" in html
    assert "1 มิ.ย. 2569 10:00" in html  # Buddhist-era year, Thai time
    for english in ("My reports", "Happened", "Last change", "Chiang Khong", "Reported"):
        assert english not in html, english
