"""``borderwatch jobs``: the background jobs (:mod:`gis.jobs`) as the worker sees them;
``borderwatch export-job``: an export job (:mod:`gis.export.jobs`) and its progress."""

from __future__ import annotations

import sys
import time

import click
import orjson
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from gis.accounts.users import get_user
from gis.export.jobs import ACTIVE, DONE, ExportSettings, start_export_job
from gis.export.plan import make_access
from gis.export.run import ExportRequest
from gis.jobs import count_jobs, list_jobs
from gis.models import ExportFile
from gis.text import N_
from webapp.cli.common import cli_language, say, transaction

#: Seconds between two looks at an export job's progress.
POLL_S = 0.5

STATUSES = ("todo", "doing", "succeeded", "failed", "cancelled", "aborted")


@click.command("jobs")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="Only this status.")
@click.option("--queue", default=None, help="Only this queue (hotspots, exports, ...).")
@click.option("--task", default=None, help="Only this task (hotspots.execute_run, ...).")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@with_appcontext
def jobs_command(status: str | None, queue: str | None, task: str | None, limit: int) -> None:
    """List the background jobs, newest first, after their counts per queue and status."""
    with transaction() as session:
        counts = count_jobs(session)
        rows = list_jobs(session, status=status, queue=queue, task=task, limit=limit)
    if not counts:
        click.echo(say(N_("no jobs")))
        return
    for name, state, n in counts:
        click.echo(f"{name:<12} {state:<10} {n:>8}")
    click.echo("")
    for row in rows:
        when = row.updated_at.isoformat(timespec="seconds") if row.updated_at else "-"
        args = orjson.dumps(row.args).decode()
        click.echo(
            f"{row.id:>8} {row.queue:<12} {row.task:<28} {row.status:<10} "
            f"{row.attempts:>2} {when} {args}"
        )


@click.command("export-job")
@click.argument("collection")
@click.option("--format", "fmt", default="gpkg", show_default=True, help="gpkg, shp, parquet...")
@click.option("--user", "username", required=True, help="Account whose scope and fields apply.")
@click.option("--datetime", "when", default=None, help="RFC 3339 instant, day or start/end.")
@click.option("--category", default=None, help="Incident categories, comma-separated.")
@click.option("--status", default=None, help="Incident statuses, comma-separated.")
@click.option("--district", default=None, help="District P-codes, comma-separated.")
@click.option("--run", default=None, help="Hotspot run id (default: the latest).")
@click.option("--wait/--no-wait", default=True, help="Show the job's progress until it ends.")
@with_appcontext
def export_job_command(
    collection: str,
    fmt: str,
    username: str,
    when: str | None,
    category: str | None,
    status: str | None,
    district: str | None,
    run: str | None,
    wait: bool,
) -> None:
    """Ask the worker for an export job of COLLECTION (as USER would from /exports) and show
    its progress: features written of the estimate, then where its file is."""
    given = (("datetime", when), ("category", category), ("status", status))
    params = {k: v for k, v in (*given, ("district", district), ("run", run)) if v}
    with transaction() as session:
        user = get_user(session, username)
        access = make_access(session, user)
        asked = ExportRequest(collection, fmt, params)
        row = start_export_job(session, access, asked, language=cli_language())
        job_id, estimated = row.id, row.features_estimated
    click.echo(say(N_("export job %(id)s queued for the worker"), id=job_id))
    if not wait:
        return
    bar = tqdm(total=estimated, unit=" features", file=sys.stderr, desc=collection)
    with bar:
        while True:
            with transaction() as session:
                row = session.get_one(ExportFile, job_id)
            bar.update(row.features_written - bar.n)
            if row.status not in ACTIVE:
                break
            time.sleep(POLL_S)
    if row.status != DONE:
        raise click.ClickException(
            say(N_("export job %(id)s failed: %(error)s"), id=job_id, error=row.error or "")
        )
    path = ExportSettings.from_config(current_app.config).directory / str(row.file_name)
    click.echo(
        say(
            N_("%(n)d features of %(collection)s written to %(out)s"),
            n=row.features_written,
            collection=collection,
            out=path,
        )
    )
