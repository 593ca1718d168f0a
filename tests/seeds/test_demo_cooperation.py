"""The demo's cooperation register: every target district has its allocation, the levels of
the twin-town layer and the roll-up's both answers occur, all in Thai, made once."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gis.cooperation.budget import budget_summary
from gis.cooperation.map_layer import twin_towns_geojson
from gis.cooperation.reports import national_rollup
from gis.models import ActionItem, Activity, BudgetAllocation, CooperationChange, SpendingLine
from gis.types import Role
from seeds.demo_cooperation import MARK, make_cooperation
from tests.factories import make_user

pytestmark = pytest.mark.db

TODAY = dt.date(2026, 12, 7)
THAI = re.compile("[\u0e00-\u0e7f]")


def test_the_demo_register_covers_every_target_district_once(session):
    made = make_cooperation(session, TODAY)
    assert made.activities > 60 and made.allocations == 43 and made.spending_lines > 0
    again = make_cooperation(session, TODAY)
    assert again.activities == 0
    assert session.execute(select(func.count()).select_from(BudgetAllocation)).scalar_one() == 43
    titles = session.execute(select(Activity.title)).scalars().all()
    assert all(
        t.endswith(MARK) and THAI.search(t) and not re.search("[A-Za-z]{2,}", t) for t in titles
    )
    assert (
        session.execute(select(func.count()).select_from(ActionItem)).scalar_one()
        == made.agreements
    )
    linked = session.execute(
        select(func.count()).where(ActionItem.checkpoint_id.is_not(None))
    ).scalar_one()
    assert linked > 0  # the map's checkpoint popups list them (no natural crossing in the tests)
    changes = session.execute(select(func.count()).select_from(CooperationChange)).scalar_one()
    assert changes == made.activities + made.agreements + made.allocations + made.spending_lines

    hq = make_user(session, Role.HQ_ANALYST)
    links = json.loads(twin_towns_geojson(session, hq, None, TODAY))["features"]
    levels = {f["properties"]["level"] for f in links}
    assert levels == {"none", "some", "many"}
    flags = {f["properties"]["mwcc_overdue"] for f in links}
    assert flags == {True, False}
    rows = national_rollup(session, hq, TODAY - dt.timedelta(days=364), TODAY, TODAY)
    assert {r.met for r in rows} == {True, False}
    (whole,) = [r for r in budget_summary(session, hq, 2570) if r.province_id is None]
    assert whole.allocated == Decimal("80000.00") * 43
    spent = session.execute(select(func.sum(SpendingLine.amount))).scalar_one()
    assert whole.spent == spent
