"""The OGC API as its clients expect it: OWSLib (the usual Python OGC client) reads the landing
page, the conformance, the collections, their queryables and items from a live server with a
personal API token; every path answers with or without a trailing slash; errors under
``/ogcapi`` are JSON; the queryables list exactly what the features carry."""

from __future__ import annotations

import pytest
from owslib.ogcapi.features import Features
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.export.collections import COLLECTIONS
from gis.types import Role
from tests.browser.conftest import serve
from tests.webapp.exportdata import ExportWorld, build

pytestmark = pytest.mark.db

QUERYABLES = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables"


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


@pytest.fixture
def secret(session: Session, world: ExportWorld) -> str:
    made = tokens.create_token(session, world.users[Role.HQ_ANALYST], "OWSLib")
    session.commit()
    return made.secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_owslib_reads_collections_queryables_and_items(app, secret):
    with serve(app) as base:
        client = Features(f"{base}/ogcapi", headers=bearer(secret))
        assert QUERYABLES in client.conformance()["conformsTo"]
        ids = {c["id"] for c in client.collections()["collections"]}
        assert ids == set(COLLECTIONS)
        schema = client.collection_queryables("incidents")
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        assert {"category", "status", "occurred_at"} <= set(schema["properties"])
        assert schema["properties"]["occurred_at"] == {
            "title": "occurred_at",
            "type": "string",
            "format": "date-time",
        }
        page = client.collection_items("incidents", limit=3)
        assert page["type"] == "FeatureCollection" and 0 < len(page["features"]) <= 3
        for feature in page["features"]:
            assert set(feature["properties"]) <= set(schema["properties"])


def test_the_queryables_are_what_the_features_carry_for_each_role(app, session, world):
    for role in (Role.HQ_ANALYST, Role.COORDINATOR, Role.VOLUNTEER):
        client = app.test_client()
        secret = tokens.create_token(session, world.users[role], f"q-{role.value}").secret
        session.commit()
        for cid in COLLECTIONS:
            listed = client.get(f"/ogcapi/collections/{cid}", headers=bearer(secret))
            if listed.status_code == 404:  # a collection the role may not read
                resp = client.get(f"/ogcapi/collections/{cid}/queryables", headers=bearer(secret))
                assert resp.status_code == 404 and resp.get_json()["field"] == "collection"
                continue
            resp = client.get(f"/ogcapi/collections/{cid}/queryables", headers=bearer(secret))
            assert resp.status_code == 200 and resp.mimetype == "application/schema+json"
            schema = resp.get_json()
            assert schema["properties"]["geometry"]["x-ogc-role"] == "primary-geometry"
            items = client.get(
                f"/ogcapi/collections/{cid}/items?limit=1", headers=bearer(secret)
            ).get_json()
            if items["features"]:
                carried = set(items["features"][0]["properties"])
                named = set(schema["properties"]) - {"geometry", "id"}
                assert carried == named, (role, cid)
            links = {link["rel"] for link in listed.get_json()["links"]}
            assert "http://www.opengis.net/def/rel/ogc/1.0/queryables" in links


@pytest.mark.parametrize(
    "path",
    [
        "/ogcapi/",
        "/ogcapi/conformance/",
        "/ogcapi/collections/",
        "/ogcapi/collections/incidents/",
        "/ogcapi/collections/incidents/queryables/",
        "/ogcapi/collections/incidents/items/?limit=1",
    ],
)
def test_every_path_answers_with_a_trailing_slash_too(app, secret, path):
    client = app.test_client()
    with_slash = client.get(path, headers=bearer(secret))
    body = with_slash.get_data()  # read whole before the next request: items stream
    without = client.get(path.replace("/?", "?").rstrip("/"), headers=bearer(secret))
    without.get_data()
    assert with_slash.status_code == 200 == without.status_code, body[:300]
    assert with_slash.mimetype == without.mimetype


def test_errors_under_ogcapi_are_json(app, secret):
    client = app.test_client()
    for path, field in (
        ("/ogcapi/nothing-here", None),
        ("/ogcapi/collections/nope/", "collection"),
        ("/ogcapi/collections/nope/queryables", "collection"),
    ):
        resp = client.get(path, headers={**bearer(secret), "Accept": "text/html"})
        assert resp.status_code == 404 and resp.mimetype == "application/json", path
        assert resp.get_json()["field"] == field
    refused = client.get("/ogcapi/collections/incidents/queryables?f=xml", headers=bearer(secret))
    assert refused.status_code == 400 and refused.get_json()["field"] == "f"
    anonymous = client.get("/ogcapi/collections/incidents/queryables")
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/json"
