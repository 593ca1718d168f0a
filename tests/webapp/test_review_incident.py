"""The incident page of triage (``/review/incidents/<id>``), its JSON, the reporter's contact
(coordinators of the district and HQ analysts only, never in a log) and the history's notes."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from functools import partial
from types import SimpleNamespace

import pytest
from gunicorn.config import Config
from gunicorn.glogging import Logger
from sqlalchemy import select, text

from gis.incidents.photos import add_photo, prepare_photo
from gis.models import Checkpoint, Incident
from gis.types import Channel, IncidentCategory, Role
from tests.factories import make_incident, report_incident
from tests.images import jpeg
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

ARANYA = (102.5066, 13.6928)  # Aranyaprathet market, Sa Kaeo (TH2706)
CHIANG_KHONG = (100.4086, 20.2617)
#: 15:30 UTC is 22:30 in Thailand.
OCCURRED = dt.datetime(2026, 11, 19, 15, 30, tzinfo=dt.UTC)
CONTACT = "LINE informant-{}"
#: The page in English (the tests of its words in Thai: tests/webapp/test_review_workspace.py).
EN = {"Accept-Language": "en"}


#: A report of Aranyaprathet's market, stored as the app stores one (routed, measured).
report = partial(
    report_incident,
    where=ARANYA,
    occurred_at=OCCURRED,
    description="Boxes loaded onto a boat behind the rice mill",
)


@pytest.fixture(autouse=True)
def _without_csrf(app):
    """CSRF is tested with the queue page; here the forms are posted without the token."""
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def users(session):
    return {
        "coordinator": make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706"),
        "other_coordinator": make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703"),
        "officer": make_user(session, Role.OFFICER, "officer-aranya", district="TH2706"),
        "other_officer": make_user(session, Role.OFFICER, "officer-ck", district="TH5703"),
        "volunteer": make_user(session, Role.VOLUNTEER, "vol-aranya", district="TH2706"),
        "planner": make_user(session, Role.PATROL_PLANNER, "planner-sk", province="TH27"),
        "hq": make_user(session, Role.HQ_ANALYST),
        "admin": make_user(session, Role.ADMINISTRATOR),
    }


@pytest.fixture
def as_user(app, users):
    """A function: a client signed in as one of ``users`` (``None``: anonymous)."""

    def signed_in(who: str | None):
        c = app.test_client()
        if who is not None:
            assert sign_in(c, users[who].username).status_code == 302
        return c

    return signed_in


def unique_contact() -> str:
    return CONTACT.format(uuid.uuid4().hex[:12])


# --------------------------------------------------------------------------- the page


def test_the_page_shows_the_incident_whole(session, as_user):
    contact = unique_contact()
    inc = report(
        session,
        reporter_contact=contact,
        channel=Channel.ONLINE_PUBLIC,
        description="boat <b>7</b> & `${x}`\nsecond line",
    )
    twin = report(
        session, where=(ARANYA[0] + 0.002, ARANYA[1]), occurred_at=OCCURRED - dt.timedelta(hours=6)
    )
    report(session, where=(ARANYA[0] + 0.002, ARANYA[1]), category=IncidentCategory.OTHER)
    checkpoint = session.get(Checkpoint, inc.nearest_checkpoint_id)
    assert checkpoint is not None

    resp = as_user("coordinator").get(f"/review/incidents/{inc.id}", headers=EN)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f"Report #{inc.id}: Smuggling of goods" in html
    assert '<dd id="incident-status">New</dd>' in html
    assert '<dd id="incident-occurred">19 Nov 2026, 22:30</dd>' in html  # Thai time
    assert '<dd id="incident-district">Aranyaprathet, Sa Kaeo</dd>' in html
    assert "13.69280, 102.50660" in html
    assert checkpoint.name in html
    assert "boat &lt;b&gt;7&lt;/b&gt; &amp; `${x}`\nsecond line" in html  # escaped, kept
    assert f'<p id="incident-contact" class="rv-text">{contact}</p>' in html
    # the possible duplicate, linked, with its distance; not the other category
    dupes = html.split('id="incident-duplicates"')[1].split("</ol>")[0]
    assert f'href="/review/incidents/{twin.id}"' in dupes
    assert re.search(r'class="rv-distance">(1[5-9]\d|2\d\d) m<', dupes)
    assert dupes.count("/review/incidents/") == 1
    # and the district's names in Thai on the Thai page
    thai = as_user("coordinator").get(f"/review/incidents/{inc.id}").get_data(as_text=True)
    assert '<dd id="incident-district">อ.อรัญประเทศ จ.สระแก้ว</dd>' in thai
    # one form per allowed action, each returning to this page
    assert html.count('name="return_to" value="incident"') == 4
    assert f'action="/review/incidents/{inc.id}/actions"' in html
    assert 'id="incident-map"' in html and "js/incident-map.js" in html
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)
    assert not re.search(r"\sstyle=", html)  # the CSP refuses inline styles


def test_a_report_without_a_recorded_event_says_so_under_its_history(session, as_user):
    """A report stored without its first event (an import, the demo's bulk rows) shows a
    sentence in the page's language under "History", not an empty box; one with events does
    not."""
    bare = make_incident(session)
    told = report(session)
    empty = 'class="bw-empty rv-history-empty"'
    thai = as_user("coordinator").get(f"/review/incidents/{bare.id}").get_data(as_text=True)
    assert f"{empty}>ยังไม่มีการบันทึกการดำเนินการของรายงานนี้</p>" in thai
    english = as_user("coordinator").get(f"/review/incidents/{bare.id}", headers=EN)
    assert "Nothing has been recorded about this report yet." in english.get_data(as_text=True)
    html = as_user("coordinator").get(f"/review/incidents/{told.id}").get_data(as_text=True)
    assert empty not in html and 'class="rv-event"' in html


def test_the_queue_links_each_row_to_the_incident_page(session, as_user):
    inc = report(session)
    html = as_user("coordinator").get("/review", headers=EN).get_data(as_text=True)
    assert f'<a href="/review/incidents/{inc.id}">#{inc.id} Smuggling of goods</a>' in html


@pytest.mark.parametrize(
    ("who", "page", "api", "contact"),
    [
        (None, 302, 401, False),
        ("volunteer", 403, 403, False),
        ("officer", 403, 403, False),
        ("planner", 403, 403, False),
        ("other_coordinator", 404, 404, False),
        ("coordinator", 200, 200, True),
        ("hq", 200, 200, True),
        ("admin", 200, 200, False),  # administrators manage accounts, not cases
    ],
)
def test_roles_scope_and_who_reads_the_contact(session, as_user, who, page, api, contact):
    secret = unique_contact()
    inc = report(session, reporter_contact=secret, channel=Channel.ONLINE_PUBLIC)
    c = as_user(who)
    resp = c.get(f"/review/incidents/{inc.id}")
    assert resp.status_code == page
    assert (secret in resp.get_data(as_text=True)) is contact
    assert ('id="incident-contact"' in resp.get_data(as_text=True)) is contact
    answer = c.get(f"/api/review/incidents/{inc.id}")
    assert answer.status_code == api
    body = answer.get_json()
    assert ("reporter_contact" in body) is contact
    if contact:
        assert body["reporter_contact"] == secret
    # the plain incident JSON never carries it
    assert secret not in c.get(f"/api/incidents/{inc.id}").get_data(as_text=True)
    # nor does the history
    assert secret not in c.get(f"/api/incidents/{inc.id}/history").get_data(as_text=True)


def test_an_unknown_incident_is_404(as_user):
    c = as_user("hq")
    assert c.get("/review/incidents/999999999").status_code == 404
    assert c.get("/api/review/incidents/999999999").status_code == 404


def test_the_review_json_names_places_and_actions(session, as_user):
    inc = report(session)
    body = as_user("coordinator").get(f"/api/review/incidents/{inc.id}").get_json()
    name = session.scalar(select(Checkpoint.name).where(Checkpoint.id == inc.nearest_checkpoint_id))
    assert body["id"] == inc.id and body["status"] == "new"
    assert body["nearest_checkpoint_name"] == name
    assert body["district"]["name"] == "Aranyaprathet"
    assert body["allowed_actions"] == ["verify", "reject", "mark_duplicate", "refer"]
    assert body["reporter_contact"] is None  # an officer's report: no contact


def test_the_page_shows_the_photos_as_images_of_the_photos_api(session, users, as_user):
    inc = report(session)
    photos = [
        add_photo(session, inc, prepare_photo(jpeg((64 + i, 48), (200, 30 * i, 30))), None)[0]
        for i in range(2)
    ]
    c = as_user("coordinator")
    html = c.get(f"/review/incidents/{inc.id}").get_data(as_text=True)
    block = html.split('id="incident-photos"')[1].split("</ul>")[0]
    sources = re.findall(r'<img src="([^"]+)"', block)
    assert sources == [f"/api/incidents/{inc.id}/photos/{p.id}" for p in photos]
    for src in sources:
        image = c.get(src)
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert 'width="64" height="48"' in block
    other = report(session)
    assert '<p id="incident-photos" class="bw-muted">No photos.</p>' in c.get(
        f"/review/incidents/{other.id}", headers=EN
    ).get_data(as_text=True)


def test_no_contact_given_says_so_to_those_who_may_read_it(session, as_user):
    inc = report(session)
    html = as_user("hq").get(f"/review/incidents/{inc.id}", headers=EN).get_data(as_text=True)
    assert '<p id="incident-contact" class="bw-muted">None given.</p>' in html


def test_readers_without_actions_see_no_forms(session, as_user):
    inc = report(session)
    html = as_user("hq").get(f"/review/incidents/{inc.id}").get_data(as_text=True)
    assert "return_to" not in html and 'id="incident-actions"' not in html


# --------------------------------------------------------------------------- acting from it


def test_an_action_from_the_page_opens_the_next_report_and_is_in_the_history(session, as_user):
    inc = report(session)
    report(session, where=CHIANG_KHONG)  # another district's: never the next one here
    following = report(session, occurred_at=OCCURRED - dt.timedelta(hours=1))
    c = as_user("coordinator")
    resp = c.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "note": "seen by <i>patrol</i> 7", "return_to": "incident"},
        headers=EN,
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"/review/incidents/{following.id}"  # the next new one
    assert f"Report #{inc.id} verified." in c.get(resp.headers["Location"]).get_data(True)
    html = c.get(f"/review/incidents/{inc.id}", headers=EN).get_data(as_text=True)
    assert '<dd id="incident-status">Verified</dd>' in html
    history = html.split('id="incident-history"')[1]
    assert '<span class="rv-event-who">coord-aranya</span>' in history
    assert "seen by &lt;i&gt;patrol&lt;/i&gt; 7" in history
    assert re.search(r'bw-badge-new">New</span>.*bw-badge-verified">Verified</span>', history, re.S)
    # only the actions still allowed
    assert re.findall(r'<form [^>]*data-action="(\w+)"', html) == [
        "mark_duplicate",
        "refer",
        "close",
    ]


def test_an_invalid_transition_from_the_page_names_the_current_status(session, as_user):
    inc = report(session)
    c = as_user("coordinator")
    c.post(f"/review/incidents/{inc.id}/actions", data={"action": "reject"})
    resp = c.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "return_to": "incident"},
        headers=EN,
    )
    assert resp.headers["Location"] == f"/review/incidents/{inc.id}"
    html = c.get(resp.headers["Location"], headers=EN).get_data(as_text=True)
    assert "cannot verify an incident whose status is rejected" in html
    assert "None: the status “Rejected” is final." in html


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "/admin/users"])
def test_the_return_address_is_never_taken_from_the_form(session, as_user, target):
    inc = report(session)
    resp = as_user("coordinator").post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "return_to": target, "back": target},
    )
    assert resp.status_code == 303
    assert resp.headers["Location"] == "/review"


# --------------------------------------------------------------------------- history notes


def test_reporters_read_status_changes_but_not_the_notes(session, users, as_user):
    by_volunteer = report(session, reporter=users["volunteer"])
    by_officer = report(session, reporter=users["officer"])
    elsewhere = report(session, reporter=users["other_officer"])  # reported in Aranyaprathet
    c = as_user("coordinator")
    for inc in (by_volunteer, by_officer, elsewhere):
        c.post(
            f"/review/incidents/{inc.id}/actions",
            data={"action": "refer", "agency": "customs", "note": "internal: informant known"},
        )

    def seen(who, inc):
        resp = as_user(who).get(f"/api/incidents/{inc.id}/history")
        assert resp.status_code == 200
        return [(e["action"], e["to"], e["note"], e["details"]) for e in resp.get_json()["events"]]

    hidden = [("created", "new", None, None), ("refer", "referred", None, None)]
    assert seen("volunteer", by_volunteer) == hidden
    assert seen("other_officer", elsewhere) == hidden
    full = ("refer", "referred", "internal: informant known", {"referred_to": "customs"})
    assert seen("officer", by_officer)[1] == full  # staff of the district
    assert seen("officer", elsewhere)[1] == full
    assert seen("planner", by_volunteer)[1] == full
    assert seen("hq", by_volunteer)[1] == full


def test_a_note_for_the_reporter_from_the_page_reaches_the_reporter_only(session, users, as_user):
    by_volunteer = report(session, reporter=users["volunteer"])
    public = report(session)  # no account to read a note
    c = as_user("coordinator")
    page = c.get(f"/review/incidents/{by_volunteer.id}", headers=EN).get_data(as_text=True)
    fields = re.findall(r'<textarea id="[^"]+" name="(\w+)"', page)
    assert fields.count("reporter_note") == fields.count("note") > 0  # one per action form
    public_page = c.get(f"/review/incidents/{public.id}", headers=EN).get_data(as_text=True)
    assert 'name="reporter_note"' not in public_page and 'name="note"' in public_page

    resp = c.post(
        f"/review/incidents/{by_volunteer.id}/actions",
        data={
            "action": "verify",
            "note": "internal: informant known",
            "reporter_note": "  Thank you: a patrol <b>checked</b> it.  ",
            "return_to": "incident",
        },
    )
    assert resp.status_code == 303
    staff = c.get(f"/review/incidents/{by_volunteer.id}", headers=EN).get_data(as_text=True)
    history = staff.split('id="incident-history"')[1]
    assert "internal: informant known" in history
    assert "Thank you: a patrol &lt;b&gt;checked&lt;/b&gt; it." in history  # for the reporter

    def seen(who):
        resp = as_user(who).get(f"/api/incidents/{by_volunteer.id}/history")
        assert resp.status_code == 200
        return [(e["action"], e["note"], e["reporter_note"]) for e in resp.get_json()["events"]]

    verify = "Thank you: a patrol <b>checked</b> it."
    assert seen("volunteer")[1] == ("verify", None, verify)  # the reporter: no internal note
    assert seen("officer")[1] == ("verify", "internal: informant known", verify)  # the staff
    mine = as_user("volunteer").get("/my-reports", headers=EN).get_data(as_text=True)
    assert "Thank you: a patrol &lt;b&gt;checked&lt;/b&gt; it." in mine
    assert "informant" not in mine


def test_a_bad_note_for_the_reporter_from_the_page_writes_nothing(session, users, as_user):
    inc = report(session, reporter=users["volunteer"])
    c = as_user("coordinator")
    resp = c.post(
        f"/review/incidents/{inc.id}/actions",
        data={"action": "verify", "reporter_note": "x" * 2001, "return_to": "incident"},
        headers=EN,
    )
    assert resp.headers["Location"] == f"/review/incidents/{inc.id}"
    html = c.get(resp.headers["Location"], headers=EN).get_data(as_text=True)
    assert "reporter_note" in html or "note for the reporter" in html.lower()
    assert '<dd id="incident-status">New</dd>' in html


def test_no_event_of_the_history_names_the_reporter_to_those_who_may_not_know_them(
    session, users, as_user
):
    """The reporter's photo right after the report named them to everyone in scope: every event
    by the reporter is anonymous unless the reader is the reporter or may read the reporter's
    contact (the district's coordinators, HQ analysts); the report itself names nobody but its
    reporter, as before."""
    by_officer = report(session, reporter=users["officer"])
    _, created = add_photo(session, by_officer, prepare_photo(jpeg((40, 30))), users["officer"])
    assert created
    assert (
        as_user("coordinator")
        .post(f"/review/incidents/{by_officer.id}/actions", data={"action": "verify"})
        .status_code
        == 303
    )

    def who(reader: str) -> list[tuple[str, str | None]]:
        resp = as_user(reader).get(f"/api/incidents/{by_officer.id}/history")
        assert resp.status_code == 200
        return [(e["action"], e["who"]) for e in resp.get_json()["events"]]

    anonymous = [("created", None), ("photo_added", None), ("verify", "coord-aranya")]
    named = [("created", None), ("photo_added", "officer-aranya"), ("verify", "coord-aranya")]
    colleague = make_user(session, Role.OFFICER, "officer-aranya-2", district="TH2706")
    users["colleague"] = colleague
    for reader in ("colleague", "planner", "admin"):
        assert who(reader) == anonymous, reader
    for reader in ("coordinator", "hq"):
        assert who(reader) == named, reader
    assert who("officer") == [
        ("created", "officer-aranya"),
        ("photo_added", "officer-aranya"),
        ("verify", "coord-aranya"),
    ]
    # the incident page of an administrator (a reviewer who may not read contacts) likewise
    page = as_user("admin").get(f"/review/incidents/{by_officer.id}").get_data(as_text=True)
    assert "officer-aranya" not in page
    page = as_user("hq").get(f"/review/incidents/{by_officer.id}").get_data(as_text=True)
    assert "officer-aranya" in page


# --------------------------------------------------------------------------- never in a log


def access_line(resp) -> str:
    """The line gunicorn's access log (its default format, as ``make run`` uses) writes."""
    environ = dict(resp.request.environ)
    environ.setdefault(
        "RAW_URI",
        environ["PATH_INFO"]
        + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else ""),
    )
    cfg = Config()
    cfg.set("accesslog", "-")

    sent = SimpleNamespace(
        status=resp.status, sent=len(resp.get_data()), headers=list(resp.headers.items())
    )

    atoms = Logger(cfg).atoms(sent, resp.request.headers, environ, dt.timedelta(milliseconds=5))
    return cfg.access_log_format % atoms


def test_a_public_reporters_contact_reaches_no_log(client, session, as_user, caplog):
    caplog.set_level(logging.DEBUG)  # the root logger: every logger propagates to it
    for name in ("gunicorn.access", "gunicorn.error", "werkzeug", "sqlalchemy"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    contact = unique_contact()
    form = client.get("/report?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    replies = [
        client.post(
            "/report?lang=en",
            data={
                "csrf_token": token.group(1),
                "lon": str(ARANYA[0]),
                "lat": str(ARANYA[1]),
                "category": "smuggling",
                "occurred_at": "2026-11-20T21:15",
                "description": "Boats unloading boxes",
                "reporter_contact": contact,
                "idempotency_key": str(uuid.uuid4()),
            },
        )
    ]
    assert replies[0].status_code == 201
    stored = session.scalar(select(Incident).where(Incident.reporter_contact == contact))
    assert stored is not None
    coordinator = as_user("coordinator")
    replies.append(coordinator.get(f"/review/incidents/{stored.id}"))
    replies.append(coordinator.get(f"/api/review/incidents/{stored.id}"))
    assert contact in replies[1].get_data(as_text=True)  # shown to the coordinator ...
    assert caplog.records  # (the log is being captured)
    for record in caplog.records:  # ... and in no log record
        assert contact not in record.getMessage() and contact not in str(record.args)
    assert contact not in caplog.text
    for resp in replies:  # the access log sees the request line, not the body
        line = access_line(resp)
        assert line.startswith("127.0.0.1 - - [") and "HTTP/1.1" in line
        assert contact not in line


def test_a_failed_statement_logs_no_parameters(app, client, caplog, monkeypatch):
    """An unexpected database error on a report is logged with its SQL, never its values."""
    from webapp.db import get_session
    from webapp.public import views

    def failing(session, data, max_distance_m):
        get_session().execute(
            text("SELECT CAST(:contact AS integer)"), {"contact": data.reporter_contact}
        )

    monkeypatch.setattr(views, "create_public_report", failing)
    caplog.set_level(logging.DEBUG)
    contact = unique_contact()
    form = client.get("/report?lang=en").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = client.post(
        "/report?lang=en",
        data={
            "csrf_token": token,
            "lon": str(ARANYA[0]),
            "lat": str(ARANYA[1]),
            "category": "smuggling",
            "occurred_at": "2026-11-20T21:15",
            "reporter_contact": contact,
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert resp.status_code == 500
    assert "unhandled error on POST /report" in caplog.text
    assert "CAST" in caplog.text  # the statement is there, its parameter is not
    assert contact not in caplog.text
