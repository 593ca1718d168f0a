"""Patrol plans are need-to-know: the export and the OGC API give each account exactly the plans
the patrol API lists for it (one rule, :func:`gis.patrols.plans.readable_plans`), and
administrators and volunteers none.

Before, administrators (national scope) read every plan through
``/api/export/patrol_plans.*`` and ``/ogcapi/collections/patrol_plans/items`` although the
patrol API and the map gave them none.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from gis.parsing import THAI_TIME
from gis.patrols.plans import READERS, PlanRequest, create_plan
from gis.types import PatrolUnit, Role
from tests.patrol_data import make_run
from tests.webapp.authz import AWAY, HOME
from tests.webapp.exportdata import build, client_of, ids_of

pytestmark = pytest.mark.db


@pytest.fixture
def plans(session: Session) -> dict[str, int]:
    """A plan in the scoped accounts' district (Chiang Khong) and one in Aranyaprathet."""
    world = build(session)
    (home,) = make_run(session, [HOME])
    (away,) = make_run(session, [AWAY], pcode="TH2706")
    today = dt.datetime.now(THAI_TIME).date()
    made = {}
    for name, pcode, spot in (("home", "TH5703", home), ("away", "TH2706", away)):
        req = PlanRequest(
            district=pcode, unit=PatrolUnit.POLICE, planned_for=today, hotspot_ids=(spot.id,)
        )
        made[name] = create_plan(session, req, world.users[Role.HQ_ANALYST]).plan.id
    session.commit()
    return made


@pytest.mark.parametrize("role", list(Role))
def test_export_and_ogc_api_give_the_plans_the_patrol_api_lists(app, plans, role):
    client = client_of(app, role)
    api = client.get("/api/patrols")
    listed = {p["id"] for p in api.get_json()["items"]} if api.status_code == 200 else set()
    assert api.status_code == (200 if role in READERS else 403)
    exported = ids_of(client.get("/api/export/patrol_plans.geojson"))
    paged = ids_of(client.get("/ogcapi/collections/patrol_plans/items?limit=1000"))
    assert exported == paged == listed
    offered = {c["id"] for c in client.get("/ogcapi/collections").get_json()["collections"]}
    assert ("patrol_plans" in offered) is (role in READERS)
    one = client.get(f"/ogcapi/collections/patrol_plans/items/{plans['home']}")
    assert one.status_code == (200 if plans["home"] in listed else 404)
    if role in READERS:
        assert plans["home"] in listed  # the rule is not "nobody"


def test_administrators_read_no_plan_anywhere(app, plans):
    client = client_of(app, Role.ADMINISTRATOR)
    for path in (
        "/api/export/patrol_plans.geojson",
        "/api/export/patrol_plans.csv",
        "/ogcapi/collections/patrol_plans",
        "/ogcapi/collections/patrol_plans/items",
        f"/ogcapi/collections/patrol_plans/items/{plans['home']}",
    ):
        resp = client.get(path)
        assert resp.status_code == 404, path
        assert resp.get_json()["field"] == "collection", path
    assert client.get(f"/api/patrols/{plans['home']}").status_code == 403
