"""Hotspot runs: incidents clustered with exact DBSCAN in metres, stored with their clusters.

Contract (used by the API, the worker, the CLI and the patrol planner):

- :func:`start_run` checks the parameters (:mod:`gis.hotspots.params`) and the caller's scope,
  stores a ``queued`` run (``hotspot_run``) and, in the same transaction, defers its job
  (``hotspots.execute_run``, :mod:`gis.hotspots.tasks`) for the worker; nothing else is written.
- :func:`execute_run` computes a run: it fetches the matching incidents, clusters them and
  stores the clusters (``hotspot``, ranked by score, rank 1 first) and their members
  (``hotspot_member``), then the Getis-Ord Gi* hexagons (:mod:`gis.hotspots.gistar`) and, when
  asked (``emerging``), the emerging hot spots over time (:mod:`gis.hotspots.cube`). Progress
  (0..1) is written to the run's row as it goes; the run ends ``done`` or ``failed`` (with
  ``error``).
- The background worker (``borderwatch worker``, :mod:`gis.jobs`) executes the run's job:
  procrastinate fetches jobs oldest first with ``FOR UPDATE SKIP LOCKED`` (two workers never
  take the same run), and takes up again once a job whose worker died. The ``hotspot_run`` row
  stays the domain's status and progress. Runs never execute inside a web request.
- :func:`run_hotspots` = start + execute, for the CLI and tests.

The engine (chosen by measurement, see :mod:`gis.hotspots.engine` and ``docs/benchmarks.md``):
the incidents are fetched with one binary ``COPY`` through psycopg2, projected to UTM 48N
(within 1 % of geodesic distances along the whole border) with pyproj, and clustered by the
``dbscan`` package, an exact grid-based DBSCAN (same core/border/noise semantics as
``ST_ClusterDBSCAN``: a core point has at least ``min_points`` points, itself included, within
``eps_m``; a border point may join either of two clusters it touches, which only the adjusted
Rand index sees). Points are fetched in incident-id order, so the same run gives the same
clusters. Per cluster (table ``hotspot``; members in ``hotspot_member``):

- ``hull``: the convex hull of the members, buffered by :data:`HULL_PAD_M` (one- and two-point
  hulls draw as small discs and capsules), EPSG:4326; ``centroid`` of the members;
- ``n_incidents``, ``categories`` (category -> count), ``first_seen``, ``last_seen``;
- ``score`` = Σ severity weight × exp(−ln 2 · age / half-life): an incident's weight halves every
  ``half_life_days`` before the run's ``until`` (the ln 2 makes it a true half-life, which
  exp(−age / half-life) would not be); severity weights :data:`SEVERITY_WEIGHTS` (2^(severity−3):
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
import logging
import math
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.hotspots.engine import (  # the constants are part of this module's contract too
    HULL_PAD_M,  # noqa: F401
    SEVERITY_WEIGHTS,  # noqa: F401
    TREND_DAYS,  # noqa: F401
    dbscan_labels,
    fetch_points,
    incident_conditions,  # noqa: F401
    store_clusters,
)
from gis.hotspots.params import RunParams, parse_run_params
from gis.jobs import defer, lost_database
from gis.models import District, HotspotRun, User
from gis.reference.corridor import ensure_corridor
from gis.reference.derived import current_reference_version
from gis.reference.districts import find_district
from gis.text import N_
from gis.types import Role, RunStatus

log = logging.getLogger(__name__)

#: Roles that may start runs.
RUN_ROLES = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST})
ENGINE = "dbscan-grid"
#: The worker's task of a run (:mod:`gis.hotspots.tasks`).
TASK = "hotspots.execute_run"

Progress = Callable[[float], None]

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
                raise InvalidInput(
                    N_("districts: no district has id {ref}"), field="districts", ref=ref
                )
            ids_set.add(found.id)
        else:
            try:
                ids_set.add(find_district(session, ref).id)
            except NotFound:
                raise InvalidInput(
                    N_("districts: no district matches {ref!r}"), field="districts", ref=ref
                ) from None
    if scope is not None and not ids_set <= scope:
        raise Forbidden(N_("districts: some districts lie outside your scope"), field="districts")
    return replace(params, district_ids=tuple(sorted(ids_set)))


def start_run(
    session: Session, params: Any, user: User | None, *, enqueue: bool = True
) -> HotspotRun:
    """Check and store a queued run and defer its job; the caller commits (the worker then
    executes it).

    Args:
        session: open session.
        params: the JSON parameters (see :mod:`gis.hotspots.params`) or checked
            :class:`~gis.hotspots.params.RunParams`.
        user: who asks (a patrol planner or HQ analyst); ``None`` for the command line
            (national scope).
        enqueue: defer the worker's job (``False`` when the caller executes the run itself).

    Returns:
        The stored run (``queued``), flushed.

    Raises:
        InvalidInput: a bad parameter, named.
        Forbidden: a role that may not run hotspots, or districts outside the scope
            (``districts``).
    """
    if user is not None and Role(user.role) not in RUN_ROLES:
        raise Forbidden(N_("only patrol planners and HQ analysts run hotspots"), field="role")
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
    if enqueue:
        defer(session, TASK, lock=f"hotspot_run:{run.id}", run_id=run.id)
    return run


# --------------------------------------------------------------------------- executing a run


def compute_run(session: Session, run: HotspotRun, progress: Progress) -> None:
    """Compute ``run`` in the session's transaction: clusters, members, Gi* cells; sets the
    counts, ``done`` and ``progress = 1`` on the row (flushed, not committed)."""
    from gis.hotspots import cube, gistar

    params = RunParams.from_json(run.params)
    # the checkpoints, crossings and corridor the run measures against
    run.reference_version = current_reference_version(session)
    if params.corridor_only:
        ensure_corridor(session)
    progress(0.05)
    points = fetch_points(session, params)
    progress(0.35)
    # Gi* needs only the points: a thread computes it while the clusters are made and stored
    # (numpy, GEOS and the database release the GIL for most of that time)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="gistar") as pool:
        cells = pool.submit(gistar.analyse_cells, params, points.xy, run.id)
        emerging = (
            None
            if params.emerging is None
            else pool.submit(cube.analyse_emerging, params, points.xy, points.at_us, run.id)
        )
        labels = dbscan_labels(points.xy, params.eps_m, params.min_points)
        progress(0.5)
        n_clusters = store_clusters(session, run.id, points, labels, params)
        progress(0.7)
        analysed = cells.result()
        gistar.store_cells(session, run.id, params, analysed)
        progress(0.8)
        space_time = None if emerging is None else emerging.result()
    if space_time is not None:
        cube.store_emerging(session, run.id, params, space_time)
        run.emerging = space_time.note
    note = analysed.note
    # reported before the row changes here: the engine path reports on another connection,
    # which would wait for this transaction's row lock
    progress(1.0)
    run.gistar = note
    run.progress = 1.0
    run.n_incidents = len(points)
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
    the run as ``failed`` with ``error``; the exception is re-raised. A lost connection
    (:func:`gis.jobs.lost_database`: a failover) leaves the run ``running`` for the worker's
    retry.

    With a :class:`~sqlalchemy.orm.Session` (tests, the caller's transaction): the same steps in
    that session (the result inside a savepoint, so that a failure leaves no partial clusters);
    a failure is recorded on the row and not re-raised; the caller commits.

    Args:
        bind: an engine or a session.
        run_id: the run (``queued``, or ``running`` when its worker died and it is taken up
            again).
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
        if lost_database(exc):
            # left running, even if the new primary could be written: the worker takes the job
            # up again and computes the run from the start
            log.warning("hotspot run %s lost its database: left running", run_id)
            raise
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
        raise NotFound(N_("there is no hotspot run {run_id}"), field="run", run_id=run_id)
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
        run = start_run(bind, params, user, enqueue=False)
        return execute_run(bind, run.id, progress)
    with Session(bind, expire_on_commit=False) as session:
        run_id = start_run(session, params, user, enqueue=False).id
        session.commit()
    return execute_run(bind, run_id, progress)


def progress_fraction(value: float | None) -> float:
    """A stored progress value clamped to 0..1."""
    if value is None or math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, float(value)))
