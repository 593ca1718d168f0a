"""The LINE chat in the domain: a report step by step (category, place, description, consent,
photos) stored once through the public report's path with channel ``line`` and the sender's LINE
id as contact; wrong answers asked again; a place outside the watch area refused; "stop" erases;
link codes; expired conversations start afresh; the rate limit; webhook events handled once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gis.incidents.public import report_status
from gis.line import HostContent
from gis.linechat import events
from gis.linechat.conversation import TTL, chat_language
from gis.linechat.erasure import erase_line_user, is_stop
from gis.linechat.flow import (
    ASK_CATEGORY,
    ASK_CONSENT,
    ASK_DESCRIPTION,
    ASK_LOCATION,
    ASK_PHOTO,
    DONE,
    GREETING,
    LINK_FAILED,
    LINKED,
    OUTSIDE,
    PHOTO_ADDED,
    PHOTO_FAILED,
    RECEIPT,
    STOPPED,
    TOO_MANY,
    Chat,
    Incoming,
    Kind,
    answer,
)
from gis.models import Incident, IncidentPhoto, LineConversation
from gis.models.linechat import ChatStep
from gis.types import Channel, IncidentCategory, IncidentStatus
from tests.images import jpeg_with_gps
from tests.support.line_standin import LineStandin

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)
USER = "U" + "1" * 32
OTHER = "U" + "2" * 32
ARANYAPRATHET = (102.5066, 13.6928)
BANGKOK = (100.5018, 13.7563)


@pytest.fixture
def standin():
    with LineStandin("t") as server:
        yield server


@pytest.fixture
def content(standin):
    source = HostContent(standin.url, "t")
    yield source
    source.close()


def make_chat(session, content, now=NOW, **extra):
    values = {
        "session": session,
        "now": now,
        "max_distance_m": 10_000.0,
        "content": content,
        "language_of": lambda _user: "th",
        "receipt_url": lambda code: f"https://bw.example/report/{code}",
        **extra,
    }
    return Chat(**values)


def text(body, user=USER):
    return Incoming(user, Kind.TEXT, text=body)


def postback(data, user=USER):
    return Incoming(user, Kind.POSTBACK, data=data)


def location(lon, lat, user=USER):
    return Incoming(user, Kind.LOCATION, lon=lon, lat=lat)


def image(message_id, user=USER):
    return Incoming(user, Kind.IMAGE, message_id=message_id)


def says(result):
    return [(say.text, say.ask) for say in result.says]


def report_up_to_consent(chat, user=USER):
    answer(chat, text("สวัสดี", user))
    answer(chat, postback("category=drug_trafficking", user))
    answer(chat, location(*ARANYAPRATHET, user))
    return answer(chat, text("รถกระบะสองคันขนของข้ามลำน้ำ", user))


def line_reports(session, user=USER):
    return session.scalars(
        select(Incident).where(Incident.channel == Channel.LINE, Incident.reporter_contact == user)
    ).all()


def test_a_report_step_by_step_is_stored_once_through_the_public_path(session, content):
    chat = make_chat(session, content)
    assert says(answer(chat, text("สวัสดี"))) == [(GREETING, ChatStep.CATEGORY)]
    assert says(answer(chat, postback("category=drug_trafficking"))) == [
        (ASK_LOCATION, ChatStep.LOCATION)
    ]
    assert says(answer(chat, location(*ARANYAPRATHET))) == [(ASK_DESCRIPTION, None)]
    assert says(answer(chat, text("รถกระบะสองคันขนของข้ามลำน้ำ"))) == [(ASK_CONSENT, ChatStep.CONSENT)]
    done = answer(chat, postback("consent=yes"))
    assert done.language == "th"
    assert says(done) == [(RECEIPT, None), (ASK_PHOTO, ChatStep.PHOTO)]
    code = done.says[0].values["code"]
    assert done.says[0].values["url"] == f"https://bw.example/report/{code}"

    (incident,) = line_reports(session)
    assert incident.channel is Channel.LINE
    assert incident.status is IncidentStatus.NEW  # in the coordinators' queue, unverified
    assert incident.category is IncidentCategory.DRUG_TRAFFICKING
    assert incident.description == "รถกระบะสองคันขนของข้ามลำน้ำ"
    assert incident.reporter_contact == USER and incident.updates_consent
    assert incident.receipt_code == code and incident.reporter_id is None
    assert incident.district_id is not None  # routed
    assert report_status(session, code).category is IncidentCategory.DRUG_TRAFFICKING

    # the consent sent again (a user tapping twice) stores nothing more
    again = answer(chat, postback("consent=yes"))
    assert says(again) == [(ASK_PHOTO, ChatStep.PHOTO)]
    assert len(line_reports(session)) == 1


def test_a_consent_tapped_twice_before_the_answer_gives_the_same_receipt(session, content):
    chat = make_chat(session, content)
    report_up_to_consent(chat)
    first = answer(chat, postback("consent=no"))
    conversation = session.get(LineConversation, USER)
    conversation.step = ChatStep.CONSENT  # as if the second tap came before the first was seen
    second = answer(chat, postback("consent=no"))
    assert first.says[0].values["code"] == second.says[0].values["code"]
    (incident,) = line_reports(session)
    assert not incident.updates_consent


@pytest.mark.parametrize(
    ("step_input", "expected"),
    [
        (text("ยาเสพติด"), (ASK_CATEGORY, ChatStep.CATEGORY)),
        (postback("category=nonsense"), (ASK_CATEGORY, ChatStep.CATEGORY)),
        (location(*ARANYAPRATHET), (ASK_CATEGORY, ChatStep.CATEGORY)),
    ],
)
def test_a_wrong_answer_is_asked_again(session, content, step_input, expected):
    chat = make_chat(session, content)
    answer(chat, text("สวัสดี"))
    assert says(answer(chat, step_input)) == [expected]
    assert session.get(LineConversation, USER).step is ChatStep.CATEGORY


def test_a_place_outside_the_watch_area_is_refused_and_asked_again(session, content):
    chat = make_chat(session, content)
    answer(chat, text("สวัสดี"))
    answer(chat, postback("category=smuggling"))
    assert says(answer(chat, location(*BANGKOK))) == [(OUTSIDE, ChatStep.LOCATION)]
    assert says(answer(chat, text("ที่ตลาด"))) == [(ASK_LOCATION, ChatStep.LOCATION)]
    assert session.get(LineConversation, USER).step is ChatStep.LOCATION


def test_photos_after_the_receipt_join_the_report_once(session, content, standin):
    chat = make_chat(session, content)
    report_up_to_consent(chat)
    answer(chat, postback("consent=yes"))
    standin.contents["5001"] = jpeg_with_gps()
    standin.contents["5002"] = b"not an image"
    assert says(answer(chat, image("5001"))) == [(PHOTO_ADDED, ChatStep.PHOTO)]
    assert says(answer(chat, image("5001"))) == [(PHOTO_ADDED, ChatStep.PHOTO)]  # the same again
    assert says(answer(chat, image("5002"))) == [(PHOTO_FAILED, ChatStep.PHOTO)]
    assert says(answer(chat, image("5003"))) == [(PHOTO_FAILED, ChatStep.PHOTO)]  # not served
    (incident,) = line_reports(session)
    photos = session.scalars(
        select(IncidentPhoto).where(IncidentPhoto.incident_id == incident.id)
    ).all()
    assert len(photos) == 1 and b"GPS" not in photos[0].data  # re-encoded without metadata
    assert says(answer(chat, postback("photo=done"))) == [(DONE, None)]
    assert session.get(LineConversation, USER) is None


def test_stop_erases_the_line_id_from_the_users_reports_only(session, content):
    chat = make_chat(session, content)
    report_up_to_consent(chat)
    answer(chat, postback("consent=yes"))
    report_up_to_consent(chat, OTHER)
    answer(chat, postback("consent=yes", OTHER))
    (mine,) = line_reports(session)
    assert says(answer(chat, text(" หยุด "))) == [(STOPPED, None)]
    session.refresh(mine)
    assert mine.reporter_contact is None and not mine.updates_consent
    assert mine.status is IncidentStatus.NEW  # the report stays
    assert session.get(LineConversation, USER) is None
    assert len(line_reports(session, OTHER)) == 1


@pytest.mark.parametrize("word", ["stop", "STOP", "หยุด", "ຢຸດ", "ឈប់"])
def test_stop_in_every_language(word):
    assert is_stop(word)


def test_erasing_touches_no_other_channel(session, content):
    chat = make_chat(session, content)
    report_up_to_consent(chat)
    answer(chat, postback("consent=no"))
    (incident,) = line_reports(session)
    incident.channel = Channel.ONLINE_PUBLIC
    session.flush()
    assert erase_line_user(session, USER) == 0
    session.refresh(incident)
    assert incident.reporter_contact == USER


def test_a_link_code_links_a_staff_account(session, content):
    calls = []

    def link(_session, text_, user):
        calls.append((text_, user))
        return text_ == "BW-AAAA-BBBB" if text_.startswith("BW-") else None

    chat = make_chat(session, content, link_account=link)
    assert says(answer(chat, text("BW-AAAA-BBBB"))) == [(LINKED, None)]
    assert says(answer(chat, text("BW-AAAA-CCCC"))) == [(LINK_FAILED, None)]
    assert calls == [("BW-AAAA-BBBB", USER), ("BW-AAAA-CCCC", USER)]
    assert session.get(LineConversation, USER) is None  # no report started


def test_an_expired_conversation_starts_afresh(session, content):
    chat = make_chat(session, content)
    answer(chat, text("สวัสดี"))
    answer(chat, postback("category=smuggling"))
    later = make_chat(session, content, now=NOW + TTL + dt.timedelta(seconds=1))
    assert says(answer(later, location(*ARANYAPRATHET))) == [(GREETING, ChatStep.CATEGORY)]
    conversation = session.get(LineConversation, USER)
    assert conversation.step is ChatStep.CATEGORY and conversation.category is None


def test_the_rate_limit_holds_the_report_back(session, content):
    chat = make_chat(session, content, may_report=lambda _user: False)
    report_up_to_consent(chat)
    assert says(answer(chat, postback("consent=yes"))) == [(TOO_MANY, ChatStep.CONSENT)]
    assert line_reports(session) == []


@pytest.mark.parametrize(
    ("profile", "language"),
    [("th", "th"), ("lo", "lo"), ("km", "km"), ("en", "en"), ("zh-Hant", "th"), (None, "th")],
)
def test_the_chat_speaks_the_users_line_language(profile, language):
    assert chat_language(profile) == language


def test_the_conversation_keeps_the_language_of_its_start(session, content):
    chat = make_chat(session, content, language_of=lambda _user: "km")
    assert answer(chat, text("សួស្តី")).language == "km"
    assert answer(make_chat(session, content), postback("category=other")).language == "km"


def test_a_webhook_event_is_handled_once(session):
    assert events.first_delivery(session, "01HX0000000000000000000001")
    assert not events.first_delivery(session, "01HX0000000000000000000001")
    assert events.first_delivery(session, "01HX0000000000000000000002")
    count = session.scalar(select(func.count()).select_from(events.LineWebhookEvent))
    assert count >= 2
    with pytest.raises(ValueError):
        events.first_delivery(session, "")
