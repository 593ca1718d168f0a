"""OGC API - Features Part 3 (CQL2 filter) and Part 2 (CRS) on the items of every collection:
the filter's answer equals the same selection made by hand, a property the caller may not read is
unknown to its filter, ``numberMatched`` counts what the filter keeps, coordinates come in the
asked CRS (EPSG:4326 latitude first), ``bbox-crs`` reads a box in UTM; OWSLib and GDAL's OAPIF
driver read a filtered page in UTM 47N from a live server."""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import pytest
from owslib.ogcapi.features import Features
from pyproj import Transformer
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.export.collections import COLLECTIONS
from gis.types import Role
from tests.browser.conftest import serve
from tests.webapp.exportdata import ExportWorld, build
from tests.webapp.test_ogcapi_gdal import run

pytestmark = pytest.mark.db

UTM47 = "http://www.opengis.net/def/crs/EPSG/0/32647"
EPSG4326 = "http://www.opengis.net/def/crs/EPSG/0/4326"


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def bearer(session: Session, world: ExportWorld, role: Role = Role.HQ_ANALYST) -> dict[str, str]:
    made = tokens.create_token(session, world.users[role], f"cql-{role.value}")
    session.commit()
    return {"Authorization": f"Bearer {made.secret}"}


def items(client, headers, cid: str = "incidents", **params: str):
    query = "&".join(f"{k.replace('_', '-')}={quote(v)}" for k, v in params.items())
    resp = client.get(f"/ogcapi/collections/{cid}/items?limit=1000&{query}", headers=headers)
    resp.get_data()  # the page is streamed: read it whole, then close it
    resp.close()
    return resp


def ids(resp) -> set[int]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return {f["id"] for f in resp.get_json()["features"]}


def test_a_cql2_filter_keeps_what_the_same_sql_keeps(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    everything = ids(items(client, headers))
    drugs = ids(items(client, headers, filter="category = 'drug_trafficking'"))
    expected = set(
        session.execute(
            text("SELECT id FROM incident WHERE category = 'drug_trafficking' AND id = ANY(:ids)"),
            {"ids": sorted(everything)},
        ).scalars()
    )
    assert drugs == expected and world.incidents["home_verified"] in drugs
    assert drugs < everything
    # OR, NOT, IN, LIKE, BETWEEN, IS NULL, CASEI, timestamps: each the complement of its negation
    for cql in (
        "category = 'drug_trafficking' OR severity >= 4",
        "status IN ('verified', 'new')",
        "district_th LIKE 'เชียง%'",
        "CASEI(district) = casei('CHIANG KHONG')",
        "severity BETWEEN 2 AND 4",
        "description IS NULL",
        "occurred_at < TIMESTAMP('2026-11-15T00:00:00Z')",
        "occurred_at > DATE('2026-11-15')",
        "S_INTERSECTS(geometry, POLYGON((100.3 20.1, 100.5 20.1, 100.5 20.4, 100.3 20.1)))",
        "id > 0",
    ):
        kept = ids(items(client, headers, filter=cql))
        dropped = ids(items(client, headers, filter=f"NOT ({cql})"))
        assert kept | dropped <= everything and not kept & dropped, cql
    old = ids(items(client, headers, filter="occurred_at < TIMESTAMP('2026-11-15T00:00:00Z')"))
    assert old == {world.incidents["home_verified"]}


def test_cql2_json_and_the_matched_number(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    body = json.dumps({"op": "=", "args": [{"property": "category"}, "drug_trafficking"]})
    resp = items(client, headers, filter=body, filter_lang="cql2-json")
    page = resp.get_json()
    assert page["numberMatched"] == len(page["features"]) >= 1
    small = items(client, headers, filter="category <> 'drug_trafficking'").get_json()
    every = items(client, headers).get_json()
    assert small["numberMatched"] + page["numberMatched"] == every["numberMatched"]


@pytest.mark.parametrize(
    ("cql", "lang"),
    [
        ("category = ", "cql2-text"),
        ("no_such_property = 1", "cql2-text"),
        ("severity = 'high'", "cql2-text"),
        ("category = 3", "cql2-text"),
        ("severity + 1 > 2", "cql2-text"),
        ("photo_links = 'x'", "cql2-text"),
        ("{not json", "cql2-json"),
        ("x" * 5000, "cql2-text"),
        ("NOT (" * 60 + "severity = 1" + ")" * 60, "cql2-text"),
    ],
)
def test_a_bad_filter_is_a_400_naming_filter(app, session, world, cql, lang):
    client, headers = app.test_client(), bearer(session, world)
    resp = items(client, headers, filter=cql, filter_lang=lang)
    assert resp.status_code == 400, resp.get_data(as_text=True)
    assert resp.get_json()["field"] == "filter"


def test_unknown_languages_and_crs_are_refused_naming_them(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    for params, field in (
        ({"filter": "severity = 1", "filter_lang": "ecql"}, "filter-lang"),
        ({"crs": "EPSG:2000"}, "crs"),
        ({"bbox": "1,2,3,4", "bbox_crs": "EPSG:27700"}, "bbox-crs"),
        ({"filter": "severity = 1", "filter_crs": "nope"}, "filter-crs"),
        ({"bbox": "700000,2200000,600000,2300000", "bbox_crs": UTM47}, "bbox"),
    ):
        resp = items(client, headers, **params)
        assert resp.status_code == 400 and resp.get_json()["field"] == field, params


def test_a_property_the_role_may_not_read_is_unknown_to_its_filter(app, session, world):
    """A coordinator's features carry no reporter contact: filtering on it would reveal it."""
    client = app.test_client()
    coordinator = bearer(session, world, Role.COORDINATOR)
    resp = items(client, coordinator, filter="reporter_contact LIKE '081%'")
    assert resp.status_code == 400 and resp.get_json()["field"] == "filter"
    assert "081" not in resp.get_data(as_text=True).replace("'081%'", "")
    # the queryables of that role do not list it either
    schema = client.get("/ogcapi/collections/incidents/queryables", headers=coordinator).get_json()
    assert "reporter_contact" not in schema["properties"]


def test_coordinates_in_the_asked_crs(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    plain = {f["id"]: f for f in items(client, headers).get_json()["features"]}
    to_utm = Transformer.from_crs(4326, 32647, always_xy=True)
    resp = items(client, headers, crs=UTM47)
    assert resp.headers["Content-Crs"] == f"<{UTM47}>"
    for feature in resp.get_json()["features"]:
        lon, lat = plain[feature["id"]]["geometry"]["coordinates"]
        x, y = feature["geometry"]["coordinates"]
        ex, ey = to_utm.transform(lon, lat)
        assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01
    flipped = items(client, headers, crs=EPSG4326).get_json()["features"]
    for feature in flipped:
        assert (
            feature["geometry"]["coordinates"]
            == plain[feature["id"]]["geometry"]["coordinates"][::-1]
        )
    one = world.incidents["home_verified"]
    single = client.get(f"/ogcapi/collections/incidents/items/{one}?crs={UTM47}", headers=headers)
    assert single.headers["Content-Crs"] == f"<{UTM47}>"
    assert single.get_json()["geometry"]["coordinates"][0] > 100000  # metres, not degrees
    doc = client.get("/ogcapi/collections/incidents", headers=headers).get_json()
    assert UTM47 in doc["crs"] and doc["storageCrs"].endswith("CRS84")


def test_a_bbox_in_utm_and_a_filter_shape_in_utm(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    plain = {f["id"]: f for f in items(client, headers).get_json()["features"]}
    target = plain[world.incidents["home_verified"]]["geometry"]["coordinates"]
    x, y = Transformer.from_crs(4326, 32647, always_xy=True).transform(*target)
    box = f"{x - 50},{y - 50},{x + 50},{y + 50}"
    assert ids(items(client, headers, bbox=box, bbox_crs=UTM47)) == {
        world.incidents["home_verified"]
    }
    lat_first = (
        f"{target[1] - 0.0001},{target[0] - 0.0001},{target[1] + 0.0001},{target[0] + 0.0001}"
    )
    assert world.incidents["home_verified"] in ids(
        items(client, headers, bbox=lat_first, bbox_crs=EPSG4326)
    )
    shape = f"S_WITHIN(geometry, BBOX({x - 50},{y - 50},{x + 50},{y + 50}))"
    assert ids(items(client, headers, filter=shape, filter_crs=UTM47)) == {
        world.incidents["home_verified"]
    }


def test_every_collection_takes_a_filter_on_its_queryables(app, session, world):
    client, headers = app.test_client(), bearer(session, world)
    for cid in COLLECTIONS:
        schema = client.get(f"/ogcapi/collections/{cid}/queryables", headers=headers).get_json()
        resp = items(client, headers, cid, filter="id IS NOT NULL", crs=UTM47)
        assert resp.status_code == 200, (cid, resp.get_data(as_text=True))
        for name, prop in schema["properties"].items():
            if prop.get("type") in ("integer", "number"):
                resp = items(client, headers, cid, filter=f"{name} >= 0 OR {name} IS NULL")
                assert resp.status_code == 200, (cid, name, resp.get_data(as_text=True))


@pytest.mark.gdal
def test_owslib_and_gdal_read_a_filtered_page(app, session, world, tmp_path):
    """OWSLib asks for UTM 47N; Debian's GDAL (3.6: its OAPIF driver has no CRS option yet,
    and the GDAL bundled with pyogrio does not send GDAL_HTTP_HEADERS with its own Accept
    header) reads with a filter."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        pytest.fail("ogr2ogr not found: install gdal-bin (scripts/system-deps.sh)")
    headers = bearer(session, world)
    with serve(app) as base:
        client = Features(f"{base}/ogcapi", headers=headers)
        page = client.collection_items(
            "incidents", filter="category = 'drug_trafficking'", crs=UTM47, limit=50
        )
        assert page["features"] and all(
            f["properties"]["category"] == "drug_trafficking" for f in page["features"]
        )
        assert page["features"][0]["geometry"]["coordinates"][0] > 100000
        out = tmp_path / "drugs.geojson"
        secret = headers["Authorization"].removeprefix("Bearer ")
        where = ["-where", "category = 'drug_trafficking' AND severity >= 1"]
        run([ogr2ogr, "-preserve_fid", "-f", "GeoJSON", *where, str(out), f"OAPIF:{base}/ogcapi",
             "incidents"], secret, tmp_path)  # fmt: skip
        read = json.loads(out.read_text(encoding="utf-8"))["features"]
        assert {f["id"] for f in read} == {f["id"] for f in page["features"]}
