"""CSV and GeoPackage exports read back by independent readers (Python's csv, GDAL through
pyogrio) and compared with the GeoJSON export and the database."""

from __future__ import annotations

import csv
import io
import json

import pyogrio.raw
import pytest
import shapely
from sqlalchemy import Enum as SAEnum
from sqlalchemy import Text, func, literal, select
from sqlalchemy.orm import Session

from gis.export import Kind
from gis.export.formats import csv_cell, csv_text, plain_text
from gis.models import ExportAudit, Incident
from gis.types import Role
from tests.webapp.exportdata import THAI, ExportWorld, build, client_of
from tests.webapp.signin import csrf_token

pytestmark = [pytest.mark.db, pytest.mark.gdal]

SENSITIVE = {"reporter", "reporter_contact", "photo_links"}


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def geojson(client, query: str = "") -> dict[int, dict]:
    doc = json.loads(client.get(f"/api/export/incidents.geojson{query}").get_data())
    return {f["id"]: f for f in doc["features"]}


def read_csv(resp) -> list[dict[str, str]]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.content_type == "text/csv; charset=utf-8"
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+2", "'=1+2"),
        ("+66 81 555 0101", "'+66 81 555 0101"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r=1", "'\r=1"),
        ("ok =1", "ok =1"),
        (THAI, THAI),
    ],
)
def test_csv_text_cells_that_could_run_as_formulas_are_prefixed(value, cell):
    assert csv_text(value, Kind.TEXT) == cell


@pytest.mark.parametrize(
    "value", ["=1+2", "+66 81 555 0101", "-2+3", "@SUM(A1)", "\tx", "\r=1", 'say "hi", then', THAI]
)
def test_csv_cells_built_in_sql_read_as_csv_text_writes_them(session, value):
    line = session.execute(select(csv_cell(literal(value), Kind.TEXT))).scalar_one()
    assert next(csv.reader([line])) == [csv_text(value, Kind.TEXT)]


CATEGORY = SAEnum("drug_trafficking", "other", name="category")


@pytest.mark.parametrize(
    ("value", "kind", "type_"),
    [
        ("2026-06-01T19:00:00+07:00", Kind.DATETIME, Text),
        ("2026-06-01", Kind.DATE, Text),
        (None, Kind.DATETIME, Text),
        ("drug_trafficking", Kind.TEXT, CATEGORY),
        (None, Kind.TEXT, CATEGORY),
    ],
)
def test_plain_cells_are_the_cells_of_harmless_texts(session, value, kind, type_):
    """Dates and enum labels are only quoted (no defusing, no doubled quotes): the same cell."""
    column = literal(value, type_)
    assert plain_text(column, kind)
    full, plain = session.execute(
        select(csv_cell(column, kind), csv_cell(column, kind, plain=True))
    ).one()
    assert plain == full == ("" if value is None else f'"{value}"')


def test_an_enum_with_a_harmful_label_is_not_plain():
    harmful = SAEnum("ok", "-1+2", name="harmful")
    quoted = SAEnum("ok", 'say "x"', name="quoted")
    assert plain_text(literal("ok", SAEnum("ok", "fine", name="fine")), Kind.TEXT)
    assert not plain_text(literal("ok", harmful), Kind.TEXT)
    assert not plain_text(literal("ok", quoted), Kind.TEXT)
    assert not plain_text(literal("ok", Text), Kind.TEXT)  # any text: defused and escaped
    for column in (Incident.category, Incident.status, Incident.channel):  # the export's enums
        assert plain_text(column, Kind.TEXT)


def test_csv_numbers_stay_numbers():
    assert csv_text(-12.5, Kind.FLOAT) == "-12.5"
    assert csv_text(-3, Kind.INT) == "-3"
    assert csv_text(None, Kind.TEXT) == ""
    assert csv_text(["=x"], Kind.JSON) == '["=x"]'


def test_csv_read_back_equals_the_geojson_export(app, world):
    client = client_of(app, Role.HQ_ANALYST)
    rows = read_csv(client.get("/api/export/incidents.csv"))
    features = geojson(client)
    assert {int(r["id"]) for r in rows} == set(features)
    assert list(rows[0])[:2] == ["WKT", "id"]
    assert not SENSITIVE & set(rows[0])
    for row in rows:
        f = features[int(row["id"])]
        point = shapely.from_wkt(row["WKT"])
        assert [point.x, point.y] == f["geometry"]["coordinates"]
        for name, value in f["properties"].items():
            if value is None:
                assert row[name] == ""
            elif isinstance(value, bool):
                assert row[name] == str(value).lower()
            elif isinstance(value, int | float):
                assert float(row[name]) == value
            else:
                assert row[name].removeprefix("'") == value
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[world.incidents["home_verified"]]["description"] == THAI  # Thai round trip
    assert by_id[world.incidents["home_public"]]["description"] == "'+เห็นเรือ 2 ลำ"


def test_csv_of_a_sensitive_export_protects_the_free_text(app, world):
    client = client_of(app, Role.HQ_ANALYST)
    form = {"include_sensitive": "true", "reason": "inquiry 7", "csrf_token": csrf_token(client)}
    rows = read_csv(client.post("/api/export/incidents.csv", data=form))
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[world.incidents["home_new"]]["description"] == "'=HYPERLINK(1)"
    assert by_id[world.incidents["home_public"]]["reporter_contact"] == "081-555-0101 (Somchai)"


def test_csv_for_an_officer_holds_the_district_only_and_no_sensitive_column(app, world):
    rows = read_csv(client_of(app, Role.OFFICER).get("/api/export/incidents.csv"))
    assert rows and {r["district_pcode"] for r in rows} == {"TH5703"}
    assert not SENSITIVE & set(rows[0])


def read_gpkg(resp, tmp_path, layer: str):
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.content_type == "application/geopackage+sqlite3"
    assert f"borderwatch-{layer}-" in resp.headers["Content-Disposition"]
    path = tmp_path / "out.gpkg"
    path.write_bytes(resp.get_data())
    meta, _fids, geometry, values = pyogrio.raw.read(path, layer=layer)
    names = list(meta["fields"])
    return meta, [
        {"geometry": shapely.from_wkb(g), **dict(zip(names, row, strict=True))}
        for g, row in zip(geometry, zip(*values, strict=True), strict=True)
    ]


def test_geopackage_read_back_by_gdal_equals_the_geojson_export(app, world, tmp_path):
    client = client_of(app, Role.COORDINATOR)
    meta, rows = read_gpkg(client.get("/api/export/incidents.gpkg"), tmp_path, "incidents")
    assert meta["crs"] == "EPSG:4326"
    assert meta["geometry_type"] == "Point"
    assert not SENSITIVE & set(meta["fields"])
    features = geojson(client)
    assert {int(r["id"]) for r in rows} == set(features) and features
    for row in rows:
        f = features[int(row["id"])]
        # full precision in the GeoPackage, 6 decimals in GeoJSON
        xy = [row["geometry"].x, row["geometry"].y]
        assert xy == pytest.approx(f["geometry"]["coordinates"], abs=5e-7)
        for name, value in f["properties"].items():
            got = row[name]
            if value is None:
                assert got is None or (isinstance(got, float) and got != got)
            elif isinstance(value, float):
                assert got == pytest.approx(value)
            else:
                assert got == value
    assert {r["district_pcode"] for r in rows} == {"TH5703"}


def test_geopackage_of_polygons_and_the_audit(app, session, world, tmp_path):
    client = client_of(app, Role.HQ_ANALYST)
    meta, rows = read_gpkg(client.get("/api/export/districts.gpkg"), tmp_path, "districts")
    assert meta["geometry_type"] == "MultiPolygon"
    thai = {r["pcode"]: r["name_th"] for r in rows}
    assert thai["TH5703"] == "เชียงของ"
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audit is not None and audit.format == "gpkg" and audit.collection == "districts"
    assert audit.feature_count == len(rows) > 40 and audit.state == "completed"


def test_empty_exports_are_valid_files(app, world, tmp_path):
    client = client_of(app, Role.HQ_ANALYST)
    query = "?bbox=0,0,1,1"
    meta, rows = read_gpkg(client.get(f"/api/export/incidents.gpkg{query}"), tmp_path, "incidents")
    assert rows == [] and "category" in meta["fields"]
    assert read_csv(client.get(f"/api/export/incidents.csv{query}")) == []
    empty = json.loads(client.get(f"/api/export/incidents.geojson{query}").get_data())
    assert empty == {"type": "FeatureCollection", "features": []}


def test_every_format_counts_the_same_features_as_the_database(app, session, world, tmp_path):
    client = client_of(app, Role.HQ_ANALYST)
    want = session.execute(
        select(func.count())
        .select_from(Incident)
        .where(Incident.status.in_(["new", "verified", "referred", "closed"]))
        .where(~((Incident.channel == "online_public") & (Incident.status == "new")))
    ).scalar_one()
    assert len(read_csv(client.get("/api/export/incidents.csv"))) == want
    _, packaged = read_gpkg(client.get("/api/export/incidents.gpkg"), tmp_path, "incidents")
    assert len(packaged) == want
    assert len(geojson(client)) == want


def test_csv_by_copy_keeps_line_breaks_and_backslashes_and_counts_lines(app, session, world):
    """A quoted cell with line breaks, backslashes and a tab comes back as it was, and the
    audit counts features, not lines of text."""
    text = 'บรรทัดแรก\nsecond \\n line\r\nC:\\temp\\x\t"quoted", end\\'
    incident = session.get_one(Incident, world.incidents["home_verified"])
    incident.description = text
    session.commit()
    client = client_of(app, Role.HQ_ANALYST)
    resp = client.get("/api/export/incidents.csv")
    rows = read_csv(resp)
    assert resp.get_data().count(b"\r\n") >= len(rows) + 1  # CRLF ends every line
    by_id = {int(r["id"]): r for r in rows}
    assert by_id[world.incidents["home_verified"]]["description"] == text
    assert list(rows[0])[:4] == ["WKT", "id", "category", "status"]
    audit = session.execute(select(ExportAudit).order_by(ExportAudit.id.desc())).scalars().first()
    assert audit is not None and audit.format == "csv"
    assert audit.feature_count == len(rows) > 2
