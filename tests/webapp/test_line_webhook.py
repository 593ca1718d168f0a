"""POST /line/webhook with the real SDK against the LINE stand-in: the signature (valid,
invalid, missing, the body altered by one byte), the console's verification call, a replayed
event, the whole chat in Thai with the answers LINE would show, the report stored once with
channel line and routed, "stop", and the LINE id never shown to those who may not read
contacts.

The webhook only stores each event with its worker job; :func:`post` then runs the chat's jobs
inline (tests/support/line_jobs.py), as the worker would, and the answers arrive at the
stand-in as pushes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from gis.line import LineSettings
from gis.linechat.events import HANDLE, PUSH
from gis.linechat.tasks import handle_event, push_answer
from gis.models import Incident, LineConversation, LineWebhookEvent, Notification
from gis.notify.settings import setting_of
from gis.types import Channel, IncidentStatus, NotifyChannel, NotifyKind, Role
from tests.factories import make_user
from tests.images import jpeg_with_gps
from tests.support import line_events as ev
from tests.support.line_jobs import connection_of, run_line_jobs
from tests.support.line_standin import LineStandin, sign
from tests.webapp.signin import sign_in
from webapp.line import EXTENSION
from webapp.line.chat import app_handler

SECRET = "test-channel-secret"
TOKEN = "standin-token"
USER = "U" + "c" * 32
ARANYAPRATHET = (102.5066, 13.6928)
THAI = "\u0e00-\u0e7f"


@pytest.fixture
def standin():
    with LineStandin(TOKEN) as server:
        server.set_profile(USER, "th")
        yield server


@pytest.fixture
def line_app(app, standin):
    app.extensions[EXTENSION] = LineSettings(SECRET, TOKEN, standin.url)
    return app


@pytest.fixture
def line_client(line_app):
    return line_app.test_client()


def post(client, body: bytes, signature: str | None = "sign"):
    headers = {}
    if signature == "sign":
        headers["X-Line-Signature"] = sign(SECRET, body)
    elif signature is not None:
        headers["X-Line-Signature"] = signature
    response = client.post(
        "/line/webhook", data=body, content_type="application/json", headers=headers
    )
    response.close()
    run_line_jobs(client.application)  # the worker handles the events and pushes the answers
    return response


def event_count(session) -> int:
    return session.scalar(select(func.count()).select_from(LineWebhookEvent))


def answers(standin) -> list[dict]:
    """The chat's answers: pushes (the worker answers after the webhook's 200, when the reply
    token may have expired)."""
    assert standin.replies() == []
    return list(standin.recorded.pushes)


def reply_texts(standin) -> list[str]:
    return [m["text"] for r in answers(standin) for m in r["messages"]]


def test_a_signed_event_is_answered_200_and_replied_to(line_client, standin, session):
    response = post(line_client, ev.body(ev.text(USER, "สวัสดี")))
    assert response.status_code == 200
    (reply,) = answers(standin)
    assert reply["to"] == USER and reply["retry_key"]
    (greeting,) = reply["messages"]
    assert "ศปก.อ." in greeting["text"]
    labels = [item["action"]["label"] for item in greeting["quickReply"]["items"]]
    assert "ยาเสพติด" in "".join(labels) and len(labels) == 7
    assert all(len(label) <= 20 for label in labels)


@pytest.mark.parametrize(
    "signature",
    [None, "", "AAAA", sign("another secret", ev.body(ev.text(USER, "สวัสดี")))],
    ids=["missing", "empty", "garbage", "other-secret"],
)
def test_an_unsigned_or_wrongly_signed_body_is_refused_before_anything(
    line_client, standin, session, signature
):
    before = event_count(session)
    response = post(line_client, ev.body(ev.text(USER, "สวัสดี")), signature)
    assert response.status_code == 400
    assert event_count(session) == before
    assert answers(standin) == [] and session.get(LineConversation, USER) is None


def test_a_body_altered_by_one_byte_is_refused(line_client, standin, session):
    body = ev.body(ev.text(USER, "สวัสดี"))
    signature = sign(SECRET, body)
    altered = body.replace(b"U" + b"c" * 32, b"U" + b"c" * 31 + b"d")
    assert len(altered) == len(body) and altered != body
    assert post(line_client, altered, signature).status_code == 400
    assert post(line_client, body, signature).status_code == 200  # the original passes


def test_the_consoles_verification_call_is_answered_200(line_client, standin, session):
    before = event_count(session)
    assert post(line_client, ev.body()).status_code == 200
    assert event_count(session) == before and answers(standin) == []


def test_a_replayed_event_changes_nothing(line_client, standin, session):
    event = ev.text(USER, "สวัสดี")
    assert post(line_client, ev.body(event)).status_code == 200
    before = event_count(session)
    assert post(line_client, ev.body(event)).status_code == 200  # LINE's redelivery
    assert event_count(session) == before
    assert len(answers(standin)) == 1  # answered once


def chat_to_receipt(client, user=USER):
    post(client, ev.body(ev.text(user, "สวัสดี")))
    post(client, ev.body(ev.postback(user, "category=human_trafficking")))
    post(client, ev.body(ev.location(user, *ARANYAPRATHET)))
    post(client, ev.body(ev.text(user, "มีคนเดินข้ามแดนตอนกลางคืนประมาณสิบคน")))
    post(client, ev.body(ev.postback(user, "consent=yes")))


def test_the_whole_chat_in_thai_stores_one_routed_line_report(line_client, standin, session):
    chat_to_receipt(line_client)
    texts = reply_texts(standin)
    assert len(texts) == 6  # greeting, place, description, consent, receipt, photo
    assert all(re.search(f"[{THAI}]", t) for t in texts)
    replies = answers(standin)
    assert replies[1]["messages"][0]["quickReply"]["items"][0]["action"]["type"] == "location"
    consent = [i["action"]["data"] for i in replies[3]["messages"][0]["quickReply"]["items"]]
    assert consent == ["consent=yes", "consent=no"]
    (incident,) = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).all()
    assert incident.receipt_code in texts[4] and "/report/" in texts[4]
    assert incident.status is IncidentStatus.NEW and incident.district_id is not None
    assert incident.reporter_contact == USER and incident.updates_consent
    assert USER not in " ".join(texts)
    # the receipt opens the public status page
    assert line_client.get(f"/report/{incident.receipt_code}").status_code == 200

    standin.contents["7001"] = jpeg_with_gps()
    post(line_client, ev.body(ev.image(USER, "7001")))
    assert "เพิ่มรูป" in reply_texts(standin)[-1]
    post(line_client, ev.body(ev.postback(USER, "photo=done")))
    assert session.get(LineConversation, USER) is None
    # the same events again (a redelivery of the whole chat) store nothing more
    assert session.scalar(select(func.count()).where(Incident.channel == Channel.LINE)) == 1


def test_stop_erases_the_line_id(line_client, standin, session):
    chat_to_receipt(line_client)
    post(line_client, ev.body(ev.text(USER, "หยุด")))
    incident = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).one()
    session.refresh(incident)
    assert incident.reporter_contact is None and not incident.updates_consent
    assert "ลบ" in reply_texts(standin)[-1]


def test_the_chat_speaks_khmer_to_a_khmer_line(line_client, standin):
    standin.set_profile(USER, "km")
    post(line_client, ev.body(ev.follow(USER)))
    (greeting,) = answers(standin)[0]["messages"]
    assert re.search("[\u1780-\u17ff]", greeting["text"])


SA_KAEO = {
    Role.OFFICER: {"district": "TH2706"},
    Role.VOLUNTEER: {"district": "TH2706"},
    Role.PATROL_PLANNER: {"province": "TH27"},
    Role.COORDINATOR: {"district": "TH2706"},
}


def signed_in(app, session, role):
    user = make_user(session, role, f"line-{role.value}", **SA_KAEO[role])
    session.flush()
    client = app.test_client()
    sign_in(client, user.username)
    return client


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VOLUNTEER, Role.PATROL_PLANNER])
def test_the_line_id_never_reaches_roles_that_may_not_read_contacts(
    line_app, line_client, standin, session, role
):
    chat_to_receipt(line_client)
    incident = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).one()
    client = signed_in(line_app, session, role)
    for path in (
        f"/api/incidents/{incident.id}",
        f"/api/incidents/{incident.id}/history",
        "/api/layers/incidents?bbox=102,13,103,14&status=new",
        "/api/export/incidents.geojson",
        "/api/export/incidents.csv",
    ):
        answer = client.get(path)
        assert USER not in answer.get_data(as_text=True), (role, path, answer.status_code)


def test_the_districts_coordinator_reads_the_line_contact_where_contacts_are_read(
    line_app, line_client, standin, session
):
    chat_to_receipt(line_client)
    incident = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).one()
    client = signed_in(line_app, session, Role.COORDINATOR)
    answer = client.get(f"/api/review/incidents/{incident.id}")
    assert answer.status_code == 200 and USER in answer.get_data(as_text=True)


def test_the_webhook_is_rate_limited_per_address(line_app, line_client, standin):
    line_app.config["LINE_WEBHOOK_LIMIT"] = "2 per minute"
    statuses = [post(line_client, ev.body()).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_line_users_reports_are_rate_limited(line_app, line_client, standin, session):
    line_app.config["LINE_REPORT_LIMIT_USER"] = "1 per day"
    chat_to_receipt(line_client)
    post(line_client, ev.body(ev.postback(USER, "photo=done")))
    chat_to_receipt(line_client)  # a second report the same day
    assert "หลายครั้ง" in reply_texts(standin)[-1]
    assert session.scalar(select(func.count()).where(Incident.channel == Channel.LINE)) == 1
    other = "U" + "f" * 32
    standin.set_profile(other, "th")
    chat_to_receipt(line_client, other)  # another user is not held back
    assert session.scalar(select(func.count()).where(Incident.channel == Channel.LINE)) == 2


def waiting_jobs(session) -> list[tuple[str, str, dict]]:
    return [
        (task, lock, args)
        for task, lock, args in session.execute(
            text(
                "SELECT task_name, lock, args FROM procrastinate.procrastinate_jobs"
                " WHERE task_name IN (:handle, :push) AND status = 'todo' ORDER BY id"
            ),
            {"handle": HANDLE, "push": PUSH},
        )
    ]


def test_the_webhook_stores_each_event_with_its_job_and_leaves_the_rest_to_the_worker(
    line_client, line_app, standin, session
):
    other = "U" + "e" * 32
    standin.set_profile(other, "th")
    body = ev.body(ev.text(USER, "สวัสดี"), ev.text(other, "สวัสดี"), ev.text(USER, "ยังอยู่"))
    response = line_client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": sign(SECRET, body)},
    )
    assert response.status_code == 200
    # answered without LINE: nothing pushed or replied, no conversation begun yet
    assert standin.recorded.pushes == [] and standin.replies() == []
    assert session.get(LineConversation, USER) is None
    waiting = waiting_jobs(session)
    assert [task for task, _, _ in waiting] == [HANDLE] * 3
    locks = [lock for _, lock, _ in waiting]
    assert locks[0] == locks[2] != locks[1]  # one user's events one after another
    assert USER not in locks[0]  # the id only in the job's arguments
    assert [args["text"] for _, _, args in waiting] == ["สวัสดี", "สวัสดี", "ยังอยู่"]

    assert run_line_jobs(line_app) == [HANDLE, HANDLE, HANDLE, PUSH, PUSH, PUSH]
    assert [p["to"] for p in answers(standin)] == [USER, other, USER]
    assert session.get(LineConversation, USER) is not None


def test_an_answer_pushed_again_is_taken_by_line_once(line_client, line_app, standin, session):
    line_client.post(
        "/line/webhook",
        data=(body := ev.body(ev.text(USER, "สวัสดี"))),
        content_type="application/json",
        headers={"X-Line-Signature": sign(SECRET, body)},
    )
    connection = connection_of(line_app)
    (_, _, args) = waiting_jobs(session)[0]
    handle_event(connection, args, app_handler(line_app))
    ((_, _, push),) = [j for j in waiting_jobs(session) if j[0] == PUSH]
    channel = line_app.extensions[EXTENSION]
    # the worker died after pushing, before the job was marked done: pushed again
    assert push_answer(channel, push["user_id"], push["messages"], push["retry_key"])
    assert push_answer(channel, push["user_id"], push["messages"], push["retry_key"])
    assert len(answers(standin)) == 1


def test_a_line_report_tells_the_districts_coordinators_in_its_own_commit(
    line_client, standin, session
):
    coordinator = make_user(session, Role.COORDINATOR, "line-coord", district="TH2706")
    setting_of(session, coordinator.id).line_user_id = "U" + "d" * 32
    session.flush()
    chat_to_receipt(line_client)
    incident = session.scalars(select(Incident).where(Incident.channel == Channel.LINE)).one()
    told = session.scalars(
        select(Notification).where(
            Notification.incident_id == incident.id, Notification.user_id == coordinator.id
        )
    ).all()
    assert {(n.kind, n.channel) for n in told} == {
        (NotifyKind.NEW_REPORT, NotifyChannel.IN_APP),
        (NotifyKind.NEW_REPORT, NotifyChannel.LINE),
    }
