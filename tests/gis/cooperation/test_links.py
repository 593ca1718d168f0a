"""What an agreement may be about: a hotspot of the district's latest run, a natural crossing or a
checkpoint of the district, refused by name otherwise; the form's choices; the link back."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.agreements import (
    add_action,
    items_about,
    link_choices,
    parse_action,
    update_action,
)
from gis.errors import InvalidInput
from gis.models import Checkpoint, District, NaturalCrossing
from gis.types import Role
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body
from tests.patrol_data import make_run

pytestmark = pytest.mark.db

PATH = "MULTILINESTRING((100.40 20.26, 100.42 20.28))"


def _district(session, pcode: str) -> District:
    return session.execute(select(District).where(District.pcode == pcode)).scalar_one()


def _crossing(session, pcode: str, name: str) -> NaturalCrossing:
    crossing = NaturalCrossing(
        code=f"test:{name}",
        name=name,
        risk_level="high",
        district_id=_district(session, pcode).id,
        is_demo=True,
        geom=f"SRID=4326;{PATH}",
    )
    session.add(crossing)
    session.flush()
    return crossing


def _checkpoint(session, pcode: str) -> Checkpoint:
    return session.execute(
        select(Checkpoint)
        .where(Checkpoint.district_id == _district(session, pcode).id)
        .order_by(Checkpoint.id)
        .limit(1)
    ).scalar_one()


def _item(**links):
    return parse_action({"text": "เฝ้าระวังร่วม", "owner_side": "THA", **links})


def test_an_item_is_about_records_of_its_activitys_district_only(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    home_path = _crossing(session, "TH5703", "ช่องทางบ้านหาดบ้าย")
    away_path = _crossing(session, "TH2706", "ช่องทางคลองลึก")
    home_point, away_point = _checkpoint(session, "TH5703"), _checkpoint(session, "TH2706")
    (home_spot,) = make_run(session, [(100.41, 20.27)], pcode="TH5703")
    (away_spot,) = make_run(session, [(102.51, 13.69)], pcode="TH2706")

    item = add_action(
        session,
        activity.id,
        _item(
            hotspot_id=home_spot.id,
            natural_crossing_id=home_path.id,
            checkpoint_id=home_point.id,
        ),
        coordinator,
    )
    assert (item.hotspot_id, item.natural_crossing_id, item.checkpoint_id) == (
        home_spot.id,
        home_path.id,
        home_point.id,
    )
    for field, value in (
        ("hotspot_id", away_spot.id),
        ("natural_crossing_id", away_path.id),
        ("checkpoint_id", away_point.id),
    ):
        with pytest.raises(InvalidInput) as caught:
            add_action(session, activity.id, _item(**{field: value}), coordinator)
        assert caught.value.field == field
        with pytest.raises(InvalidInput) as caught:  # nor by a change of the item
            update_action(session, item.id, _item(**{field: value}), coordinator)
        assert caught.value.field == field


def test_the_form_offers_the_latest_run_and_the_districts_places(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    old = make_run(
        session,
        [(100.41, 20.27)],
        pcode="TH5703",
        finished_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    latest = make_run(session, [(100.41, 20.27), (100.43, 20.25)], pcode="TH5703")
    make_run(session, [(102.51, 13.69)], pcode="TH2706")  # newer still, another district
    path = _crossing(session, "TH5703", "ช่องทางบ้านหาดบ้าย")
    _crossing(session, "TH2706", "ช่องทางคลองลึก")

    choices = link_choices(session, activity)

    assert [c.id for c in choices["hotspot_id"]] == [h.id for h in latest]
    assert old[0].id not in {c.id for c in choices["hotspot_id"]}
    assert [c.name for c in choices["hotspot_id"]] == ["1", "2"]
    assert [c.id for c in choices["natural_crossing_id"]] == [path.id]
    home = _district(session, "TH5703").id
    points = session.execute(select(Checkpoint.id).where(Checkpoint.district_id == home))
    assert {c.id for c in choices["checkpoint_id"]} == set(points.scalars())


def test_the_link_back_lists_the_items_for_readers_in_scope_only(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    point = _checkpoint(session, "TH5703")
    item = add_action(session, activity.id, _item(checkpoint_id=point.id), coordinator)
    planner = make_user(session, Role.PATROL_PLANNER)  # Chiang Rai province
    assert [i.id for i, _ in items_about(session, planner, "checkpoint_id", point.id)] == [item.id]
    away = make_user(session, Role.COORDINATOR, "away", district="TH2706")
    assert items_about(session, away, "checkpoint_id", point.id) == []
    volunteer = make_user(session, Role.VOLUNTEER)
    assert items_about(session, volunteer, "checkpoint_id", point.id) == []
