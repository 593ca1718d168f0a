"""The incidents layer over HTTP: listed and served to signed-in roles only, filters checked."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial

import pytest

from gis.types import Role
from layers.registry import REFERENCE_LAYERS, visible_layers
from tests.factories import make_incident
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

URL = "/api/layers/incidents"
#: Chiang Khong (the scoped accounts' district) and a box around it.
HOME = (100.40, 20.26)
HOME_BOX = "100.3,20.1,100.6,20.4"
T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


#: A verified incident of Chiang Khong whose description is HTML (drawn as text, never run).
incident = partial(
    make_incident,
    district_name="Chiang Khong",
    where=HOME,
    status="verified",
    occurred_at=T0,
    description="<img src=x onerror=alert(1)>",
)


@pytest.fixture
def coordinator(client, session):
    make_user(session, Role.COORDINATOR)
    assert sign_in(client, "test-coordinator").status_code == 302
    return client


def test_the_public_gets_no_incidents_layer(client, session):
    incident(session)
    listed = client.get("/api/layers").get_json()["layers"]
    assert "incidents" not in {layer["name"] for layer in listed}
    resp = client.get(URL + "?bbox=" + HOME_BOX)
    assert resp.status_code == 404
    assert resp.get_json()["error"] == "not_found"
    assert b"onerror" not in resp.data
    assert "bw-layer-incidents" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_signed_in_role_has_the_layer_listed_last(client, session, role):
    make_user(session, role)
    assert sign_in(client, f"test-{role.value.replace('_', '-')}").status_code == 302
    listed = client.get("/api/layers").get_json()["layers"]
    names = [layer["name"] for layer in listed]
    # the reference layers first, the role's analysis layers (hotspots, coverage) between, the
    # incidents on top
    assert names == [spec.name for spec in visible_layers(role)]
    assert names[: len(REFERENCE_LAYERS)] == [spec.name for spec in REFERENCE_LAYERS]
    assert names[-1] == "incidents"
    assert listed[-1]["filters"] == ["category", "status", "since", "until"]
    assert listed[-1]["url"] == URL


def test_a_coordinator_gets_the_districts_incidents_as_geojson(coordinator, session):
    mine = incident(session)
    resp = coordinator.get(URL + "?bbox=" + HOME_BOX + "&zoom=9")
    assert resp.status_code == 200
    assert resp.mimetype == "application/geo+json"
    assert "no-store" in resp.headers["Cache-Control"]
    body = json.loads(resp.get_data(as_text=True))
    assert [f["id"] for f in body["features"]] == [mine.id]
    assert body["total"] == 1 and body["truncated"] is False
    # JSON carries the text as it is; the browser draws it as text (tests/browser).
    assert body["features"][0]["properties"]["description"] == "<img src=x onerror=alert(1)>"


def test_filters_reach_the_layer(coordinator, session):
    drugs = incident(session, category="drug_trafficking")
    incident(session, category="smuggling")
    referred = incident(
        session, category="other", status="referred", occurred_at=T0 + dt.timedelta(days=3)
    )

    def fetched(query: str) -> set[int]:
        resp = coordinator.get(URL + "?bbox=" + HOME_BOX + query)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return {f["id"] for f in resp.get_json()["features"]}

    assert fetched("&category=drug_trafficking,other") == {drugs.id, referred.id}
    assert fetched("&status=referred") == {referred.id}
    assert fetched("&since=2026-06-03") == {referred.id}
    assert fetched("&until=2026-06-02&category=drug_trafficking") == {drugs.id}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("category=drugs", "category"),
        ("status=open", "status"),
        ("since=tomorrow", "since"),
        ("until=2026-06-01T10:00", "until"),
        ("since=2026-06-05&until=2026-06-01", "since"),
        ("bbox=1,2,3", "bbox"),
        ("zoom=99", "zoom"),
        ("reporter=1", "reporter"),
        ("status=new&status=verified", "status"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(coordinator, query, field):
    resp = coordinator.get(f"{URL}?{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_input" and body["field"] == field


def test_reference_layers_still_refuse_the_incident_filters(coordinator):
    resp = coordinator.get("/api/layers/districts?category=smuggling")
    assert resp.status_code == 400 and resp.get_json()["field"] == "category"


def test_the_signed_in_map_loads_the_clustered_layer(coordinator):
    page = coordinator.get("/").get_data(as_text=True)
    assert "leaflet.markercluster.js" in page and "MarkerCluster.Default.css" in page
    assert '"name": "incidents"' in page and '"cluster": true' in page


def test_the_public_map_has_no_cluster_assets(client):
    page = client.get("/").get_data(as_text=True)
    assert "markercluster" not in page and '"name": "incidents"' not in page
