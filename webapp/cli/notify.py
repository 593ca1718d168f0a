"""``borderwatch notify test --channel email|line --to ADDRESS``: a test message through a
notification channel configured from the environment (SMTP_*, LINE_CHANNEL_ACCESS_TOKEN), sent
as the worker sends notifications."""

from __future__ import annotations

import uuid

import click
from flask.cli import with_appcontext

from gis.notify.channels import senders_from_environment
from gis.notify.delivery import DeliveryError, Outgoing
from gis.notify.settings import EMAIL, LINE_USER_ID
from gis.text import N_
from gis.types import NotifyChannel
from webapp.cli.common import say


@click.group("notify")
def notify_group() -> None:
    """Notifications: try a channel (the worker delivers them: borderwatch worker)."""


@notify_group.command("test")
@click.option(
    "--channel",
    required=True,
    type=click.Choice([c.value for c in NotifyChannel if c.value != "in_app"]),
)
@click.option("--to", "address", required=True, help="An e-mail address or a LINE user id.")
@with_appcontext
def test_command(channel: str, address: str) -> None:
    """Send a test message to ADDRESS through the channel's settings."""
    kind = NotifyChannel(channel)
    pattern = EMAIL if kind is NotifyChannel.EMAIL else LINE_USER_ID
    if not pattern.match(address):
        raise click.BadParameter(say(N_("not an address of this channel")), param_hint="--to")
    sender = senders_from_environment().get(kind)
    if sender is None:
        raise click.ClickException(say(N_("the channel is not configured")))
    message = Outgoing(
        kind,
        address,
        say(N_("borderwatch: a test message")),
        say(N_("A test message from borderwatch: the notification channel works.")),
        f"test:{uuid.uuid4()}",
        "th",
    )
    try:
        sender.send(message)
    except DeliveryError as exc:
        raise click.ClickException(
            say(N_("the message was not taken: %(error)s"), error=str(exc))
        ) from None
    click.echo(say(N_("sent")))
