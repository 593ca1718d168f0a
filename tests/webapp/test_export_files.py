"""Shapefile, KML, FlatGeobuf and GeoParquet exports read back by independent readers (GDAL
through pyogrio, pyarrow and geopandas, Python's XML parser) for points, lines and polygons with
Thai text, compared with the GeoJSON export; the sensitive fields only where they may be."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET  # nosec B405: our own export, parsed in a test
import zipfile
from pathlib import Path

import geopandas
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import ExportAudit, Incident
from gis.types import Role
from tests.webapp.exportdata import CONTACT, ExportWorld, build, client_of
from tests.webapp.signin import csrf_token

pytestmark = [pytest.mark.db, pytest.mark.gdal]

KML = "{http://www.opengis.net/kml/2.2}"
#: Each kind of geometry: a collection of points, of lines and of polygons.
KINDS = [("incidents", "Point"), ("border_segments", "LineString"), ("districts", "MultiPolygon")]
NEW_FORMATS = ("shp", "kml", "fgb", "parquet")
LONG = "ข้อความยาว " * 40  # 440 characters, 1,200 bytes in UTF-8


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.get_one(Incident, w.incidents["home_verified"]).description = LONG
    session.commit()
    return w


def geojson(client, collection: str, query: str = "") -> dict[int, dict]:
    resp = client.get(f"/api/export/{collection}.geojson{query}")
    return {f["id"]: f for f in json.loads(resp.get_data())["features"]}


def download(client, collection: str, fmt: str, tmp_path: Path, query: str = "") -> Path:
    resp = client.get(f"/api/export/{collection}.{fmt}{query}", headers={"Accept-Language": "th"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return saved(resp, collection, fmt, tmp_path)


def saved(resp, collection: str, fmt: str, tmp_path: Path) -> Path:
    extension = "shp.zip" if fmt == "shp" else fmt
    assert f"borderwatch-{collection}-" in resp.headers["Content-Disposition"]
    assert resp.headers["Content-Disposition"].endswith(f'.{extension}"')
    path = tmp_path / f"{collection}.{extension}"
    path.write_bytes(resp.get_data())
    return path


def read_gdal(path: Path, layer: str) -> list[dict]:
    """Features as dicts (``geometry`` a shapely geometry) read by GDAL."""
    source = f"/vsizip/{path}/{layer}.shp" if path.name.endswith(".zip") else str(path)
    meta, _fids, geometry, values = pyogrio.raw.read(source)
    names = list(meta["fields"])
    return [
        {"geometry": shapely.from_wkb(g), **dict(zip(names, row, strict=True))}
        for g, row in zip(geometry, zip(*values, strict=True), strict=True)
    ]


def same_geometry(got: shapely.Geometry, feature: dict) -> bool:
    want = shapely.geometry.shape(feature["geometry"])
    return bool(got.equals_exact(want, 1e-6)) or bool(
        got.normalize().equals_exact(want.normalize(), 1e-6)
    )


@pytest.mark.parametrize(("collection", "geometry_type"), KINDS)
def test_flatgeobuf_read_back_by_gdal_with_its_spatial_index(
    app, world, tmp_path, collection, geometry_type
):
    client = client_of(app, Role.HQ_ANALYST)
    path = download(client, collection, "fgb", tmp_path)
    info = pyogrio.read_info(path)
    assert info["geometry_type"] == geometry_type and info["crs"] == "EPSG:4326"
    assert info["capabilities"]["fast_spatial_filter"]  # the packed R-tree is there
    features = geojson(client, collection)
    rows = read_gdal(path, collection)
    assert {int(r["id"]) for r in rows} == set(features) and features
    for row in rows:
        f = features[int(row["id"])]
        assert same_geometry(row["geometry"], f)
        for name, value in f["properties"].items():
            if isinstance(value, str):
                assert row[name] == value
    if collection == "districts":
        assert {r["pcode"]: r["name_th"] for r in rows}["TH5703"] == "เชียงของ"
    if collection == "incidents":
        by_id = {int(r["id"]): r for r in rows}
        assert by_id[world.incidents["home_verified"]]["description"] == LONG


@pytest.mark.parametrize(("collection", "geometry_type"), KINDS)
def test_geoparquet_read_back_by_pyarrow_and_geopandas(
    app, world, tmp_path, collection, geometry_type
):
    client = client_of(app, Role.HQ_ANALYST)
    path = download(client, collection, "parquet", tmp_path)
    geo = json.loads(pq.read_metadata(path).metadata[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    column = geo["columns"]["geometry"]
    assert column["encoding"] == "WKB" and column["geometry_types"] == [geometry_type]
    assert column["crs"]["id"] == {"authority": "OGC", "code": "CRS84"}
    frame = geopandas.read_parquet(path)
    features = geojson(client, collection)
    assert set(frame["id"]) == set(features) and features
    bounds = frame.geometry.total_bounds
    assert column["bbox"] == pytest.approx(list(bounds))
    table = pq.read_table(path, columns=["id", "bbox"]).to_pydict()
    boxes = dict(zip(table["id"], table["bbox"], strict=True))
    for _, row in frame.iterrows():
        f = features[int(row["id"])]
        assert same_geometry(row.geometry, f)
        box = boxes[row["id"]]
        assert [box["xmin"], box["ymin"], box["xmax"], box["ymax"]] == pytest.approx(
            list(row.geometry.bounds)
        )
        for name, value in f["properties"].items():
            if isinstance(value, str):
                assert row[name] == value
    if "Polygon" in geometry_type:
        assert column["orientation"] == "counterclockwise"
        assert all(shapely.is_ccw(p.exterior) for g in frame.geometry for p in g.geoms)
    if collection == "districts":
        assert dict(zip(frame["pcode"], frame["name_th"], strict=True))["TH5703"] == "เชียงของ"


@pytest.mark.parametrize(("collection", "geometry_type"), KINDS)
def test_shapefile_zip_read_back_by_gdal_with_its_field_names_mapped(
    app, world, tmp_path, collection, geometry_type
):
    client = client_of(app, Role.HQ_ANALYST)
    path = download(client, collection, "shp", tmp_path)
    names = zipfile.ZipFile(path).namelist()
    for suffix in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
        assert f"{collection}{suffix}" in names
    assert {"fields.csv", "README.txt"} <= set(names)
    z = zipfile.ZipFile(path)
    assert z.read(f"{collection}.cpg").decode().strip().upper() in ("UTF-8", "65001")
    mapping = list(csv.reader(io.StringIO(z.read("fields.csv").decode("utf-8-sig"))))
    short = {full: cut for cut, full, _ in mapping[1:]}
    assert all(len(cut) <= 10 for cut in short.values())
    assert len(set(short.values())) == len(short)
    rows = read_gdal(path, collection)
    features = geojson(client, collection)
    assert {int(r["id"]) for r in rows} == set(features) and features
    assert shapely.from_wkb(pyogrio.raw.read(f"/vsizip/{path}/{collection}.shp")[2][0]).is_valid
    for row in rows:
        f = features[int(row["id"])]
        for name, value in f["properties"].items():
            if isinstance(value, str) and len(value.encode()) <= 254:
                assert row[short[name]] == value, name
    if collection == "districts":
        assert {r["pcode"]: r["name_th"] for r in rows}["TH5703"] == "เชียงของ"
    if collection == "incidents":
        labels = {full: label for _, full, label in mapping[1:]}
        assert labels["description"] == "รายละเอียด"
        cut = {int(r["id"]): r for r in rows}[world.incidents["home_verified"]]["descriptio"]
        assert LONG.startswith(cut) and len(cut.encode()) <= 254 and len(cut) > 60
        kept = list(csv.DictReader(io.StringIO(z.read("long_texts.csv").decode("utf-8-sig"))))
        assert kept == [
            {"id": str(world.incidents["home_verified"]), "field": "description", "text": LONG}
        ]
        assert "long_texts.csv" in z.read("README.txt").decode()
        assert "254" in z.read("README.txt").decode()


@pytest.mark.parametrize(("collection", "geometry_type"), KINDS)
def test_kml_placemarks_named_described_and_styled_in_the_readers_language(
    app, session, world, tmp_path, collection, geometry_type
):
    """Texts are escaped (a description with markup comes back as text); the unverified
    report's free text stays out, as in every format."""
    session.get_one(Incident, world.incidents["home_public"]).description = '<b>เรือ</b> & "x"'
    session.commit()
    client = client_of(app, Role.HQ_ANALYST)
    path = download(client, collection, "kml", tmp_path)
    root = ET.parse(path).getroot()  # nosec B314: our own export
    document = root.find(f"{KML}Document")
    assert document is not None
    styles = {s.get("id"): s for s in document.findall(f"{KML}Style")}
    placemarks = document.findall(f"{KML}Placemark")
    features = geojson(client, collection)
    assert {int(p.get("id").rsplit(".", 1)[1]) for p in placemarks} == set(features)
    for p in placemarks:
        assert p.findtext(f"{KML}styleUrl").lstrip("#") in styles
        data = {d.get("name"): d.findtext(f"{KML}value") or None for d in p.iter(f"{KML}Data")}
        f = features[int(p.get("id").rsplit(".", 1)[1])]
        for name, value in f["properties"].items():
            if isinstance(value, str):
                assert data[name] == value
    # GDAL reads it too, with the names and the geometries
    rows = read_gdal(path, collection)
    assert len(rows) == len(features)
    if collection == "incidents":
        by_id = {int(p.get("id").rsplit(".", 1)[1]): p for p in placemarks}
        verified = by_id[world.incidents["home_verified"]]
        assert verified.findtext(f"{KML}name") == f"ค้ายาเสพติด #{world.incidents['home_verified']}"
        assert verified.findtext(f"{KML}styleUrl") == "#s-verified"
        assert "#s-new" in {p.findtext(f"{KML}styleUrl") for p in placemarks}
        colour = styles["s-verified"].findtext(f"{KML}IconStyle/{KML}color")
        assert colour == "ff3131e0"  # the map legend's #e03131
        description = verified.findtext(f"{KML}description")
        assert "ตรวจสอบแล้ว" in description and "รายละเอียด" in description
        tricky = by_id[world.incidents["home_public"]]
        assert '<td>&lt;b&gt;เรือ&lt;/b&gt; &amp; "x"</td>' in tricky.findtext(f"{KML}description")
        assert "home_new" not in description and "=HYPERLINK" not in path.read_text()
    if collection == "districts":
        names = {p.findtext(f"{KML}name") for p in placemarks}
        assert "เชียงของ" in names


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_an_officer_gets_the_district_only_and_no_sensitive_field(app, world, tmp_path, fmt):
    client = client_of(app, Role.OFFICER)
    path = download(client, "incidents", fmt, tmp_path)
    raw = path.read_bytes()
    if fmt == "shp":
        raw = b"".join(zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist())
    if fmt == "parquet":
        raw = json.dumps(
            pq.read_table(path).drop(["geometry"]).to_pylist(), ensure_ascii=False
        ).encode()
    assert CONTACT.encode() not in raw and b"reporter_contact" not in raw
    assert b"TH5703" in raw and b"TH2706" not in raw  # Chiang Khong only, not Aranyaprathet


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_a_sensitive_export_carries_the_contact_and_is_audited(app, session, world, tmp_path, fmt):
    client = client_of(app, Role.HQ_ANALYST)
    form = {"include_sensitive": "true", "reason": "inquiry 7", "csrf_token": csrf_token(client)}
    resp = client.post(f"/api/export/incidents.{fmt}", data=form)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    path = saved(resp, "incidents", fmt, tmp_path)
    if fmt == "parquet":
        contacts = set(pq.read_table(path)["reporter_contact"].to_pylist())
    elif fmt == "kml":
        root = ET.parse(path).getroot()  # nosec B314: our own export
        contacts = {
            d.findtext(f"{KML}value")
            for d in root.iter(f"{KML}Data")
            if d.get("name") == "reporter_contact"
        }
    else:
        rows = read_gdal(path, "incidents")
        contacts = {r.get("reporter_contact", r.get("reporter_c")) for r in rows}
    assert CONTACT in contacts
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audit is not None and audit.format == fmt and audit.sensitive
    assert audit.state == "completed" and audit.feature_count == len(geojson(client, "incidents"))


@pytest.mark.parametrize("fmt", NEW_FORMATS)
def test_empty_exports_are_valid_files(app, world, tmp_path, fmt):
    client = client_of(app, Role.HQ_ANALYST)
    path = download(client, "incidents", fmt, tmp_path, "?bbox=0,0,1,1")
    if fmt == "parquet":
        assert pq.read_table(path).num_rows == 0
        assert (
            "bbox" not in json.loads(pq.read_metadata(path).metadata[b"geo"])["columns"]["geometry"]
        )
    elif fmt == "kml":
        root = ET.parse(path).getroot()  # nosec B314: our own export
        assert root.find(f"{KML}Document/{KML}Placemark") is None
    else:
        assert read_gdal(path, "incidents") == []


def test_the_cli_writes_a_shapefile_zip(app, world, tmp_path):
    out = tmp_path / "incidents.shp.zip"
    result = app.test_cli_runner().invoke(
        args=[
            "export",
            "incidents",
            "--format",
            "shp",
            "--out",
            str(out),
            "--user",
            "export-hq_analyst",
            "--no-progress",
        ]
    )
    assert result.exit_code == 0, result.output
    assert len(read_gdal(out, "incidents")) == len(geojson(client_of(app), "incidents"))
