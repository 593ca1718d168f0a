"""``borderwatch export``: a collection to a file, as an account would download it.

The export runs with an account's scope and projection (``--user``), and is audited as that
account's, like a download from the web (the same workflow: :func:`gis.export.run_export`). The
file is written next to ``--out`` under a temporary name and renamed when complete, so that a
failed export leaves no partial file.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from tqdm import tqdm

from gis import export
from gis.accounts.users import get_user
from gis.errors import BorderwatchError, NotFound
from gis.export.collections import COLLECTIONS
from gis.export.run import FILE_FORMATS, Progress
from gis.text import N_
from gis.types import BBox
from webapp.cli.common import cli_language, error_text, say
from webapp.db import database
from webapp.export.words import export_words
from webapp.params import parse_bbox


def _bbox(raw: str | None) -> BBox | None:
    return parse_bbox({"bbox": raw} if raw else {})


@click.command("export")
@click.argument("collection", type=click.Choice(sorted(COLLECTIONS)))
@click.option(
    "--format", "fmt", type=click.Choice([f.value for f in FILE_FORMATS]), default="geojson",
    show_default=True,
)  # fmt: skip
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True
)
@click.option("--user", "username", required=True, help="Account whose scope and fields apply.")
@click.option("--bbox", default=None, help="minx,miny,maxx,maxy (lon/lat).")
@click.option("--datetime", "when", default=None, help="RFC 3339 instant, day or start/end.")
@click.option("--category", default=None, help="Incident categories, comma-separated.")
@click.option("--status", default=None, help="Incident statuses, comma-separated.")
@click.option("--district", default=None, help="District P-codes, comma-separated.")
@click.option("--run", default=None, help="Hotspot run id (default: the latest).")
@click.option("--include-sensitive", is_flag=True, help="HQ analysts: reporter fields too.")
@click.option("--reason", default=None, help="Why the sensitive fields are needed (audited).")
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@with_appcontext
def export_command(
    collection: str,
    fmt: str,
    out: Path,
    username: str,
    bbox: str | None,
    when: str | None,
    category: str | None,
    status: str | None,
    district: str | None,
    run: str | None,
    include_sensitive: bool,
    reason: str | None,
    progress: bool,
) -> None:
    """Export COLLECTION to --out as GeoJSON, CSV, GeoPackage, a zipped Shapefile, KML,
    FlatGeobuf or GeoParquet (streamed, audited)."""
    params = {
        k: v
        for k, v in (
            ("datetime", when),
            ("category", category),
            ("status", status),
            ("district", district),
            ("run", run),
        )
        if v
    }
    session = database().sessionmaker()
    partial = out.with_name(f".{out.stem}.partial{out.suffix}")  # GDAL checks the extension
    try:
        user = get_user(session, username)
        access = export.make_access(
            session, user, include_sensitive=include_sensitive, reason=reason
        )
        with force_locale(cli_language()):  # a KML's or a Shapefile's words
            words = export_words(collection)
        asked = export.ExportRequest(collection, fmt, params, _bbox(bbox), count=True, words=words)
        bar = tqdm(unit=" features", disable=not progress, file=sys.stderr, desc=collection)
        with bar:
            started = export.run_export(session, access, asked, progress=moves(bar))
            try:
                with partial.open("wb") as fh:
                    for chunk in started:
                        fh.write(chunk)
            finally:
                started.close()
        os.replace(partial, out)
    except BorderwatchError as exc:
        if isinstance(exc, NotFound) and exc.field == "collection":
            raise click.ClickException(
                say(
                    N_("%(user)s may not export %(collection)s"),
                    user=username,
                    collection=collection,
                )
            ) from exc
        raise click.ClickException(error_text(exc, field=True)) from exc
    finally:
        partial.unlink(missing_ok=True)
        session.close()
    click.echo(
        say(
            N_("%(n)d features of %(collection)s written to %(out)s"),
            n=started.counter.n,
            collection=collection,
            out=out,
        )
    )


def moves(bar: tqdm) -> Progress:
    """Move ``bar`` to the features written, out of the matching ones."""

    def update(counter: export.Counter) -> None:
        bar.total = counter.matched
        bar.update(counter.n - bar.n)

    return update
