"""LINE push to staff who linked their LINE account, through :class:`gis.line.LineClient`.

The push carries ``X-Line-Retry-Key``, a UUID made from the delivery key
(:attr:`~gis.notify.delivery.Outgoing.retry_key`): a push sent again after a worker died between
sending and marking is accepted by LINE once (a repeat is answered 409 and taken as delivered).
"""

from __future__ import annotations

from gis.line import LineClient, LineError, LineSettings
from gis.line.client import MAX_TEXT
from gis.notify.delivery import DeliveryError, Outgoing


class LineSender:
    """Sends a notification as one LINE text message (subject, a blank line, the text)."""

    def __init__(self, settings: LineSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> None:
        """Push ``message`` to its LINE user.

        Raises:
            DeliveryError: retriable when LINE did not answer or answered 429/5xx; not when it
                refused the push (a blocked or unknown user, a bad request).
        """
        text = f"{message.subject}\n\n{message.text}"
        if len(text) > MAX_TEXT:
            text = text[: MAX_TEXT - 1] + "…"
        try:
            with LineClient(self.settings) as client:
                client.push(message.address, [text], retry_key=message.retry_key)
        except LineError as exc:
            raise DeliveryError(f"LINE: {exc}", retriable=exc.retriable) from None
