"""The computing part of a hotspot run: fetch the incidents, cluster them, store the clusters.

Chosen by measurement (``docs/benchmarks.md``, ``bench/hotspots.py``):

- **fetch**: binary ``COPY`` of fixed-width columns (id, the geometry column itself, which
  binary COPY sends as a 25-byte EWKB point, occurred_at, severity, category code, district,
  parallel area) read by numpy without a Python object per row; a large table is read by two
  connections at once, each a range of its pages, on the run transaction's exported snapshot;
  the coordinates are projected to UTM 48N (:data:`gis.db.METRIC_SRID`, within 1 % of geodesic
  distances along the whole border) by pyproj in one call;
- **clustering**: the ``dbscan`` package, an exact grid-based DBSCAN with the semantics of
  ``ST_ClusterDBSCAN`` (a core point has at least ``min_points`` points, itself included, within
  ``eps_m``; border points may go to either of two touching clusters);
- **per cluster**: counts, score, trend, first and last seen, categories, districts with numpy
  over the rows already fetched; convex hulls with shapely's vectorised functions; then one
  ``INSERT … SELECT`` of every cluster, which adds what needs the reference layers (nearest
  natural crossing and checkpoint by KNN, parallel areas the hull touches) in PostGIS, and one
  binary ``COPY`` of the members, sent by a thread while the figures and hulls are computed
  (the hotspots' ids are reserved first). Aggregating the same rows in SQL (``ST_Transform`` and
  ``ST_Collect`` per member, numeric ``exp``) is much slower.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import json
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from sqlalchemy import (
    Engine,
    LargeBinary,
    Select,
    SmallInteger,
    and_,
    case,
    cast,
    false,
    func,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID, dbapi_connection, literal_sql
from gis.hotspots.params import RunParams
from gis.models import Incident
from gis.reference.corridor import in_corridor
from gis.types import IncidentCategory

if TYPE_CHECKING:
    from pyproj import Transformer

#: Buffer around a cluster's convex hull (metres), so that one- and two-point hulls draw.
HULL_PAD_M = 50.0
TREND_DAYS = 30
#: Weight of an incident by severity (1..5) in the score: 2^(severity - 3).
SEVERITY_WEIGHTS = {s: 2.0 ** (s - 3) for s in range(1, 6)}
CATEGORIES = tuple(c.value for c in IncidentCategory)

_DAY_US = 86_400 * 1_000_000
EPOCH_2000 = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: PostgreSQL's binary COPY header (signature, flags, extension length) and trailer.
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TRAILER = b"\xff\xff"


@functools.cache
def _to_metric() -> Transformer:
    """EPSG:4326 to :data:`gis.db.METRIC_SRID`, made on first use: pyproj (PROJ and its
    database) is large in memory, and a web worker only needs it for the hexagon layer
    (:func:`fetch_xy`), which is off when the map opens."""
    from pyproj import Transformer

    return Transformer.from_crs(SRID, METRIC_SRID, always_xy=True)


def _row_dtype(*fields: tuple[str, Any]) -> np.dtype:
    """A binary COPY row of fixed-width, non-null fields: count, then (length, value) each."""
    parts: list[tuple[str, Any]] = [("count", ">i2")]
    for name, kind in fields:
        parts += [(f"len_{name}", ">i4"), (name, kind)]
    return np.dtype(parts)


#: The type word of a point's EWKB with an SRID (wkbPoint | the SRID flag): 2D, no Z or M.
_EWKB_POINT_WITH_SRID = 0x20000001


def _ewkb_point(order: str) -> np.dtype:
    """A 2D point's EWKB with its SRID, 25 bytes: byte order, type, SRID, x, y; ``order`` is
    ``<`` (NDR, byte order byte 1) or ``>`` (XDR, 0)."""
    return np.dtype(
        [
            ("order", "u1"),
            ("type", f"{order}u4"),
            ("srid", f"{order}u4"),
            ("x", f"{order}f8"),
            ("y", f"{order}f8"),
        ]
    )


def _point_row(*coordinates: tuple[str, Any]) -> np.dtype:
    return _row_dtype(
        ("id", ">i8"),
        *coordinates,
        ("at", ">i8"),  # timestamptz: microseconds since 2000-01-01 UTC
        ("severity", ">i2"),
        ("category", ">i2"),
        ("district", ">i4"),
        ("area", ">i4"),
    )


#: Rows of :func:`points_select` by EWKB byte order byte: the geometry column itself, which
#: binary COPY sends as EWKB (``incident.geom`` is ``geometry(Point, 4326)``: every row is a
#: 2D point, 25 bytes).
_POINT_ROWS = {1: _point_row(("geom", _ewkb_point("<"))), 0: _point_row(("geom", _ewkb_point(">")))}
#: Where a row's EWKB starts (the same in both byte orders).
_GEOM_OFFSET = _POINT_ROWS[1].fields["geom"][1] if _POINT_ROWS[1].fields else 0
#: Rows of :func:`points_select` with ``ewkb=False`` (``ST_X``, ``ST_Y``: the fallback).
_POINT_XY_ROW = _point_row(("lon", ">f8"), ("lat", ">f8"))

_MEMBER_ROW = _row_dtype(("hotspot", ">i4"), ("incident", ">i8"))


@dataclass(frozen=True, slots=True)
class Points:
    """A run's incidents, in id order (numpy arrays of equal length)."""

    ids: np.ndarray
    xy: np.ndarray  #: metric coordinates, shape (n, 2)
    at_us: np.ndarray  #: occurred_at, microseconds since 2000-01-01 UTC
    severity: np.ndarray
    category: np.ndarray  #: index into :data:`CATEGORIES`
    district: np.ndarray
    area: np.ndarray  #: parallel area id, -1 when none

    def __len__(self) -> int:
        return len(self.ids)


# --------------------------------------------------------------------------- fetching


def incident_conditions(params: RunParams) -> list[Any]:
    """SQL conditions on ``incident`` selecting a run's incidents."""
    conditions: list[Any] = [
        Incident.occurred_at >= params.since,
        Incident.occurred_at < params.until,
        Incident.status.in_([s.value for s in params.statuses]),
    ]
    if params.categories:
        conditions.append(Incident.category.in_([c.value for c in params.categories]))
    if params.district_ids is not None:
        ids = list(params.district_ids)
        conditions.append(Incident.district_id.in_(ids) if ids else false())
    if params.corridor_only:
        conditions.append(in_corridor(Incident.geom))
    return conditions


def points_select(params: RunParams, *, ewkb: bool = True) -> Select[Any]:
    """The columns of :class:`Points` for a run's incidents, fixed widths, in no order
    (:func:`fetch_points` sorts them by id): the geometry column as stored (``ewkb``: binary
    COPY sends its EWKB, no function call per row), or its ``ST_X`` and ``ST_Y``."""
    category = case({c: k for k, c in enumerate(CATEGORIES)}, value=Incident.category, else_=-1)
    coordinates = (
        [type_coerce(Incident.geom, LargeBinary)]  # not GeoAlchemy2's ST_AsEWKB(geom)
        if ewkb
        else [func.ST_X(Incident.geom), func.ST_Y(Incident.geom)]
    )
    return select(
        Incident.id,
        *coordinates,
        Incident.occurred_at,
        Incident.severity,
        cast(category, SmallInteger),
        Incident.district_id,
        func.coalesce(Incident.parallel_area_id, -1),
    ).where(and_(true(), *incident_conditions(params)))


#: Connections that read a large run's incidents at once, each a range of the table's pages
#: under the run's snapshot: the server's work per row is spread over its cores.
FETCH_CONNECTIONS = 2
#: Below this many pages of ``incident`` (about 50 incidents a page), one connection reads.
PARALLEL_FETCH_MIN_PAGES = 2_000


def _copy_out(cur: Any, sql: str) -> memoryview:
    """The bytes of a binary ``COPY (sql) TO STDOUT``."""
    buf = io.BytesIO()
    cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    return buf.getbuffer()  # the view keeps ``buf`` alive


def parse_point_rows(data: memoryview | bytes) -> np.ndarray | None:
    """The rows of a binary COPY of :func:`points_select` (``ewkb``), or ``None`` when a row
    does not have that fixed layout (a geometry that is not a 2D point with an SRID, the NaN
    coordinates of an empty point, another row format): the caller reads ``ST_X``/``ST_Y``."""
    body = len(data) - len(_HEADER) - len(_TRAILER)
    if body < 0 or bytes(data[: len(_HEADER)]) != _HEADER or bytes(data[-2:]) != _TRAILER:
        return None
    if body == 0:
        return np.empty(0, dtype=_POINT_ROWS[1])
    order = data[len(_HEADER) + _GEOM_OFFSET]  # the first row's byte order
    dtype = _POINT_ROWS.get(order)
    if dtype is None or body % dtype.itemsize:
        return None
    rows = np.frombuffer(data, dtype=dtype, count=body // dtype.itemsize, offset=len(_HEADER))
    geom = rows["geom"]
    ok = (
        (rows["count"] == len(dtype.names or ()) // 2)
        & (geom["order"] == order)
        & (geom["type"] == _EWKB_POINT_WITH_SRID)
        & (geom["srid"] == SRID)
        & np.isfinite(geom["x"])
        & np.isfinite(geom["y"])
    )
    for name in dtype.names or ():
        if name.startswith("len_"):
            ok &= rows[name] == dtype[name[4:]].itemsize
    return rows if bool(ok.all()) else None


def _parse_xy_rows(data: memoryview | bytes) -> np.ndarray:
    """The rows of a binary COPY of :func:`points_select` with ``ewkb=False``."""
    body = len(data) - len(_HEADER) - len(_TRAILER)
    size = _POINT_XY_ROW.itemsize
    if body % size:
        raise RuntimeError("an incident has no coordinates: the run cannot cluster it")
    rows = np.frombuffer(data, dtype=_POINT_XY_ROW, count=body // size, offset=len(_HEADER))
    if not bool(((rows["len_lon"] == 8) & (rows["len_lat"] == 8)).all()):
        raise RuntimeError("an incident has no coordinates: the run cannot cluster it")
    return rows


def _page_ranges(statement: Select[Any], pages: int) -> list[Select[Any]]:
    """``statement`` cut into :data:`FETCH_CONNECTIONS` ranges of ``incident``'s pages (TID
    range scans); the last range is open."""
    bounds = [pages * k // FETCH_CONNECTIONS for k in range(FETCH_CONNECTIONS)]
    parts = []
    for k, low in enumerate(bounds):
        part = statement.where(text(f"incident.ctid >= '({low},0)'::tid"))
        if k + 1 < len(bounds):
            part = part.where(text(f"incident.ctid < '({bounds[k + 1]},0)'::tid"))
        parts.append(part)
    return parts


def _fetch_parallel(session: Session, statement: Select[Any]) -> list[memoryview] | None:
    """The binary COPY of ``statement`` read by :data:`FETCH_CONNECTIONS` connections at once,
    each on a range of pages and on the snapshot of the session's transaction
    (``pg_export_snapshot``: together they read the rows one read in the session would).

    ``None`` where that does not apply: a table of fewer than
    :data:`PARALLEL_FETCH_MIN_PAGES` pages, a session not bound to an engine or in a savepoint,
    or a transaction that has written (other connections would not see its rows).
    """
    bind = session.get_bind()
    if FETCH_CONNECTIONS < 2 or not isinstance(bind, Engine) or session.in_nested_transaction():
        return None
    clean, pages = session.execute(
        text(
            "SELECT pg_current_xact_id_if_assigned() IS NULL, "
            "pg_relation_size('incident') / current_setting('block_size')::int"
        )
    ).one()
    if not clean or pages < PARALLEL_FETCH_MIN_PAGES:
        return None
    snapshot = session.execute(text("SELECT pg_export_snapshot()")).scalar_one()
    sqls = [literal_sql(session, part) for part in _page_ranges(statement, int(pages))]

    def read(sql: str) -> memoryview:
        raw: Any = bind.raw_connection()
        try:
            with raw.cursor() as cur:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cur.execute("SET TRANSACTION SNAPSHOT %s", (snapshot,))
                return _copy_out(cur, sql)
        finally:
            raw.rollback()
            raw.close()

    with ThreadPoolExecutor(max_workers=len(sqls), thread_name_prefix="fetch") as pool:
        return list(pool.map(read, sqls))


def fetch_points(session: Session, params: RunParams) -> Points:
    """A run's incidents in id order by binary ``COPY`` (from a large table, by
    :data:`FETCH_CONNECTIONS` connections at once), coordinates projected to the metric CRS.

    The geometry is read as the EWKB that binary COPY sends (:func:`parse_point_rows`); should
    a row not be a 2D point of that layout, the run reads ``ST_X``/``ST_Y`` instead.
    """
    statement = points_select(params)
    parts = _fetch_parallel(session, statement)
    if parts is None:
        with dbapi_connection(session).cursor() as cur:
            parts = [_copy_out(cur, literal_sql(session, statement))]
    parsed = [parse_point_rows(part) for part in parts]
    ewkb = [rows for rows in parsed if rows is not None]
    if len(ewkb) == len(parsed):
        rows = np.concatenate(ewkb) if len(ewkb) > 1 else ewkb[0]
        lon, lat = rows["geom"]["x"], rows["geom"]["y"]
    else:
        with dbapi_connection(session).cursor() as cur:
            parts = [_copy_out(cur, literal_sql(session, points_select(params, ewkb=False)))]
        rows = _parse_xy_rows(parts[0])
        lon, lat = rows["lon"], rows["lat"]
    ids = rows["id"].astype(np.int64)
    # the rows come in the table's order, which is mostly id order: sort only when needed
    order = None if bool(np.all(ids[1:] > ids[:-1])) else np.argsort(ids, kind="stable")

    def column(values: np.ndarray, kind: type = np.int64) -> np.ndarray:
        native: np.ndarray = values.astype(kind)
        return native if order is None else native[order]

    x, y = _to_metric().transform(column(lon, np.float64), column(lat, np.float64))
    points = Points(
        ids=column(ids),
        xy=np.column_stack([x, y]),
        at_us=column(rows["at"]),
        severity=column(rows["severity"]),
        category=column(rows["category"]),
        district=column(rows["district"]),
        area=column(rows["area"]),
    )
    del rows, parsed, ewkb, parts
    return points


_XY_ROW = _row_dtype(("lon", ">f8"), ("lat", ">f8"))


def fetch_xy(session: Session, statement: Select[Any]) -> np.ndarray:
    """Metric coordinates of the (lon, lat) rows of ``statement`` (float8 columns, no nulls),
    by one binary ``COPY``; shape (n, 2)."""
    buf = io.BytesIO()
    with dbapi_connection(session).cursor() as cur:
        sql = literal_sql(session, statement)
        cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    data = buf.getbuffer()
    n = (len(data) - len(_HEADER) - len(_TRAILER)) // _XY_ROW.itemsize
    rows = np.frombuffer(data, dtype=_XY_ROW, count=n, offset=len(_HEADER))
    x, y = _to_metric().transform(rows["lon"].astype(np.float64), rows["lat"].astype(np.float64))
    del rows, data
    buf.close()
    return np.column_stack([x, y])


def dbscan_labels(xy: np.ndarray, eps_m: float, min_points: int) -> np.ndarray:
    """DBSCAN cluster labels (-1: noise) of metric points, by the ``dbscan`` package."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    from dbscan import DBSCAN

    labels, _core = DBSCAN(np.ascontiguousarray(xy, dtype=np.float64), eps_m, min_points)
    return np.asarray(labels, dtype=np.int64)


# --------------------------------------------------------------------------- clusters


@dataclass(frozen=True, slots=True)
class Clusters:
    """Per-cluster figures, indexed by rank - 1 (rank 1 first)."""

    labels: np.ndarray  #: the DBSCAN label of each cluster
    n: np.ndarray
    score: np.ndarray
    first_us: np.ndarray
    last_us: np.ndarray
    recent: np.ndarray
    previous: np.ndarray
    cx: np.ndarray
    cy: np.ndarray
    grouped_xy: np.ndarray  #: the clustered points grouped by cluster (DBSCAN label order)
    grouped_n: np.ndarray  #: points per cluster in that order
    rank: np.ndarray  #: cluster positions in that order, rank 1 first
    categories: list[str]  #: JSON objects category -> count
    districts: list[str]  #: JSON arrays of district ids
    areas: list[list[int]]  #: parallel areas of the members

    def __len__(self) -> int:
        return len(self.labels)


def _groups(keys: np.ndarray, values: np.ndarray, k: int) -> list[list[int]]:
    """Sorted distinct ``values`` (ids below 2^31) per cluster index ``keys`` (0..k-1)."""
    pairs = np.unique(keys.astype(np.int64) * _SHIFT + values)
    out: list[list[int]] = [[] for _ in range(k)]
    for key, value in zip((pairs // _SHIFT).tolist(), (pairs % _SHIFT).tolist(), strict=True):
        out[key].append(value)
    return out


#: Pairs of ids packed in one int64 (sorting one array is much faster than sorting rows).
_SHIFT = 1 << 32


def summarise(points: Points, labels: np.ndarray, params: RunParams) -> Clusters:
    """Per-cluster figures of the clustered points, ranked by score, count, lowest member id."""
    keep = labels >= 0
    found = np.unique(labels[keep])
    k = len(found)
    index = np.searchsorted(found, labels[keep])  # 0..k-1 per clustered point
    ids, xy = points.ids[keep], points.xy[keep]
    at = points.at_us[keep]
    until_us = _us_since_2000(params)
    age_days = np.maximum(until_us - at, 0) / _DAY_US
    weight = np.exp2(points.severity[keep] - 3.0) * np.exp(
        -math.log(2) * age_days / params.half_life_days
    )
    recent = (at >= until_us - TREND_DAYS * _DAY_US) & (at < until_us)
    previous = (at >= until_us - 2 * TREND_DAYS * _DAY_US) & (at < until_us - TREND_DAYS * _DAY_US)
    n = np.bincount(index, minlength=k)
    score = np.bincount(index, weights=weight, minlength=k)
    order = np.argsort(index, kind="stable")
    starts = np.searchsorted(index[order], np.arange(k))
    first_id = np.minimum.reduceat(ids[order], starts) if k else np.empty(0, np.int64)
    first_us = np.minimum.reduceat(at[order], starts) if k else np.empty(0, np.int64)
    last_us = np.maximum.reduceat(at[order], starts) if k else np.empty(0, np.int64)
    cats = np.bincount(
        index * len(CATEGORIES) + points.category[keep], minlength=k * len(CATEGORIES)
    ).reshape(k, len(CATEGORIES))
    districts = _groups(index, points.district[keep], k)
    member_areas = _groups(
        index[points.area[keep] >= 0], points.area[keep][points.area[keep] >= 0], k
    )
    rank = np.lexsort((first_id, -n, -score))
    return Clusters(
        labels=found[rank],
        n=n[rank],
        score=score[rank],
        first_us=first_us[rank],
        last_us=last_us[rank],
        recent=np.bincount(index, weights=recent, minlength=k)[rank].astype(np.int64),
        previous=np.bincount(index, weights=previous, minlength=k)[rank].astype(np.int64),
        cx=(np.bincount(index, weights=xy[:, 0], minlength=k) / np.maximum(n, 1))[rank],
        cy=(np.bincount(index, weights=xy[:, 1], minlength=k) / np.maximum(n, 1))[rank],
        grouped_xy=xy[order],
        grouped_n=n,
        rank=rank,
        categories=[
            json.dumps(
                {CATEGORIES[c]: int(cats[r, c]) for c in range(len(CATEGORIES)) if cats[r, c]}
            )
            for r in rank
        ],
        districts=[json.dumps(districts[r]) for r in rank],
        areas=[member_areas[r] for r in rank],
    )


def hull_wkbs(clusters: Clusters) -> tuple[list[bytes], list[bytes]]:
    """WKB of each cluster's convex hull and of the hull padded by :data:`HULL_PAD_M`, rank 1
    first (GEOS releases the GIL: this runs beside the members' COPY)."""
    hulls = _convex_hulls(clusters.grouped_xy, clusters.grouped_n)
    padded = shapely.buffer(hulls, HULL_PAD_M, quad_segs=4)
    return (
        [shapely.to_wkb(hulls[r]) for r in clusters.rank],
        [shapely.to_wkb(padded[r]) for r in clusters.rank],
    )


def _convex_hulls(xy_sorted: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Convex hull of each cluster's points (``xy_sorted`` grouped by cluster, ``n`` each).

    Each cluster's coordinates become one line string (one coordinate sequence, no geometry per
    point): its convex hull is that of the points, and much faster to compute than from
    multipoints.
    """
    if len(n) == 0:
        return np.empty(0, dtype=object)
    offsets = np.concatenate([[0], np.cumsum(n)])
    single = n == 1
    coords = xy_sorted
    if single.any():  # a line needs two positions: repeat the lone point
        coords = np.insert(xy_sorted, offsets[:-1][single], xy_sorted[offsets[:-1][single]], 0)
        offsets = np.concatenate([[0], np.cumsum(n + single)])
    lines = shapely.from_ragged_array(shapely.GeometryType.LINESTRING, coords, (offsets,))
    return np.asarray(shapely.convex_hull(lines))


def _us_since_2000(params: RunParams) -> int:
    delta = params.until - EPOCH_2000
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_STORE = text(
    """
    WITH c AS (
        SELECT v.*, ST_GeomFromWKB(v.hull, :metric) AS hull_m
        FROM unnest(CAST(:id AS int[]), CAST(:rank AS int[]), CAST(:n AS int[]),
                    CAST(:score AS float8[]),
                    CAST(:first_us AS int8[]), CAST(:last_us AS int8[]),
                    CAST(:recent AS int[]), CAST(:previous AS int[]),
                    CAST(:cx AS float8[]), CAST(:cy AS float8[]),
                    CAST(:hull AS bytea[]), CAST(:padded AS bytea[]),
                    CAST(:categories AS text[]), CAST(:districts AS text[]),
                    CAST(:areas AS text[]))
             AS v(id, rank, n, score, first_us, last_us, recent, previous, cx, cy, hull, padded,
                  categories, districts, areas)
    )
    INSERT INTO hotspot (id, run_id, rank, n_incidents, categories, first_seen, last_seen, score,
                         trend, recent_30, previous_30, district_ids, parallel_area_ids,
                         nearest_crossing_id, nearest_crossing_m,
                         nearest_checkpoint_id, nearest_checkpoint_m, hull, centroid)
    SELECT c.id, :run, c.rank, c.n, CAST(c.categories AS jsonb),
           TIMESTAMPTZ '2000-01-01 00:00:00+00' + c.first_us * INTERVAL '1 microsecond',
           TIMESTAMPTZ '2000-01-01 00:00:00+00' + c.last_us * INTERVAL '1 microsecond',
           c.score, c.recent - c.previous, c.recent, c.previous,
           CAST(c.districts AS jsonb),
           (SELECT coalesce(jsonb_agg(pa.id ORDER BY pa.id), '[]'::jsonb) FROM parallel_area pa
             WHERE ST_Intersects(pa.geom_m, c.hull_m)
                OR pa.id = ANY(CAST(c.areas AS int[]))),
           nc.id, nc.d, cp.id, cp.d,
           ST_Transform(ST_GeomFromWKB(c.padded, :metric), :srid),
           ST_Transform(ST_SetSRID(ST_MakePoint(c.cx, c.cy), :metric), :srid)
    FROM c
    LEFT JOIN LATERAL (SELECT id, ST_Distance(geom_m, c.hull_m) AS d FROM natural_crossing
                       ORDER BY geom_m <-> c.hull_m, id LIMIT 1) nc ON true
    LEFT JOIN LATERAL (SELECT id, ST_Distance(geom_m, c.hull_m) AS d FROM checkpoint
                       ORDER BY geom_m <-> c.hull_m, id LIMIT 1) cp ON true
    ORDER BY c.rank
    """
)


_RESERVE = text(
    "SELECT nextval(pg_get_serial_sequence('hotspot', 'id')) FROM generate_series(1, :k) ORDER BY 1"
)


def store_clusters(
    session: Session, run_id: int, points: Points, labels: np.ndarray, params: RunParams
) -> int:
    """Store the run's ranked hotspots and their members; returns the number of hotspots.

    The hotspots' ids are reserved first (in DBSCAN label order), so that the members' COPY
    runs in a thread while this one computes the per-cluster figures and the hulls; the
    hotspots are inserted last, in the same transaction.
    """
    found = np.unique(labels[labels >= 0])
    k = len(found)
    if not k:
        return 0
    ids = np.array([int(v) for v in session.execute(_RESERVE, {"k": k}).scalars()])
    raw = dbapi_connection(session)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="members") as pool:
        # the thread alone uses the connection until it is done
        copied = pool.submit(_copy_members, raw, points.ids, labels, found, ids)
        clusters = summarise(points, labels, params)
        hull_wkb, padded_wkb = hull_wkbs(clusters)
        copied.result()
    session.execute(
        _STORE,
        {
            "run": run_id,
            "metric": METRIC_SRID,
            "srid": SRID,
            "id": ids[np.searchsorted(found, clusters.labels)].tolist(),
            "rank": list(range(1, k + 1)),
            "n": clusters.n.tolist(),
            "score": clusters.score.tolist(),
            "first_us": clusters.first_us.tolist(),
            "last_us": clusters.last_us.tolist(),
            "recent": clusters.recent.tolist(),
            "previous": clusters.previous.tolist(),
            "cx": clusters.cx.tolist(),
            "cy": clusters.cy.tolist(),
            "hull": hull_wkb,
            "padded": padded_wkb,
            "categories": clusters.categories,
            "districts": clusters.districts,
            "areas": ["{" + ",".join(map(str, a)) + "}" for a in clusters.areas],
        },
    )
    return k


def _copy_members(
    raw: Any, incident_ids: np.ndarray, labels: np.ndarray, found: np.ndarray, ids: np.ndarray
) -> None:
    """Members (hotspot id ``ids[i]`` for label ``found[i]``, incident id) by binary COPY on
    ``raw``, in hotspot order."""
    keep = labels >= 0
    members = np.empty(int(keep.sum()), dtype=_MEMBER_ROW)
    members["count"], members["len_hotspot"], members["len_incident"] = 2, 4, 8
    members["hotspot"] = ids[np.searchsorted(found, labels[keep])]
    members["incident"] = incident_ids[keep]
    # by hotspot, then incident id (the points are in id order: a stable sort keeps it)
    members = members[np.argsort(members["hotspot"], kind="stable")]
    payload = io.BytesIO(_HEADER + members.tobytes() + _TRAILER)
    del members
    with raw.cursor() as cur:
        # the incidents were read in this transaction and the hotspots' ids reserved for rows
        # it inserts before it ends: the statement-level check of migration 0008 would only
        # repeat that
        cur.execute("SET LOCAL borderwatch.members_checked = 'on'")
        cur.copy_expert(
            "COPY hotspot_member (hotspot_id, incident_id) FROM STDIN WITH (FORMAT binary)",
            payload,
            size=1 << 20,
        )
        cur.execute("SET LOCAL borderwatch.members_checked = 'off'")
