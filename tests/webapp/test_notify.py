"""Notifications in the app: a report reaches the district's coordinators' bell in the report's
own commit (never another district's), a triage action reaches the reporter, the list and
"mark all read", the settings page and the LINE link code, the administrators' deliveries page,
and the messages in Thai and English."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from gis.models import Notification
from gis.notify.delivery import deliver_next
from gis.notify.outbox import notify_new_report
from gis.notify.settings import link_line_account, setting_of
from gis.types import DeliveryStatus, NotifyChannel, NotifyKind, Role
from tests.factories import inside, make_incident
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.notify.messages import compose

pytestmark = pytest.mark.db

ENGLISH = {"Accept-Language": "en"}
THAI = {"Accept-Language": "th-TH,th;q=0.9"}
LINE_ID = "U" + "0f" * 16


def unread(client) -> int:
    response = client.get("/api/notifications/unread")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["unread"]


def report(client, where) -> dict:
    token = csrf_token(client)
    body = {
        "lon": where[0],
        "lat": where[1],
        "category": "smuggling",
        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
        "idempotency_key": str(uuid.uuid4()),
    }
    response = client.post("/api/incidents", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_a_report_reaches_the_coordinators_bell_and_never_another_districts(app, session):
    make_user(session, Role.OFFICER, "officer-ck", district="TH5703")
    make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    make_user(session, Role.COORDINATOR, "coord-ar", district="TH2706")
    officer, home, away = app.test_client(), app.test_client(), app.test_client()
    for client, name in ((officer, "officer-ck"), (home, "coord-ck"), (away, "coord-ar")):
        assert sign_in(client, name).status_code == 302
    assert unread(home) == 0

    stored = report(officer, inside(session, "Chiang Khong"))

    assert unread(home) == 1
    assert unread(away) == 0
    page = home.get("/notifications", headers=ENGLISH).get_data(as_text=True)
    assert f"New report no. {stored['id']} in Chiang Khong" in page
    assert f"/review/incidents/{stored['id']}" in page
    thai = home.get("/notifications", headers=THAI).get_data(as_text=True)
    assert f"รายงานใหม่ เลขที่ {stored['id']}" in thai
    assert "No notifications yet." in away.get("/notifications", headers=ENGLISH).get_data(
        as_text=True
    )
    done = home.post("/notifications/read", data={"csrf_token": csrf_token(home)})
    assert done.status_code == 303
    assert unread(home) == 0


def test_a_triage_action_reaches_the_reporter(app, session):
    officer = make_user(session, Role.OFFICER, "officer-ck", district="TH5703")
    make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    incident = make_incident(session, district_name="Chiang Khong", reporter=officer)
    coordinator, reporter = app.test_client(), app.test_client()
    sign_in(coordinator, "coord-ck")
    sign_in(reporter, "officer-ck")
    response = coordinator.post(
        f"/api/incidents/{incident.id}/actions",
        json={"action": "verify", "note": "staff only: the informant is the headman"},
        headers={"X-CSRFToken": csrf_token(coordinator)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert unread(reporter) == 1
    page = reporter.get("/notifications", headers=ENGLISH).get_data(as_text=True)
    assert f"Your report no. {incident.id} is now: Verified" in page
    assert "headman" not in page
    # the coordinator made the change: not told of its own action
    (row,) = session.scalars(
        select(Notification).where(Notification.kind == NotifyKind.STATUS_CHANGE)
    ).all()
    assert row.user_id == officer.id and "note" not in row.params


def test_the_bell_is_in_the_header_of_signed_in_pages(app, session):
    make_user(session, Role.OFFICER, "officer-ck", district="TH5703")
    client = app.test_client()
    assert 'id="bw-bell"' not in client.get("/login").get_data(as_text=True)
    sign_in(client, "officer-ck")
    page = client.get("/my-reports", headers=THAI).get_data(as_text=True)
    assert 'id="bw-bell"' in page and 'data-unread-url="/api/notifications/unread"' in page
    assert "js/bell" in page
    assert client.get("/api/notifications/unread").get_json() == {"unread": 0}


def test_settings_are_saved_and_a_bad_address_is_refused_naming_it(app, session):
    user = make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    client = app.test_client()
    sign_in(client, "coord-ck")
    page = client.get("/account/notifications", headers=THAI).get_data(as_text=True)
    assert 'id="notify-matrix"' in page
    form = {
        "csrf_token": csrf_token(client),
        "email": "coord@example.org",
        "digest_minutes": "30",
        "quiet_start": "22:00",
        "quiet_end": "06:00",
        "leads_unit": "police",
        "want-new_report-in_app": "on",
        "want-new_report-email": "on",
    }
    assert client.post("/account/notifications", data=form).status_code == 303
    setting = setting_of(session, user.id)
    session.refresh(setting)
    assert (setting.email, setting.digest_minutes, setting.quiet_start) == (
        "coord@example.org",
        30,
        dt.time(22, 0),
    )
    notify_new_report(session, make_incident(session, district_name="Chiang Khong"))
    kinds = {
        r.channel
        for r in session.scalars(select(Notification).where(Notification.user_id == user.id))
    }
    assert kinds == {NotifyChannel.IN_APP, NotifyChannel.EMAIL}
    bad = client.post(
        "/account/notifications",
        data={**form, "email": "not an address"},
        headers=ENGLISH,
    )
    assert bad.status_code == 400
    assert "email must be an e-mail address" in bad.get_data(as_text=True)
    session.refresh(setting)
    assert setting.email == "coord@example.org"


def test_a_line_link_code_links_once_and_expires(app, session):
    user = make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    client = app.test_client()
    sign_in(client, "coord-ck")
    page = client.post(
        "/account/notifications/line-code", data={"csrf_token": csrf_token(client)}
    ).get_data(as_text=True)
    code = re.search(r'id="line-code">(BW-[0-9A-Z]{4}-[0-9A-Z]{4})<', page).group(1)
    # typed loosely into the LINE chat
    linked = link_line_account(session, " " + code.lower().replace("-", " ") + " ", LINE_ID)
    assert linked is not None and linked.id == user.id
    assert setting_of(session, user.id).line_user_id == LINE_ID
    assert link_line_account(session, code, LINE_ID) is None  # used once
    page = client.get("/account/notifications", headers=ENGLISH).get_data(as_text=True)
    assert 'id="line-linked"' in page
    # a code used after it expired links nothing
    from gis.notify.settings import new_link_code

    other = make_user(session, Role.OFFICER, "officer-ck", district="TH5703")
    late = new_link_code(session, other, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert link_line_account(session, late, "U" + "1" * 32) is None
    assert setting_of(session, other.id).line_user_id is None
    assert link_line_account(session, "hello", "U" + "1" * 32) is None
    with pytest.raises(Exception, match="line_user_id"):
        link_line_account(session, code, "not-a-line-id")


def test_administrators_see_waiting_and_failed_deliveries_and_retry(app, session):
    make_user(session, Role.ADMINISTRATOR, "admin")
    coord = make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    setting_of(session, coord.id).email = "coord@example.org"
    notify_new_report(session, make_incident(session, district_name="Chiang Khong"))
    deliver_next(session, {}, compose)  # e-mail not configured: it waits and says so
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/admin/notifications", headers=ENGLISH).get_data(as_text=True)
    assert "Waiting: 1. Failed: 0." in page
    assert "the channel is not configured" in page
    assert "coord@example.org" not in page
    row = session.scalars(
        select(Notification).where(Notification.channel == NotifyChannel.EMAIL)
    ).one()
    response = client.post(
        f"/admin/notifications/{row.id}/retry", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 303
    session.refresh(row)
    assert (row.status, row.attempts) == (DeliveryStatus.WAITING, 0)
    other = app.test_client()
    sign_in(other, "coord-ck")
    assert other.get("/admin/notifications").status_code == 403


def test_messages_are_in_the_recipients_language(app, session):
    incident = make_incident(session, district_name="Chiang Khong")
    user = make_user(session, Role.COORDINATOR, "coord-ck", district="TH5703")
    notify_new_report(session, incident)
    row = session.scalars(select(Notification).where(Notification.user_id == user.id)).first()
    with app.app_context():
        subject_en, text_en = compose(session, [row], "en")
        subject_th, text_th = compose(session, [row], "th")
        digest_subject, _ = compose(session, [row, row], "en")
    assert (
        subject_en
        == f"borderwatch: New report no. {incident.id} in Chiang Khong: Smuggling of goods"
    )
    assert "เชียงของ" in subject_th and str(incident.id) in subject_th
    assert "Notifications page" in text_en and "การแจ้งเตือน" in text_th
    assert digest_subject == "borderwatch: 2 new reports in your district"
