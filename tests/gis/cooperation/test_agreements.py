"""Agreements and action items: owner, due day, status, links, overdue marking, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.agreements import (
    action_json,
    add_action,
    list_actions,
    parse_action,
    update_action,
)
from gis.cooperation.audit import changes_of
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.types import CooperationRecord, Role
from tests.factories import make_incident, make_user
from tests.gis.cooperation.data import activity_body

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 12, 7)


def _meeting(session):
    coordinator = make_user(session, Role.COORDINATOR)
    return coordinator, create_activity(
        session, parse_activity(activity_body(session)), coordinator
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"owner_side": "LAO"}, "text"),
        ({"text": "x", "owner_side": "CHN"}, "owner_side"),
        ({"text": "x", "owner_side": "LAO", "due_on": "soon"}, "due_on"),
        ({"text": "x", "owner_side": "LAO", "status": "forgotten"}, "status"),
        ({"text": "x", "owner_side": "LAO", "incident_id": "seven"}, "incident_id"),
        ({"text": "x", "owner_side": "LAO", "colour": 1}, "colour"),
    ],
)
def test_a_bad_item_is_refused_by_name(body, field):
    with pytest.raises(InvalidInput) as caught:
        parse_action(body)
    assert caught.value.field == field


def test_an_item_past_its_due_day_and_still_open_is_overdue(session):
    coordinator, activity = _meeting(session)
    late = add_action(
        session,
        activity.id,
        parse_action(
            {
                "text": "ลาดตระเวนร่วมจุดท่าเรือ",
                "owner_side": "LAO",
                "owner_agency": "ตำรวจเมืองห้วยทราย",
                "due_on": "2026-12-01",
            }
        ),
        coordinator,
    )
    done = add_action(
        session,
        activity.id,
        parse_action(
            {
                "text": "แลกเปลี่ยนรายชื่อผู้ประสานงาน",
                "owner_side": "THA",
                "due_on": "2026-11-30",
                "status": "done",
            }
        ),
        coordinator,
    )
    future = add_action(
        session,
        activity.id,
        parse_action({"text": "ประชุมครั้งหน้า", "owner_side": "THA", "due_on": "2026-12-20"}),
        coordinator,
    )
    assert action_json(late, TODAY)["overdue"] is True
    assert action_json(done, TODAY)["overdue"] is False
    assert action_json(future, TODAY)["overdue"] is False
    hq = make_user(session, Role.HQ_ANALYST)
    assert [i.id for i in list_actions(session, hq, TODAY, only_overdue=True)] == [late.id]
    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    assert list_actions(session, away, TODAY, only_overdue=True) == []
    update_action(
        session,
        late.id,
        parse_action(
            {"text": late.text, "owner_side": "LAO", "due_on": "2026-12-01", "status": "done"}
        ),
        coordinator,
    )
    assert list_actions(session, hq, TODAY, only_overdue=True) == []
    _created, updated = changes_of(session, CooperationRecord.ACTION_ITEM, late.id)
    assert (updated.old_value["status"], updated.new_value["status"]) == ("open", "done")


def test_an_item_links_only_to_records_that_exist_and_the_viewer_sees(session):
    coordinator, activity = _meeting(session)
    home = make_incident(session, district_name="Chiang Khong")
    away = make_incident(session, district_name="Aranyaprathet")
    item = add_action(
        session,
        activity.id,
        parse_action({"text": "เฝ้าระวังร่วม", "owner_side": "THA", "incident_id": home.id}),
        coordinator,
    )
    assert item.incident_id == home.id
    for name, value in (
        ("incident_id", away.id),
        ("checkpoint_id", 2_000_000_000),
        ("natural_crossing_id", 2_000_000_000),
    ):
        with pytest.raises(InvalidInput) as caught:
            add_action(
                session,
                activity.id,
                parse_action({"text": "x", "owner_side": "THA", name: value}),
                coordinator,
            )
        assert caught.value.field == name
    assert len(list_actions(session, coordinator, TODAY, activity_id=activity.id)) == 1


def test_readers_do_not_record_items_and_other_districts_do_not_reach_them(session):
    _coordinator, activity = _meeting(session)
    hq = make_user(session, Role.HQ_ANALYST)
    with pytest.raises(Forbidden):
        add_action(session, activity.id, parse_action({"text": "x", "owner_side": "THA"}), hq)
    away = make_user(session, Role.OFFICER, "away-officer", district="TH2706")
    with pytest.raises(NotFound):
        add_action(session, activity.id, parse_action({"text": "x", "owner_side": "THA"}), away)
