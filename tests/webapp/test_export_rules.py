"""One rule per collection: the export gives each role the incidents its map layer shows and the
hotspots of the runs the hotspot API shows it (the export's collections call the features' own
functions, :func:`gis.incidents.map_layer.readable_incidents` and
:func:`gis.hotspots.queries.readable_runs`; patrol plans: ``test_export_patrol_plans``)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import District
from gis.types import Role
from tests.factories import report_incident
from tests.webapp.exportdata import ExportWorld, build, client_of, ids_of
from tests.webapp.test_export_api import _run

pytestmark = pytest.mark.db

#: Every district of the service area, lon/lat.
EVERYWHERE = "97,5,108,21"


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    report_incident(session, (100.41, 20.26), reporter=w.users[Role.VOLUNTEER])
    session.commit()
    return w


@pytest.mark.parametrize("role", list(Role))
def test_each_role_exports_the_incidents_its_map_layer_shows(app, world, role):
    client = client_of(app, role)
    layer = client.get(f"/api/layers/incidents?bbox={EVERYWHERE}&zoom=12")
    assert layer.status_code == 200
    body = json.loads(layer.get_data())
    assert body["truncated"] is False
    shown = {f["id"] for f in body["features"]}
    assert shown  # every role sees something of this world
    assert ids_of(client.get("/api/export/incidents.geojson")) == shown
    paged = client.get("/ogcapi/collections/incidents/items?limit=10000")
    assert ids_of(paged) == shown


@pytest.mark.parametrize("role", list(Role))
def test_each_role_exports_the_hotspots_of_the_runs_the_hotspot_api_shows(
    app, session, world, role
):
    home = session.execute(select(District.id).where(District.pcode == "TH5703")).scalar_one()
    runs = {"national": _run(session, None), "local": _run(session, [home])}
    session.commit()
    client = client_of(app, role)
    for run_id in runs.values():
        api = client.get(f"/api/hotspots/runs/{run_id}/hotspots")
        shown = ids_of(api) if api.status_code in (200, 404) else set()
        assert api.status_code in (200, 403, 404), api.status_code
        exported = ids_of(client.get(f"/api/export/hotspots.geojson?run={run_id}"))
        assert exported == shown, (role, run_id)
