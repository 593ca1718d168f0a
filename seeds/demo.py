"""Demo data: repeatable synthetic incidents and natural crossing paths (``borderwatch demo``).

No open data of real incidents or crossing paths exists, so the demo set is made up, shaped after
the programme's threats (see :mod:`seeds.demo_profiles`): clusters at the checkpoints, at spots
where people cross the Mekong and the land border outside the checkpoints, and in the district
towns, plus background noise over the 43 target districts, two years of timestamps with seasons
and hours of day, all flagged ``is_demo``.

How it runs (timed by ``bench/demo.py``, figures in ``docs/benchmarks.md``):

1. A few demo crossing paths (8 to 15) go in first through
   :func:`gis.reference.crossings.import_crossings`, with stable ids ``demo-s<seed>-<n>``, so
   re-running a seed updates nothing.
2. numpy draws the incidents (:mod:`seeds.demo_incidents`); binary ``COPY`` loads them into a
   temporary staging table (:mod:`seeds.demo_load`).
3. Set-based SQL, chunk by chunk for progress, moves them into ``incident``: the district by
   polygon (``ST_Covers`` on the target districts cut with ``ST_Subdivide``), the border distance
   and the nearest checkpoint and crossing with the expressions of :mod:`gis.reference.measure`.

Repeatable (for the same reference data and numpy version): the sites and crossing paths depend on
the seed only; the incidents on the seed, the number of incidents and the *anchor*, the end of
the two-year window. The anchor defaults to today at 00:00 UTC, so two runs on the same day give
the same rows; pass ``anchor`` for rows that are the same on any day. The idempotency keys depend
on the seed and the number of incidents only, and inserts skip known keys: running the same
command twice (even on another day) stores the set once, and a different seed adds another set.

After the incidents, ``borderwatch demo`` makes the demo accounts use them
(:mod:`seeds.demo_showcase`): triaged reports, hotspot runs and patrol plans.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import shapely
from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from gis.errors import InvalidInput
from gis.models import BorderSegment, Checkpoint, CoordinationCentre, District, Incident
from gis.reference.crossings import import_crossings
from gis.reference.measure import to_metric
from gis.types import BoundaryKind
from gis.upsert import Counts
from seeds.demo_incidents import idempotency_keys, synthesize
from seeds.demo_load import Progress, load_incidents
from seeds.demo_model import BorderRef, CheckpointRef, Geography, crossing_paths, plan_sites
from seeds.demo_profiles import CATEGORIES

log = logging.getLogger(__name__)

#: Source recorded on the demo crossing paths.
SOURCE = "demo"


@dataclass(frozen=True)
class DemoReport:
    """What :func:`generate_demo` did."""

    seed: int
    anchor: dt.datetime
    requested: int
    inserted: int
    categories: dict[str, int]
    crossings: int
    crossings_inserted: int
    crossings_updated: int
    seconds: float
    steps: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        rate = f", {self.inserted / self.seconds:,.0f} rows/s" if self.inserted else ""
        lines = [
            f"demo data, seed {self.seed}, two years up to {self.anchor:%Y-%m-%d %H:%M} UTC:",
            f"  crossing paths: {self.crossings} ({self.crossings_inserted} new,"
            f" {self.crossings_updated} updated)",
            f"  incidents: {self.inserted:,} inserted of {self.requested:,} requested"
            + (
                f" ({self.requested - self.inserted:,} already present)"
                if self.inserted < self.requested
                else ""
            ),
        ]
        lines += [f"    {c.value:<18} {self.categories.get(c.value, 0):>10,}" for c in CATEGORIES]
        lines.append(f"  in {self.seconds:.1f} s{rate}")
        return "\n".join(lines)


def default_anchor(now: dt.datetime | None = None) -> dt.datetime:
    """Today (or ``now``'s day) at 00:00 UTC: the default end of the demo time window."""
    now = now or dt.datetime.now(dt.UTC)
    return dt.datetime.combine(now.astimezone(dt.UTC).date(), dt.time(), tzinfo=dt.UTC)


def generate_demo(
    session: Session,
    *,
    incidents: int,
    seed: int,
    progress: Progress | None = None,
    anchor: dt.datetime | None = None,
) -> DemoReport:
    """Generate the demo crossing paths and ``incidents`` synthetic incidents; the caller commits.

    Args:
        session: open session on a migrated database with the reference data.
        incidents: number of incidents to generate.
        seed: random seed; the same seed gives the same data.
        progress: optional ``(step, done, total)`` callback.
        anchor: end of the two-year window of incident times (aware datetime); defaults to
            :func:`default_anchor` (today at 00:00 UTC).

    Returns:
        Counts per category, crossing paths made and the time taken.

    Raises:
        InvalidInput: the reference data is missing (no target district or border).
    """
    started = time.perf_counter()
    steps: dict[str, float] = {}
    anchor = (anchor or default_anchor()).astimezone(dt.UTC)
    world, paths, rows, keys = random_streams(seed, incidents)
    geo = read_geography(session)
    sites = plan_sites(world, geo)
    features = crossing_paths(paths, geo, sites, int(paths.integers(8, 16)), seed)
    doc = {"type": "FeatureCollection", "features": features}
    crossings: Counts = import_crossings(
        session, doc, source=SOURCE, label="demo crossing paths", is_demo=True, progress=progress
    )
    steps["crossings"] = time.perf_counter() - started
    inserted = 0
    categories: dict[str, int] = {}
    if incidents > 0:
        mark = time.perf_counter()
        data = synthesize(rows, geo, sites, incidents, anchor)
        key_bytes = idempotency_keys(keys, incidents)
        steps["draw"] = time.perf_counter() - mark
        inserted, categories = load_incidents(session, data, key_bytes, progress, steps)
    report = DemoReport(
        seed=seed,
        anchor=anchor,
        requested=incidents,
        inserted=inserted,
        categories=categories,
        crossings=len(features),
        crossings_inserted=crossings.inserted,
        crossings_updated=crossings.updated,
        seconds=time.perf_counter() - started,
        steps=steps,
    )
    log.info(
        "demo data (seed %d): %d incidents inserted, %d crossing paths, %.1f s",
        seed,
        report.inserted,
        report.crossings,
        report.seconds,
    )
    return report


def random_streams(seed: int, incidents: int) -> tuple[np.random.Generator, ...]:
    """The four random streams of a run: sites and crossing paths (from the seed only), incident
    rows and idempotency keys (from the seed and the number of incidents)."""
    entropy = [abs(seed), int(seed < 0)]
    world, paths = (np.random.default_rng(s) for s in np.random.SeedSequence(entropy).spawn(2))
    rows = np.random.default_rng([*entropy, incidents, 1])
    keys = np.random.default_rng([*entropy, incidents, 2])
    return world, paths, rows, keys


def read_geography(session: Session) -> Geography:
    """The target districts, their towns, checkpoints and border, as the generator needs them.

    Raises:
        InvalidInput: no target district or no border segment of one is loaded.
    """
    districts = session.execute(
        select(
            District.id,
            District.name_th,
            func.ST_AsBinary(District.geom),
            func.ST_Area(func.geography(District.geom)) / 1e6,
            func.ST_AsBinary(
                to_metric(
                    func.coalesce(CoordinationCentre.geom, func.ST_PointOnSurface(District.geom))
                )
            ),
        )
        .outerjoin(CoordinationCentre, CoordinationCentre.district_id == District.id)
        .where(District.target)
        .order_by(District.id)
    ).all()
    if not districts:
        raise InvalidInput("no target district is loaded: run `borderwatch seed` first")
    index = {row[0]: i for i, row in enumerate(districts)}
    polygons = tuple(shapely.from_wkb(bytes(row[2])) for row in districts)
    for polygon in polygons:
        shapely.prepare(polygon)
    target_area = shapely.union_all(polygons)
    shapely.prepare(target_area)
    towns = tuple(shapely.from_wkb(bytes(row[4])) for row in districts)
    checkpoints = tuple(
        CheckpointRef(cid, index[did], x, y, str(neighbour), str(kind))
        for cid, did, x, y, neighbour, kind in session.execute(
            select(
                Checkpoint.id,
                Checkpoint.district_id,
                func.ST_X(Checkpoint.geom_m),
                func.ST_Y(Checkpoint.geom_m),
                Checkpoint.neighbour,
                Checkpoint.kind,
            )
            .where(Checkpoint.district_id.in_(list(index)))
            .order_by(Checkpoint.id)
        )
    )
    border = tuple(
        BorderRef(sid, index[did], str(neighbour), kind == BoundaryKind.MEKONG_RIVER, line)
        for sid, did, neighbour, kind, line in (
            (r[0], r[1], r[2], r[3], shapely.from_wkb(bytes(r[4])))
            for r in session.execute(
                select(
                    BorderSegment.id,
                    BorderSegment.district_id,
                    BorderSegment.neighbour,
                    BorderSegment.kind,
                    func.ST_AsBinary(to_metric(BorderSegment.geom)),
                )
                .where(BorderSegment.district_id.in_(list(index)))
                .order_by(BorderSegment.segment_no)
            )
        )
    )
    if not border:
        raise InvalidInput("no border segment of a target district is loaded")
    return Geography(
        district_ids=tuple(row[0] for row in districts),
        district_names=tuple(row[1] for row in districts),
        districts=polygons,
        areas_km2=tuple(float(row[3]) for row in districts),
        towns=tuple((t.x, t.y) for t in towns),
        checkpoints=checkpoints,
        border=border,
        target_area=target_area,
    )


def has_incidents(session: Session) -> bool:
    """Whether any incident (demo or real) is stored."""
    return session.execute(select(Incident.id).limit(1)).first() is not None


def has_real_incidents(session: Session) -> bool:
    """Whether any incident that is not demo data (``is_demo``) is stored."""
    return (
        session.execute(select(Incident.id).where(Incident.is_demo.is_(False)).limit(1)).first()
        is not None
    )
