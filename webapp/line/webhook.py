"""``POST /line/webhook``: LINE's events, checked, handled once, answered after the 200.

1. The signature: ``X-Line-Signature`` must be base64(HMAC-SHA256(channel secret, raw body)),
   compared in constant time by the SDK's ``WebhookParser``, before the body is read as JSON or
   anything is written; missing or wrong is 400.
2. An empty ``events`` list (the console's verification call) is answered 200.
3. Each event in its own savepoint: its ``webhookEventId`` recorded (a redelivery finds it and
   is skipped), the chat's step taken (:func:`gis.linechat.flow.answer`: database work only,
   except a photo's download and a new conversation's profile language). The request commits,
   then answers 200.
4. The replies are sent after the answer has gone (``Response.call_on_close``), so that LINE
   gets its 200 without waiting for them.

Nothing about the sender (user id, text, place) is logged.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app, jsonify, request, url_for
from limits import parse_many
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import Message
from linebot.v3.webhook import WebhookParser
from linebot.v3.webhooks import (
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
)

from gis.errors import InvalidInput
from gis.line import ContentSource, LineClient, LineError, LineSettings, content_source
from gis.linechat.events import first_delivery
from gis.linechat.flow import Chat, Incoming, Kind, answer
from gis.text import N_
from webapp.db import get_session
from webapp.line import bp, settings
from webapp.line.messages import messages

log = logging.getLogger(__name__)

SIGNATURE = "X-Line-Signature"
#: The app's LINE clients and content sources, per channel settings, kept between requests.
CLIENTS = "borderwatch.line.clients"
_BAD_SIGNATURE = N_("{field} is missing or does not match the body")


def incoming(event: Any) -> Incoming | None:
    """The SDK's event as the chat's message, ``None`` for events the chat ignores (from a
    group or room, unfollow, unsend...)."""
    source = getattr(event, "source", None)
    user_id = getattr(source, "user_id", None)
    if getattr(source, "type", None) != "user" or not user_id:
        return None
    if isinstance(event, FollowEvent):
        return Incoming(user_id, Kind.FOLLOW)
    if isinstance(event, PostbackEvent):
        return Incoming(user_id, Kind.POSTBACK, data=event.postback.data)
    if not isinstance(event, MessageEvent):
        return None
    content = event.message
    if isinstance(content, TextMessageContent):
        return Incoming(user_id, Kind.TEXT, text=content.text)
    if isinstance(content, LocationMessageContent):
        return Incoming(user_id, Kind.LOCATION, lon=content.longitude, lat=content.latitude)
    if isinstance(content, ImageMessageContent):
        return Incoming(user_id, Kind.IMAGE, message_id=content.id)
    return Incoming(user_id, Kind.OTHER)


def _parse(channel: LineSettings) -> list[Any]:
    signature = request.headers.get(SIGNATURE, "")
    raw = request.get_data(cache=False)
    try:
        body = raw.decode("utf-8")
        return list(WebhookParser(channel.channel_secret).parse(body, signature))
    except (InvalidSignatureError, UnicodeDecodeError):
        raise InvalidInput(_BAD_SIGNATURE, field=SIGNATURE) from None
    except (ValueError, KeyError, TypeError):  # signed by LINE but not its shape
        raise InvalidInput(N_("the webhook body is not LINE's"), field="events") from None


@bp.post("/line/webhook")
def receive():
    channel = settings(current_app)
    if not channel.receives:
        raise InvalidInput(N_("{field} is not set"), field="LINE_CHANNEL_SECRET")
    events = _parse(channel)
    replies: list[tuple[str, list[Message]]] = []
    if events:
        replies = _handle(channel, events)
        get_session().commit()  # before answering: an event answered 200 is stored
    response = jsonify({})
    client = _client(channel)
    if replies and client is not None:
        response.call_on_close(lambda: _send(client, replies))
    return response


def _handle(channel: LineSettings, events: list[Any]) -> list[tuple[str, list[Message]]]:
    client = _client(channel)
    chat = Chat(
        session=get_session(),
        now=dt.datetime.now(dt.UTC),
        max_distance_m=current_app.config["ROUTING_MAX_DISTANCE_M"],
        content=_content(channel),
        language_of=client.language if client else lambda _user: None,
        receipt_url=lambda code: url_for("public.status", code=code, _external=True),
        may_report=_may_report,
        link_account=_link_account,
    )
    replies = []
    for event in events:
        said = _one(chat, event)
        token = getattr(event, "reply_token", None)
        if said and token:
            replies.append((token, said))
    return replies


def _client(channel: LineSettings) -> LineClient | None:
    """The app's LINE client (its connections kept between requests; ``None`` without a
    token)."""
    if not channel.sends:
        return None
    clients = current_app.extensions.setdefault(CLIENTS, {})
    if id(channel) not in clients:
        clients[id(channel)] = (channel, LineClient(channel), content_source(channel))
    return clients[id(channel)][1]


def _content(channel: LineSettings) -> ContentSource:
    client = _client(channel)
    if client is None:
        return content_source(channel)
    return current_app.extensions[CLIENTS][id(channel)][2]


def _one(chat: Chat, event: Any) -> list[Message]:
    """One event in its savepoint: recorded once, answered; an event that fails is rolled back
    (not recorded, so that a redelivery is handled) and logged without its content."""
    event_id = getattr(event, "webhook_event_id", None)
    message = incoming(event)
    if not event_id or message is None:
        return []
    try:
        with chat.session.begin_nested():
            if not first_delivery(chat.session, event_id):
                return []
            said = answer(chat, message)
            return messages(said)
    except Exception as exc:  # the other events go on; LINE may redeliver this one
        # the exception's type only: its text may hold the sender's id or words (SQL parameters)
        log.error("LINE webhook event %s not handled: %s", type(event).__name__, type(exc).__name__)
        return []


def _send(client: LineClient, replies: list[tuple[str, list[Message]]]) -> None:
    for token, said in replies:
        try:
            client.reply(token, said)
        except LineError as exc:
            log.warning("LINE reply not sent: %s", exc)


def _may_report(line_user_id: str) -> bool:
    """The per-user limit of LINE reports (``LINE_REPORT_LIMIT_USER``) in the shared storage."""
    from webapp.limits import EXTENSION

    limiter = current_app.extensions[EXTENSION].limiter
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    limits = parse_many(current_app.config["LINE_REPORT_LIMIT_USER"])
    key = f"{prefix}/line-report"
    if not all(limiter.test(limit, key, line_user_id) for limit in limits):
        return False
    return all([limiter.hit(limit, key, line_user_id) for limit in limits])


def _link_account(session: Any, text: str, line_user_id: str) -> bool | None:
    """A staff member's link code (:func:`gis.notify.settings.link_line_account`): ``None`` when
    the text is no link code."""
    from gis.notify.settings import link_line_account, normalise_link_code

    if normalise_link_code(text) is None:
        return None
    return link_line_account(session, text, line_user_id) is not None
