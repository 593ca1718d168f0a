"""Two administrators change one checkpoint at the same moment: the second waits for the first's
row lock and is refused with the current version (no lost update); the worker then recomputes
the derived data of the accepted change (a reference.recompute job, deferred in the change's
transaction).

These tests commit (two connections and the worker); they put the checkpoint back and delete
their changes, versions, recomputations and jobs afterwards.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, func, select, text, update
from sqlalchemy.orm import Session

from gis import jobs
from gis.accounts.scope import scope_district_ids
from gis.models import (
    AccountChange,
    Checkpoint,
    ReferenceChange,
    ReferenceRecompute,
    ReferenceVersion,
    User,
)
from gis.reference.editing.changes import Editor, StaleVersion, parse_change, propose
from gis.types import Role, RunStatus
from tests.factories import make_user

pytestmark = pytest.mark.db

SLUG = "ban-hat-bai"


@pytest.fixture
def committed(engine: Engine) -> Iterator[dict]:
    """An administrator and the checkpoint's id, committed; everything undone afterwards."""
    with Session(engine) as session:
        row = session.execute(select(Checkpoint).where(Checkpoint.slug == SLUG)).scalar_one()
        saved = {"status": row.status, "status_note": row.status_note, "version": row.version}
        marks = {
            "job": session.execute(
                text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_jobs")
            ).scalar_one(),
            "worker": session.execute(
                text("SELECT coalesce(max(id), 0) FROM procrastinate.procrastinate_workers")
            ).scalar_one(),
            "change": session.scalar(select(func.coalesce(func.max(ReferenceChange.id), 0))),
            "version": session.scalar(select(func.coalesce(func.max(ReferenceVersion.id), 0))),
            "recompute": session.scalar(select(func.coalesce(func.max(ReferenceRecompute.id), 0))),
        }
        admin = make_user(session, Role.ADMINISTRATOR, "race-admin")
        session.commit()
        world = {"checkpoint": row.id, "admin": admin.id}
    yield world
    with Session(engine) as session:
        session.execute(
            delete(ReferenceRecompute).where(ReferenceRecompute.id > marks["recompute"])
        )
        session.execute(delete(ReferenceVersion).where(ReferenceVersion.id > marks["version"]))
        session.execute(delete(ReferenceChange).where(ReferenceChange.id > marks["change"]))
        session.execute(
            update(Checkpoint).where(Checkpoint.id == world["checkpoint"]).values(**saved)
        )
        for table, mark in (("jobs", "job"), ("workers", "worker")):
            session.execute(
                text(f"DELETE FROM procrastinate.procrastinate_{table} WHERE id > :id"),
                {"id": marks[mark]},
            )
        session.execute(delete(AccountChange).where(AccountChange.user_id == world["admin"]))
        session.execute(delete(User).where(User.id == world["admin"]))
        session.commit()


def _change(checkpoint_id: int, status: str) -> dict:
    return {
        "feature_type": "checkpoint",
        "feature_id": checkpoint_id,
        "action": "update",
        "base_version": 1,
        "attributes": {"status": status},
        "reason": f"status {status} at the same moment",
    }


def test_the_second_of_two_simultaneous_edits_waits_and_gets_the_current_version(
    engine: Engine, database_url: str, committed: dict
):
    first = Session(engine)
    admin = first.get_one(User, committed["admin"])
    editor = Editor(admin.id, admin.role, scope_district_ids(first, admin))
    propose(first, editor, parse_change(_change(committed["checkpoint"], "closed")))
    # the first change holds the checkpoint's row lock until it commits
    outcome: dict = {}

    def second() -> None:
        with Session(engine) as session:
            try:
                propose(session, editor, parse_change(_change(committed["checkpoint"], "open")))
                session.commit()
                outcome["result"] = "accepted"
            except StaleVersion as exc:
                outcome["result"] = exc.current_version
                session.rollback()

    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive(), "the second edit waits for the first one's lock"
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert outcome["result"] == 2
    with Session(engine) as session:
        row = session.get_one(Checkpoint, committed["checkpoint"])
        assert (row.status.value, row.version) == ("closed", 2)  # the first kept, not lost

        job = session.execute(
            select(ReferenceRecompute).order_by(ReferenceRecompute.id.desc()).limit(1)
        ).scalar_one()
        assert job.status is RunStatus.QUEUED
    jobs.run_worker(
        database_url, engine, once=True, queues=["reference"], install_signal_handlers=False
    )
    with Session(engine) as session:
        done = session.get_one(ReferenceRecompute, job.id)
        assert done.status is RunStatus.DONE and done.done == done.total
        status = session.execute(
            text(
                "SELECT status::text FROM procrastinate.procrastinate_jobs "
                "WHERE task_name = 'reference.recompute' AND (args->>'recompute_id')::int = :id"
            ),
            {"id": job.id},
        ).scalar_one()
        assert status == "succeeded"
