"""The LINE channel's settings, read from the environment only.

``LINE_CHANNEL_SECRET`` (the webhook's signatures are made with it), ``LINE_CHANNEL_ACCESS_TOKEN``
(a long-lived channel access token: pushes, replies, profiles, content) and ``LINE_API_URL``
(the Messaging API's base URL, ``https://api.line.me``; tests and local runs point it at the
stand-in, ``tests/support/line_standin.py``). ``LINE_DATA_URL`` is the content host
(``https://api-data.line.me``), used only by the SDK's blob client, which cannot be pointed
elsewhere (:mod:`gis.line.content`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_API_URL = "https://api.line.me"
DEFAULT_DATA_URL = "https://api-data.line.me"
#: The environment keys read here.
ENV_KEYS = ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "LINE_API_URL")


@dataclass(frozen=True, slots=True)
class LineSettings:
    """A LINE channel: its secret and access token (hidden from ``repr``) and the API's URL.

    Attributes:
        channel_secret: the channel secret (webhook signatures); empty when not configured.
        access_token: the channel access token; empty when not configured.
        api_url: the Messaging API's base URL, without a trailing slash.
    """

    channel_secret: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> LineSettings:
        """The settings in ``environ`` (the process's environment by default); a key that is
        not set is empty (and ``LINE_API_URL`` the real API)."""
        env = os.environ if environ is None else environ
        return cls(
            channel_secret=env.get("LINE_CHANNEL_SECRET", "").strip(),
            access_token=env.get("LINE_CHANNEL_ACCESS_TOKEN", "").strip(),
            api_url=(env.get("LINE_API_URL", "").strip() or DEFAULT_API_URL).rstrip("/"),
        )

    @property
    def receives(self) -> bool:
        """Whether webhooks can be checked (a channel secret is set)."""
        return bool(self.channel_secret)

    @property
    def sends(self) -> bool:
        """Whether messages can be sent (an access token is set)."""
        return bool(self.access_token)
