"""``borderwatch jobs``: the background jobs (:mod:`gis.jobs`) as the worker sees them."""

from __future__ import annotations

import click
import orjson
from flask.cli import with_appcontext

from gis.jobs import count_jobs, list_jobs
from gis.text import N_
from webapp.cli.common import say, transaction

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
