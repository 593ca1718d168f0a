"""The demo's showcase: what the demo accounts do with the demo incidents, so that every page and
every OGC API collection has something to show (``borderwatch demo``, after the incidents).

:func:`complete_demo` makes the parts that are missing, each through the product's own code as
the demo accounts (:mod:`seeds.demo_cast`):

1. the demo coordinator's desk (:mod:`seeds.demo_desk`): reports of the last days from the
   officer app, walk-ins and the public (with receipt codes), triaged into every status;
2. two finished hotspot runs (:func:`gis.hotspots.runs.run_hotspots`: the worker's start and
   execute steps, with DBSCAN clusters, Gi* cells and emerging hot spots, weekly for the district
   and monthly for the nation) of the year before the anchor: one by the
   demo planner over the demo coordinator's district, which every role that sees hotspots and
   has that district in its scope sees, then a national one by the demo HQ analyst (the latest,
   for national roles);
3. three patrol plans from the latest run with the outcomes of their stops
   (:mod:`seeds.demo_patrols`).

The showcase is made once per database, whatever the seed (the seed decides where the desk's
reports lie). How a part counts as present, so that running the command again, or with
``--if-empty`` on a data set made before the showcase existed, adds only what is missing: a
desk report by its idempotency key (made from its label); a run when a finished run of the same
maker and districts exists; a plan when its planner has a plan of its unit in one of its
districts.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.errors import InvalidInput
from gis.hotspots.runs import run_hotspots
from gis.models import District, HotspotRun, User
from gis.types import RunStatus
from seeds.demo_cast import Cast, find_cast
from seeds.demo_desk import DeskResult, make_desk
from seeds.demo_line import make_line_chats
from seeds.demo_load import Progress
from seeds.demo_patrols import PlanResult, make_plans

STEPS = ("triage desk", "hotspot runs", "patrol plans")


@dataclass(frozen=True)
class ShowcaseReport:
    """What :func:`complete_demo` made now (empty parts were present already)."""

    desk: DeskResult | None
    runs: tuple[str, ...]
    plans: tuple[PlanResult, ...]
    notes: tuple[str, ...]
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def made(self) -> bool:
        """Whether anything was made now."""
        return bool((self.desk and self.desk.made) or self.runs or self.plans)

    def __str__(self) -> str:
        lines = ["demo showcase (what the demo accounts did):"]
        if self.desk and self.desk.made:
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(self.desk.statuses.items()))
            lines.append(
                f"  triage desk in {self.desk.district}: {self.desk.made} reports ({statuses})"
            )
            if self.desk.receipts:
                lines.append(
                    f"    {len(self.desk.receipts)} public reports; follow one at"
                    f" /report/{self.desk.receipts[0]}"
                )
        lines += [f"  hotspot run: {run}" for run in self.runs]
        lines += [f"  patrol plan: {plan}" for plan in self.plans]
        lines += [f"  {note}" for note in self.notes]
        if not self.made:
            lines.append("  everything present already, nothing made")
        lines.append(f"  in {self.seconds:.1f} s")
        return "\n".join(lines)


def complete_demo(
    session: Session,
    *,
    seed: int,
    anchor: dt.datetime,
    key_secret: bytes,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> ShowcaseReport:
    """Make the missing parts of the showcase (module docstring); the caller commits.

    Args:
        session: open session on a database with the demo accounts and incidents.
        seed: the demo seed (places and keys of the reports made).
        anchor: the end of the demo's time window (aware): reports, runs and plans lie before it.
        key_secret: the server's secret (``SECRET_KEY``), which patrol outcomes use.
        progress: optional ``(step, done, total)`` callback.
        now: the current time (default: now).

    Returns:
        What was made now and what could not be.

    Raises:
        InvalidInput: (``anchor``) the anchor lies in the future.
    """
    started = time.perf_counter()
    now = now or dt.datetime.now(dt.UTC)
    if anchor > now:
        raise InvalidInput("anchor lies in the future", field="anchor")
    cast = find_cast(session)
    if cast is None:
        return ShowcaseReport(
            None, (), (), ("no showcase: a demo account is missing or disabled",), 0.0
        )
    steps: dict[str, float] = {}

    def step(name: str) -> None:
        steps[name] = time.perf_counter() - started - sum(steps.values())
        if progress:
            progress("demo showcase", STEPS.index(name) + 1, len(STEPS))

    desk = make_desk(session, cast, seed, anchor, now)
    # citizens' LINE chats (seeds/demo_line.py), told within the two-year window that ends at
    # the anchor, as every other demo report is
    make_line_chats(session, cast, seed, min(now, anchor - dt.timedelta(hours=2)))
    step("triage desk")
    runs = make_runs(session, cast, anchor)
    step("hotspot runs")
    plans, notes = make_plans(session, cast, seed, anchor, key_secret)
    step("patrol plans")
    return ShowcaseReport(
        desk, tuple(runs), tuple(plans), tuple(notes), time.perf_counter() - started, steps
    )


def make_runs(session: Session, cast: Cast, anchor: dt.datetime) -> list[str]:
    """The two runs of the showcase that are not present: the planner's over the coordinator's
    district, then the HQ analyst's national one; a line for each run made."""
    own = session.get_one(District, cast.coordinator.district_id)
    until = anchor.isoformat()
    made = []
    for maker, districts, params in (
        (cast.planner, [own.id], {"until": until, "districts": [own.pcode], "emerging": "week"}),
        (cast.hq, None, {"until": until, "emerging": "month"}),
    ):
        if _run_present(session, maker, districts):
            continue
        run = run_hotspots(session, params, maker)
        where = own.name if districts else "national"
        made.append(
            f"{where} by {maker.username}, {run.status.value}: {run.n_incidents or 0:,} incidents,"
            f" {run.n_clusters or 0} hotspots, {run.gistar or run.error}"
        )
    return made


def _run_present(session: Session, maker: User, districts: list[int] | None) -> bool:
    q = select(HotspotRun.id).where(
        HotspotRun.created_by_id == maker.id, HotspotRun.status == RunStatus.DONE
    )
    if districts is None:
        q = q.where(HotspotRun.district_ids.is_(None))
    else:
        q = q.where(HotspotRun.district_ids == districts)
    return session.execute(q.limit(1)).first() is not None
