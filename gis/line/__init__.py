"""The LINE Messaging API: the channel's settings from the environment, a client that pushes and
replies (:mod:`gis.line.client`, the official ``line-bot-sdk`` 3.x), and the download of a
message's content behind an interface tests replace (:mod:`gis.line.content`).

Nothing here knows about incidents or accounts: the citizens' chat (:mod:`gis.linechat`) and the
notifications use it. The channel secret and access token come from the environment only; they
are never stored in the database, logged or shown (their ``repr`` hides them).
"""

from gis.line.client import LineClient, LineError, text_messages
from gis.line.content import BlobContent, ContentSource, HostContent, content_source
from gis.line.settings import DEFAULT_API_URL, LineSettings

__all__ = [
    "DEFAULT_API_URL",
    "BlobContent",
    "ContentSource",
    "HostContent",
    "LineClient",
    "LineError",
    "LineSettings",
    "content_source",
    "text_messages",
]
