"""The content of a message a user sent (a photo), downloaded behind an interface.

The SDK's ``MessagingApiBlob`` always asks ``https://api-data.line.me`` whatever host its
configuration names, so the code that needs a photo takes a :class:`ContentSource`: in
production :class:`BlobContent` (the SDK), in tests and local runs :class:`HostContent`, which
reads the same path from the stand-in (``tests/support/line_standin.py``) at ``LINE_API_URL``.
:func:`content_source` picks one from the settings.
"""

from __future__ import annotations

from typing import Protocol

import urllib3
from linebot.v3.messaging import ApiClient, Configuration, MessagingApiBlob
from linebot.v3.messaging.exceptions import ApiException

from gis.line.client import TIMEOUT, LineError
from gis.line.settings import DEFAULT_API_URL, LineSettings

#: Largest content downloaded (bytes): the incident photos' limit.
MAX_CONTENT_BYTES = 10 * 1024 * 1024


class ContentSource(Protocol):
    """Where the bytes of a user's message come from."""

    def content(self, message_id: str) -> bytes:
        """The bytes of message ``message_id`` (at most :data:`MAX_CONTENT_BYTES`).

        Raises:
            LineError: not found, too large, or not answered.
        """
        ...


class BlobContent:
    """Content from the Messaging API's data host through the SDK's blob client."""

    def __init__(self, settings: LineSettings) -> None:
        if not settings.sends:
            raise ValueError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        self._configuration = Configuration(access_token=settings.access_token)

    def content(self, message_id: str) -> bytes:
        with ApiClient(self._configuration) as client:
            try:
                data = MessagingApiBlob(client).get_message_content(
                    message_id, _request_timeout=TIMEOUT
                )
            except ApiException as exc:
                status = int(exc.status) if exc.status else None
                raise LineError(f"LINE content refused with HTTP {status}", status=status) from None
            except urllib3.exceptions.HTTPError as exc:
                raise LineError(f"LINE content: no answer ({type(exc).__name__})") from None
        if len(data) > MAX_CONTENT_BYTES:
            raise LineError("LINE content is too large", status=413)
        return bytes(data)


class HostContent:
    """Content from ``{url}/v2/bot/message/{id}/content`` over plain HTTP: the stand-in."""

    def __init__(self, url: str, access_token: str) -> None:
        self._url = url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._http = urllib3.PoolManager()

    def close(self) -> None:
        """Close the connections."""
        self._http.clear()

    def content(self, message_id: str) -> bytes:
        try:
            answer = self._http.request(
                "GET",
                f"{self._url}/v2/bot/message/{message_id}/content",
                headers=self._headers,
                timeout=urllib3.Timeout(connect=TIMEOUT[0], read=TIMEOUT[1]),
                retries=False,
                preload_content=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            raise LineError(f"LINE content: no answer ({type(exc).__name__})") from None
        try:
            if answer.status != 200:
                raise LineError(
                    f"LINE content refused with HTTP {answer.status}", status=answer.status
                )
            data = answer.read(MAX_CONTENT_BYTES + 1)
        finally:
            answer.close()  # not kept for another request: an unread rest stays out of the pool
        if len(data) > MAX_CONTENT_BYTES:
            raise LineError("LINE content is too large", status=413)
        return bytes(data)


def content_source(settings: LineSettings) -> ContentSource:
    """The SDK's blob client for the real API, :class:`HostContent` for a stand-in (any other
    ``LINE_API_URL``)."""
    if settings.api_url == DEFAULT_API_URL:
        return BlobContent(settings)
    return HostContent(settings.api_url, settings.access_token)
