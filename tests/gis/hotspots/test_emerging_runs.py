"""A hotspot run with an emerging hot spot analysis: parameters checked, the cube stored per
hexagon with its category, the run's note, and a cluster appearing in the last week found new."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gis.errors import InvalidInput
from gis.hotspots import runs as clustering
from gis.hotspots.emerging import Emerging, Step, step_edges
from gis.hotspots.params import parse_run_params
from gis.models import EmergingCell, HotspotRun
from gis.parsing import THAI_TIME
from tests.hotspot_data import AS_OF, add_incident

pytestmark = pytest.mark.db

HOME = (100.40, 20.26)
PARAMS = {
    "since": "2026-08-01",
    "until": "2026-11-01T00:00:00Z",
    "corridor_only": False,
    "cell_m": 1000,
    "emerging": "week",
}


def test_step_edges_align_to_the_end():
    until = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    weeks = step_edges(until - dt.timedelta(days=50), until, Step.WEEK)
    assert len(weeks) == 8  # 7 whole weeks
    assert weeks[-1] == until and weeks[-2] == until - dt.timedelta(days=7)
    months = step_edges(dt.datetime(2026, 1, 15, tzinfo=THAI_TIME), until, Step.MONTH)
    assert months[-1] == until
    assert months[0].astimezone(THAI_TIME).month == 2  # 1 Feb 07:00 Thai time onwards
    assert len(months) == 10


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"emerging": "day"}, "emerging"),
        ({"emerging": "month", "since": "2026-08-01", "until": "2026-11-01"}, "emerging"),
        ({"emerging": "week", "since": "2026-10-01", "until": "2026-11-01"}, "emerging"),
    ],
)
def test_bad_emerging_parameters_name_the_field(payload, field):
    with pytest.raises(InvalidInput) as refused:
        parse_run_params(payload, now=AS_OF)
    assert refused.value.field == field


def cluster_in_the_last_week(session) -> tuple[float, float]:
    """Incidents at twelve places of Chiang Khong every other week for twelve weeks, and fifteen
    at one of them in the last week (the place returned)."""
    places = [(HOME[0] + 0.02 * (k % 4), HOME[1] + 0.02 * (k // 4)) for k in range(12)]
    for week in range(12):
        for k, (lon, lat) in enumerate(places):
            if (week + k) % 2 == 0:
                add_incident(session, lon, lat, days_ago=3 + 7 * week)
    spot = places[5]
    for _ in range(15):
        add_incident(session, spot[0] + 0.001, spot[1], days_ago=2)
    return spot


def test_a_cluster_of_the_last_week_is_a_new_hot_spot(session):
    spot = cluster_in_the_last_week(session)
    run = clustering.run_hotspots(session, PARAMS)
    assert run.status == "done"
    assert run.emerging and "new_hot" in run.emerging
    cells = (
        session.execute(select(EmergingCell).where(EmergingCell.run_id == run.id)).scalars().all()
    )
    assert cells and all(c.steps == 13 for c in cells)
    new = [c for c in cells if c.category == Emerging.NEW_HOT]
    assert new
    inside = session.execute(
        select(func.count())
        .select_from(EmergingCell)
        .where(
            EmergingCell.run_id == run.id,
            EmergingCell.category == Emerging.NEW_HOT,
            func.ST_Covers(EmergingCell.geom, func.ST_SetSRID(func.ST_MakePoint(*spot), 4326)),
        )
    ).scalar_one()
    assert inside == 1
    counted = sum(c.n for c in cells)
    assert counted == 12 * 6 + 15  # every incident of the 13 whole weeks, in one hexagon each
    assert all(c.hot_steps + c.cold_steps <= c.steps for c in cells)


def test_without_emerging_the_run_stores_no_cube(session):
    add_incident(session, *HOME, days_ago=3)
    run = clustering.run_hotspots(session, {**PARAMS, "emerging": None})
    assert run.emerging is None
    stored = session.scalar(
        select(func.count()).select_from(EmergingCell).where(EmergingCell.run_id == run.id)
    )
    assert stored == 0
    assert session.get(HotspotRun, run.id).params["emerging"] is None
