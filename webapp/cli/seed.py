"""``borderwatch seed`` and ``borderwatch import crossings``: reference data from files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from gis.reference.crossings import import_crossings as run_import
from gis.text import N_
from seeds.reference import DATA_DIR, load_reference, read_reference
from webapp.cli.common import Bars, progress_option, say, transaction


@click.command("seed")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder with the reference GeoJSON files (default: seeds/data).",
)
@progress_option
@with_appcontext
def seed_command(data_dir: Path | None, progress: bool) -> None:
    """Load the reference layers: validated first, written in one transaction, idempotent."""
    bars = Bars(progress)
    try:
        with transaction() as session:
            data = read_reference(data_dir or DATA_DIR)
            report = load_reference(session, data, bars)
    finally:
        bars.close()
    for table, c in report.tables.items():
        counts = say(
            N_("%(inserted)d inserted, %(updated)d updated, %(unchanged)d unchanged"),
            inserted=c.inserted,
            updated=c.updated,
            unchanged=c.unchanged,
        )
        click.echo(f"{table:>24}: {counts}")
    click.echo(
        say(N_("reference data up to date"))
        if report.changed == 0
        else say(N_("%(n)d rows written"), n=report.changed)
    )


@click.group("import")
def import_group() -> None:
    """Import data files."""


@import_group.command("crossings")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--source", default=None, help="Where the data comes from (kept with each path).")
@progress_option
@with_appcontext
def import_crossings(file: Path, source: str | None, progress: bool) -> None:
    """Load natural crossing paths from a GeoJSON FeatureCollection (EPSG:4326 lines).

    The whole file is checked first; one bad feature rejects it and nothing is written.
    """
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise click.ClickException(
            say(N_("%(file)s: not valid JSON (%(error)s)"), file=file.name, error=exc)
        ) from exc
    bars = Bars(progress)
    try:
        with transaction() as session:
            report = run_import(
                session,
                doc,
                source=source or file.name,
                label=file.name,
                max_distance_m=current_app.config["ROUTING_MAX_DISTANCE_M"],
                progress=bars,
            )
    finally:
        bars.close()
    click.echo(
        say(
            N_("%(inserted)d crossings inserted, %(updated)d updated, %(unchanged)d unchanged"),
            inserted=report.inserted,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    )
