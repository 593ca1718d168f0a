"""``POST /line/webhook``: LINE's events, checked, stored once and answered 200 at once; the
worker handles them.

1. The signature: ``X-Line-Signature`` must be base64(HMAC-SHA256(channel secret, raw body)),
   compared in constant time by the SDK's ``WebhookParser``, before the body is read as JSON or
   anything is written; missing or wrong is 400.
2. An empty ``events`` list (the console's verification call) is answered 200.
3. Each event the chat reads is accepted once (:func:`gis.linechat.events.accept`): its
   ``webhookEventId`` recorded (a redelivery finds it and is skipped) and its handling deferred
   to the worker, in the request's transaction, which commits before the 200. Nothing else is
   done in the request (no profile lookup, no photo download, no reply), so LINE gets its
   answer quickly even under a burst.
4. The worker (:mod:`gis.linechat.tasks`) handles a user's events in order and pushes the
   chat's answers (:mod:`webapp.line.chat` gives it the chat's words and services).

Nothing about the sender (user id, text, place) is logged.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app, jsonify, request
from linebot.v3.exceptions import InvalidSignatureError
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
from gis.line import LineSettings
from gis.linechat.events import MAX_EVENT_ID, accept
from gis.linechat.flow import Incoming, Kind
from gis.text import N_
from webapp.db import get_session
from webapp.line import bp, settings

log = logging.getLogger(__name__)

SIGNATURE = "X-Line-Signature"
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
    if events:
        session = get_session()
        for event in events:
            event_id = getattr(event, "webhook_event_id", None)
            message = incoming(event)
            if message is None or not event_id or len(event_id) > MAX_EVENT_ID:
                continue  # not for the chat, or not LINE's shape of id
            accept(session, event_id, message, request.url_root)
        session.commit()  # before answering: an event answered 200 is stored with its job
    return jsonify({})
