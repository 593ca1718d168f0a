"""Commands for hotspots: runs, the background worker, the watch corridor and border flags."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from tqdm import tqdm

from gis.errors import BorderwatchError
from gis.hotspots.queries import ranked_hotspots
from gis.hotspots.runs import run_hotspots
from gis.jobs import queue_names, run_worker
from gis.reference.corridor import refresh_corridor, set_demarcation
from gis.text import N_
from gis.types import Demarcation, RunStatus
from webapp.cli.common import error_text, label_of, say, transaction
from webapp.db import database

log = logging.getLogger(__name__)


@click.group("hotspots")
def hotspots_group() -> None:
    """Hotspot runs (DBSCAN clusters and Gi* hexagons of incidents)."""


@hotspots_group.command("run")
@click.option("--since", default=None, help="First day (YYYY-MM-DD, Thai time) or RFC 3339 time.")
@click.option("--until", default=None, help="Last day (inclusive) or RFC 3339 time (exclusive).")
@click.option("--category", "categories", multiple=True, help="Incident category (repeatable).")
@click.option("--status", "statuses", multiple=True, help="Incident status (default verified).")
@click.option("--district", "districts", multiple=True, help="District P-code (repeatable).")
@click.option("--everywhere", is_flag=True, help="Not only incidents in the watch corridor.")
@click.option("--eps", "eps_m", type=float, default=None, help="DBSCAN radius (m, default 1000).")
@click.option("--min-points", type=int, default=None, help="DBSCAN minimum points (default 5).")
@click.option("--half-life", "half_life_days", type=float, default=None, help="Days (default 90).")
@click.option("--cell", "cell_m", type=float, default=None, help="Gi* hexagon size (m).")
@click.option(
    "--emerging",
    type=click.Choice(["week", "month"]),
    default=None,
    help="Also find emerging hot spots in weekly or monthly steps.",
)
@click.option("--progress/--no-progress", default=True, help="Show a progress bar.")
@with_appcontext
def hotspots_run(
    since: str | None,
    until: str | None,
    categories: tuple[str, ...],
    statuses: tuple[str, ...],
    districts: tuple[str, ...],
    everywhere: bool,
    eps_m: float | None,
    min_points: int | None,
    half_life_days: float | None,
    cell_m: float | None,
    emerging: str | None,
    progress: bool,
) -> None:
    """Run a hotspot analysis now (in this process, national scope) and print its ranking."""
    params = {
        "since": since,
        "until": until,
        "categories": list(categories) or None,
        "statuses": list(statuses) or None,
        "districts": list(districts) or None,
        "corridor_only": not everywhere,
        "eps_m": eps_m,
        "min_points": min_points,
        "half_life_days": half_life_days,
        "cell_m": cell_m,
        "emerging": emerging,
    }
    bar = tqdm(total=100, desc="hotspot run", file=sys.stderr, disable=not progress)

    def report(fraction: float) -> None:
        bar.update(round(fraction * 100) - bar.n)

    try:
        run = run_hotspots(database().engine, params, None, progress=report)
    except BorderwatchError as exc:
        raise click.ClickException(error_text(exc, field=True)) from exc
    finally:
        bar.close()
    if run.status != RunStatus.DONE:
        raise click.ClickException(
            say(N_("run %(id)s failed: %(error)s"), id=run.id, error=run.error)
        )
    click.echo(
        say(
            N_(
                "run %(id)s: %(incidents)d incidents, %(hotspots)d hotspots (eps %(eps)s m, "
                "min points %(min_points)s); %(gistar)s"
            ),
            id=run.id,
            incidents=run.n_incidents,
            hotspots=run.n_clusters,
            eps=f"{run.params['eps_m']:g}",
            min_points=run.params["min_points"],
            gistar=run.gistar,
        )
    )
    if run.emerging:
        click.echo(say(N_("emerging hot spots: %(note)s"), note=run.emerging))
    with transaction() as session:
        for spot in ranked_hotspots(session, run.id, limit=20):
            districts = ", ".join(spot["districts"][:5])
            more = " …" if len(spot["districts"]) > 5 else ""
            line = say(
                N_(
                    "#%(rank)3d score %(score)8.2f  %(incidents)5d incidents  "
                    "trend %(trend)+d  %(districts)s"
                ),
                rank=spot["rank"],
                score=spot["score"],
                incidents=spot["n_incidents"],
                trend=int(spot["trend"] or 0),
                districts=districts + more,
            )
            click.echo(f"  {line}")


@click.command("worker")
@click.option("--once", is_flag=True, help="Execute the waiting jobs, then stop.")
@click.option(
    "--poll",
    type=click.FloatRange(0.1, 60),
    default=5.0,
    show_default=True,
    help="Seconds between looks for jobs when no notification came.",
)
@click.option(
    "--queue",
    "queues",
    multiple=True,
    help="Only the jobs of this queue (repeatable, or comma-separated; default all).",
)
@click.option(
    "--concurrency", type=click.IntRange(1, 32), default=1, show_default=True, help="Jobs at once."
)
@with_appcontext
def worker_command(once: bool, poll: float, queues: tuple[str, ...], concurrency: int) -> None:
    """Execute background jobs: hotspot runs, exports, notifications, periodic tasks (start one
    or more beside the web server; SIGTERM lets the running jobs finish)."""
    db = database()
    click.echo(say(N_("borderwatch worker: waiting for jobs")), err=True)
    run_worker(
        current_app.config["DATABASE_URL"],
        db.engine,
        once=once,
        queues=queue_names(queues) or None,
        concurrency=concurrency,
        poll=poll,
        settings=current_app.config,
        replica_engine=db.replica_engine,
    )


@click.group("corridor")
def corridor_group() -> None:
    """The watch corridor (derived from the border, the Mekong and the natural crossings)."""


@corridor_group.command("refresh")
@click.option("--width", "width_m", type=float, default=None, help="Metres on each side.")
@with_appcontext
def corridor_refresh(width_m: float | None) -> None:
    """Rebuild the watch corridor (keeps the current width unless --width is given)."""
    with transaction() as session:
        info = refresh_corridor(session, width_m)
    if info is None:
        raise click.ClickException(
            say(N_("no border or crossing loaded: run `borderwatch seed` first"))
        )
    click.echo(json.dumps(dataclasses.asdict(info), default=str))


@click.group("border")
def border_group() -> None:
    """Border segments."""


@border_group.command("flag")
@click.argument("segment_no", type=int)
@click.argument("demarcation", type=click.Choice([d.value for d in Demarcation]))
@click.option("--note", default=None, help="Why (kept in the audit).")
@with_appcontext
def border_flag(segment_no: int, demarcation: str, note: str | None) -> None:
    """Flag border segment SEGMENT_NO as unmarked, demarcated or unknown (audited; the watch
    corridor is rebuilt)."""
    with transaction() as session:
        segment = set_demarcation(session, segment_no, demarcation, None, note)
    click.echo(
        say(
            N_("segment %(segment)s (%(district)s): %(demarcation)s"),
            segment=segment.segment_no,
            district=segment.district_name,
            demarcation=label_of(Demarcation(demarcation)),
        )
    )


COMMANDS = (hotspots_group, worker_command, corridor_group, border_group)
