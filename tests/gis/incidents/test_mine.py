"""The reports an account made itself: only its own, newest first, paged, counted by status,
each with its last change."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.incidents.mine import my_reports
from gis.incidents.review import apply_action
from gis.models import IncidentEvent
from gis.types import IncidentCategory, IncidentStatus, Role
from tests.factories import make_incident, make_user

pytestmark = pytest.mark.db

T0 = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def report(session, reporter, hours: int, **values):
    """A report of ``reporter`` made ``hours`` after T0 (happened an hour before)."""
    at = T0 + dt.timedelta(hours=hours)
    return make_incident(
        session,
        reporter=reporter,
        with_event=True,
        reported_at=at,
        occurred_at=at - dt.timedelta(hours=1),
        **values,
    )


def test_only_the_viewers_own_reports_newest_first(session):
    me = make_user(session, Role.OFFICER, "mine-officer")
    other = make_user(session, Role.OFFICER, "mine-other")
    coordinator = make_user(session, Role.COORDINATOR, "mine-coordinator")
    first = report(session, me, 1)
    third = report(session, me, 3, district_name="Chiang Khong", category="drug_trafficking")
    second = report(session, me, 2)
    report(session, other, 4)
    report(session, None, 5)  # a public report: nobody's
    theirs = report(session, coordinator, 6)  # the district's coordinator: their own list

    page = my_reports(session, me)
    assert [r.id for r in page.items] == [third.id, second.id, first.id]
    assert page.total == page.matching == 3 and page.pages == 1
    newest = page.items[0]
    assert newest.category is IncidentCategory.DRUG_TRAFFICKING
    assert (newest.district, newest.district_th) == ("Chiang Khong", "เชียงของ")
    assert (newest.province, newest.province_th) == ("Chiang Rai", "เชียงราย")
    assert newest.reported_at == T0 + dt.timedelta(hours=3)
    assert newest.occurred_at == T0 + dt.timedelta(hours=2)
    assert (newest.last_action, newest.last_status) == ("created", IncidentStatus.NEW)

    assert [r.id for r in my_reports(session, coordinator).items] == [theirs.id]
    assert len(my_reports(session, other).items) == 1


def test_counts_by_status_and_the_status_filter(session):
    me = make_user(session, Role.VOLUNTEER, "mine-volunteer")
    kept = [report(session, me, h) for h in range(4)]
    apply_action(session, kept[0].id, "verify", None)
    apply_action(session, kept[1].id, "verify", None)
    apply_action(session, kept[1].id, "close", None)
    apply_action(session, kept[2].id, "reject", None, note="not an incident")

    page = my_reports(session, me)
    assert page.counts == {
        IncidentStatus.NEW: 1,
        IncidentStatus.VERIFIED: 1,
        IncidentStatus.REJECTED: 1,
        IncidentStatus.DUPLICATE: 0,
        IncidentStatus.REFERRED: 0,
        IncidentStatus.CLOSED: 1,
    }
    verified = my_reports(session, me, status=IncidentStatus.VERIFIED)
    assert [r.id for r in verified.items] == [kept[0].id]
    assert verified.matching == 1 and verified.total == 4
    none = my_reports(session, me, status=IncidentStatus.DUPLICATE)
    assert none.items == [] and none.matching == 0 and none.pages == 1


def test_the_last_change_is_the_latest_event(session):
    me = make_user(session, Role.OFFICER, "mine-changes")
    closed, photo, bare = report(session, me, 1), report(session, me, 2), report(session, me, 3)
    apply_action(session, closed.id, "verify", None, note="internal")
    apply_action(session, closed.id, "close", None, note="internal too")
    session.add(IncidentEvent(incident_id=photo.id, actor_id=me.id, action="photo_added"))
    session.flush()
    session.query(IncidentEvent).filter(IncidentEvent.incident_id == bare.id).delete()

    found = {r.id: r for r in my_reports(session, me).items}
    assert (found[closed.id].last_action, found[closed.id].last_status) == (
        "close",
        IncidentStatus.CLOSED,
    )
    assert found[closed.id].status is IncidentStatus.CLOSED
    assert (found[photo.id].last_action, found[photo.id].last_status) == ("photo_added", None)
    assert found[photo.id].last_at is not None
    assert (found[bare.id].last_at, found[bare.id].last_action) == (None, None)
    assert not hasattr(found[closed.id], "note")


def test_pages_of_a_given_size_in_order(session):
    me = make_user(session, Role.OFFICER, "mine-pages")
    ids = [report(session, me, h).id for h in range(5)]
    newest_first = ids[::-1]

    pages = [my_reports(session, me, page=n, per_page=2) for n in (1, 2, 3)]
    assert [[r.id for r in p.items] for p in pages] == [
        newest_first[0:2],
        newest_first[2:4],
        newest_first[4:],
    ]
    assert {(p.pages, p.matching, p.per_page) for p in pages} == {(3, 5, 2)}
    past = my_reports(session, me, page=4, per_page=2)
    assert past.items == [] and past.page == 4


def test_fifty_reports_a_page_by_default(session):
    me = make_user(session, Role.OFFICER, "mine-fifty")
    for h in range(51):
        report(session, me, h)
    first, second = my_reports(session, me), my_reports(session, me, page=2)
    assert (len(first.items), len(second.items), first.pages) == (50, 1, 2)
