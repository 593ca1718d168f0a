"""Demo data: repeatable synthetic incidents and natural crossing paths (``borderwatch demo``).

No open data of real incidents or crossing paths exists, so the demo set is made up, shaped after
the programme's threats (see :mod:`seeds.demo_profiles`): clusters at the checkpoints, at spots
where people cross the Mekong and the land border outside the checkpoints, and in the district
towns, plus background noise over the 43 target districts, two years of timestamps with seasons
and hours of day, all flagged ``is_demo``.

How it runs (1,000,000 incidents in about 70 s on the 2-core reference machine; see
``bench/demo.py`` and ``docs/benchmarks.md``):

1. A few demo crossing paths (8 to 15) go in first through :func:`gis.crossings.import_crossings`,
   with stable ids ``demo-s<seed>-<n>``, so re-running a seed updates nothing.
2. numpy draws the incidents (:mod:`seeds.demo_incidents`); binary ``COPY`` loads them into a
   temporary staging table.
3. Set-based SQL, chunk by chunk for progress, moves them into ``incident``: the district by
   polygon (``ST_Covers`` on the target districts cut with ``ST_Subdivide``), the border distance
   and the nearest checkpoint and crossing with the expressions of :mod:`gis.measure`.

Repeatable (for the same reference data and numpy version): the sites and crossing paths depend on
the seed only; the incidents on the seed, the number of incidents and the *anchor*, the end of
the two-year window. The anchor defaults to today at 00:00 UTC, so two runs on the same day give
the same rows; pass ``anchor`` for rows that are the same on any day. The idempotency keys depend
on the seed and the number of incidents only, and inserts skip known keys: running the same
command twice (even on another day) stores the set once, and a different seed adds another set.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from geoalchemy2 import Geometry
from sqlalchemy import (
    Column,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    Table,
    Text,
    bindparam,
    func,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import UUID, array
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.crossings import import_crossings
from gis.db import SRID
from gis.errors import InvalidInput
from gis.measure import border_distance, nearest_checkpoint, nearest_crossing, to_metric
from gis.models import BorderSegment, Checkpoint, CoordinationCentre, District, Incident
from gis.types import BoundaryKind
from gis.upsert import Counts
from seeds.demo_incidents import Incidents, idempotency_keys, synthesize
from seeds.demo_model import BorderRef, CheckpointRef, Geography, crossing_paths, plan_sites
from seeds.demo_profiles import CATEGORIES, CHANNELS, STATUSES, TEMPLATES

log = logging.getLogger(__name__)

#: Called as progress(step, done, total).
Progress = Callable[[str, int, int], None]

#: Source recorded on the demo crossing paths.
SOURCE = "demo"
#: Rows per COPY and per INSERT ... SELECT chunk.
COPY_CHUNK = 100_000
DERIVE_CHUNK = 50_000
#: Most vertices per district piece for the point-in-polygon join.
PIECE_VERTICES = 128

_temp = MetaData()
#: Staging table filled by COPY; integer codes index the vocabularies of seeds.demo_profiles.
#: Column order and binary formats must match :data:`COPY_FORMAT`.
STAGE = Table(
    "demo_incident_stage",
    _temp,
    Column("seq", Integer, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("category", SmallInteger, nullable=False),
    Column("channel", SmallInteger, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("template", SmallInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", UUID(as_uuid=True), nullable=False),
    Index("ix_demo_incident_stage_seq", "seq"),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
#: PostgreSQL binary COPY formats of the staging columns (big-endian; timestamps are
#: microseconds since 2000-01-01 UTC; a uuid is its 16 bytes).
COPY_FORMAT: tuple[tuple[str, str], ...] = (
    ("seq", ">i4"),
    ("lon", ">f8"),
    ("lat", ">f8"),
    ("category", ">i2"),
    ("channel", ">i2"),
    ("status", ">i2"),
    ("severity", ">i2"),
    ("template", ">i2"),
    ("quantity", ">i4"),
    ("occurred_at", ">i8"),
    ("reported_at", ">i8"),
    ("idempotency_key", "V16"),
)
COPY_SQL = (
    "COPY demo_incident_stage (seq, lon, lat, category, channel, status, severity, template,"
    " quantity, occurred_at, reported_at, idempotency_key) FROM STDIN WITH (FORMAT binary)"
)
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)

#: The target districts cut into pieces of at most PIECE_VERTICES vertices: testing a point
#: against a small piece is several times cheaper than against a whole district.
PIECES = Table(
    "demo_district_piece",
    _temp,
    Column("district_id", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("geom", Geometry("GEOMETRY", srid=SRID, spatial_index=True), nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


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
        inserted, categories = _load(session, data, key_bytes, progress, steps)
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
            District.name,
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


def copy_chunks(data: Incidents, keys: npt.NDArray[np.uint8], size: int) -> Iterator[bytes]:
    """The staging rows in PostgreSQL's binary COPY format, ``size`` rows per chunk."""
    dtype = np.dtype(
        [("fields", ">i2")]
        + [item for name, fmt in COPY_FORMAT for item in ((f"{name}_len", ">i4"), (name, fmt))]
    )
    columns: dict[str, Any] = {
        "seq": np.arange(len(data)),
        "lon": data.lon,
        "lat": data.lat,
        "category": data.category,
        "channel": data.channel,
        "status": data.status,
        "severity": data.severity,
        "template": data.template,
        "quantity": data.quantity,
        "occurred_at": data.occurred_us,
        "reported_at": data.reported_us,
        "idempotency_key": keys.view("V16").reshape(-1),
    }
    for start in range(0, len(data), size):
        stop = min(start + size, len(data))
        rows = np.empty(stop - start, dtype=dtype)
        rows["fields"] = len(COPY_FORMAT)
        for name, fmt in COPY_FORMAT:
            rows[f"{name}_len"] = np.dtype(fmt).itemsize
            rows[name] = columns[name][start:stop]
        yield COPY_HEADER + rows.tobytes() + COPY_TRAILER


def _derive_statement() -> Any:
    """``INSERT INTO incident ... SELECT`` for the staging rows with ``seq`` in [lo, hi),
    returning the count per category of the rows inserted (known keys are skipped)."""
    # Each point and its metric copy are computed once per row: OFFSET 0 keeps PostgreSQL from
    # pulling the subquery up and repeating ST_Transform in every expression that uses it.
    pt = func.ST_SetSRID(func.ST_MakePoint(STAGE.c.lon, STAGE.c.lat), SRID)
    staged = (
        select(STAGE, pt.label("geom"), to_metric(pt).label("geom_m"))
        .where(STAGE.c.seq >= bindparam("lo"), STAGE.c.seq < bindparam("hi"))
        .offset(0)
        .subquery("stage")
    )
    stage = staged.c
    # The district by polygon; a point on a cut between two pieces matches both, so take one.
    covering = (
        select(PIECES.c.district_id, PIECES.c.name)
        .where(func.ST_Covers(PIECES.c.geom, stage.geom))
        .order_by(PIECES.c.district_id)
        .limit(1)
        .lateral("district")
    )
    district = covering.c
    cp = nearest_checkpoint(stage.geom_m)
    nc = nearest_crossing(stage.geom_m)
    templates = [t.text for c in CATEGORIES for t in TEMPLATES[c]]
    rows = (
        select(
            stage.idempotency_key,
            array([c.value for c in CATEGORIES])[stage.category + 1],
            array([s.value for s in STATUSES])[stage.status + 1],
            array([c.value for c in CHANNELS])[stage.channel + 1],
            stage.severity,
            stage.occurred_at,
            stage.reported_at,
            func.format(array(templates)[stage.template + 1], stage.quantity, district.name),
            district.district_id,
            border_distance(stage.geom_m),
            cp.c.id,
            cp.c.distance_m,
            nc.c.id,
            nc.c.distance_m,
            true(),
            stage.reported_at,
            stage.geom,
        )
        .select_from(staged.join(covering, true()))
        .outerjoin(cp, true())
        .outerjoin(nc, true())
    )
    columns = [
        "idempotency_key",
        "category",
        "status",
        "channel",
        "severity",
        "occurred_at",
        "reported_at",
        "description",
        "district_id",
        "border_distance_m",
        "nearest_checkpoint_id",
        "nearest_checkpoint_m",
        "nearest_crossing_id",
        "nearest_crossing_m",
        "is_demo",
        "updated_at",
        "geom",
    ]
    inserted = (
        pg_insert(Incident)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Incident.category)
        .cte("inserted")
    )
    return select(inserted.c.category, func.count()).group_by(inserted.c.category)


def _load(
    session: Session,
    data: Incidents,
    keys: npt.NDArray[np.uint8],
    progress: Progress | None,
    steps: dict[str, float],
) -> tuple[int, dict[str, int]]:
    """COPY the rows into staging, then insert them with their derived fields, chunk by chunk."""
    mark = time.perf_counter()
    conn = session.connection()
    STAGE.create(conn)
    PIECES.create(conn)
    conn.execute(
        PIECES.insert().from_select(
            ["district_id", "name", "geom"],
            select(
                District.id, District.name, func.ST_Subdivide(District.geom, PIECE_VERTICES)
            ).where(District.target),
        )
    )
    n = len(data)
    cursor = conn.connection.cursor()  # psycopg2's, on the session's transaction
    try:
        done = 0
        for chunk in copy_chunks(data, keys, COPY_CHUNK):
            cursor.copy_expert(COPY_SQL, io.BytesIO(chunk))
            done = min(done + COPY_CHUNK, n)
            if progress:
                progress("loading incidents", done, n)
    finally:
        cursor.close()
    conn.execute(text("ANALYZE demo_incident_stage"))
    conn.execute(text("ANALYZE demo_district_piece"))
    steps["copy"] = time.perf_counter() - mark

    mark = time.perf_counter()
    statement = _derive_statement()
    # Per-chunk JIT compilation costs more than it saves on these nested-loop lookups; the
    # setting is restored for the rest of the caller's transaction afterwards.
    jit = conn.execute(select(func.current_setting("jit"))).scalar_one()
    conn.execute(select(func.set_config("jit", "off", True)))
    categories: dict[str, int] = {}
    for lo in range(0, n, DERIVE_CHUNK):
        hi = min(lo + DERIVE_CHUNK, n)
        for category, count in conn.execute(statement, {"lo": lo, "hi": hi}):
            key = getattr(category, "value", category)
            categories[key] = categories.get(key, 0) + count
        if progress:
            progress("deriving incidents", hi, n)
    conn.execute(select(func.set_config("jit", jit, True)))
    steps["derive"] = time.perf_counter() - mark
    PIECES.drop(conn)
    STAGE.drop(conn)
    return sum(categories.values()), categories


def has_incidents(session: Session) -> bool:
    """Whether any incident (demo or real) is stored."""
    return session.execute(select(Incident.id).limit(1)).first() is not None


def demo_logins(session: Session) -> list[tuple[str, str, str]]:
    """The demo sign-ins as ``(role, user name, password)``, for ``borderwatch info``.

    There are no user accounts yet (sign-in arrives with a later issue), so this is empty; the
    function stays so that ``make run`` can print the logins once the demo creates accounts.

    Args:
        session: open session (unused until demo accounts exist).

    Returns:
        An empty list.
    """
    del session
    return []
