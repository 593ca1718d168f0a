"""What derives from the reference data follows an accepted change (gis.reference.derived):
the incidents' nearest checkpoint and crossing, the watch corridor, the progress."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.accounts.scope import scope_district_ids
from gis.models import Checkpoint, Incident, ReferenceRecompute, WatchCorridor
from gis.reference.corridor import refresh_corridor
from gis.reference.derived import (
    affected_incidents,
    current_reference_version,
    derived_progress,
    recompute,
)
from gis.reference.editing.changes import Editor, parse_change, propose
from gis.reference.measure import proximity
from gis.types import Role
from tests.factories import line, make_user, report_incident

pytestmark = pytest.mark.db

#: Incidents around Aranyaprathet's checkpoints and one far away in Chiang Khong.
PLACES = [
    (102.5520, 13.6600),
    (102.5400, 13.6700),
    (102.6000, 13.6150),
    (102.3700, 13.5900),
    (102.4500, 13.6300),
    (100.4000, 20.2600),
]


@pytest.fixture
def admin(session) -> Editor:
    user = make_user(session, Role.ADMINISTRATOR, "admin-derived")
    return Editor(user.id, user.role, scope_district_ids(session, user))


def fresh(session, incident: Incident):
    lon, lat = session.execute(
        select(func.ST_X(Incident.geom), func.ST_Y(Incident.geom)).where(Incident.id == incident.id)
    ).one()
    return proximity(session, lon, lat)


def stored(session, incident: Incident):
    session.refresh(incident)
    return incident


def test_distances_after_a_move_equal_a_fresh_computation(session, admin):
    incidents = [report_incident(session, where) for where in PLACES]
    row = session.execute(select(Checkpoint).where(Checkpoint.slug == "khlong-luek")).scalar_one()
    # Khlong Luek moves next to the incident at 102.45, 13.63 (Ban Nong Prue was its nearest)
    body = {
        "feature_type": "checkpoint",
        "feature_id": row.id,
        "action": "update",
        "base_version": 1,
        "geometry": {"type": "Point", "coordinates": [102.4510, 13.6310]},
        "reason": "the checkpoint is at the new market",
    }
    change = propose(session, admin, parse_change(body))
    job = session.execute(select(ReferenceRecompute)).scalar_one()
    assert derived_progress(session).status == "queued"
    moved = stored(session, incidents[4])
    assert moved.nearest_checkpoint_id != row.id  # not yet: the worker recomputes
    affected = affected_incidents(session, job.work)
    assert incidents[4].id in affected and incidents[5].id not in affected

    done = recompute(session, job.id)
    assert done is not None and done.status.value == "done" and done.done == done.total
    for incident in incidents:
        got, want = stored(session, incident), fresh(session, incident)
        assert got.nearest_checkpoint_id == want.checkpoint_id
        assert got.nearest_checkpoint_m == pytest.approx(want.checkpoint_m, abs=1e-6)
    assert stored(session, incidents[4]).nearest_checkpoint_id == row.id
    assert stored(session, incidents[4]).nearest_checkpoint_m < 200
    progress = derived_progress(session)
    assert progress.status == "idle" and progress.reference_version == change_version(session)
    assert change.status.value == "accepted"


def change_version(session) -> int | None:
    return current_reference_version(session)


def test_the_corridor_after_a_new_crossing_equals_a_rebuild(session, admin):
    incidents = [report_incident(session, where) for where in PLACES[:3]]
    body = {
        "feature_type": "crossing",
        "feature_id": None,
        "action": "create",
        "geometry": line((102.52, 13.62), (102.56, 13.60), (102.60, 13.59)),
        "attributes": {"name": "Khlong Luek path", "crosses": ["people"]},
        "reason": "seen on patrol",
    }
    change = propose(session, admin, parse_change(body))
    job = session.execute(select(ReferenceRecompute)).scalar_one()
    assert job.work["corridor"] is True
    recompute(session, job.id)
    after = session.execute(
        select(WatchCorridor.n_crossings, func.ST_AsBinary(WatchCorridor.geom))
    ).one()
    assert after[0] == 1
    for incident in incidents:  # every incident had no nearest crossing before
        got, want = stored(session, incident), fresh(session, incident)
        assert got.nearest_crossing_id == change.feature_id == want.crossing_id
        assert got.nearest_crossing_m == pytest.approx(want.crossing_m, abs=1e-6)
    refresh_corridor(session)
    rebuilt = session.execute(
        select(WatchCorridor.n_crossings, func.ST_AsBinary(WatchCorridor.geom))
    ).one()
    assert bytes(after[1]) == bytes(rebuilt[1]) and rebuilt[0] == 1

    retire = {
        "feature_type": "crossing",
        "feature_id": change.feature_id,
        "action": "retire",
        "base_version": 1,
        "reason": "the channel silted up",
    }
    propose(session, admin, parse_change(retire))
    last = session.execute(
        select(ReferenceRecompute).order_by(ReferenceRecompute.id.desc()).limit(1)
    ).scalar_one()
    recompute(session, last.id)
    assert session.scalar(select(WatchCorridor.n_crossings)) == 0
    assert all(stored(session, i).nearest_crossing_id is None for i in incidents)


def test_a_hotspot_run_records_the_reference_version_it_used(session, admin):
    from gis.hotspots.runs import run_hotspots

    params = {"since": "2025-11-01", "until": "2026-11-01T00:00:00Z", "corridor_only": True}
    before = run_hotspots(session, params)
    assert before.reference_version is None  # the data as imported
    row = session.execute(select(Checkpoint).where(Checkpoint.slug == "khlong-luek")).scalar_one()
    body = {
        "feature_type": "checkpoint",
        "feature_id": row.id,
        "action": "update",
        "base_version": 1,
        "attributes": {"status": "closed"},
        "reason": "closed since the flood",
    }
    propose(session, admin, parse_change(body))
    after = run_hotspots(session, params)
    assert after.reference_version == current_reference_version(session) is not None


def test_the_worker_knows_the_recomputation_task():
    import importlib

    from gis.jobs import GIVEN_UP, TASK_MODULES, app
    from gis.reference.derived import TASK

    for module in TASK_MODULES:
        importlib.import_module(module)
    assert TASK in app.tasks and TASK in GIVEN_UP
    assert app.tasks[TASK].lock == "reference-derived"
