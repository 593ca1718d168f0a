"""End to end, with the real worker process (``borderwatch worker``, as ``make run`` and docker
compose start it) and the LINE stand-in (issue 19's "done when"):

- a coordinator links their LINE account by sending the account page's one-time code to the
  official account (the webhook, then the worker, handle it), a citizen posts a public report in
  the coordinator's district (``POST /report``), and the coordinator's LINE gets a push in Thai
  naming the report's number within 60 s;
- an officer's report (``POST /api/incidents``) is verified by the district's coordinator
  (``POST /api/incidents/<id>/actions``), and the officer's bell counts it and their LINE gets a
  push in Thai within 60 s;
- a citizen reports through the LINE chat in Thai (five events sent at once, answered in order
  by the worker, the receipt code pushed), the district's coordinator is told, and when the
  coordinator verifies the report the citizen hears of it on LINE within 60 s.

The app runs on the test database with its own connections (the worker cannot see a test's
transaction): the accounts and reports are committed and deleted afterwards
(``tests.browser.committed``), with the jobs and worker rows made meanwhile. The measured
latencies are printed (``-s``) and recorded in docs/notifications.md.
"""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from gis.line import LineSettings
from gis.models import User
from gis.notify.settings import new_link_code, setting_of
from gis.types import Role
from tests.browser.committed import Committed
from tests.factories import jobs_made_here
from tests.support import line_events as ev
from tests.support.line_standin import LineStandin, sign
from tests.support.worker import running_worker
from tests.webapp.signin import csrf_token, sign_in

pytestmark = pytest.mark.db

SECRET = "e2e-channel-secret"
TOKEN = "e2e-token"
ARANYAPRATHET = (102.5066, 13.6928)  # TH2706
WITHIN_S = 60.0
THAI = re.compile("[\u0e00-\u0e7f]")
_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_RECEIPT = re.compile(r'id="receipt-code">([^<]+)<')


@pytest.fixture
def standin() -> Iterator[LineStandin]:
    with LineStandin(TOKEN) as server:
        yield server


@pytest.fixture
def rows(engine: Engine) -> Iterator[Committed]:
    """Committed accounts and reports, deleted afterwards with the jobs and workers made."""
    with jobs_made_here(engine):
        made = Committed(engine)
        try:
            yield made
        finally:
            made.clean_up()


@pytest.fixture
def live(database_url: str, standin: LineStandin, tmp_path: Path):
    """The app (its own connections, committing for real) and the worker process, both with
    the stand-in's channel."""
    from webapp import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "LINE_SETTINGS": LineSettings(SECRET, TOKEN, standin.url),
        }
    )
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test",
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_URL": standin.url,
        "SMTP_HOST": "",
    }
    engine = app.extensions["borderwatch.db"].engine
    workers = text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_workers")
    with engine.connect() as conn:
        before = conn.execute(workers).scalar_one()
    with running_worker(env, tmp_path / "worker.log", queues=("notify", "linechat")):

        def started() -> str | None:
            with engine.connect() as conn:
                return "up" if conn.execute(workers).scalar_one() > before else None

        assert wait_for(started, 120)[0], (tmp_path / "worker.log").read_text()[-2000:]
        yield app
    engine.dispose()


def wait_for(found: Callable[[], str | None], seconds: float) -> tuple[str | None, float]:
    """Poll ``found`` until it gives something or ``seconds`` pass; what it gave and when."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if (value := found()) is not None:
            return value, time.monotonic() - started
        time.sleep(0.1)
    return None, time.monotonic() - started


def pushed(standin: LineStandin, user_id: str, needle: str) -> Callable[[], str | None]:
    return lambda: next((t for t in standin.pushed_texts(user_id) if needle in t), None)


def line_id() -> str:
    return "U" + uuid.uuid4().hex


def link_line(engine: Engine, client, standin: LineStandin, user: User) -> str:
    """Link ``user``'s LINE account as a person does: the account page's code sent in the chat."""
    line_user = line_id()
    standin.set_profile(line_user, "th")
    with Session(engine) as session:
        code = new_link_code(session, session.get_one(User, user.id), dt.datetime.now(dt.UTC))
        session.commit()
    body = ev.body(ev.text(line_user, code))
    answer = client.post(
        "/line/webhook",
        data=body,
        content_type="application/json",
        headers={"X-Line-Signature": sign(SECRET, body)},
    )
    assert answer.status_code == 200
    text_, _ = wait_for(lambda: next(iter(standin.pushed_texts(line_user)), None), WITHIN_S)
    assert text_ is not None and THAI.search(text_), "the worker did not answer the link code"
    with Session(engine) as session:
        assert setting_of(session, user.id).line_user_id == line_user
    return line_user


def test_a_coordinators_line_gets_a_public_report_of_the_district_within_a_minute(
    live, rows, engine, standin
):
    tag = uuid.uuid4().hex[:8]
    coordinator = rows.user(Role.COORDINATOR, f"e2ecoord{tag}", "อรุณี ประสาน", district="TH2706")
    client = live.test_client()
    coordinator_line = link_line(engine, client, standin, coordinator)

    page = client.get("/report?lang=th").get_data(as_text=True)
    token = _FORM_TOKEN.search(page)
    assert token
    answer = client.post(
        "/report?lang=th",
        data={
            "csrf_token": token.group(1),
            "lon": str(ARANYAPRATHET[0]),
            "lat": str(ARANYAPRATHET[1]),
            "category": "smuggling",
            "occurred_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M"),
            "description": "รถกระบะขนกล่องข้ามแดนหลังโรงสี",
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    stored = time.monotonic()
    assert answer.status_code == 201, answer.get_data(as_text=True)[:500]
    receipt = _RECEIPT.search(answer.get_data(as_text=True))
    assert receipt
    rows.receipt_codes.append(receipt.group(1).strip())
    with engine.connect() as conn:
        number = conn.execute(
            text("SELECT id FROM incident WHERE receipt_code = :c"), {"c": rows.receipt_codes[0]}
        ).scalar_one()

    message, _ = wait_for(pushed(standin, coordinator_line, str(number)), WITHIN_S)
    latency = time.monotonic() - stored
    print(f"public report -> coordinator's LINE: {latency:.1f} s")
    assert message is not None, f"no LINE message within {WITHIN_S:.0f} s"
    assert THAI.search(message) and f"{number}" in message
    assert "รายงานใหม่" in message
    assert latency < WITHIN_S


def test_an_officer_hears_on_line_and_in_the_bell_that_their_report_was_verified(
    live, rows, engine, standin
):
    tag = uuid.uuid4().hex[:8]
    officer = rows.user(Role.OFFICER, f"e2eofficer{tag}", "สมชาย ตรวจการ", district="TH2706")
    coordinator = rows.user(Role.COORDINATOR, f"e2ecoord{tag}", "อรุณี ประสาน", district="TH2706")
    officer_line = line_id()
    with Session(engine) as session:
        setting_of(session, officer.id).line_user_id = officer_line
        session.commit()

    as_officer = live.test_client()
    assert sign_in(as_officer, officer.username).status_code == 302
    made = as_officer.post(
        "/api/incidents",
        json={
            "lon": ARANYAPRATHET[0],
            "lat": ARANYAPRATHET[1],
            "category": "drug_trafficking",
            "occurred_at": (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat(),
            "severity": 3,
            "description": "ชายสองคนแบกกระสอบไปทางคลอง",
            "idempotency_key": str(uuid.uuid4()),
        },
        headers={"X-CSRFToken": csrf_token(as_officer)},
    )
    assert made.status_code == 201, made.get_json()
    number = made.get_json()["id"]
    assert as_officer.get("/api/notifications/unread").get_json()["unread"] == 0

    as_coordinator = live.test_client()
    assert sign_in(as_coordinator, coordinator.username).status_code == 302
    verified = as_coordinator.post(
        f"/api/incidents/{number}/actions",
        json={"action": "verify"},
        headers={"X-CSRFToken": csrf_token(as_coordinator)},
    )
    changed = time.monotonic()
    assert verified.status_code == 200, verified.get_json()

    assert as_officer.get("/api/notifications/unread").get_json()["unread"] == 1
    listed = as_officer.get("/notifications?lang=th").get_data(as_text=True)
    assert str(number) in listed

    message, _ = wait_for(pushed(standin, officer_line, str(number)), WITHIN_S)
    latency = time.monotonic() - changed
    print(f"verified -> officer's LINE: {latency:.1f} s")
    assert message is not None, f"no LINE message within {WITHIN_S:.0f} s"
    assert THAI.search(message) and "ตรวจสอบแล้ว" in message
    assert latency < WITHIN_S


def test_a_citizen_reports_in_the_line_chat_and_hears_on_line_that_it_is_handled(
    live, rows, engine, standin
):
    tag = uuid.uuid4().hex[:8]
    coordinator = rows.user(Role.COORDINATOR, f"e2ecoord{tag}", "อรุณี ประสาน", district="TH2706")
    citizen = line_id()
    standin.set_profile(citizen, "th")
    client = live.test_client()
    chat = [
        ev.text(citizen, "สวัสดี"),
        ev.postback(citizen, "category=smuggling"),
        ev.location(citizen, *ARANYAPRATHET),
        ev.text(citizen, "เรือขนกล่องขึ้นฝั่งหลังโรงสีตอนตีสอง"),
        ev.postback(citizen, "consent=yes"),
    ]
    for event in chat:  # as fast as LINE delivers them: the worker keeps their order
        body = ev.body(event)
        answer = client.post(
            "/line/webhook",
            data=body,
            content_type="application/json",
            headers={"X-Line-Signature": sign(SECRET, body)},
        )
        assert answer.status_code == 200

    receipt, _ = wait_for(pushed(standin, citizen, "รหัสรับแจ้ง"), WITHIN_S)
    assert receipt is not None, standin.pushed_texts(citizen)
    code = re.search(r"รหัสรับแจ้ง: ([0-9A-Z-]+)", receipt)
    assert code
    rows.receipt_codes.append(code.group(1))
    texts = standin.pushed_texts(citizen)
    assert len(texts) == 6 and all(THAI.search(t) for t in texts)  # five answers, in order
    assert texts.index(receipt) == 4 and "ตำแหน่ง" in texts[1]
    with engine.connect() as conn:
        number = conn.execute(
            text("SELECT id FROM incident WHERE receipt_code = :c AND channel = 'line'"),
            {"c": code.group(1)},
        ).scalar_one()

    as_coordinator = live.test_client()
    assert sign_in(as_coordinator, coordinator.username).status_code == 302
    # the report made in the worker told the district's coordinator in its own commit
    assert as_coordinator.get("/api/notifications/unread").get_json()["unread"] == 1
    verified = as_coordinator.post(
        f"/api/incidents/{number}/actions",
        json={"action": "verify"},
        headers={"X-CSRFToken": csrf_token(as_coordinator)},
    )
    changed = time.monotonic()
    assert verified.status_code == 200, verified.get_json()
    message, _ = wait_for(pushed(standin, citizen, "ขณะนี้"), WITHIN_S)
    latency = time.monotonic() - changed
    print(f"verified -> citizen's LINE: {latency:.1f} s")
    assert message is not None, f"no LINE message within {WITHIN_S:.0f} s"
    assert THAI.search(message) and "กำลังดำเนินการ" in message  # being handled
    assert "เรือ" not in message  # its status only, never the report's words
