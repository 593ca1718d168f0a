"""The twin-town links and the activities on the map: levels, the MWCC flag, scope."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.map_layer import activities_geojson, link_level, twin_towns_geojson
from gis.errors import Forbidden
from gis.types import Role
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body, pair_ids

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(("count", "level"), [(0, "none"), (1, "some"), (3, "some"), (4, "many")])
def test_a_link_is_none_some_or_many(count, level):
    assert link_level(count) == level


def _links(session, user) -> dict[str, dict]:
    data = json.loads(twin_towns_geojson(session, user, None, TODAY))
    return {
        f["properties"]["parallel_area"] + "|" + f["properties"]["district"]: f
        for f in data["features"]
    }


def test_links_count_the_activities_of_twelve_months_with_that_area(session):
    coordinator = make_user(session, Role.COORDINATOR)
    first, second = pair_ids(session)[:2]
    days = [
        "2026-11-20",
        "2026-10-01",
        "2026-06-01",
        "2026-01-15",
        "2025-11-01",
    ]  # last: > 12 months
    for day in days:
        body = activity_body(
            session, starts_on=day, ends_on=day, parallel_areas=[first], kind="sports"
        )
        create_activity(session, parse_activity(body), coordinator)
    body = activity_body(
        session, starts_on="2026-08-01", ends_on="2026-08-01", parallel_areas=[second]
    )
    create_activity(session, parse_activity(body), coordinator)  # an MWCC meeting, 128 days ago
    features = [
        f for f in json.loads(twin_towns_geojson(session, coordinator, None, TODAY))["features"]
    ]
    assert {f["properties"]["district"] for f in features} == {"Chiang Khong"}
    assert len(features) == len(pair_ids(session))
    by_area = {f["id"].split("-")[1]: f["properties"] for f in features}
    assert by_area[str(first)]["activities_12m"] == 4
    assert by_area[str(first)]["level"] == "many"
    assert by_area[str(first)]["latest"].startswith("2026-11-20 ")
    assert by_area[str(first)]["latest"].count(";") == 2  # the three latest
    assert by_area[str(second)]["level"] == "some"
    assert all(p["last_mwcc"] == "2026-08-01" and p["mwcc_overdue"] for p in by_area.values())
    assert all(f["geometry"]["type"] == "LineString" for f in features)
    # a meeting within 90 days lifts the flag
    recent = activity_body(session, starts_on="2026-11-30", ends_on="2026-11-30")
    create_activity(session, parse_activity(recent), coordinator)
    features = json.loads(twin_towns_geojson(session, coordinator, None, TODAY))["features"]
    assert not any(f["properties"]["mwcc_overdue"] for f in features)


def test_the_layers_keep_to_the_viewers_scope(session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    away_links = json.loads(twin_towns_geojson(session, away, None, TODAY))["features"]
    assert away_links and {f["properties"]["district"] for f in away_links} == {"Aranyaprathet"}
    assert json.loads(activities_geojson(session, away, None))["features"] == []
    hq = make_user(session, Role.HQ_ANALYST)
    points = json.loads(activities_geojson(session, hq, None))["features"]
    assert [p["id"] for p in points] == [activity.id]
    districts = {
        f["properties"]["district"]
        for f in json.loads(twin_towns_geojson(session, hq, None, TODAY))["features"]
    }
    assert len(districts) == 43
    with pytest.raises(Forbidden):
        twin_towns_geojson(session, make_user(session, Role.VOLUNTEER), None, TODAY)
