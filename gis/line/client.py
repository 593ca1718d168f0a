"""Pushes, replies and profiles through the official SDK (``linebot.v3.messaging``).

:class:`LineClient` wraps ``MessagingApi`` with ``Configuration(host=settings.api_url)``, so
that tests and local runs talk to the stand-in (``tests/support/line_standin.py``) with the
real SDK. Messages are plain strings (each becomes a text message) or the SDK's message models
(a text with quick replies, for the citizens' chat). Every failure is a :class:`LineError` that
says whether trying again later may help; its text names the HTTP status, never the token.

A push may carry a retry key (``X-Line-Retry-Key``, a UUID): LINE accepts a push with a given
key once and answers a repeat with 409, which :meth:`LineClient.push` treats as delivered, so a
sender that retries after a lost answer does not send twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    Message,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.exceptions import ApiException

from gis.line.settings import LineSettings

log = logging.getLogger(__name__)

#: Most messages in one push or reply (the Messaging API's limit).
MAX_MESSAGES = 5
#: Longest text message (characters; the Messaging API's limit).
MAX_TEXT = 5000
#: Seconds to connect and to read an answer.
TIMEOUT = (3.05, 10.0)


class LineError(Exception):
    """The Messaging API refused a request or could not be reached.

    Attributes:
        status: the HTTP status (``None`` when there was no answer).
        retriable: whether the same request may succeed later (no answer, 429 or 5xx).
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retriable = status is None or status == 429 or status >= 500


def text_messages(messages: Sequence[str | Message | Mapping[str, Any]]) -> list[Message]:
    """``messages`` as the SDK's models: each string a text message of at most
    :data:`MAX_TEXT` characters, each mapping a message object as the Messaging API writes it
    (``Message.to_dict()``: what a job keeps in its JSON arguments).

    Raises:
        ValueError: no message, more than :data:`MAX_MESSAGES`, or an empty or too long text.
    """
    if not 1 <= len(messages) <= MAX_MESSAGES:
        raise ValueError(f"a push or reply holds 1 to {MAX_MESSAGES} messages")
    models: list[Message] = []
    for message in messages:
        if isinstance(message, str):
            if not message or len(message) > MAX_TEXT:
                raise ValueError(f"a text message holds 1 to {MAX_TEXT} characters")
            message = TextMessage(text=message)
        elif isinstance(message, Mapping):
            message = Message.from_dict(dict(message))
        models.append(message)
    return models


class LineClient:
    """The channel's Messaging API client.

    Args:
        settings: the channel (its access token and API URL).

    Raises:
        ValueError: the settings have no access token.
    """

    def __init__(self, settings: LineSettings) -> None:
        if not settings.sends:
            raise ValueError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        configuration = Configuration(host=settings.api_url, access_token=settings.access_token)
        self._client = ApiClient(configuration)
        self._api = MessagingApi(self._client)

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()

    def __enter__(self) -> LineClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def push(
        self,
        user_id: str,
        messages: Sequence[str | Message | Mapping[str, Any]],
        retry_key: uuid.UUID | str | None = None,
    ) -> None:
        """Send ``messages`` to the LINE user ``user_id``.

        Args:
            user_id: the LINE user id (``U`` and 32 hexadecimal digits).
            messages: 1 to 5 texts or message models.
            retry_key: makes the push idempotent: a repeat with the same key (answered 409) is
                taken as delivered.

        Raises:
            LineError: refused (``retriable`` false: a bad request, a blocked or unknown user)
                or not answered (``retriable`` true).
            ValueError: no message, too many, or a text too long.
        """
        request = PushMessageRequest(to=user_id, messages=text_messages(messages))
        key = None if retry_key is None else str(retry_key)
        try:
            self._api.push_message(request, x_line_retry_key=key, _request_timeout=TIMEOUT)
        except ApiException as exc:
            if exc.status == 409 and key is not None:
                log.info("LINE push: the retry key was accepted before")
                return
            raise _error("push", exc) from None
        except urllib3.exceptions.HTTPError as exc:
            raise _unreachable("push", exc) from None

    def reply(self, reply_token: str, messages: Sequence[str | Message]) -> None:
        """Answer a webhook event with ``messages`` (its reply token is valid once, briefly).

        Raises:
            LineError: refused (e.g. an expired token) or not answered.
            ValueError: no message, too many, or a text too long.
        """
        request = ReplyMessageRequest(reply_token=reply_token, messages=text_messages(messages))
        try:
            self._api.reply_message(request, _request_timeout=TIMEOUT)
        except ApiException as exc:
            raise _error("reply", exc) from None
        except urllib3.exceptions.HTTPError as exc:
            raise _unreachable("reply", exc) from None

    def language(self, user_id: str) -> str | None:
        """The language the user's LINE is set to (``th``, ``lo``, ``km``, ``en``...), ``None``
        when the profile has none or cannot be read (the user blocked the account)."""
        try:
            profile = self._api.get_profile(user_id, _request_timeout=TIMEOUT)
        except (ApiException, urllib3.exceptions.HTTPError):
            log.info("LINE profile not readable", exc_info=False)
            return None
        return profile.language or None


def _error(action: str, exc: ApiException) -> LineError:
    status = int(exc.status) if exc.status else None
    return LineError(f"LINE {action} refused with HTTP {status}", status=status)


def _unreachable(action: str, exc: Exception) -> LineError:
    return LineError(f"LINE {action}: no answer ({type(exc).__name__})")
