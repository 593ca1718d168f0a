"""``borderwatch db upgrade|downgrade|current``: schema migrations (Alembic).

:mod:`gis.ops.migrate` is imported inside each command: it loads Alembic (some 120 modules),
which the web workers that register these commands through ``create_app`` never need.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from gis.text import N_
from webapp.cli.common import say


@click.group("db")
def db_group() -> None:
    """Schema migrations (Alembic)."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the schema; running it again does nothing."""
    from gis.ops import migrate  # Alembic: kept out of web workers

    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(say(N_("schema at %(revision)s"), revision=revision))


@db_group.command("downgrade")
@click.option("--revision", required=True, help="Target revision, e.g. base or 0001.")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema (drops data of the removed tables)."""
    from gis.ops import migrate  # Alembic: kept out of web workers

    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(say(N_("schema at %(revision)s"), revision=revision))


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the schema revision of the database."""
    from gis.ops import migrate  # Alembic: kept out of web workers

    migrate.current(current_app.config["DATABASE_URL"])
