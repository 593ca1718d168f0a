"""Activities: validation at the edge naming the field, nothing partly written, scope, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.cooperation.activities import (
    activity_json,
    create_activity,
    get_activity,
    list_activities,
    parse_activity,
    update_activity,
)
from gis.cooperation.audit import changes_of
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.models import (
    Activity,
    ActivityArea,
    ActivityParticipants,
    ActivityTopic,
    CooperationChange,
)
from gis.types import CooperationRecord, Role
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body, pair_ids

pytestmark = pytest.mark.db


def _rows(session) -> tuple[int, ...]:
    return tuple(
        session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in (Activity, ActivityArea, ActivityTopic, ActivityParticipants, CooperationChange)
    )


def test_a_coordinator_records_a_meeting_with_its_areas_topics_and_counts(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    body = activity_json(session, activity)
    assert body["district"]["pcode"] == "TH5703"
    assert sorted(a["id"] for a in body["parallel_areas"]) == pair_ids(session)[:2]
    assert body["topics"] == ["drug_trafficking", "health_care"]
    # a zero count is not stored
    assert body["participants"] == [
        {"side": "LAO", "group": "officials", "total": 8, "women": 2},
        {"side": "THA", "group": "officials", "total": 12, "women": 4},
    ]
    assert (body["lon"], body["lat"]) == pytest.approx((100.41, 20.27))
    (change,) = changes_of(session, CooperationRecord.ACTIVITY, activity.id)
    assert change.action == "created" and change.by_id == coordinator.id
    assert change.new_value["title"] == body["title"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_on": "2026-11-12", "ends_on": "2026-11-11"}, "ends_on"),
        ({"starts_on": "12/11/2026"}, "starts_on"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"kind": "party"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"lon": 120.0}, "lon"),
        ({"lat": float("nan")}, "lat"),
        ({"topics": ["weather"]}, "topics"),
        ({"topics": "health_care"}, "topics"),
        ({"parallel_areas": ["one"]}, "parallel_areas"),
        (
            {"participants": [{"side": "THA", "group": "youth", "total": -1}]},
            "participants[0].total",
        ),
        (
            {"participants": [{"side": "THA", "group": "youth", "total": 2, "women": 3}]},
            "participants[0].women",
        ),
        ({"participants": [{"side": "VNM", "group": "youth", "total": 2}]}, "participants[0].side"),
        (
            {"participants": [{"side": "THA", "group": "youth", "total": 2, "name": "x"}]},
            "participants[0].name",
        ),
        (
            {"participants": [{"side": "THA", "group": "youth", "total": 1}] * 2},
            "participants[1].group",
        ),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_member_is_refused_by_name(session, overrides, field):
    with pytest.raises(InvalidInput) as caught:
        parse_activity(activity_body(session, **overrides))
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parallel_areas": [2_000_000_000]}, "parallel_areas"),
        ({"district": "TH2706"}, "district"),  # Aranyaprathet: outside the coordinator's scope
        ({"district": "nowhere"}, "district"),
    ],
)
def test_a_refusal_against_the_database_names_the_field_and_writes_nothing(
    session, overrides, field
):
    coordinator = make_user(session, Role.COORDINATOR)
    before = _rows(session)
    with pytest.raises(InvalidInput) as caught:
        create_activity(session, parse_activity(activity_body(session, **overrides)), coordinator)
    assert caught.value.field == field
    assert _rows(session) == before


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PATROL_PLANNER, Role.HQ_ANALYST])
def test_only_coordinators_and_officers_record(session, role):
    user = make_user(session, role)
    before = _rows(session)
    with pytest.raises(Forbidden):
        create_activity(session, parse_activity(activity_body(session)), user)
    assert _rows(session) == before


def test_an_officer_records_and_another_district_does_not_see_it(session):
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    with pytest.raises(NotFound):
        get_activity(session, activity.id, away)
    assert activity.id not in [a.id for a in list_activities(session, away)]
    planner = make_user(session, Role.PATROL_PLANNER)  # Chiang Rai province
    hq = make_user(session, Role.HQ_ANALYST)
    for reader in (planner, hq):
        assert activity.id in [a.id for a in list_activities(session, reader)]
    volunteer = make_user(session, Role.VOLUNTEER)
    with pytest.raises(Forbidden):
        list_activities(session, volunteer)


def test_an_edit_replaces_the_values_and_records_before_and_after(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    changed = activity_body(session, title="ประชุมครั้งที่ 2", topics=["online_fraud"])
    changed["participants"] = [{"side": "THA", "group": "youth", "total": 30, "women": 15}]
    update_activity(session, activity.id, parse_activity(changed), coordinator)
    body = activity_json(session, activity)
    assert body["title"] == "ประชุมครั้งที่ 2" and body["topics"] == ["online_fraud"]
    assert body["participants"] == [{"side": "THA", "group": "youth", "total": 30, "women": 15}]
    _created, updated = changes_of(session, CooperationRecord.ACTIVITY, activity.id)
    assert updated.action == "updated"
    assert updated.old_value["topics"] == ["drug_trafficking", "health_care"]
    assert updated.new_value["topics"] == ["online_fraud"]


def test_an_edit_refused_leaves_the_activity_as_it_was(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    before = activity_json(session, activity)
    with pytest.raises(InvalidInput) as caught:
        update_activity(
            session,
            activity.id,
            parse_activity(activity_body(session, parallel_areas=[2_000_000_000])),
            coordinator,
        )
    assert caught.value.field == "parallel_areas"
    assert activity_json(session, activity) == before
    assert len(changes_of(session, CooperationRecord.ACTIVITY, activity.id)) == 1
