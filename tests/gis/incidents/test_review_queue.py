"""The review queue's order (overdue new reports first), its counts by status, the next report
to triage and the district filter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gis.incidents.review_queue import (
    OVERDUE_AFTER,
    count_by_status,
    next_new_incident,
    review_queue,
    viewer_districts,
)
from gis.models import District
from gis.types import IncidentCategory, IncidentStatus, Role
from tests.factories import district, make_incident, make_user

pytestmark = pytest.mark.db

#: Days no other test's incidents fall in: the queue's date filters isolate this test's rows.
WINDOW = dt.datetime(2020, 3, 1, tzinfo=dt.UTC)
ISOLATED = {"since": WINDOW, "until": WINDOW + dt.timedelta(days=10)}


@pytest.fixture
def coordinator(session):
    return make_user(session, Role.COORDINATOR, "queue-coord", district="TH2706")


def windowed(session, hours: float, **overrides):
    """An incident of Aranyaprathet in the test's days, reported when it occurred (years ago)."""
    when = WINDOW + dt.timedelta(hours=hours)
    return make_incident(session, occurred_at=when, reported_at=when, **overrides)


def recent(session, occurred: float, reported: float, **overrides):
    """An incident that occurred and was reported the given hours before the database's now
    (the start of the test's transaction, from which the queue counts the wait)."""
    now = session.scalar(select(func.now()))
    return make_incident(
        session,
        occurred_at=now - dt.timedelta(hours=occurred),
        reported_at=now - dt.timedelta(hours=reported),
        **overrides,
    )


def test_the_counts_of_each_status_are_the_rows_of_that_status(session, coordinator):
    statuses = ["new", "new", "new", "verified", "verified", "rejected", "duplicate", "referred"]
    for hours, status in enumerate(statuses):
        windowed(session, hours, status=status)
    windowed(session, 20, status="closed", category="drug_trafficking")
    windowed(session, 21, district_name="Chiang Khong")  # another district: not counted

    counts = count_by_status(session, coordinator, **ISOLATED)

    assert counts.by_status == {
        IncidentStatus.NEW: 3,
        IncidentStatus.VERIFIED: 2,
        IncidentStatus.REJECTED: 1,
        IncidentStatus.DUPLICATE: 1,
        IncidentStatus.REFERRED: 1,
        IncidentStatus.CLOSED: 1,
    }
    for status in IncidentStatus:
        page = review_queue(session, coordinator, status=status, limit=500, **ISOLATED)
        assert counts.by_status[status] == page.total == len(page.items), status
        assert {i.status for i in page.items} <= {status}
    assert counts.total == review_queue(session, coordinator, **ISOLATED).total == 9
    assert counts.overdue == 3  # the new ones, reported years ago
    smuggling = count_by_status(
        session, coordinator, category=IncidentCategory.SMUGGLING, **ISOLATED
    )
    assert smuggling.total == 8 and smuggling.by_status[IncidentStatus.CLOSED] == 0


def test_the_whole_queue_counts_the_same_as_its_rows(session, coordinator):
    recent(session, 5, 4)
    recent(session, 80, 79, status="verified")
    counts = count_by_status(session, coordinator)
    listed = review_queue(session, coordinator, limit=500)
    assert counts.total == listed.total
    assert counts.by_status[IncidentStatus.NEW] == sum(
        i.status is IncidentStatus.NEW for i in listed.items
    )
    assert counts.overdue == sum(i.overdue for i in listed.items)


def test_new_reports_waiting_over_48_hours_come_first_the_longest_waiting_first(
    session, coordinator
):
    newest = recent(session, 1, 0.5)
    waited_50h = recent(session, 51, 50)
    verified_long_ago = recent(session, 200, 199, status="verified")
    waited_3d = recent(session, 75, 73)
    just_under = recent(session, 47, 47.5)  # occurred after being reported: the report counts
    middle = recent(session, 10, 9)

    items = review_queue(session, coordinator, limit=500).items
    ours = [
        i
        for i in items
        if i.id
        in {r.id for r in (newest, waited_50h, verified_long_ago, waited_3d, just_under, middle)}
    ]

    assert [i.id for i in ours] == [
        waited_3d.id,
        waited_50h.id,
        newest.id,
        middle.id,
        just_under.id,
        verified_long_ago.id,
    ]
    by_id = {i.id: i for i in ours}
    assert by_id[waited_3d.id].overdue and by_id[waited_50h.id].overdue
    assert not by_id[just_under.id].overdue and not by_id[newest.id].overdue
    assert by_id[waited_3d.id].waiting > dt.timedelta(hours=72)
    assert by_id[just_under.id].waiting < OVERDUE_AFTER
    assert by_id[verified_long_ago.id].waiting is None  # only new reports wait for triage
    assert not by_id[verified_long_ago.id].overdue


def test_the_next_report_is_the_first_new_one_in_the_queues_order(session, coordinator):
    first = windowed(session, 1)
    second = windowed(session, 2, category="drug_trafficking")
    windowed(session, 3, status="verified")

    # both waited for years: the longest waiting (the earlier report) first
    assert next_new_incident(session, coordinator, **ISOLATED) == first.id
    assert next_new_incident(session, coordinator, skip=first.id, **ISOLATED) == second.id
    drugs = IncidentCategory.DRUG_TRAFFICKING
    assert next_new_incident(session, coordinator, category=drugs, **ISOLATED) == second.id
    assert (
        next_new_incident(session, coordinator, category=drugs, skip=second.id, **ISOLATED) is None
    )
    elsewhere = make_user(session, Role.COORDINATOR, "queue-coord-ck", district="TH5703")
    assert next_new_incident(session, elsewhere, **ISOLATED) is None  # not in their scope


def test_a_district_filter_narrows_within_the_scope_only(session, coordinator):
    windowed(session, 1)
    windowed(session, 2, district_name="Chiang Khong")
    aranya = district(session, "Aranyaprathet").id
    chiang_khong = district(session, "Chiang Khong").id
    hq = make_user(session, Role.HQ_ANALYST, "queue-hq")

    assert review_queue(session, hq, **ISOLATED).total == 2
    assert review_queue(session, hq, district=chiang_khong, **ISOLATED).total == 1
    assert count_by_status(session, hq, district=aranya, **ISOLATED).total == 1
    # a district outside the coordinator's scope lists nothing: the scope still applies
    assert review_queue(session, coordinator, district=chiang_khong, **ISOLATED).total == 0
    assert count_by_status(session, coordinator, district=chiang_khong, **ISOLATED).total == 0


def test_the_districts_a_viewer_may_filter_by(session, coordinator):
    (only,) = viewer_districts(session, coordinator)
    assert (only.name, only.name_th) == ("Aranyaprathet", "อรัญประเทศ")
    hq = make_user(session, Role.HQ_ANALYST, "queue-hq")
    targets = session.scalar(select(func.count()).select_from(District).where(District.target))
    assert len(viewer_districts(session, hq)) == targets > 1
