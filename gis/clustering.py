"""Hotspot runs: incidents clustered with exact DBSCAN in metres, stored with their clusters.

Contract (used by the API, the worker, the CLI and the patrol planner):

- :func:`start_run` checks the parameters (:mod:`gis.hotspot_params`) and the caller's scope and
  stores a ``queued`` run (``hotspot_run``); nothing else is written.
- :func:`execute_run` computes a run: it fetches the matching incidents, clusters them and
  stores the clusters (``hotspot``, ranked by score, rank 1 first) and their members
  (``hotspot_member``), then the Getis-Ord Gi* hexagons (:mod:`gis.gistar`). Progress (0..1) is
  written to the run's row as it goes; the run ends ``done`` or ``failed`` (with ``error``).
- :func:`run_next` is the background worker's step (``borderwatch worker``): it claims the
  oldest queued run with ``FOR UPDATE SKIP LOCKED`` and executes it. Runs never execute inside a
  web request.
- :func:`run_hotspots` = start + execute, for the CLI and tests.

The engine (chosen by measurement, see ``docs/benchmarks.md``): the incidents' coordinates are
fetched with one binary ``COPY`` through psycopg2, projected to UTM 48N (:data:`METRIC_SRID`,
within 1 % of geodesic distances along the whole border) with pyproj, and clustered by the
``dbscan`` package, an exact grid-based DBSCAN (same core/border/noise semantics as
``ST_ClusterDBSCAN``: a core point has at least ``min_points`` points, itself included, within
``eps_m``; a border point may join either of two clusters it touches, which only the adjusted
Rand index sees). Points are fetched in incident-id order, so the same run gives the same
clusters. Everything per cluster is then computed in one SQL statement:

- ``hull``: the convex hull of the members, buffered by :data:`HULL_PAD_M` (one- and two-point
  hulls draw as small discs and capsules), EPSG:4326; ``centroid`` of the members;
- ``n_incidents``, ``categories`` (category -> count), ``first_seen``, ``last_seen``;
- ``score`` = Σ severity weight × exp(−ln 2 · age / half-life): an incident's weight halves every
  ``half_life_days`` before the run's ``until`` (the issue's exp(−age / half-life), with the
  half-life meaning what it says); severity weights :data:`SEVERITY_WEIGHTS` (2^(severity−3):
  severity 3 counts 1, each step doubles or halves);
- ``recent_30`` / ``previous_30``: incidents in the 30 days before ``until`` and the 30 before
  those; ``trend`` = ``recent_30 − previous_30``;
- ``district_ids`` (the members' districts), ``parallel_area_ids`` (parallel areas the hull
  touches or members were routed through);
- nearest natural crossing and checkpoint to the (unpadded) hull, with the distance in metres.

Ranks: by score, then incident count, then the lowest member id (ties are broken the same way
every time).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from pyproj import Transformer
from sqlalchemy import Connection, Engine, Select, and_, false, func, select, text, true, update
from sqlalchemy.orm import Session

from gis.accounts import scope_district_ids
from gis.corridor import ensure_corridor, in_corridor
from gis.db import METRIC_SRID, SRID
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.hotspot_params import RunParams, parse_run_params
from gis.models import District, HotspotRun, Incident, User
from gis.reference_admin import find_district
from gis.types import Role, RunStatus

log = logging.getLogger(__name__)

#: Roles that may start runs.
RUN_ROLES = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST})
#: Weight of an incident by severity (1..5) in the score: 2^(severity - 3).
SEVERITY_WEIGHTS = {s: 2.0 ** (s - 3) for s in range(1, 6)}
#: Buffer around a cluster's convex hull (metres), so that one- and two-point hulls draw.
HULL_PAD_M = 50.0
TREND_DAYS = 30
ENGINE = "dbscan-grid"
#: Advisory lock class of a running run (held by its worker's connection while it runs).
LOCK_CLASS = 4_004

Progress = Callable[[float], None]

_TO_METRIC = Transformer.from_crs(SRID, METRIC_SRID, always_xy=True)

#: Binary COPY row of (int8, float8, float8): field count, then (length, value) per field.
_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("id", ">i8"),
        ("l2", ">i4"),
        ("x", ">f8"),
        ("l3", ">i4"),
        ("y", ">f8"),
    ]
)
_LABEL_ROW = np.dtype([("n", ">i2"), ("l1", ">i4"), ("id", ">i8"), ("l2", ">i4"), ("c", ">i4")])
_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8


# --------------------------------------------------------------------------- starting a run


def _resolve_districts(session: Session, params: RunParams, user: User | None) -> RunParams:
    """``params`` with district ids resolved and checked against ``user``'s scope.

    Raises:
        InvalidInput: (``districts``) an unknown district.
        Forbidden: (``districts``) a district outside the caller's scope.
    """
    scope = scope_district_ids(session, user) if user is not None else None
    if params.district_refs is None:
        ids = None if scope is None else tuple(sorted(scope))
        return replace(params, district_ids=ids)
    ids_set: set[int] = set()
    for ref in params.district_refs:
        if isinstance(ref, int):
            found = session.get(District, ref)
            if found is None:
                raise InvalidInput(f"districts: no district has id {ref}", field="districts")
            ids_set.add(found.id)
        else:
            try:
                ids_set.add(find_district(session, ref).id)
            except NotFound:
                raise InvalidInput(
                    f"districts: no district matches {ref!r}", field="districts"
                ) from None
    if scope is not None and not ids_set <= scope:
        raise Forbidden("districts: some districts lie outside your scope", field="districts")
    return replace(params, district_ids=tuple(sorted(ids_set)))


def start_run(session: Session, params: Any, user: User | None) -> HotspotRun:
    """Check and store a queued run; the caller commits (the worker then executes it).

    Args:
        session: open session.
        params: the JSON parameters (see :mod:`gis.hotspot_params`) or checked
            :class:`~gis.hotspot_params.RunParams`.
        user: who asks (a patrol planner or HQ analyst); ``None`` for the command line
            (national scope).

    Returns:
        The stored run (``queued``), flushed.

    Raises:
        InvalidInput: a bad parameter, named.
        Forbidden: a role that may not run hotspots, or districts outside the scope
            (``districts``).
    """
    if user is not None and Role(user.role) not in RUN_ROLES:
        raise Forbidden("only patrol planners and HQ analysts run hotspots", field="role")
    checked = params if isinstance(params, RunParams) else parse_run_params(params)
    checked = _resolve_districts(session, checked, user)
    run = HotspotRun(
        created_by_id=user.id if user is not None else None,
        params=checked.to_json(),
        status=RunStatus.QUEUED,
        progress=0.0,
        district_ids=list(checked.district_ids) if checked.district_ids is not None else None,
    )
    session.add(run)
    session.flush()
    return run


# --------------------------------------------------------------------------- the run's points


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


def points_select(params: RunParams) -> Select[Any]:
    """``(id, lon, lat)`` of a run's incidents, in id order."""
    return (
        select(Incident.id, func.ST_X(Incident.geom), func.ST_Y(Incident.geom))
        .where(and_(true(), *incident_conditions(params)))
        .order_by(Incident.id)
    )


def _raw(session: Session) -> Any:
    """The psycopg2 connection under the session's current transaction."""
    return session.connection().connection.dbapi_connection


def _sql(session: Session, statement: Any) -> str:
    """``statement`` as SQL text with its parameters inlined by psycopg2's own quoting."""
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    with _raw(session).cursor() as cur:
        return cur.mogrify(str(compiled), compiled.params).decode()


def fetch_points(session: Session, params: RunParams) -> tuple[np.ndarray, np.ndarray]:
    """Ids and metric coordinates (UTM 48N, metres) of a run's incidents, in id order.

    One binary ``COPY`` (no row objects), projected with pyproj in one vectorised call.

    Returns:
        ``(ids, xy)``: int64 array of n ids, float64 array of shape (n, 2).
    """
    sql = _sql(session, points_select(params))
    buf = io.BytesIO()
    with _raw(session).cursor() as cur:
        cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    data = buf.getbuffer()
    n = (len(data) - 19 - 2) // _ROW.itemsize
    rows = np.frombuffer(data, dtype=_ROW, count=n, offset=19)
    ids = rows["id"].astype(np.int64)
    x, y = _TO_METRIC.transform(rows["x"].astype(np.float64), rows["y"].astype(np.float64))
    del rows, data
    buf.close()
    return ids, np.column_stack([x, y])


def dbscan_labels(xy: np.ndarray, eps_m: float, min_points: int) -> np.ndarray:
    """DBSCAN cluster labels (-1: noise) of metric points, by the ``dbscan`` package."""
    if len(xy) == 0:
        return np.empty(0, dtype=np.int64)
    from dbscan import DBSCAN

    labels, _core = DBSCAN(np.ascontiguousarray(xy, dtype=np.float64), eps_m, min_points)
    return np.asarray(labels, dtype=np.int64)


def _copy_labels(session: Session, ids: np.ndarray, labels: np.ndarray) -> None:
    """Put (incident id, cluster label) of clustered points in a temporary table by binary
    COPY."""
    session.execute(text("DROP TABLE IF EXISTS hotspot_label, hotspot_cluster"))
    session.execute(
        text("CREATE TEMP TABLE hotspot_label (incident_id bigint, label int) ON COMMIT DROP")
    )
    keep = labels >= 0
    rows = np.empty(int(keep.sum()), dtype=_LABEL_ROW)
    rows["n"], rows["l1"], rows["l2"] = 2, 8, 4
    rows["id"] = ids[keep]
    rows["c"] = labels[keep]
    payload = io.BytesIO(_COPY_HEADER + rows.tobytes() + b"\xff\xff")
    with _raw(session).cursor() as cur:
        cur.copy_expert("COPY hotspot_label FROM STDIN WITH (FORMAT binary)", payload)
    session.execute(text("ANALYZE hotspot_label"))


_CLUSTERS = text(
    """
    CREATE TEMP TABLE hotspot_cluster ON COMMIT DROP AS
    WITH m AS (
        SELECT l.label, i.id, ST_Transform(i.geom, :metric) AS g, i.category, i.severity,
               i.occurred_at, i.district_id, i.parallel_area_id
        FROM hotspot_label l JOIN incident i ON i.id = l.incident_id
    ),
    c AS (
        SELECT label, min(id) AS first_id, count(*) AS n,
               ST_ConvexHull(ST_Collect(g)) AS hull_m,
               ST_Centroid(ST_Collect(g)) AS centroid_m,
               min(occurred_at) AS first_seen, max(occurred_at) AS last_seen,
               sum(power(2.0, severity - 3) * exp(-ln(2.0)
                   * greatest(extract(epoch FROM CAST(:until AS timestamptz) - occurred_at), 0)
                   / 86400.0 / :half_life)) AS score,
               count(*) FILTER (WHERE occurred_at >= CAST(:until AS timestamptz) - :trend
                                  AND occurred_at < :until) AS recent_30,
               count(*) FILTER (WHERE occurred_at >= CAST(:until AS timestamptz) - 2 * :trend
                                  AND occurred_at < CAST(:until AS timestamptz) - :trend)
                   AS previous_30,
               to_jsonb(array_agg(DISTINCT district_id ORDER BY district_id)) AS district_ids,
               array_remove(array_agg(DISTINCT parallel_area_id), NULL) AS member_areas
        FROM m GROUP BY label
    ),
    cat AS (
        SELECT label, jsonb_object_agg(category, k ORDER BY category) AS categories
        FROM (SELECT label, category, count(*) AS k FROM m GROUP BY label, category) s
        GROUP BY label
    )
    SELECT c.*, cat.categories,
           row_number() OVER (ORDER BY c.score DESC, c.n DESC, c.first_id) AS rank,
           (SELECT coalesce(jsonb_agg(pa.id ORDER BY pa.id), '[]'::jsonb) FROM parallel_area pa
             WHERE ST_Intersects(pa.geom_m, c.hull_m) OR pa.id = ANY(c.member_areas))
               AS parallel_area_ids,
           nc.id AS crossing_id, nc.d AS crossing_m, cp.id AS checkpoint_id, cp.d AS checkpoint_m
    FROM c JOIN cat USING (label)
    LEFT JOIN LATERAL (SELECT id, ST_Distance(geom_m, c.hull_m) AS d FROM natural_crossing
                       ORDER BY geom_m <-> c.hull_m, id LIMIT 1) nc ON true
    LEFT JOIN LATERAL (SELECT id, ST_Distance(geom_m, c.hull_m) AS d FROM checkpoint
                       ORDER BY geom_m <-> c.hull_m, id LIMIT 1) cp ON true
    """
)

_STORE = text(
    """
    INSERT INTO hotspot (run_id, rank, n_incidents, categories, first_seen, last_seen, score,
                         trend, recent_30, previous_30, district_ids, parallel_area_ids,
                         nearest_crossing_id, nearest_crossing_m,
                         nearest_checkpoint_id, nearest_checkpoint_m, hull, centroid)
    SELECT :run, rank, n, categories, first_seen, last_seen, score,
           recent_30 - previous_30, recent_30, previous_30, district_ids, parallel_area_ids,
           crossing_id, crossing_m, checkpoint_id, checkpoint_m,
           ST_Transform(ST_Buffer(hull_m, :pad, 'quad_segs=4'), :srid),
           ST_Transform(centroid_m, :srid)
    FROM hotspot_cluster ORDER BY rank;
    INSERT INTO hotspot_member (hotspot_id, incident_id)
    SELECT h.id, l.incident_id
    FROM hotspot_label l
    JOIN hotspot_cluster c USING (label)
    JOIN hotspot h ON h.run_id = :run AND h.rank = c.rank;
    """
)


def _store_clusters(session: Session, run_id: int, params: RunParams) -> int:
    """Compute and store the clusters of the labelled points; returns their number."""
    session.execute(
        _CLUSTERS,
        {
            "metric": METRIC_SRID,
            "until": params.until,
            "half_life": params.half_life_days,
            "trend": dt.timedelta(days=TREND_DAYS),
        },
    )
    session.execute(_STORE, {"run": run_id, "pad": HULL_PAD_M, "srid": SRID})
    n = int(session.execute(text("SELECT count(*) FROM hotspot_cluster")).scalar_one())
    session.execute(text("DROP TABLE hotspot_label, hotspot_cluster"))
    return n


# --------------------------------------------------------------------------- executing a run


def compute_run(session: Session, run: HotspotRun, progress: Progress) -> None:
    """Compute ``run`` in the session's transaction: clusters, members, Gi* cells; sets the
    counts, ``done`` and ``progress = 1`` on the row (flushed, not committed)."""
    from gis import gistar

    params = RunParams.from_json(run.params)
    if params.corridor_only:
        ensure_corridor(session)
    progress(0.05)
    ids, xy = fetch_points(session, params)
    progress(0.35)
    labels = dbscan_labels(xy, params.eps_m, params.min_points)
    progress(0.5)
    n_clusters = 0
    if len(ids) and (labels >= 0).any():
        _copy_labels(session, ids, labels)
        progress(0.6)
        n_clusters = _store_clusters(session, run.id, params)
    progress(0.8)
    note = gistar.compute_cells(session, run.id, params, xy)
    # reported before the row changes here: the engine path reports on another connection,
    # which would wait for this transaction's row lock
    progress(1.0)
    run.gistar = note
    run.progress = 1.0
    run.n_incidents = len(ids)
    run.n_clusters = n_clusters
    run.engine = ENGINE
    run.status = RunStatus.DONE
    run.finished_at = dt.datetime.now(dt.UTC)
    session.flush()


def _error_text(exc: BaseException) -> str:
    text_ = getattr(exc, "message", None) or f"{type(exc).__name__}: the run could not be computed"
    return str(text_)[:500]


def execute_run(
    bind: Engine | Session, run_id: int, progress: Progress | None = None
) -> HotspotRun:
    """Compute a stored run.

    With an :class:`~sqlalchemy.Engine` (the worker, the CLI): the run is marked ``running`` and
    committed, computed in its own transaction, and progress is committed on a separate
    connection as it goes (pollers see it). A failure rolls the partial result back and commits
    the run as ``failed`` with ``error``; the exception is re-raised.

    With a :class:`~sqlalchemy.orm.Session` (tests, the caller's transaction): the same steps in
    that session (the result inside a savepoint, so that a failure leaves no partial clusters);
    a failure is recorded on the row and not re-raised; the caller commits.

    Args:
        bind: an engine or a session.
        run_id: the run (``queued``, or ``running`` when claimed by :func:`run_next`).
        progress: optional callback with the fraction done (0..1).

    Returns:
        The run as it ended (``done`` or ``failed``).

    Raises:
        NotFound: no such run.
    """
    callback = progress or (lambda _f: None)
    if isinstance(bind, Session):
        return _execute_in_session(bind, run_id, callback)
    with Session(bind, expire_on_commit=False) as session:
        run = _mark_running(session, run_id)
        session.commit()

    def report(fraction: float) -> None:
        with bind.begin() as conn:
            conn.execute(
                update(HotspotRun).where(HotspotRun.id == run_id).values(progress=fraction)
            )
        callback(fraction)

    try:
        with Session(bind, expire_on_commit=False) as session:
            run = session.get_one(HotspotRun, run_id)
            compute_run(session, run, report)
            session.commit()
            return run
    except Exception as exc:
        log.exception("hotspot run %s failed", run_id)
        with Session(bind, expire_on_commit=False) as session:
            run = session.get_one(HotspotRun, run_id)
            _mark_failed(run, exc)
            session.commit()
        raise


def _execute_in_session(session: Session, run_id: int, progress: Progress) -> HotspotRun:
    run = _mark_running(session, run_id)

    def report(fraction: float) -> None:
        run.progress = fraction
        session.flush()
        progress(fraction)

    try:
        with session.begin_nested():
            compute_run(session, run, report)
    except Exception as exc:
        log.exception("hotspot run %s failed", run_id)
        session.expire(run)
        _mark_failed(run, exc)
        session.flush()
    return run


def _mark_running(session: Session, run_id: int) -> HotspotRun:
    run = session.get(HotspotRun, run_id, with_for_update=True)
    if run is None:
        raise NotFound(f"there is no hotspot run {run_id}", field="run")
    run.status = RunStatus.RUNNING
    run.started_at = dt.datetime.now(dt.UTC)
    run.progress = 0.0
    run.error = None
    session.flush()
    return run


def _mark_failed(run: HotspotRun, exc: BaseException) -> None:
    run.status = RunStatus.FAILED
    run.error = _error_text(exc)
    run.finished_at = dt.datetime.now(dt.UTC)


def run_hotspots(
    bind: Engine | Session,
    params: Any,
    user: User | None = None,
    progress: Progress | None = None,
) -> HotspotRun:
    """Start and execute a run at once (the CLI, tests, the benchmark).

    With an engine, the queued run is committed first, then executed as :func:`execute_run`
    does; with a session, everything happens in it (the caller commits).

    Raises:
        InvalidInput, Forbidden: as :func:`start_run` (nothing stored).
    """
    if isinstance(bind, Session):
        run = start_run(bind, params, user)
        return execute_run(bind, run.id, progress)
    with Session(bind, expire_on_commit=False) as session:
        run_id = start_run(session, params, user).id
        session.commit()
    return execute_run(bind, run_id, progress)


# --------------------------------------------------------------------------- the worker


def claim_next(conn: Connection) -> int | None:
    """Claim the oldest queued run on ``conn`` and mark it ``running``.

    ``FOR UPDATE SKIP LOCKED``: concurrent workers never take the same run. The claim also takes
    a session-level advisory lock on the run, held by ``conn`` until released, so that
    :func:`requeue_abandoned` can tell a run whose worker died from one still running.

    Returns:
        The run's id (committed as ``running``), or ``None`` when the queue is empty.
    """
    run_id = conn.execute(
        select(HotspotRun.id)
        .where(HotspotRun.status == RunStatus.QUEUED)
        .order_by(HotspotRun.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).scalar()
    if run_id is None:
        conn.commit()
        return None
    conn.execute(text("SELECT pg_advisory_lock(:c, :id)"), {"c": LOCK_CLASS, "id": run_id})
    conn.execute(
        update(HotspotRun)
        .where(HotspotRun.id == run_id)
        .values(status=RunStatus.RUNNING, started_at=func.now(), progress=0.0)
    )
    conn.commit()
    return int(run_id)


def run_next(engine: Engine, progress: Progress | None = None) -> HotspotRun | None:
    """Execute the oldest queued run, if any (one step of ``borderwatch worker``).

    Returns:
        The run as it ended, or ``None`` when nothing was queued. A failed run is returned
        (``failed``, with ``error``), not raised.
    """
    with engine.connect() as lock:
        run_id = claim_next(lock)
        if run_id is None:
            return None
        try:
            return execute_run(engine, run_id, progress)
        except Exception:  # recorded on the run by execute_run
            with Session(engine, expire_on_commit=False) as session:
                return session.get_one(HotspotRun, run_id)
        finally:
            lock.execute(
                text("SELECT pg_advisory_unlock(:c, :id)"), {"c": LOCK_CLASS, "id": run_id}
            )
            lock.commit()


def requeue_abandoned(engine: Engine) -> list[int]:
    """Put back in the queue the ``running`` runs whose worker is gone (no advisory lock held).

    Returns:
        The ids requeued.
    """
    requeued = []
    with engine.connect() as conn:
        running = conn.execute(
            select(HotspotRun.id).where(HotspotRun.status == RunStatus.RUNNING)
        ).scalars()
        for run_id in list(running):
            free = conn.execute(
                text("SELECT pg_try_advisory_lock(:c, :id)"), {"c": LOCK_CLASS, "id": run_id}
            ).scalar()
            if not free:
                continue
            try:
                conn.execute(
                    update(HotspotRun)
                    .where(HotspotRun.id == run_id, HotspotRun.status == RunStatus.RUNNING)
                    .values(status=RunStatus.QUEUED, progress=0.0, started_at=None)
                )
                requeued.append(run_id)
            finally:
                conn.execute(
                    text("SELECT pg_advisory_unlock(:c, :id)"), {"c": LOCK_CLASS, "id": run_id}
                )
        conn.commit()
    return requeued


def progress_fraction(value: float | None) -> float:
    """A stored progress value clamped to 0..1."""
    if value is None or math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, float(value)))
