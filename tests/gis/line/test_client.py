"""The LINE client through the official SDK against the stand-in: pushes and replies recorded
as sent, a retried push with its key sent once, failures as LineError (retriable or not), the
profile's language, message content, and settings that never show their secrets."""

from __future__ import annotations

import uuid

import pytest
from linebot.v3.messaging import MessageAction, QuickReply, QuickReplyItem, TextMessage

from gis.line import HostContent, LineClient, LineError, LineSettings, content_source
from gis.line.content import BlobContent
from tests.support.line_standin import LineStandin

USER = "U" + "a" * 32
TOKEN = "standin-token"


@pytest.fixture
def standin():
    with LineStandin(TOKEN) as server:
        yield server


@pytest.fixture
def line(standin):
    with LineClient(LineSettings("secret", TOKEN, standin.url)) as client:
        yield client


def test_a_push_reaches_the_user_as_text_messages(line, standin):
    line.push(USER, ["สถานะรายงานของท่าน: กำลังดำเนินการ", "ขอบคุณ"])
    assert standin.recorded.pushes == [
        {
            "to": USER,
            "messages": [
                {"type": "text", "text": "สถานะรายงานของท่าน: กำลังดำเนินการ"},
                {"type": "text", "text": "ขอบคุณ"},
            ],
            "retry_key": None,
        }
    ]


def test_a_push_retried_with_its_key_is_sent_once(line, standin):
    key = uuid.uuid4()
    line.push(USER, ["หนึ่งครั้ง"], retry_key=key)
    line.push(USER, ["หนึ่งครั้ง"], retry_key=key)  # the answer was lost: sent again
    assert standin.pushed_texts(USER) == ["หนึ่งครั้ง"]
    assert standin.recorded.pushes[0]["retry_key"] == str(key)


def test_a_reply_carries_its_token_and_quick_replies(line, standin):
    ask = TextMessage(
        text="เลือกประเภท",
        quick_reply=QuickReply(
            items=[QuickReplyItem(action=MessageAction(label="ยาเสพติด", text="ยาเสพติด"))]
        ),
    )
    line.reply("reply-token-1", [ask])
    (reply,) = standin.replies()
    assert reply["replyToken"] == "reply-token-1"
    assert reply["messages"][0]["quickReply"]["items"][0]["action"]["text"] == "ยาเสพติด"


@pytest.mark.parametrize(("status", "retriable"), [(500, True), (429, True), (400, False)])
def test_a_refusal_says_whether_to_try_again(line, standin, status, retriable):
    standin.fail(status)
    with pytest.raises(LineError) as caught:
        line.push(USER, ["x"])
    assert (caught.value.status, caught.value.retriable) == (status, retriable)
    assert standin.recorded.pushes == []


def test_a_wrong_token_is_refused_and_not_retriable(standin):
    with (
        LineClient(LineSettings("secret", "wrong", standin.url)) as client,
        pytest.raises(LineError) as caught,
    ):
        client.reply("t", ["x"])
    assert caught.value.status == 401 and not caught.value.retriable
    assert "wrong" not in str(caught.value)


def test_no_answer_is_retriable(line, standin):
    with standin.down(), pytest.raises(LineError) as caught:
        line.push(USER, ["x"])
    assert caught.value.status is None and caught.value.retriable
    line.push(USER, ["after"])
    assert standin.pushed_texts() == ["after"]


def test_messages_are_checked_before_sending(line, standin):
    with pytest.raises(ValueError, match="1 to 5"):
        line.push(USER, ["x"] * 6)
    with pytest.raises(ValueError, match="characters"):
        line.push(USER, [""])
    assert standin.recorded.pushes == []


def test_the_profile_gives_the_language(line, standin):
    standin.set_profile(USER, "km")
    assert line.language(USER) == "km"
    assert line.language("U" + "b" * 32) is None  # no profile: not readable


def test_content_is_read_from_the_standin(standin):
    standin.contents["4711"] = b"\xff\xd8photo"
    source = content_source(LineSettings("s", TOKEN, standin.url))
    assert isinstance(source, HostContent)
    assert source.content("4711") == b"\xff\xd8photo"
    with pytest.raises(LineError) as caught:
        source.content("4712")
    source.close()
    assert caught.value.status == 404


def test_the_real_api_gets_the_sdk_blob_client():
    assert isinstance(content_source(LineSettings("s", "t")), BlobContent)


def test_settings_come_from_the_environment_and_hide_their_secrets():
    settings = LineSettings.from_environment(
        {
            "LINE_CHANNEL_SECRET": "the-secret",
            "LINE_CHANNEL_ACCESS_TOKEN": "the-token",
            "LINE_API_URL": "http://127.0.0.1:9/",
        }
    )
    assert (settings.channel_secret, settings.access_token) == ("the-secret", "the-token")
    assert settings.api_url == "http://127.0.0.1:9"
    assert "the-secret" not in repr(settings) and "the-token" not in repr(settings)
    empty = LineSettings.from_environment({})
    assert empty.api_url == "https://api.line.me" and not empty.sends and not empty.receives
    with pytest.raises(ValueError, match="LINE_CHANNEL_ACCESS_TOKEN"):
        LineClient(empty)
