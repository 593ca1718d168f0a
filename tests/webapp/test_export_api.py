"""``GET /api/export/<collection>.<format>``: GeoJSON read back and compared with the database,
scope, redaction, audit and bad input."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading

import pytest
import shapely
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gis.models import District, ExportAudit, Incident, Province
from gis.types import Role
from seeds.demo import generate_demo
from tests.factories import report_incident
from tests.webapp.exportdata import CONTACT, THAI, ExportWorld, build, client_of
from tests.webapp.signin import csrf_token

pytestmark = pytest.mark.db

SENSITIVE = {"reporter", "reporter_contact", "photo_links"}


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def post_export(client, path: str, **form: str):
    """A sensitive export as the export page sends it: a POST form with the CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **form})


def features(resp) -> dict[int, dict]:
    assert resp.status_code == 200, resp.get_data(as_text=True)
    doc = json.loads(resp.get_data())
    assert doc["type"] == "FeatureCollection"
    assert "crs" not in doc
    return {f["id"]: f for f in doc["features"]}


def test_hq_export_holds_every_incident_of_the_layer_with_the_database_values(app, session, world):
    resp = client_of(app, Role.HQ_ANALYST).get("/api/export/incidents.geojson")
    assert resp.content_type == "application/geo+json"
    today = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    disposition = resp.headers["Content-Disposition"]
    assert f'filename="borderwatch-incidents-{today}.geojson"' in disposition
    got = features(resp)
    ids = world.incidents
    # on the layer: not the unverified public report, not the rejected one (status default)
    mine = {ids["home_new"], ids["home_verified"], ids["home_public"], ids["away"]}
    assert mine <= set(got)
    assert ids["home_public_new"] not in got and ids["home_rejected"] not in got
    expected = session.execute(
        select(Incident.id).where(
            text("NOT (channel = 'online_public' AND status = 'new')"),
            Incident.status.in_(["new", "verified", "referred", "closed"]),
        )
    ).scalars()
    assert set(got) == set(expected)
    rows = session.execute(
        select(
            Incident,
            District.pcode,
            Province.name,
            func.ST_X(Incident.geom),
            func.ST_Y(Incident.geom),
        )
        .join(District, District.id == Incident.district_id)
        .join(Province, Province.id == District.province_id)
        .where(Incident.id.in_(mine))
    ).all()
    for inc, pcode, province, x, y in rows:
        f = got[inc.id]
        props = f["properties"]
        assert f["geometry"]["type"] == "Point"
        assert f["geometry"]["coordinates"] == [round(x, 6), round(y, 6)]  # lon, lat
        assert props["category"] == inc.category.value
        assert props["status"] == inc.status.value
        assert props["severity"] == inc.severity
        assert props["district_pcode"] == pcode and props["province"] == province
        occurred = dt.datetime.fromisoformat(props["occurred_at"])
        assert occurred == inc.occurred_at.replace(microsecond=0)
        assert occurred.utcoffset() == dt.timedelta(hours=7)
        assert not SENSITIVE & set(props)
    # free text of checked reports only; an unverified report's text stays home
    assert got[ids["home_verified"]]["properties"]["description"] == THAI
    assert got[ids["home_new"]]["properties"]["description"] is None


def test_district_officer_export_holds_only_the_district(app, session, world):
    got = features(client_of(app, Role.OFFICER).get("/api/export/incidents.geojson"))
    assert got
    assert {f["properties"]["district_pcode"] for f in got.values()} == {"TH5703"}
    assert world.incidents["away"] not in got
    in_district = session.execute(
        select(func.count())
        .select_from(Incident)
        .join(District, District.id == Incident.district_id)
        .where(
            District.pcode == "TH5703",
            Incident.status.in_(["new", "verified", "referred", "closed"]),
            text("NOT (channel = 'online_public' AND status = 'new')"),
        )
    ).scalar_one()
    assert len(got) == in_district


def test_volunteer_exports_only_their_own_reports(app, session, world):
    own = report_incident(session, (100.41, 20.26), reporter=world.users[Role.VOLUNTEER]).id
    session.commit()
    got = features(client_of(app, Role.VOLUNTEER).get("/api/export/incidents.geojson"))
    assert set(got) == {own}


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.HQ_ANALYST])
def test_no_sensitive_field_for_other_roles_even_when_asked(app, world, role):
    client = client_of(app, role)
    got = features(client.get("/api/export/incidents.geojson"))
    for f in got.values():
        assert not SENSITIVE & set(f["properties"])
        assert CONTACT not in json.dumps(f, ensure_ascii=False)
    asked = post_export(
        client, "/api/export/incidents.geojson", include_sensitive="true", reason="audit"
    )
    assert asked.status_code == 403
    assert asked.get_json()["field"] == "include_sensitive"


def test_hq_gets_sensitive_fields_only_with_a_reason_and_it_is_audited(app, session, world):
    client = client_of(app, Role.HQ_ANALYST)
    refused = post_export(client, "/api/export/incidents.geojson", include_sensitive="true")
    assert refused.status_code == 400 and refused.get_json()["field"] == "reason"
    plain = features(client.get("/api/export/incidents.geojson"))
    assert not SENSITIVE & set(plain[world.incidents["home_public"]]["properties"])
    reason = "court request 12/2569"
    got = features(
        post_export(
            client, "/api/export/incidents.geojson", include_sensitive="true", reason=reason
        )
    )
    public = got[world.incidents["home_public"]]["properties"]
    assert public["reporter_contact"] == CONTACT
    assert len(public["photo_links"]) == 1
    assert public["photo_links"][0].startswith(f"/api/incidents/{world.incidents['home_public']}/")
    assert got[world.incidents["home_new"]]["properties"]["description"] == "=HYPERLINK(1)"
    assert got[world.incidents["home_new"]]["properties"]["reporter"] == "export-officer"
    audit = session.execute(
        select(ExportAudit).order_by(ExportAudit.id.desc()).limit(1)
    ).scalar_one()
    assert audit.sensitive and audit.reason == reason
    assert audit.user_id == world.users[Role.HQ_ANALYST].id
    assert audit.state == "completed" and audit.feature_count == len(got)


def test_every_export_writes_an_audit_row(app, session, world):
    client = client_of(app, Role.COORDINATOR)
    before = session.execute(select(func.count()).select_from(ExportAudit)).scalar_one()
    got = features(
        client.get("/api/export/incidents.geojson?category=smuggling&bbox=100,20,101,21")
    )
    rows = session.execute(select(ExportAudit).order_by(ExportAudit.id)).scalars().all()
    assert len(rows) == before + 1
    audit = rows[-1]
    assert audit.collection == "incidents" and audit.format == "geojson"
    assert audit.filters == {"bbox": [100.0, 20.0, 101.0, 21.0], "categories": ["smuggling"]}
    assert audit.feature_count == len(got) > 0
    assert audit.state == "completed" and audit.finished_at is not None
    assert not audit.sensitive and audit.reason is None


def test_filters_datetime_status_category_district(app, session, world):
    client = client_of(app, Role.HQ_ANALYST)
    ids = world.incidents
    older = features(client.get("/api/export/incidents.geojson?datetime=../2026-11-15"))
    assert ids["home_verified"] in older and ids["home_new"] not in older
    newer = features(client.get("/api/export/incidents.geojson?datetime=2026-11-15T00:00:00Z/.."))
    assert ids["home_new"] in newer and ids["home_verified"] not in newer
    rejected = features(client.get("/api/export/incidents.geojson?status=rejected"))
    assert set(rejected) >= {ids["home_rejected"]}
    assert {f["properties"]["status"] for f in rejected.values()} == {"rejected"}
    drugs = features(client.get("/api/export/incidents.geojson?category=drug_trafficking"))
    assert ids["home_verified"] in drugs and ids["home_new"] not in drugs
    away = features(client.get("/api/export/incidents.geojson?district=TH2706"))
    assert ids["away"] in away and ids["home_new"] not in away


def test_polygons_are_counter_clockwise_with_six_decimals(app, world):
    got = features(client_of(app, Role.HQ_ANALYST).get("/api/export/districts.geojson"))
    assert len(got) > 40
    for f in got.values():
        shape = shapely.geometry.shape(f["geometry"])
        for polygon in shape.geoms:
            assert polygon.exterior.is_ccw
            assert all(not ring.is_ccw for ring in polygon.interiors)
        for x, y in shapely.get_coordinates(shape):
            assert round(x, 6) == x and round(y, 6) == y
            assert 97 < x < 108 and 5 < y < 21  # lon, lat


def test_gzip_when_asked(app, world):
    client = client_of(app, Role.HQ_ANALYST)
    plain = client.get("/api/export/incidents.geojson").get_data()
    zipped = client.get("/api/export/incidents.geojson", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/export/incidents.geojson?bbox=1,2,3", 400, "bbox"),
        ("/api/export/incidents.geojson?bbox=a,b,c,d", 400, "bbox"),
        ("/api/export/incidents.geojson?bbox=101,20,100,21", 400, "bbox"),
        ("/api/export/incidents.geojson?datetime=2026-11-20/2026-11-01", 400, "datetime"),
        ("/api/export/incidents.geojson?datetime=yesterday", 400, "datetime"),
        ("/api/export/incidents.geojson?datetime=../..", 400, "datetime"),
        ("/api/export/incidents.geojson?category=piracy", 400, "category"),
        ("/api/export/incidents.geojson?status=lost", 400, "status"),
        ("/api/export/incidents.geojson?district=Chiang", 400, "district"),
        ("/api/export/incidents.geojson?colour=red", 400, "colour"),
        ("/api/export/incidents.geojson?include_sensitive=maybe", 400, "include_sensitive"),
        ("/api/export/districts.geojson?category=smuggling", 400, "category"),
        ("/api/export/mekong.geojson?datetime=2026-11-20", 400, "datetime"),
        ("/api/export/hotspots.geojson?run=x", 400, "run"),
        ("/api/export/nothing.geojson", 404, "collection"),
        ("/api/export/incidents.xlsx", 404, "format"),
    ],
)
def test_bad_input_is_a_json_error_naming_the_parameter(app, world, path, status, field):
    resp = client_of(app, Role.HQ_ANALYST).get(path)
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["field"] == field and body["message"]


def test_volunteers_do_not_see_operational_collections(app, world):
    resp = client_of(app, Role.VOLUNTEER).get("/api/export/hotspots.geojson")
    assert resp.status_code == 404 and resp.get_json()["field"] == "collection"


def test_the_public_gets_401_json(app, world):
    resp = app.test_client().get("/api/export/incidents.geojson")
    assert resp.status_code == 401
    assert resp.get_json()["error"] == "unauthorized"


def _run(session: Session, district_ids: list[int] | None) -> int:
    from gis.models import Hotspot, HotspotCell, HotspotRun

    run = HotspotRun(params={}, status="done", district_ids=district_ids)
    session.add(run)
    session.flush()
    square = "SRID=4326;POLYGON((100.39 20.25,100.41 20.25,100.41 20.27,100.39 20.27,100.39 20.25))"
    session.add(
        Hotspot(
            run_id=run.id,
            rank=1,
            n_incidents=3,
            categories={"smuggling": 3},
            first_seen=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
            last_seen=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
            score=2.5,
            district_ids=district_ids,
            hull=square,
            centroid="SRID=4326;POINT(100.4 20.26)",
        )
    )
    session.add(HotspotCell(run_id=run.id, i=-3, j=7, n=3, z=2.1, p=0.01, bin=2, geom=square))
    session.flush()
    return run.id


def test_hotspots_and_cells_of_the_runs_the_account_may_see(app, session, world):
    home = session.execute(select(District.id).where(District.pcode == "TH5703")).scalar_one()
    national = _run(session, None)
    local_run = _run(session, [home])
    session.commit()
    hq = client_of(app, Role.HQ_ANALYST)
    latest = features(hq.get("/api/export/hotspots.geojson"))
    assert {f["properties"]["run_id"] for f in latest.values()} == {local_run}
    by_run = features(hq.get(f"/api/export/hotspots.geojson?run={national}"))
    assert {f["properties"]["run_id"] for f in by_run.values()} == {national}
    (ring,) = next(iter(by_run.values()))["geometry"]["coordinates"]
    assert shapely.LinearRing(ring).is_ccw
    cells = features(hq.get(f"/api/export/hexagon_cells.geojson?run={national}"))
    (cell,) = cells.values()
    assert cell["properties"]["i"] == -3 and cell["properties"]["bin"] == 2
    coordinator = client_of(app, Role.COORDINATOR)
    assert features(coordinator.get(f"/api/export/hotspots.geojson?run={national}")) == {}
    mine = features(coordinator.get("/api/export/hotspots.geojson"))
    assert {f["properties"]["run_id"] for f in mine.values()} == {local_run}
    officer = client_of(app, Role.OFFICER)
    assert officer.get("/api/export/hexagon_cells.geojson").status_code == 404


def test_watch_corridor_export(app, session, world):
    from gis.models import WatchCorridor

    got = features(client_of(app, Role.OFFICER).get("/api/export/watch_corridor.geojson"))
    assert got and set(got) == set(session.execute(select(WatchCorridor.id)).scalars())
    for f in got.values():
        assert f["geometry"]["type"] == "MultiPolygon" and f["properties"]["width_m"] > 0


def test_a_client_that_goes_away_ends_the_copy_and_the_export_is_recorded_aborted(
    app, session, world
):
    """The response closed after its first features (a client that disconnects): the COPY's
    thread ends, the audit row says ``aborted`` with the features sent, the next request is
    served on the same connection."""
    generate_demo(session, incidents=20_000, seed=21)
    session.commit()
    client = client_of(app, Role.HQ_ANALYST)
    resp = client.get("/api/export/incidents.geojson", buffered=False)
    assert resp.status_code == 200
    body = iter(resp.response)
    got = next(body) + next(body)
    assert got.startswith(b'{"type":"FeatureCollection","features":[{"type":"Feature"')
    assert [t for t in threading.enumerate() if t.name == "export-copy"]
    resp.close()
    assert [t for t in threading.enumerate() if t.name == "export-copy"] == []
    audit = session.execute(
        select(ExportAudit).order_by(ExportAudit.id.desc()).limit(1)
    ).scalar_one()
    session.refresh(audit)
    assert audit.state == "aborted" and audit.format == "geojson"
    assert 0 < audit.feature_count < 20_000
    again = client.get("/api/export/incidents.geojson?district=TH-X-NONE")
    assert again.status_code in (200, 400)
    assert client.get("/api/export/districts.geojson").status_code == 200
