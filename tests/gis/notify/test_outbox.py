"""Who is told of which event, on which channel, once: the outbox writers on the real database."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from gis.models import Notification, NotifyPreference
from gis.notify.outbox import (
    DELIVER,
    citizen_address,
    notify_new_report,
    notify_patrol_plan,
    notify_recent_reports,
    notify_status_change,
    notify_waiting_reports,
)
from gis.notify.settings import setting_of
from gis.types import (
    DeliveryStatus,
    IncidentStatus,
    NotifyChannel,
    NotifyKind,
    PatrolUnit,
    Role,
)
from tests.factories import make_incident, make_user

pytestmark = pytest.mark.db

NOW = dt.datetime(2026, 12, 7, 3, 0, tzinfo=dt.UTC)  # 10:00 Thai time
LINE_ID = "U" + "ab" * 16


def rows(session, **where) -> list[Notification]:
    query = select(Notification).order_by(Notification.id)
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return list(session.scalars(query))


def coordinator(session, name="coord-a", district="TH2706", **settings):
    """A coordinator of Aranyaprathet (TH2706) with notification settings."""
    user = make_user(session, Role.COORDINATOR, name, district=district)
    setting = setting_of(session, user.id)
    for key, value in settings.items():
        setattr(setting, key, value)
    session.flush()
    return user


def test_new_report_tells_the_districts_coordinators_on_each_channel_they_have(session):
    both = coordinator(session, "coord-both", email="a@example.org", line_user_id=LINE_ID)
    app_only = coordinator(session, "coord-app")
    elsewhere = coordinator(session, "coord-other", district="TH5703", email="b@example.org")
    incident = make_incident(session, district_name="Aranyaprathet")

    assert notify_new_report(session, incident, NOW) == 4
    got = {(r.user_id, r.channel) for r in rows(session, incident_id=incident.id)}
    assert got == {
        (both.id, NotifyChannel.IN_APP),
        (both.id, NotifyChannel.EMAIL),
        (both.id, NotifyChannel.LINE),
        (app_only.id, NotifyChannel.IN_APP),
    }
    assert elsewhere.id not in {r.user_id for r in rows(session)}
    in_app = rows(session, user_id=both.id, channel=NotifyChannel.IN_APP)[0]
    assert in_app.status == DeliveryStatus.SENT and in_app.read_at is None
    email = rows(session, user_id=both.id, channel=NotifyChannel.EMAIL)[0]
    assert email.status == DeliveryStatus.WAITING and email.next_attempt_at == NOW


def test_an_event_written_twice_is_stored_once(session):
    coordinator(session, email="a@example.org")
    incident = make_incident(session)
    assert notify_new_report(session, incident, NOW) == 2
    assert notify_new_report(session, incident, NOW + dt.timedelta(minutes=1)) == 0
    assert len(rows(session, incident_id=incident.id)) == 2


def test_preferences_turn_a_kind_off_on_one_channel(session):
    user = coordinator(session, email="a@example.org")
    session.add(
        NotifyPreference(
            user_id=user.id,
            kind=NotifyKind.NEW_REPORT,
            channel=NotifyChannel.EMAIL,
            enabled=False,
        )
    )
    session.flush()
    notify_new_report(session, make_incident(session), NOW)
    assert [r.channel for r in rows(session, user_id=user.id)] == [NotifyChannel.IN_APP]


def test_quiet_hours_hold_email_back_until_they_end_but_not_the_bell(session):
    user = coordinator(
        session, email="a@example.org", quiet_start=dt.time(22, 0), quiet_end=dt.time(6, 30)
    )
    late = dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC)  # 23:00 Thai time
    notify_new_report(session, make_incident(session), late)
    by_channel = {r.channel: r for r in rows(session, user_id=user.id)}
    assert by_channel[NotifyChannel.IN_APP].status == DeliveryStatus.SENT
    # 06:30 Thai time the next morning
    assert by_channel[NotifyChannel.EMAIL].next_attempt_at == dt.datetime(
        2026, 12, 7, 23, 30, tzinfo=dt.UTC
    )


def test_a_digest_gathers_new_reports_to_the_end_of_its_window(session):
    user = coordinator(session, email="a@example.org", digest_minutes=30)
    first = make_incident(session)
    second = make_incident(session)
    notify_new_report(session, first, NOW + dt.timedelta(minutes=3))
    notify_new_report(session, second, NOW + dt.timedelta(minutes=20))
    mails = rows(session, user_id=user.id, channel=NotifyChannel.EMAIL)
    assert [m.digest for m in mails] == [True, True]
    assert {m.next_attempt_at for m in mails} == {NOW + dt.timedelta(minutes=30)}


def test_status_change_tells_the_reporter_not_the_actor(session):
    officer = make_user(session, Role.OFFICER, "officer-a", district="TH2706")
    actor = coordinator(session)
    incident = make_incident(session, reporter=officer)
    written = notify_status_change(
        session,
        incident,
        IncidentStatus.NEW,
        IncidentStatus.VERIFIED,
        event_id=991,
        actor_id=actor.id,
        now=NOW,
    )
    assert written == 1
    (row,) = rows(session, incident_id=incident.id)
    assert (row.user_id, row.kind) == (officer.id, NotifyKind.STATUS_CHANGE)
    assert row.params["to"] == "verified"
    own = make_incident(session, reporter=actor)
    assert (
        notify_status_change(
            session,
            own,
            IncidentStatus.NEW,
            IncidentStatus.VERIFIED,
            event_id=992,
            actor_id=actor.id,
            now=NOW,
        )
        == 0
    )


@pytest.mark.parametrize(
    ("contact", "consent", "told"),
    [
        ("somchai@example.org", True, NotifyChannel.EMAIL),
        (LINE_ID, True, NotifyChannel.LINE),
        (f"line:{LINE_ID}", True, NotifyChannel.LINE),
        ("somchai@example.org", False, None),
        ("081 234 5678", True, None),
    ],
)
def test_a_citizen_is_told_only_with_consent_and_a_reachable_contact(
    session, contact, consent, told
):
    incident = make_incident(
        session, channel="online_public", reporter_contact=contact, updates_consent=consent
    )
    notify_status_change(
        session,
        incident,
        IncidentStatus.NEW,
        IncidentStatus.VERIFIED,
        event_id=993,
        actor_id=None,
        now=NOW,
    )
    got = rows(session, incident_id=incident.id)
    assert [r.channel for r in got] == ([] if told is None else [told])
    if told is not None:
        assert got[0].user_id is None
        # the state the citizen reads, no note and no contact
        assert got[0].params == {"state": "being_handled", "category": "smuggling"}


def test_a_citizen_is_not_told_when_the_state_it_reads_does_not_change(session):
    incident = make_incident(
        session,
        channel="online_public",
        reporter_contact="somchai@example.org",
        updates_consent=True,
    )
    notify_status_change(
        session,
        incident,
        IncidentStatus.VERIFIED,
        IncidentStatus.REFERRED,
        event_id=994,
        actor_id=None,
        now=NOW,
    )
    assert rows(session, incident_id=incident.id) == []


def test_waiting_reports_tell_coordinators_and_the_provinces_planner_once(session):
    coord = coordinator(session)
    planner = make_user(session, Role.PATROL_PLANNER, "planner-sk", province="TH27")
    other_planner = make_user(session, Role.PATROL_PLANNER, "planner-cr", province="TH57")

    def arrived(hours_ago: int, **more):
        at = NOW - dt.timedelta(hours=hours_ago)
        return make_incident(session, reported_at=at, occurred_at=at, **more)

    old = arrived(50)
    fresh = arrived(5)
    verified = arrived(50, status="verified")

    assert notify_waiting_reports(session, NOW) == 2
    told = {(r.user_id, r.incident_id) for r in rows(session, kind=NotifyKind.REPORT_WAITING)}
    assert told == {(coord.id, old.id), (planner.id, old.id)}
    assert other_planner.id not in {u for u, _ in told}
    assert fresh.id not in {i for _, i in told} and verified.id not in {i for _, i in told}
    assert notify_waiting_reports(session, NOW + dt.timedelta(hours=1)) == 0


def test_patrol_plan_tells_the_leader_of_its_unit(session):
    from gis.models import PatrolPlan
    from tests.factories import district, inside

    leader = make_user(session, Role.VOLUNTEER, "vol-lead", district="TH2706")
    setting_of(session, leader.id).leads_unit = PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS
    make_user(session, Role.VOLUNTEER, "vol-other", district="TH2706")
    lon, lat = inside(session, "Aranyaprathet")
    plan = PatrolPlan(
        district_id=district(session, "Aranyaprathet").id,
        unit=PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS,
        planned_for=dt.date(2026, 12, 8),
        start=f"SRID=4326;POINT({lon} {lat})",
    )
    session.add(plan)
    session.flush()
    assert notify_patrol_plan(session, plan, NOW) == 1
    (row,) = rows(session, kind=NotifyKind.PATROL_PLAN)
    assert row.user_id == leader.id and row.params["plan_id"] == plan.id


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ("a@example.org", (NotifyChannel.EMAIL, "a@example.org")),
        (" " + LINE_ID + " ", (NotifyChannel.LINE, LINE_ID)),
        ("a@b", None),
        ("U123", None),
        (None, None),
    ],
)
def test_citizen_address(contact, expected):
    assert citizen_address(contact) == expected


def test_the_catch_up_tells_of_recent_reports_once(session):
    coord = coordinator(session)
    now = dt.datetime.now(dt.UTC)
    fresh = make_incident(session, reported_at=now - dt.timedelta(minutes=5), occurred_at=now)
    told_before = make_incident(session)
    notify_new_report(session, told_before, now)
    before = len(rows(session, user_id=coord.id))
    assert notify_recent_reports(session, now) == 1
    got = rows(session, kind=NotifyKind.NEW_REPORT, incident_id=fresh.id)
    assert [r.user_id for r in got] == [coord.id]
    assert len(rows(session, user_id=coord.id)) == before + 1
    assert notify_recent_reports(session, now) == 0


def deliver_jobs(session) -> list[str]:
    return list(
        session.scalars(
            text(
                "SELECT status::text FROM procrastinate.procrastinate_jobs"
                " WHERE task_name = :task ORDER BY id"
            ),
            {"task": DELIVER},
        )
    )


def test_notifications_due_at_once_have_the_worker_deliver_them_soon_one_job_waiting(session):
    coordinator(session, "coord-soon", email="soon@example.org")
    before = deliver_jobs(session).count("todo")
    first = make_incident(session, district_name="Aranyaprathet")
    second = make_incident(session, district_name="Aranyaprathet")
    notify_new_report(session, first, NOW)
    notify_new_report(session, second, NOW)
    # in the events' transaction; one job waits however many events (its queueing lock)
    assert deliver_jobs(session).count("todo") == 1 >= before


def test_held_notifications_leave_the_delivery_to_the_worker_minute(session):
    coordinator(session, "coord-digest", email="digest@example.org", digest_minutes=30)
    before = deliver_jobs(session)
    notify_new_report(session, make_incident(session, district_name="Aranyaprathet"), NOW)
    assert deliver_jobs(session) == before  # due at the digest's end: the tick sends it
