"""OGC API - Features under /ogcapi: documents, paging by keyset cursors, scope, bad input."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gis.models import District, ExportAudit, Incident
from gis.types import Role
from tests.webapp.exportdata import ExportWorld, build, client_of

pytestmark = pytest.mark.db


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def local(href: str) -> str:
    parts = urlsplit(href)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_landing_conformance_and_openapi(app, world):
    client = client_of(app, Role.HQ_ANALYST)
    landing = client.get("/ogcapi").get_json()
    rels = {link["rel"]: link for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= set(rels)
    conformance = client.get(local(rels["conformance"]["href"])).get_json()
    assert set(conformance["conformsTo"]) >= {
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    }
    api = client.get(local(rels["service-desc"]["href"]))
    assert api.content_type.startswith("application/vnd.oai.openapi+json")
    doc = json.loads(api.get_data())
    assert doc["openapi"].startswith("3.0")
    assert "/collections/{collectionId}/items" in doc["paths"]
    assert doc["components"]["parameters"]["limit"]["schema"]["maximum"] == 10_000


def test_collections_list_what_the_account_may_read(app, world):
    hq = client_of(app, Role.HQ_ANALYST).get("/ogcapi/collections").get_json()
    ids = {c["id"] for c in hq["collections"]}
    assert {"incidents", "hotspots", "districts", "mekong", "border_segments"} <= ids
    volunteer = client_of(app, Role.VOLUNTEER).get("/ogcapi/collections").get_json()
    assert "hotspots" not in {c["id"] for c in volunteer["collections"]}
    one = client_of(app, Role.HQ_ANALYST).get("/ogcapi/collections/checkpoints").get_json()
    assert one["id"] == "checkpoints" and one["itemType"] == "feature"
    assert any(link["rel"] == "items" for link in one["links"])


def test_items_page_through_next_links_in_id_order(app, session, world):
    client = client_of(app, Role.HQ_ANALYST)
    seen: list[int] = []
    path = "/ogcapi/collections/districts/items?limit=7"
    first = True
    pages = 0
    while path:
        resp = client.get(path)
        assert resp.status_code == 200 and resp.content_type == "application/geo+json"
        page = json.loads(resp.get_data())
        assert page["numberReturned"] == len(page["features"]) <= 7
        if first:
            total = page["numberMatched"]
            first = False
        else:
            assert "numberMatched" not in page  # counted once, on the first page
        seen += [f["id"] for f in page["features"]]
        nxt = [link for link in page["links"] if link["rel"] == "next"]
        path = local(nxt[0]["href"]) if nxt else ""
        assert "offset" not in path
        pages += 1
    want = session.execute(select(District.id).order_by(District.id)).scalars().all()
    assert seen == want and total == len(want)
    assert pages == -(-len(want) // 7)


def test_items_filters_and_scope(app, session, world):
    officer = client_of(app, Role.OFFICER)
    page = json.loads(officer.get("/ogcapi/collections/incidents/items?limit=1000").get_data())
    assert {f["properties"]["district_pcode"] for f in page["features"]} == {"TH5703"}
    assert world.incidents["away"] not in {f["id"] for f in page["features"]}
    boxed = json.loads(
        client_of(app, Role.HQ_ANALYST)
        .get("/ogcapi/collections/incidents/items?bbox=102,13,103,14&datetime=2026-11-01/..")
        .get_data()
    )
    assert [f["id"] for f in boxed["features"]] == [world.incidents["away"]]


def test_one_item_and_its_audit(app, session, world):
    client = client_of(app, Role.HQ_ANALYST)
    fid = world.incidents["home_verified"]
    resp = client.get(f"/ogcapi/collections/incidents/items/{fid}")
    assert resp.status_code == 200 and resp.content_type == "application/geo+json"
    feature = resp.get_json()
    assert feature["type"] == "Feature" and feature["id"] == fid
    assert feature["properties"]["category"] == "drug_trafficking"
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audit is not None and audit.format == "ogcapi" and audit.feature_count == 1
    officer = client_of(app, Role.OFFICER)
    away = officer.get(f"/ogcapi/collections/incidents/items/{world.incidents['away']}")
    assert away.status_code == 404 and away.get_json()["field"] == "featureId"


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/ogcapi/collections/incidents/items?limit=10001", 400, "limit"),
        ("/ogcapi/collections/incidents/items?limit=0", 400, "limit"),
        ("/ogcapi/collections/incidents/items?limit=ten", 400, "limit"),
        ("/ogcapi/collections/incidents/items?bbox=1,2,3", 400, "bbox"),
        ("/ogcapi/collections/incidents/items?datetime=2026-11-20/2026-11-01", 400, "datetime"),
        ("/ogcapi/collections/incidents/items?cursor=bm9wZQ", 400, "cursor"),
        ("/ogcapi/collections/incidents/items?sortby=id", 400, "sortby"),
        ("/ogcapi/collections/districts/items?status=new", 400, "status"),
        ("/ogcapi/collections/incidents/items?f=html", 400, "f"),
        ("/ogcapi/collections/nothing", 404, "collection"),
        ("/ogcapi/collections/nothing/items", 404, "collection"),
        ("/ogcapi/collections/incidents/items/999999999", 404, "featureId"),
        ("/ogcapi/collections/incidents/items/abc", 404, "featureId"),
    ],
)
def test_bad_parameters_are_json_errors(app, world, path, status, field):
    resp = client_of(app, Role.HQ_ANALYST).get(path)
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.content_type == "application/json"
    body = resp.get_json()
    assert body["field"] == field and body["description"]


def test_more_than_one_page_of_incidents_by_cursor(app, session, world):
    district_id = session.execute(
        select(District.id).where(District.pcode == "TH5703")
    ).scalar_one()
    session.execute(
        text(
            "INSERT INTO incident (idempotency_key, category, status, channel, occurred_at,"
            " district_id, geom) SELECT gen_random_uuid(), 'smuggling', 'verified', 'patrol',"
            " now() - interval '1 day', :d, ST_SetSRID(ST_MakePoint(100.4 + g * 1e-5, 20.26),"
            " 4326) FROM generate_series(1, 250) g"
        ),
        {"d": district_id},
    )
    session.commit()
    client = client_of(app, Role.COORDINATOR)
    path, ids = "/ogcapi/collections/incidents/items?limit=100&category=smuggling", []
    while path:
        page = json.loads(client.get(path).get_data())
        ids += [f["id"] for f in page["features"]]
        path = next((local(x["href"]) for x in page["links"] if x["rel"] == "next"), "")
    want = session.execute(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.district_id == district_id,
            Incident.category == "smuggling",
            Incident.status.in_(["new", "verified", "referred", "closed"]),
            text("NOT (channel = 'online_public' AND status = 'new')"),
        )
    ).scalar_one()
    assert len(ids) == len(set(ids)) == want >= 250
    assert ids == sorted(ids)
