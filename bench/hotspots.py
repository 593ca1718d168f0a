"""Benchmark of hotspot runs at 100,000 and 1,000,000 incidents in the corridor (not a test).

Measured in one process run, per size, on a scratch database (created, migrated, reference data
seeded; never the app's or the tests' database) holding synthetic verified incidents
(:func:`synthetic_incidents`): hotspots of varied size and spread at every checkpoint and at
informal crossing spots along the Mekong and the land border, on the Thai side, over a sparse
background, two years of dates (see :data:`DATA_NOTE`). DBSCAN with eps 1,500 m and min
points 10 finds hundreds of hotspots and the noise at 100,000 and at 1,000,000 incidents:

* **figure**: borderwatch's run end to end (:func:`gis.hotspots.runs.run_hotspots` on the engine:
  the queued run committed, the points fetched, clustered, the ranked hotspots stored with hulls,
  scores, trends, districts, parallel areas, nearest crossings and checkpoints, the members, the
  Gi* hexagons; committed);
* **reference**: a psycopg2 fetch of the same incidents projected by PostGIS
  (``SELECT id, ST_X(ST_Transform(geom, 32648)), ST_Y(...) ... ORDER BY id``, ``fetchall``)
  and the ``dbscan`` package on the numpy array;
* the plain ``ST_ClusterDBSCAN`` window query over the same rows (``--skip-plain-at`` sizes are
  left out, ``--plain-timeout`` stops it);
* scikit-learn's DBSCAN with the same fetch (up to ``--sklearn-max`` points: its neighbourhoods
  need memory quadratic in the density);
* cluster memberships compared with the reference by the adjusted Rand index (noise as one label);
* the web worker's memory while a run executes: gunicorn (2 workers) serves the app on the
  scratch database; an HQ analyst POSTs a run (202) and polls it while this process executes it
  as ``borderwatch worker`` does; the workers' resident memory is sampled throughout.

The reference and borderwatch's run are measured ``--runs`` times (default 3) in turn, each
borderwatch run right after its reference; the ratio is the median of the runs' ratios (the
times shown are the medians of each side's times). Targets at the largest size: borderwatch ≤
1.0 × the reference as that median (issue 21), ≥ 50 × faster than the plain query, ARI ≥
0.999. Results go to ``bench/results.json`` (entries named ``hotspots_*``) and the
``bench:hotspots`` section of ``docs/benchmarks.md``.

Run from the repository root (``DATABASE_URL`` or ``var/local.env`` names the server)::

    .venv/bin/python bench/hotspots.py                     # 100,000 and 1,000,000 (~7 min)
    .venv/bin/python bench/hotspots.py --sizes 20000 --no-write   # quick
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from demo import (
    drop_database,
    merge_results,
    merge_section,
    on_database,
    recorded_results,
    recreate_database,
    server_versions,
)
from ingest import (
    CSRF_TOKEN,
    GUNICORN,
    Server,
    free_port,
    get_page,
    keep_cookies,
    load_average,
    stop_server,
)
from pyproj import Transformer
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.db import METRIC_SRID, SRID, make_engine, normalise_url
from gis.hotspots.engine import CATEGORIES, EPOCH_2000
from gis.hotspots.runs import run_hotspots
from gis.jobs import run_worker
from gis.models import User
from gis.ops import migrate
from gis.types import Role
from seeds.reference import seed as seed_reference
from webapp.config import load_local_env

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
DOC_BEGIN = "<!-- bench:hotspots begin -->"
DOC_END = "<!-- bench:hotspots end -->"
SCRATCH = "borderwatch_hotspots_bench"
EPS_M = 1_500.0
MIN_POINTS = 10
UNTIL = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
SINCE = UNTIL - dt.timedelta(days=730)
ANALYST = "bench-analyst"
COMMAND = ".venv/bin/python bench/hotspots.py"
TARGET_REFERENCE_RATIO = 1.0
TARGET_PLAIN_SPEEDUP = 50.0
TARGET_ARI = 0.999

#: The plain query's timeout by default: the default run (``make bench``) must stay within
#: about 7 minutes on a 2-core machine; a stopped query gives a lower bound of the speed-up.
DEFAULT_PLAIN_TIMEOUT_S = 300.0

_FROM_METRIC = Transformer.from_crs(32648, 4326, always_xy=True)

DATA_NOTE = (
    "Data (`synthetic_incidents`, seed 42, tag `border-hotspots-v2`): every checkpoint of the "
    "reference layers and informal crossing spots drawn along the border segments (Mekong "
    "segments 1.3 times as likely), 200-3,000 m inland on the Thai side and at least 5 km from "
    "each other and from the checkpoints; one spot per 250 incidents, at most 600, as many "
    "as fit (the count per size is below). Each site is a Gaussian cloud, "
    "stretched along the border (σ 200-900 m along, 150-450 m across; checkpoints round, σ "
    "300-700 m), of a lognormal share of the incidents (checkpoints twice as busy); 15 % of "
    "the sites are new (active only in their last 60-240 days); half of a site's incidents are "
    "of its main category. A sparse background of 0.25 incidents per km² lies within 6 km "
    "of the border lines (about 4,000 incidents: 1.8 within 1,500 m of any place on average, "
    "far below the 10 a core point needs). Points that fall outside Thailand's districts are "
    "drawn again. "
    "More incidents make busier sites, not more of them: at 1,000,000 the busiest sites hold "
    "tens of thousands of incidents within a few kilometres, which is what makes the plain "
    "query slow (each point's neighbourhood is large)."
)

ENGINE_NOTE = (
    "What the engine's run was made of at 1,000,000 (2026-11-21, paired measurements in one "
    "process under load 3-7, hence ranges). Kept: the geometry column itself in the binary "
    "COPY, read by numpy as 25-byte EWKB points (byte order, type, SRID and field lengths "
    "checked; `ST_X`/`ST_Y` read again otherwise), instead of `ST_X(geom)`, `ST_Y(geom)`: the "
    "server's COPY 0.73 s against 0.85 s (best of 8); two connections each reading half the "
    "table's pages (TID range scans) on the run transaction's exported snapshot: 0.83-1.01 s "
    "against 1.15-3.05 s for one connection (6 rounds); no sort when the rows come in id "
    "order (0.1 s); the members' COPY sent by a thread from the clustering on, beside the "
    "per-cluster figures and hulls (0.3-0.4 s off the critical path). The engine's fetch went "
    "from 1.7-2.5 s to 1.2-1.7 s (median of 8, load 4.5) and the run was faster than before "
    "in each of 10 paired rounds. Dropped: splitting by id ranges (the planner read each half "
    "through the primary key), PostgreSQL's parallel query for the COPY's SELECT (1.1-2.5 s, "
    "no better than one connection), parsing and projecting each part in its fetch thread "
    "(1.69 s against 1.73 s median: nothing measurable). Left as it is: a million members "
    "cost 0.9-1.0 s on the critical path (0.4 s for the heap, 0.3 s for the BRIN index, "
    "0.1-0.3 s for the transition table that migration 0008's statement-level check captures "
    "even when the engine skips the check); the category code's `CASE` costs the server 0.15 s."
)

REFERENCE_SQL = (
    "SELECT id, ST_X(ST_Transform(geom, 32648)), ST_Y(ST_Transform(geom, 32648)) FROM incident "
    "WHERE status = 'verified' AND occurred_at >= %s AND occurred_at < %s ORDER BY id"
)
PLAIN_SQL = (
    "SELECT id, ST_ClusterDBSCAN(ST_Transform(geom, 32648), %s, %s) OVER () FROM incident "
    "WHERE status = 'verified' AND occurred_at >= %s AND occurred_at < %s"
)


# --------------------------------------------------------------------------- data

#: The synthetic data (see :func:`synthetic_incidents`); results carry this tag so that figures
#: of another generator are never mixed in.
DATA = "border-hotspots-v2"
#: Incident sites (informal crossing spots) per incident, and their most and least spacing.
INCIDENTS_PER_SITE = 250
MAX_SITES = 600
SITE_SPACING_M = 5_000.0
#: Background: incidents per km² within BACKGROUND_BAND_M of the border lines, Thai side.
#: 0.25 per km² puts 1.8 background incidents on average within 1,500 m of any place, far
#: below the 10 a core point needs: the background stays noise at every size.
BACKGROUND_PER_KM2 = 0.25
BACKGROUND_BAND_M = 6_000.0
#: Checkpoints draw more incidents than a crossing spot of the same luck.
CHECKPOINT_WEIGHT = 2.0
#: Share of the sites that are new: active only during the last 60-240 days.
EMERGING_SHARE = 0.15


@dataclass(frozen=True)
class Geography:
    """The reference layers the generator places incidents by (metric CRS)."""

    lines: np.ndarray  #: border segments (shapely LineStrings)
    line_district: np.ndarray
    river: np.ndarray  #: the segment follows the Mekong
    checkpoints: np.ndarray  #: (k, 2)
    checkpoint_district: np.ndarray
    land: Any  #: the union of the districts (Thailand's side), prepared


def read_geography(engine: Engine) -> Geography:
    with engine.connect() as conn:
        segments = conn.execute(
            text(
                "SELECT coalesce(district_id, (SELECT min(id) FROM district WHERE target)), "
                "kind = 'mekong_river', ST_AsBinary(ST_Transform(geom, :m)) "
                "FROM border_segment ORDER BY id"
            ),
            {"m": METRIC_SRID},
        ).all()
        checkpoints = conn.execute(
            text("SELECT district_id, ST_X(geom_m), ST_Y(geom_m) FROM checkpoint ORDER BY id")
        ).all()
        land = conn.execute(text("SELECT ST_AsBinary(ST_Union(geom_m)) FROM district")).scalar()
    if not segments or land is None:
        raise RuntimeError("the scratch database has no border segments or districts")
    union = shapely.from_wkb(bytes(land))
    shapely.prepare(union)
    return Geography(
        lines=np.array([shapely.from_wkb(bytes(r[2])) for r in segments], dtype=object),
        line_district=np.array([r[0] for r in segments], dtype=np.int64),
        river=np.array([bool(r[1]) for r in segments]),
        checkpoints=np.array([(r[1], r[2]) for r in checkpoints], dtype=np.float64).reshape(-1, 2),
        checkpoint_district=np.array([r[0] for r in checkpoints], dtype=np.int64),
        land=union,
    )


def _on_border(
    geo: Geography, n: int, rng: np.random.Generator, river_weight: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` points on the border lines (chosen by length, Mekong segments ``river_weight``
    times as likely): positions, unit tangents, segment indices."""
    lengths = shapely.length(geo.lines)
    weights = lengths * np.where(geo.river, river_weight, 1.0)
    which = rng.choice(len(geo.lines), size=n, p=weights / weights.sum())
    along = rng.random(n) * lengths[which]
    lines = geo.lines[which]
    here = shapely.get_coordinates(shapely.line_interpolate_point(lines, along))
    tangent = shapely.get_coordinates(
        shapely.line_interpolate_point(lines, along + 500.0)
    ) - shapely.get_coordinates(shapely.line_interpolate_point(lines, along - 500.0))
    tangent /= np.maximum(np.hypot(tangent[:, 0], tangent[:, 1]), 1e-9)[:, None]
    return here, tangent, which


def _on_land(geo: Geography, xy: np.ndarray) -> np.ndarray:
    return shapely.contains_xy(geo.land, xy[:, 0], xy[:, 1])


@dataclass(frozen=True)
class Sites:
    """Where incidents concentrate: the checkpoints, then informal crossing spots."""

    centre: np.ndarray  #: (k, 2)
    along: np.ndarray  #: unit vectors along the border, (k, 2)
    sigma_along: np.ndarray
    sigma_across: np.ndarray
    weight: np.ndarray
    district: np.ndarray
    start_day: np.ndarray  #: first active day in the two years (0 for most)
    category: np.ndarray  #: the site's main category (index into CATEGORIES)


def plan_sites(geo: Geography, n: int, rng: np.random.Generator) -> Sites:
    """Every checkpoint and up to ``n / INCIDENTS_PER_SITE`` (at most :data:`MAX_SITES`)
    crossing spots 200-3,000 m inland from the border, at least :data:`SITE_SPACING_M` apart
    from each other and from the checkpoints."""
    wanted = int(min(MAX_SITES, max(20, n // INCIDENTS_PER_SITE)))
    here, tangent, which = _on_border(geo, wanted * 20, rng, river_weight=1.3)
    normal = np.column_stack([-tangent[:, 1], tangent[:, 0]])
    plus = _on_land(geo, here + 700.0 * normal)
    minus = _on_land(geo, here - 700.0 * normal)
    side = np.where(plus & ~minus, 1.0, np.where(minus & ~plus, -1.0, 0.0))
    centre = here + normal * (side * rng.uniform(200.0, 3_000.0, len(here)))[:, None]
    ok = (side != 0) & _on_land(geo, centre)
    taken = [*geo.checkpoints]
    chosen: list[int] = []
    for i in np.flatnonzero(ok):
        if len(chosen) == wanted:
            break
        if np.hypot(*(np.asarray(taken) - centre[i]).T).min() >= SITE_SPACING_M:
            chosen.append(int(i))
            taken.append(centre[i])
    c = np.array(chosen, dtype=np.int64)
    n_cp, k = len(geo.checkpoints), len(c)
    cp_sigma = rng.uniform(300.0, 700.0, n_cp)
    sites = n_cp + k
    emerging = rng.random(sites) < EMERGING_SHARE
    days = (UNTIL - SINCE).days
    return Sites(
        centre=np.vstack([geo.checkpoints, centre[c]]),
        along=np.vstack([np.tile([1.0, 0.0], (n_cp, 1)), tangent[c]]),
        sigma_along=np.concatenate([cp_sigma, rng.uniform(200.0, 900.0, k)]),
        sigma_across=np.concatenate([cp_sigma, rng.uniform(150.0, 450.0, k)]),
        weight=np.concatenate(
            [
                CHECKPOINT_WEIGHT * rng.lognormal(0.0, 0.6, n_cp),
                rng.lognormal(0.0, 0.9, k) * np.where(geo.river[which[c]], 1.3, 1.0),
            ]
        ),
        district=np.concatenate([geo.checkpoint_district, geo.line_district[which[c]]]),
        start_day=np.where(emerging, days - rng.integers(60, 240, sites), 0),
        category=rng.integers(0, len(CATEGORIES), sites),
    )


@dataclass(frozen=True)
class Synthetic:
    """Generated incidents as columns (metric positions)."""

    xy: np.ndarray
    district: np.ndarray
    at_us: np.ndarray  #: occurred_at, microseconds since 2000-01-01 UTC
    category: np.ndarray  #: index into CATEGORIES
    severity: np.ndarray
    sites: int
    background: int


def _redraw_off_land(
    geo: Geography, count: int, draw: Any, rounds: int = 40
) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points from ``draw(indices) -> (xy, district)``, drawn again while they fall
    outside Thailand's districts (across the Mekong or the land border)."""
    xy = np.empty((count, 2))
    district = np.empty(count, dtype=np.int64)
    todo = np.arange(count)
    for _ in range(rounds):
        if not len(todo):
            break
        xy[todo], district[todo] = draw(todo)
        todo = todo[~_on_land(geo, xy[todo])]
    return xy, district


def synthetic_incidents(geo: Geography, n: int, seed: int) -> Synthetic:
    """``n`` verified incidents along the border (see the module docstring)."""
    rng = np.random.default_rng(seed)
    sites = plan_sites(geo, n, rng)
    band_km2 = shapely.length(geo.lines).sum() * BACKGROUND_BAND_M / 1e6
    n_background = int(min(n // 5, BACKGROUND_PER_KM2 * band_km2))
    n_hot = n - n_background
    site_of = np.repeat(
        np.arange(len(sites.weight)),
        rng.multinomial(n_hot, sites.weight / sites.weight.sum()),
    )

    def around_sites(todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = site_of[todo]
        a = rng.normal(0.0, 1.0, len(todo)) * sites.sigma_along[s]
        b = rng.normal(0.0, 1.0, len(todo)) * sites.sigma_across[s]
        u = sites.along[s]
        across = np.column_stack([-u[:, 1], u[:, 0]])
        return sites.centre[s] + u * a[:, None] + across * b[:, None], sites.district[s]

    def background(todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        here, _, which = _on_border(geo, len(todo), rng, river_weight=1.0)
        r = BACKGROUND_BAND_M * np.sqrt(rng.random(len(todo)))
        theta = rng.random(len(todo)) * 2 * np.pi
        return here + np.column_stack([r * np.cos(theta), r * np.sin(theta)]), geo.line_district[
            which
        ]

    hot_xy, hot_district = _redraw_off_land(geo, n_hot, around_sites)
    bg_xy, bg_district = _redraw_off_land(geo, n_background, background)
    days = (UNTIL - SINCE).days
    start = np.concatenate([sites.start_day[site_of], np.zeros(n_background, dtype=np.int64)])
    day_us = 86_400 * 1_000_000
    at_us = (
        int((SINCE - EPOCH_2000).total_seconds()) * 1_000_000
        + start * day_us
        + (rng.random(n) * (days - start) * day_us).astype(np.int64)
    )
    # half of a site's incidents are of its main category, the rest of any
    main = np.concatenate([sites.category[site_of], rng.integers(0, len(CATEGORIES), n_background)])
    category = np.where(rng.random(n) < 0.5, main, rng.integers(0, len(CATEGORIES), n))
    order = rng.permutation(n)
    return Synthetic(
        xy=np.vstack([hot_xy, bg_xy])[order],
        district=np.concatenate([hot_district, bg_district])[order],
        at_us=at_us[order],
        category=category[order],
        severity=rng.choice(5, n, p=[0.15, 0.3, 0.3, 0.15, 0.1])[order] + 1,
        sites=len(sites.weight),
        background=n_background,
    )


#: PostgreSQL's binary COPY header and trailer.
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_COPY_TRAILER = b"\xff\xff"
#: A point's EWKB (little-endian, with its SRID), as geometry's binary input reads it.
_EWKB_POINT = np.dtype(
    [("order", "u1"), ("type", "<u4"), ("srid", "<u4"), ("x", "<f8"), ("y", "<f8")]
)
_LOADED = (
    "idempotency_key, category, status, channel, severity, occurred_at, reported_at, "
    "district_id, is_demo, geom"
)


def _row_dtype(category: str) -> np.dtype:
    """One binary COPY row of :data:`_LOADED` with ``category`` (text has its own length)."""
    fields: list[tuple[str, Any]] = [
        ("key", "V16"),
        ("category", f"S{len(category)}"),
        ("status", "S8"),
        ("channel", "S11"),
        ("severity", ">i2"),
        ("occurred_at", ">i8"),
        ("reported_at", ">i8"),
        ("district", ">i4"),
        ("demo", "u1"),
        ("geom", _EWKB_POINT),
    ]
    parts: list[tuple[str, Any]] = [("count", ">i2")]
    for name, kind in fields:
        parts += [(f"len_{name}", ">i4"), (name, kind)]
    return np.dtype(parts)


def copy_payload(data: Synthetic, seed: int) -> bytes:
    """The incidents as PostgreSQL binary COPY rows of :data:`_LOADED` (numpy, no Python loop
    over rows): rows of one category share a fixed width, so each block of 1,000 rows is
    written category by category."""
    n = len(data.xy)
    lon, lat = _FROM_METRIC.transform(data.xy[:, 0], data.xy[:, 1])
    # random version-4-like keys, sorted: the unique index takes them in order (in random
    # order, a million inserts into its B-tree cost several seconds; the run never reads them)
    halves = np.frombuffer(np.random.default_rng(seed + 1).bytes(16 * n), dtype=">u8")
    halves = halves.reshape(n, 2)
    keys = halves[np.lexsort((halves[:, 1], halves[:, 0]))].tobytes()
    order = np.lexsort((data.category, np.arange(n) // 1_000))
    pieces: list[bytes] = []
    blocks: dict[int, np.ndarray] = {}
    for c, name in enumerate(CATEGORIES):
        rows = order[data.category[order] == c]
        block = np.zeros(len(rows), dtype=_row_dtype(name))
        block["count"] = 10
        for column in block.dtype.names or ():
            if column.startswith("len_"):
                block[column] = block.dtype[column[4:]].itemsize
        block["key"] = np.frombuffer(keys, dtype="V16")[rows]
        block["category"] = name.encode()
        block["status"] = b"verified"
        block["channel"] = b"officer_app"
        block["severity"] = data.severity[rows]
        block["occurred_at"] = block["reported_at"] = data.at_us[rows]
        block["district"] = data.district[rows]
        block["demo"] = 1
        block["geom"]["order"] = 1
        block["geom"]["type"] = 0x20000001  # Point with an SRID
        block["geom"]["srid"] = SRID
        block["geom"]["x"], block["geom"]["y"] = lon[rows], lat[rows]
        blocks[c] = block
    # runs of one category in the lexsorted order, each taken from its category's block
    cats = data.category[order]
    cuts = np.flatnonzero(np.diff(cats) != 0) + 1
    starts = np.concatenate([[0], cuts])
    ends = np.concatenate([cuts, [n]])
    taken = dict.fromkeys(blocks, 0)
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        c = int(cats[s])
        pieces.append(blocks[c][taken[c] : taken[c] + e - s].tobytes())
        taken[c] += e - s
    return _COPY_HEADER + b"".join(pieces) + _COPY_TRAILER


def load_incidents(engine: Engine, n: int, seed: int) -> tuple[float, Synthetic]:
    """Replace the scratch database's incidents with ``n`` synthetic ones: (seconds, data)."""
    started = time.perf_counter()
    data = synthetic_incidents(read_geography(engine), n, seed)
    payload = copy_payload(data, seed)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("TRUNCATE hotspot_run, incident RESTART IDENTITY CASCADE")
            # the indexes that back no constraint are built again after the COPY, as they
            # were (a million inserts into the GiST and B-trees cost more than building them)
            cur.execute(
                "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
                "WHERE indrelid = 'incident'::regclass AND NOT EXISTS "
                "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
            )
            indexes = cur.fetchall()
            for name, _ in indexes:
                cur.execute(f"DROP INDEX {name}")
            cur.copy_expert(
                f"COPY incident ({_LOADED}) FROM STDIN WITH (FORMAT binary)", io.BytesIO(payload)
            )
            for _, definition in indexes:
                cur.execute(definition)
        raw.commit()
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE incident"))
    return time.perf_counter() - started, data


# --------------------------------------------------------------------------- measures


@dataclass
class Sizes:
    n: int
    load_s: float = 0.0
    reference_fetch_s: float = 0.0
    reference_cluster_s: float = 0.0
    reference_s: float = 0.0
    borderwatch_s: float = 0.0
    borderwatch_steps: dict[str, float] = field(default_factory=dict)
    sites: int = 0
    background: int = 0
    n_clusters: int = 0
    n_clustered: int = 0
    ari: float | None = None
    plain_s: float | None = None
    plain_note: str = ""
    plain_ari: float | None = None
    plain_timeout_s: float | None = None  #: when the plain query ran (None: skipped)
    sklearn_s: float | None = None
    sklearn_ari: float | None = None
    #: Each run's (reference seconds, borderwatch seconds), in the order measured.
    runs: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """The median of the runs' ratios (borderwatch over the reference)."""
        return statistics.median(b / r for r, b in self.runs)


def warm_up() -> None:
    """Import the libraries of both sides before timing, as a long-running worker has them."""
    import dbscan  # noqa: F401
    import esda  # noqa: F401
    import libpysal.weights  # noqa: F401
    import sklearn.cluster  # noqa: F401


def reference(engine: Engine) -> tuple[np.ndarray, np.ndarray, float, float]:
    """psycopg2 fetch + dbscan: (ids, labels, fetch seconds, cluster seconds)."""
    from dbscan import DBSCAN

    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(REFERENCE_SQL, (SINCE, UNTIL))
            rows = cur.fetchall()
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        xy = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        fetched = time.perf_counter()
        labels, _core = DBSCAN(xy, EPS_M, MIN_POINTS)
        done = time.perf_counter()
    finally:
        raw.rollback()
        raw.close()
    return ids, np.asarray(labels), fetched - started, done - fetched


def borderwatch(engine: Engine) -> tuple[int, float, dict[str, float]]:
    """borderwatch's run end to end: (run id, seconds, seconds at each progress step)."""
    marks: dict[str, float] = {}
    started = time.perf_counter()

    def progress(fraction: float) -> None:
        marks[f"{fraction:.2f}"] = round(time.perf_counter() - started, 3)

    run = run_hotspots(engine, _params(), None, progress=progress)
    elapsed = time.perf_counter() - started
    if run.status != "done":
        raise RuntimeError(f"run {run.id} failed: {run.error}")
    return run.id, elapsed, marks


def _params() -> dict[str, Any]:
    return {
        "since": SINCE.isoformat(),
        "until": UNTIL.isoformat(),
        "statuses": ["verified"],
        "corridor_only": False,
        "eps_m": EPS_M,
        "min_points": MIN_POINTS,
    }


def run_labels(engine: Engine, run_id: int, ids: np.ndarray) -> np.ndarray:
    """The run's cluster (hotspot rank) of each incident of ``ids``, -1 for noise."""
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT m.incident_id, h.rank FROM hotspot_member m "
                "JOIN hotspot h ON h.id = m.hotspot_id WHERE h.run_id = :r"
            ),
            {"r": run_id},
        ).all()
    members = np.array([r[0] for r in rows], dtype=np.int64)
    ranks = np.array([r[1] for r in rows], dtype=np.int64)
    labels = np.full(len(ids), -1, dtype=np.int64)
    if len(members):
        labels[np.searchsorted(ids, members)] = ranks
    return labels


def plain(engine: Engine, ids: np.ndarray, timeout_s: float) -> tuple[float | None, Any, str]:
    """The plain ST_ClusterDBSCAN query: (seconds or None, labels aligned with ``ids``, note)."""
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute("SET statement_timeout = %s", (int(timeout_s * 1000),))
            started = time.perf_counter()
            try:
                cur.execute(PLAIN_SQL, (EPS_M, MIN_POINTS, SINCE, UNTIL))
                rows = cur.fetchall()
            except Exception as exc:  # the timeout
                raw.rollback()
                return None, None, f"stopped after {timeout_s:.0f} s ({type(exc).__name__})"
            elapsed = time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()
    got = np.array([r[0] for r in rows], dtype=np.int64)
    lab = np.array([-1 if r[1] is None else r[1] for r in rows], dtype=np.int64)
    labels = np.full(len(ids), -1, dtype=np.int64)
    labels[np.searchsorted(ids, got)] = lab
    return elapsed, labels, ""


def sklearn_run(engine: Engine) -> tuple[float, np.ndarray]:
    """scikit-learn's DBSCAN with the reference's fetch: (seconds, labels)."""
    from sklearn.cluster import DBSCAN

    raw = engine.raw_connection()
    try:
        started = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(REFERENCE_SQL, (SINCE, UNTIL))
            rows = cur.fetchall()
        xy = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        labels = DBSCAN(eps=EPS_M, min_samples=MIN_POINTS).fit(xy).labels_
        return time.perf_counter() - started, labels
    finally:
        raw.rollback()
        raw.close()


def ari(a: np.ndarray, b: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(a, b))


# --------------------------------------------------------------------------- web worker memory


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _request(port: int, method: str, path: str, headers: dict[str, str], body: bytes | None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return resp.status, dict(resp.getheaders()), data


def _sign_in(port: int, password: str) -> dict[str, str]:
    jar: dict[str, str] = {}
    _, page = get_page(port, "/login", jar)
    token = CSRF_TOKEN.search(page)
    assert token is not None
    form = f"username={ANALYST}&password={password}&csrf_token={token.group(1)}".encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/login", body=form, headers=headers)
    resp = conn.getresponse()
    resp.read()
    keep_cookies(resp, jar)
    conn.close()
    _, page = get_page(port, "/account/password", jar)
    token = CSRF_TOKEN.search(page)
    assert token is not None
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()), "X-CSRFToken": token.group(1)}


@contextlib.contextmanager
def serve(env: dict[str, str]) -> Iterator[Server]:
    """gunicorn serving the app on a free loopback port once ``/healthz`` answers 200."""
    port = free_port()
    command = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "webapp:create_app()"]
    proc = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, start_new_session=True)
    server = Server("app", port, proc)
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.2)
        yield server
    finally:
        stop_server(server)


def web_memory(engine: Engine, url: str, password: str) -> dict[str, Any]:
    """RSS of the gunicorn workers before, during (max) and after a run that the web app queues
    and this process executes as the worker does."""
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_hex(32),
        "SESSION_COOKIE_SECURE": "false",
    }
    with serve(env) as server:
        headers = _sign_in(server.port, password)
        pid = server.proc.pid
        workers = [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        before = {w: _rss_kib(w) for w in workers}
        status, reply, _ = _request(
            server.port,
            "POST",
            "/api/hotspots/runs",
            {**headers, "Content-Type": "application/json"},
            json.dumps(_params()).encode(),
        )
        if status != 202:
            raise RuntimeError(f"POST /api/hotspots/runs answered {status}")
        location = reply.get("Location", "")
        peak = dict(before)
        worker = threading.Thread(  # the run's job, as `borderwatch worker --once` takes it
            target=run_worker,
            args=(url, engine),
            kwargs={"once": True, "queues": ["hotspots"], "install_signal_handlers": False},
        )
        started = time.perf_counter()
        worker.start()
        polls = 0
        while worker.is_alive():
            _request(server.port, "GET", location, {"Cookie": headers["Cookie"]}, None)
            polls += 1
            for w in workers:
                with contextlib.suppress(OSError):
                    peak[w] = max(peak[w], _rss_kib(w))
            time.sleep(0.2)
        worker.join()
        seconds = time.perf_counter() - started
        status, _, body = _request(
            server.port, "GET", location, {"Cookie": headers["Cookie"]}, None
        )
        after = {w: _rss_kib(w) for w in workers}
        done = json.loads(body)
    return {
        "before_mib": round(sum(before.values()) / 1024, 1),
        "peak_mib": round(sum(peak.values()) / 1024, 1),
        "after_mib": round(sum(after.values()) / 1024, 1),
        "max_growth_mib": round(max(peak[w] - before[w] for w in workers) / 1024, 1),
        "workers": len(workers),
        "polls": polls,
        "run_s": round(seconds, 2),
        "run_status": done.get("status"),
    }


# --------------------------------------------------------------------------- report


def _incidents(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM incident")).scalar_one())


def measure_size(engine: Engine, n: int, args: argparse.Namespace) -> Sizes:
    s = Sizes(n)
    if args.reuse and _incidents(engine) == n:
        print(f"== {n:,} incidents: reusing the database's", flush=True)
    else:
        print(f"== {n:,} incidents: generating and loading", flush=True)
        s.load_s, data = load_incidents(engine, n, args.seed)
        s.sites, s.background = data.sites, data.background
        print(
            f"   {data.sites} sites, {data.background:,} background incidents; "
            f"generated and loaded in {s.load_s:.1f} s",
            flush=True,
        )
    fetches, clusters = [], []
    for i in range(args.runs):
        ids, ref_labels, fetch_s, cluster_s = reference(engine)
        run_id, run_s, steps = borderwatch(engine)
        s.runs.append((fetch_s + cluster_s, run_s))
        fetches.append(fetch_s)
        clusters.append(cluster_s)
        if run_s == min(b for _, b in s.runs):
            s.borderwatch_steps = steps  # the steps of the fastest run
        print(
            f"   run {i + 1}/{args.runs}: reference {fetch_s + cluster_s:.2f} s (fetch "
            f"{fetch_s:.2f}), borderwatch {run_s:.2f} s, ratio {run_s / (fetch_s + cluster_s):.2f}",
            flush=True,
        )
    s.reference_fetch_s = statistics.median(fetches)
    s.reference_cluster_s = statistics.median(clusters)
    s.reference_s = statistics.median(r for r, _ in s.runs)
    s.borderwatch_s = statistics.median(b for _, b in s.runs)
    labels = run_labels(engine, run_id, ids)
    s.n_clusters = int(labels.max()) if len(labels) and labels.max() > 0 else 0
    s.n_clustered = int((labels >= 0).sum())
    s.ari = ari(ref_labels, labels)
    print(
        f"   borderwatch {s.borderwatch_s:.2f} s (median ratio {s.ratio:.2f}), "
        f"{s.n_clusters:,} hotspots, {n - s.n_clustered:,} noise, ARI {s.ari:.5f}",
        flush=True,
    )
    if n in args.skip_plain_at:
        s.plain_note = "skipped (--skip-plain-at)"
    else:
        s.plain_timeout_s = args.plain_timeout
        print(
            f"   plain ST_ClusterDBSCAN (stopped after {args.plain_timeout:.0f} s) ...", flush=True
        )
        s.plain_s, plain_labels, s.plain_note = plain(engine, ids, args.plain_timeout)
        if plain_labels is not None:
            s.plain_ari = ari(ref_labels, plain_labels)
        print(f"   plain ST_ClusterDBSCAN {_f(s.plain_s)} s {s.plain_note}", flush=True)
    if n <= args.sklearn_max:
        s.sklearn_s, sk = sklearn_run(engine)
        s.sklearn_ari = ari(ref_labels, sk)
        print(f"   scikit-learn {s.sklearn_s:.2f} s", flush=True)
    return s


def _f(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def earlier(name: str) -> dict[str, Any] | None:
    """An entry of bench/results.json measured on this benchmark's data (:data:`DATA`)."""
    return next(
        (e for e in recorded_results() if e.get("name") == name and e.get("data") == DATA),
        None,
    )


def plain_figure(s: Sizes) -> tuple[float | None, bool, str, str]:
    """The plain query against borderwatch's run at this size: (speed-up, whether it is a
    lower bound, the plain query's cell, the speed-up's cell).

    A query stopped at the timeout gives a lower bound; a run to the end of the same data in
    an earlier run (``--plain-timeout`` long enough) is shown beside it with the speed-up
    measured in that run (its borderwatch run, same process), and is what the target is
    judged on.
    """
    before = earlier(f"hotspots_plain_st_clusterdbscan_{s.n}")
    full = before if before is not None and not before.get("stopped") else None
    if s.plain_s is not None:
        speedup = s.plain_s / s.borderwatch_s
        return speedup, False, f"{_f(s.plain_s)} s", f"{_f(speedup, 0)}×"
    if full is not None:
        value, ratio, when = float(full["value"]), float(full["ratio"]), full.get("measured")
        if s.plain_timeout_s is not None:
            bound = s.plain_timeout_s / s.borderwatch_s
            return (
                ratio,
                False,
                f"> {s.plain_timeout_s:,.0f} s here (stopped); {_f(value)} s run to the end "
                f"in an earlier run ({when})",
                f"> {_f(bound, 0)}× here; {_f(ratio, 0)}× in that run",
            )
        return ratio, False, f"{_f(value)} s (earlier run, {when})", f"{_f(ratio, 0)}× (then)"
    if s.plain_timeout_s is not None:
        bound = s.plain_timeout_s / s.borderwatch_s
        return bound, True, f"> {s.plain_timeout_s:,.0f} s (stopped)", f"> {_f(bound, 0)}×"
    return None, False, s.plain_note or "–", "–"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def document(sizes: list[Sizes], memory: dict[str, Any], machine: str, loads: str) -> str:
    lines = [
        "## Hotspot runs (`bench/hotspots.py`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine}, 2 cores; load average before the "
        f"run {loads} (the machine is shared: other sessions' work makes figures noisy; each "
        "ratio is measured in the same run). DBSCAN eps "
        f"{EPS_M:,.0f} m, min points {MIN_POINTS}, all verified incidents of two years "
        "(corridor_only false: the reference reads the same rows).",
        "",
        DATA_NOTE,
        "",
        "| incidents | borderwatch run (end to end, median) | reference: psycopg2 fetch + "
        "dbscan (median) | ratio (median of the runs) | plain ST_ClusterDBSCAN | speed-up "
        "| scikit-learn (with fetch) "
        "| ARI vs reference | hotspots (incidents in them) | noise |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in sizes:
        _, _, plain_cell, speed_cell = plain_figure(s)
        lines.append(
            f"| {s.n:,} | {_f(s.borderwatch_s)} s | {_f(s.reference_s)} s "
            f"(fetch {_f(s.reference_fetch_s)}) | {_f(s.ratio)} "
            f"| {plain_cell} | {speed_cell} "
            f"| {_f(s.sklearn_s) + ' s' if s.sklearn_s else '–'} | {_f(s.ari, 5)} "
            f"| {s.n_clusters:,} ({s.n_clustered:,}) | {s.n - s.n_clustered:,} |"
        )
    measured = {s.n for s in sizes}
    lines += _earlier_runs(measured)
    lines += ["", "Each run (reference, then borderwatch's run right after it; seconds):", ""]
    for s in sizes:
        each = "; ".join(f"{r:.2f} against {b:.2f} ({b / r:.2f})" for r, b in s.runs)
        lines.append(f"- {s.n:,}: {each}; median of the ratios {_f(s.ratio)}")
    lines += [
        "",
        "borderwatch's steps of its fastest run (seconds since the start, at each progress mark):",
        "",
    ]
    for s in sizes:
        data = f" ({s.sites} sites, {s.background:,} background incidents)" if s.sites else ""
        lines.append(f"- {s.n:,}{data}: {json.dumps(s.borderwatch_steps)}")
    if memory:
        lines += [
            "",
            "Web worker memory while a run executes (gunicorn, "
            f"{memory['workers']} workers, RSS summed; the run is POSTed to the API, "
            "executed by the worker function in another process and polled "
            f"{memory['polls']} times): before {memory['before_mib']} MiB, peak "
            f"{memory['peak_mib']} MiB, after {memory['after_mib']} MiB (largest growth "
            f"of one worker {memory['max_growth_mib']} MiB; run {memory['run_s']} s, "
            f"{memory['run_status']}).",
        ]
    largest = max(sizes, key=lambda s: s.n)
    speedup, bound, _, _ = plain_figure(largest)
    ratio = largest.ratio
    lines += [
        "",
        f"Targets at {largest.n:,}: ratio ≤ {TARGET_REFERENCE_RATIO} as the median of "
        f"{len(largest.runs)} runs "
        f"({_f(ratio)}: {_met(ratio <= TARGET_REFERENCE_RATIO)}), speed-up ≥ "
        f"{TARGET_PLAIN_SPEEDUP:.0f}× ("
        + (
            "not measured"
            if speedup is None
            else f"{'> ' if bound else ''}{_f(speedup, 0)}×: "
            f"{_met(speedup >= TARGET_PLAIN_SPEEDUP)}"
        )
        + f"), ARI ≥ {TARGET_ARI} ({_f(largest.ari, 5)}: "
        f"{_met(largest.ari is not None and largest.ari >= TARGET_ARI)}).",
        "",
        ENGINE_NOTE,
        "",
        f"This run: `{COMMAND}`. The default (`.venv/bin/python bench/hotspots.py`, what `make "
        "bench` runs) measures 100,000 and 1,000,000 with the plain query stopped after "
        f"{DEFAULT_PLAIN_TIMEOUT_S:.0f} s (then its speed-up is a lower bound); `--plain-timeout "
        "3600` runs it to the end, `--skip-plain-at 1000000` leaves it out, `--keep` then "
        "`--reuse` measures again on the same data without generating it, `--sizes` takes "
        "other sizes (a larger machine can run 10,000,000).",
    ]
    return "\n".join(lines)


def _earlier_runs(measured: set[int]) -> list[str]:
    """Table rows of sizes of the same data measured by an earlier run only."""
    rows = []
    for entry in recorded_results():
        name = str(entry.get("name", ""))
        if not name.startswith("hotspots_run_") or entry.get("data") != DATA:
            continue
        n = int(name.rsplit("_", 1)[1])
        if n in measured:
            continue
        plain = earlier(f"hotspots_plain_st_clusterdbscan_{n}")
        sk = earlier(f"hotspots_sklearn_dbscan_{n}")
        plain_s = float(plain["value"]) if plain else None
        bound = "> " if plain and plain.get("stopped") else ""
        rows.append(
            f"| {n:,} (earlier run, {entry.get('measured', '?')}) "
            f"| {_f(entry['value'])} s | {_f(entry['reference_value'])} s | {_f(entry['ratio'])} "
            f"| {bound + _f(plain_s) + ' s' if plain_s else '–'} "
            f"| {bound + _f(plain_s / entry['value'], 0) + '×' if plain_s else '–'} "
            f"| {_f(sk['value']) + ' s' if sk else '–'} | {_f(entry.get('ari'), 5)} "
            f"| {entry.get('hotspots', '?')} | {entry.get('noise', '?')} |"
        )
    return rows


def merge_doc(section: str) -> None:
    merge_section(DOC, DOC_BEGIN, DOC_END, section, "# Benchmarks\n")


def entries(sizes: list[Sizes], memory: dict[str, Any], machine: str) -> list[dict[str, Any]]:
    out = []
    for s in sizes:
        common = {
            "command": COMMAND,
            "machine": machine,
            "measured": dt.date.today().isoformat(),
            "data": DATA,
        }
        out.append(
            {
                "name": f"hotspots_run_{s.n}",
                "value": round(s.borderwatch_s, 3),
                "unit": "s",
                "reference": "psycopg2 fetch (ST_Transform in SQL, fetchall) + dbscan package",
                "reference_value": round(s.reference_s, 3),
                "ratio": round(s.ratio, 3),
                "ratio_of": f"median of {len(s.runs)} runs' ratios (value and reference_value: "
                "the medians of each side's times)",
                "runs": [
                    {"reference_s": round(r, 3), "borderwatch_s": round(b, 3)} for r, b in s.runs
                ],
                "ari": s.ari,
                "hotspots": s.n_clusters,
                "noise": s.n - s.n_clustered,
                "steps_s": s.borderwatch_steps,
                **common,
            }
        )
        before = earlier(f"hotspots_plain_st_clusterdbscan_{s.n}")
        if s.plain_s is not None or (
            s.plain_timeout_s is not None and (before is None or before.get("stopped"))
        ):
            # a stopped query does not replace a run to the end of the same data
            stopped = s.plain_s is None
            value = s.plain_timeout_s if stopped else s.plain_s
            assert value is not None
            out.append(
                {
                    "name": f"hotspots_plain_st_clusterdbscan_{s.n}",
                    "value": round(value, 3),
                    "unit": "s",
                    "stopped": stopped,  # value is then the timeout: a lower bound
                    "reference": "borderwatch's hotspot run end to end",
                    "reference_value": round(s.borderwatch_s, 3),
                    "ratio": round(value / s.borderwatch_s, 1),
                    "ari": s.plain_ari,
                    **common,
                }
            )
        if s.sklearn_s:
            out.append(
                {
                    "name": f"hotspots_sklearn_dbscan_{s.n}",
                    "value": round(s.sklearn_s, 3),
                    "unit": "s",
                    "reference": "psycopg2 fetch + dbscan package",
                    "reference_value": round(s.reference_s, 3),
                    "ratio": round(s.sklearn_s / s.reference_s, 3),
                    "ari": s.sklearn_ari,
                    **common,
                }
            )
    if memory:
        out.append(
            {
                "name": "hotspots_web_worker_memory",
                "value": memory["max_growth_mib"],
                "unit": "MiB",
                "reference": "RSS of the gunicorn workers before the run",
                "reference_value": memory["before_mib"],
                "ratio": round(memory["peak_mib"] / memory["before_mib"], 3),
                **memory,
                "command": COMMAND,
                "data": DATA,
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="incident counts")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--skip-plain-at", default="", help="sizes without the plain query")
    parser.add_argument(
        "--plain-timeout", type=float, default=DEFAULT_PLAIN_TIMEOUT_S, help="seconds"
    )
    parser.add_argument("--sklearn-max", type=int, default=100_000)
    parser.add_argument(
        "--runs", type=int, default=3, help="reference and borderwatch runs per size (median)"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the web worker memory")
    parser.add_argument("--database", default=SCRATCH, help="scratch database (dropped first)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the scratch database as it is (kept by --keep) when it holds the size's "
        "incidents; implies --keep",
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    global COMMAND
    COMMAND = " ".join([".venv/bin/python bench/hotspots.py", *(argv or sys.argv[1:])])
    sizes = [int(v) for v in args.sizes.split(",") if v.strip()]
    args.skip_plain_at = {int(v) for v in args.skip_plain_at.split(",") if v.strip()}
    if not sizes or min(sizes) < 100:
        parser.error("--sizes needs counts of at least 100")
    if args.runs < 1:
        parser.error("--runs needs at least 1")

    load_local_env()
    server_url = normalise_url(os.environ["DATABASE_URL"])
    loads = load_average()
    print(f"load average {loads}; scratch database {args.database}", flush=True)
    if args.reuse:
        args.keep = True
        url = on_database(server_url, args.database)
    else:
        url = recreate_database(server_url, args.database)
    engine = make_engine(url)
    password = secrets.token_urlsafe(16)
    try:
        migrate.upgrade(url)
        with Session(engine) as session:
            seed_reference(session)
            analyst = session.execute(select(User).where(User.username == ANALYST)).scalar()
            if analyst is None:
                accounts.create_user(session, ANALYST, None, password, Role.HQ_ANALYST)
            else:
                analyst.password_hash = accounts.hash_password(password)
            session.commit()
        machine = server_versions(engine)
        warm_up()
        results = [measure_size(engine, n, args) for n in sizes]
        memory = {} if args.no_memory else web_memory(engine, url, password)
        print(json.dumps(memory), flush=True)
        section = document(results, memory, machine, loads)
        print(section)
        if not args.no_write:
            merge_doc(section)
            for entry in entries(results, memory, machine):
                merge_results(entry)
    finally:
        engine.dispose()
        if not args.keep:
            drop_database(server_url, args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
