"""The channels a worker can deliver on, from the environment: e-mail when ``SMTP_HOST`` is
set, LINE when ``LINE_CHANNEL_ACCESS_TOKEN`` is set. A channel that is not configured is left
out: its deliveries wait and say so (:func:`gis.notify.delivery.deliver_next`)."""

from __future__ import annotations

from collections.abc import Mapping

from gis.line import LineSettings
from gis.notify.delivery import Composer, Sender
from gis.notify.email import SmtpSender, SmtpSettings
from gis.notify.line import LineSender
from gis.types import NotifyChannel

#: The key of the composer (``gis.notify.delivery.Composer``) in the app's configuration: the
#: web app puts it there and hands it to :func:`use_composer` in the worker's process.
COMPOSER_KEY = "NOTIFY_COMPOSE"

_composer: list[Composer] = []


def use_composer(compose: Composer) -> None:
    """The composer the worker's task writes messages with (the web app's, which knows the
    catalogues); the last one given wins."""
    _composer[:] = [compose]


def composer() -> Composer | None:
    """The composer given to :func:`use_composer`, if any."""
    return _composer[0] if _composer else None


def senders_from_environment(
    environ: Mapping[str, str] | None = None,
) -> dict[NotifyChannel, Sender]:
    """The configured senders (the process's environment by default)."""
    found: dict[NotifyChannel, Sender] = {}
    smtp = SmtpSettings.from_environment(environ)
    if smtp.configured:
        found[NotifyChannel.EMAIL] = SmtpSender(smtp)
    line = LineSettings.from_environment(environ)
    if line.sends:
        found[NotifyChannel.LINE] = LineSender(line)
    return found
