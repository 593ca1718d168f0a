"""``borderwatch backup FILE`` and ``borderwatch restore FILE`` (see :mod:`gis.ops.backup`)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gis.ops.backup import BackupError, backup, manifest_path, restore
from gis.text import N_
from webapp.cli.common import say


def _say(message: str) -> None:
    click.echo(f"  {message}", err=True)


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Dump the database into FILE (pg_dump custom format) and its manifest into FILE.json.

    The manifest holds the rows of every table and a checksum of the incidents, counted in the
    snapshot that is dumped; `borderwatch restore` checks the restored database against it.
    """
    try:
        manifest = backup(current_app.config["DATABASE_URL"], file, say=_say)
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        say(
            N_(
                "backup written: %(file)s (%(bytes)s bytes), manifest %(manifest)s: "
                "%(incidents)s incidents, %(rows)s rows in %(tables)d tables"
            ),
            file=file,
            bytes=f"{manifest.archive_bytes:,}",
            manifest=manifest_path(file),
            incidents=f"{manifest.counts.get('incident', 0):,}",
            rows=f"{sum(manifest.counts.values()):,}",
            tables=len(manifest.counts),
        )
    )


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--database-url",
    help="The empty database to restore into (default: DATABASE_URL).",
)
@with_appcontext
def restore_command(file: Path, database_url: str | None) -> None:
    """Restore FILE (made by `borderwatch backup`) into an empty database and check it.

    Runs in one transaction: a failure restores nothing. Afterwards the rows of every table and
    the incidents' checksum are compared with FILE.json; a difference is an error.
    """
    try:
        manifest = restore(database_url or current_app.config["DATABASE_URL"], file, say=_say)
    except BackupError as err:
        raise click.ClickException(str(err)) from err
    click.echo(
        say(
            N_(
                "restored %(file)s (taken %(taken)s, schema %(schema)s): %(rows)s rows in "
                "%(tables)d tables, equal to the manifest"
            ),
            file=file,
            taken=manifest.taken_at,
            schema=manifest.schema_revision,
            rows=f"{sum(manifest.counts.values()):,}",
            tables=len(manifest.counts),
        )
    )
