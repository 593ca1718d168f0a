"""``borderwatch district target``: the programme's target districts."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from gis.reference.admin import set_target
from gis.text import N_
from webapp.cli.common import cli_language, say, transaction


@click.group("district")
def district_group() -> None:
    """Manage districts (the programme's target set)."""


@district_group.command("target")
@click.argument("district")
@click.option("--on/--off", "on", default=True, help="Make it a target district or not.")
@with_appcontext
def district_target(district: str, on: bool) -> None:
    """Flag DISTRICT (P-code like TH3409, or its name) as a target district, or not.

    A new target district gets a coordination centre placed inside it, marked approximate.
    """
    with transaction() as session:
        ref = set_target(session, district, on)
    message = (
        N_("%(district)s (%(province)s) is now a target district")
        if on
        else N_("%(district)s (%(province)s) is no longer a target district")
    )
    thai = cli_language() == "th"
    click.echo(
        say(
            message,
            district=ref.name_th if thai else ref.name,
            province=ref.province_th if thai else ref.province,
        )
    )
