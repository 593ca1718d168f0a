"""What derives from the reference data, recomputed after an accepted change (issue 22).

An accepted change (:mod:`gis.reference.editing`) calls :func:`schedule` in its transaction: a
``reference_recompute`` row and, when something derives from the feature, a job of the worker
(``reference.recompute``, :mod:`gis.reference.derived_tasks`). The worker then
(:func:`recompute`):

- for a checkpoint or natural crossing, recomputes the incidents' nearest one and its distance
  (the same lateral KNN as a new report, :mod:`gis.reference.measure`) for the affected
  incidents only: those whose nearest was the changed feature, those without one, and those the
  feature's new place is now nearer to than their stored nearest (found within the old and new
  geometry buffered by the largest stored distance, the search radius that can be affected);
- for a natural crossing or a flagged border stretch, rebuilds the watch corridor
  (:func:`gis.reference.corridor.refresh_corridor`).

The progress (``done`` of ``total`` incidents, one more step for the corridor) is committed as
it goes, for ``GET /api/reference/derived``. The display shapes (``display_shape``) derive only
from districts, parallel areas, border segments and the Mekong, which reference editing does not
change; hotspot runs keep the nearest distances they were computed with and record the reference
version they used (``hotspot_run.reference_version``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, or_, select, true, update
from sqlalchemy.orm import Session

from gis.db import SRID
from gis.jobs import defer
from gis.models import Incident, ReferenceRecompute, ReferenceVersion
from gis.reference.corridor import refresh_corridor
from gis.reference.measure import nearest_checkpoint, nearest_crossing, to_metric
from gis.types import RunStatus

#: The worker's task (gis/reference/derived_tasks.py).
TASK = "reference.recompute"
#: One recomputation at a time: a later change waits for the one before.
LOCK = "reference-derived"
#: Incidents recomputed per statement (and per committed progress step).
BATCH = 2_000
#: Metres per degree of latitude, and the smallest cosine of the latitude in the watch area
#: (about 23° N): a box of ``r / (M_PER_DEGREE * MIN_COS)`` degrees holds every point within
#: ``r`` metres.
M_PER_DEGREE = 111_320.0
MIN_COS = 0.9

#: Kinds of feature whose change moves the incidents' nearest distances, and their columns.
NEAREST = {
    "checkpoint": ("nearest_checkpoint_id", "nearest_checkpoint_m", nearest_checkpoint),
    "crossing": ("nearest_crossing_id", "nearest_crossing_m", nearest_crossing),
}
#: Kinds of feature the watch corridor is built from.
CORRIDOR = frozenset({"crossing", "stretch"})


def current_reference_version(session: Session) -> int | None:
    """The reference data's version: the number of its latest accepted change (``None``:
    none yet, the data is as imported)."""
    return session.execute(select(func.max(ReferenceVersion.id))).scalar()


def schedule(
    session: Session,
    reference_version: int,
    feature_type: str,
    geometries: Sequence[dict[str, Any]],
    feature_id: int | None = None,
) -> ReferenceRecompute:
    """Record what to recompute after an accepted change and defer the worker's job, in the
    change's transaction.

    Args:
        session: the change's session.
        reference_version: the version the change wrote.
        feature_type: ``checkpoint``, ``centre``, ``crossing`` or ``stretch``.
        geometries: the feature's geometry before (if any) and after, GeoJSON.
        feature_id: the feature (its nearest incidents are recomputed).

    Returns:
        The ``reference_recompute`` row (``done`` at once when nothing derives from the kind).
    """
    work = {
        "feature_type": feature_type,
        "feature_id": feature_id,
        "geometries": list(geometries),
        "corridor": feature_type in CORRIDOR,
    }
    needed = feature_type in NEAREST or feature_type in CORRIDOR
    row = ReferenceRecompute(
        reference_version=reference_version,
        work=work,
        status=RunStatus.QUEUED if needed else RunStatus.DONE,
    )
    session.add(row)
    session.flush()
    if needed:
        defer(session, TASK, queue="reference", lock=LOCK, recompute_id=row.id)
    return row


def _geometry(geojson: dict[str, Any]) -> Any:
    return func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(geojson)), SRID)


def affected_incidents(session: Session, work: dict[str, Any]) -> list[int]:
    """Ids of the incidents whose nearest feature of the work's kind may have changed."""
    id_name, m_name, _ = NEAREST[work["feature_type"]]
    nearest_id = getattr(Incident, id_name)
    nearest_m = getattr(Incident, m_name)
    conditions = [nearest_id.is_(None)]
    if work.get("feature_id") is not None:
        conditions.append(nearest_id == work["feature_id"])
    radius = session.execute(select(func.max(nearest_m))).scalar()
    if radius is not None:
        degrees = float(radius) / (M_PER_DEGREE * MIN_COS) + 1e-6
        for geojson in work["geometries"]:
            geom = _geometry(geojson)
            conditions.append(
                and_(
                    Incident.geom.op("&&")(func.ST_Expand(geom, degrees)),
                    func.ST_Distance(to_metric(Incident.geom), to_metric(geom)) < nearest_m,
                )
            )
    ids = session.execute(select(Incident.id).where(or_(*conditions)).order_by(Incident.id))
    return list(ids.scalars())


def recompute_nearest(session: Session, feature_type: str, ids: Sequence[int]) -> int:
    """Set the nearest feature of ``feature_type`` and its distance on incidents ``ids``, as a
    new report would compute them; returns the number of rows updated."""
    id_name, m_name, nearest = NEAREST[feature_type]
    near = nearest(to_metric(Incident.geom))
    fresh = (
        select(Incident.id.label("iid"), near.c.id.label("nid"), near.c.distance_m.label("m"))
        .select_from(Incident)
        .outerjoin(near, true())
        .where(Incident.id.in_(list(ids)))
        .subquery("fresh")
    )
    result = session.execute(
        update(Incident)
        .where(Incident.id == fresh.c.iid)
        .values({id_name: fresh.c.nid, m_name: fresh.c.m})
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def recompute(
    session: Session, recompute_id: int, commit: Callable[[], None] | None = None
) -> ReferenceRecompute | None:
    """Do a ``reference_recompute`` row's work, its progress saved by ``commit`` after each
    step (the worker commits; by default the session is only flushed).

    Returns:
        The row, ``done``; ``None`` when it no longer exists.
    """
    save = commit or session.flush
    row = session.get(ReferenceRecompute, recompute_id, with_for_update=True)
    if row is None:
        return None
    work = dict(row.work)
    ids = affected_incidents(session, work) if work["feature_type"] in NEAREST else []
    row.status = RunStatus.RUNNING
    row.total = len(ids) + (1 if work.get("corridor") else 0)
    row.done = 0
    row.updated_at = dt.datetime.now(dt.UTC)
    save()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        recompute_nearest(session, work["feature_type"], chunk)
        row.done += len(chunk)
        row.updated_at = dt.datetime.now(dt.UTC)
        save()
    if work.get("corridor"):
        refresh_corridor(session)
        row.done += 1
    row.status = RunStatus.DONE
    row.updated_at = dt.datetime.now(dt.UTC)
    save()
    return row


@dataclass(frozen=True, slots=True)
class DerivedProgress:
    """Where the recomputation after the latest accepted change stands."""

    status: str
    done: int
    total: int
    reference_version: int | None
    updated_at: dt.datetime | None


def derived_progress(session: Session) -> DerivedProgress:
    """The progress of the latest recomputation: ``queued`` or ``running`` while one waits or
    runs (the oldest of those), else ``idle`` with the latest one's figures."""
    waiting = session.execute(
        select(ReferenceRecompute)
        .where(ReferenceRecompute.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
        .order_by(ReferenceRecompute.id)
        .limit(1)
    ).scalar_one_or_none()
    latest = (
        waiting
        or session.execute(
            select(ReferenceRecompute).order_by(ReferenceRecompute.id.desc()).limit(1)
        ).scalar_one_or_none()
    )
    version = current_reference_version(session)
    if latest is None:
        return DerivedProgress("idle", 0, 0, version, None)
    status = latest.status.value if waiting is not None else "idle"
    return DerivedProgress(status, latest.done, latest.total, version, latest.updated_at)
