"""``borderwatch line test --to USER_ID``: a test message through the LINE channel."""

from __future__ import annotations

import re

import click
from flask import current_app
from flask.cli import with_appcontext

from gis.line import LineClient, LineError
from gis.text import N_
from webapp.cli.common import say
from webapp.line import settings

LINE_USER_ID = re.compile(r"U[0-9a-f]{32}")


@click.group("line")
def line_group() -> None:
    """The LINE official account (LINE_CHANNEL_SECRET, LINE_CHANNEL_ACCESS_TOKEN)."""


@line_group.command("test")
@click.option("--to", "user_id", required=True, help="The LINE user id (U and 32 hex digits).")
@with_appcontext
def test_command(user_id: str) -> None:
    """Push a test message to a LINE user through the channel's access token."""
    if not LINE_USER_ID.fullmatch(user_id):
        raise click.BadParameter(say(N_("not a LINE user id")), param_hint="--to")
    channel = settings(current_app)
    if not channel.sends:
        raise click.ClickException(say(N_("LINE_CHANNEL_ACCESS_TOKEN is not set")))
    text = say(N_("A test message from borderwatch: the LINE channel works."))
    try:
        with LineClient(channel) as client:
            client.push(user_id, [text])
    except LineError as exc:
        raise click.ClickException(
            say(N_("LINE did not take the message: %(error)s"), error=str(exc))
        ) from None
    click.echo(say(N_("sent through %(url)s"), url=channel.api_url))
