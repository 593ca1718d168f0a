"""Webhook bodies as LINE sends them (Messaging API webhook event objects), for tests and the
bench: each event with a fresh ``webhookEventId`` and reply token unless given."""

from __future__ import annotations

import itertools
import json
import time
import uuid
from typing import Any

_SEQUENCE = itertools.count(1)


def _base(user_id: str, kind: str, event_id: str | None) -> dict[str, Any]:
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id},
        "webhookEventId": event_id or f"01J{uuid.uuid4().hex[:23].upper()}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
    }


def _message(user_id: str, content: dict[str, Any], event_id: str | None) -> dict[str, Any]:
    message_id = content.pop("id", None) or str(10**15 + next(_SEQUENCE))
    return {**_base(user_id, "message", event_id), "message": {"id": message_id, **content}}


def text(user_id: str, body: str, event_id: str | None = None) -> dict[str, Any]:
    return _message(user_id, {"type": "text", "quoteToken": "q", "text": body}, event_id)


def location(user_id: str, lon: float, lat: float, event_id: str | None = None) -> dict[str, Any]:
    content = {"type": "location", "latitude": lat, "longitude": lon, "address": ""}
    return _message(user_id, content, event_id)


def image(user_id: str, message_id: str, event_id: str | None = None) -> dict[str, Any]:
    content = {
        "id": message_id,
        "type": "image",
        "quoteToken": "q",
        "contentProvider": {"type": "line"},
    }
    return _message(user_id, content, event_id)


def postback(user_id: str, data: str, event_id: str | None = None) -> dict[str, Any]:
    return {**_base(user_id, "postback", event_id), "postback": {"data": data}}


def follow(user_id: str, event_id: str | None = None) -> dict[str, Any]:
    return {**_base(user_id, "follow", event_id), "follow": {"isUnblocked": False}}


def body(*events: dict[str, Any]) -> bytes:
    """The request body LINE posts: the bot's id and the events."""
    payload = {"destination": "U" + "0" * 32, "events": list(events)}
    return json.dumps(payload, ensure_ascii=False).encode()
