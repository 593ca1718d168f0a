"""The register's reports over HTTP (screen, print, CSV with a BOM), the national roll-up, and
the activities as an export and OGC API collection, each in the reader's scope."""

from __future__ import annotations

import csv
import io

import pytest

from gis.cooperation.activities import create_activity, parse_activity
from gis.types import Role
from tests.gis.cooperation.data import activity_body
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

PERIOD = "from=2026-10-01&to=2026-11-30"


@pytest.fixture
def meetings(session):
    """A meeting in Chiang Khong and one in Aranyaprathet."""
    home = make_user(session, Role.COORDINATOR, "coop-home")
    away = make_user(session, Role.COORDINATOR, "coop-away", district="TH2706")
    made = {}
    made["home"] = create_activity(session, parse_activity(activity_body(session)), home)
    body = activity_body(
        session, title="ประชุมอรัญประเทศ", lon=102.5066, lat=13.6928, parallel_areas=[]
    )
    made["away"] = create_activity(session, parse_activity(body), away)
    return made


def _sign(client, session, role, name=None, **scope):
    user = (
        make_user(session, role, name, **scope) if name or role not in (Role.COORDINATOR,) else None
    )
    username = user.username if user else "coop-home"
    assert sign_in(client, username).status_code == 302


def test_a_district_report_on_screen_and_as_csv(client, session, meetings):
    _sign(client, session, Role.COORDINATOR)
    page = client.get(f"/cooperation/report?{PERIOD}", headers={"Accept-Language": "th"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "ประชุม ศปก.อ. กับเมืองห้วยทราย" in html and "ประชุมอรัญประเทศ" not in html
    assert "เชียงของ" in html and "@page" not in html  # the print rules live in the stylesheet
    resp = client.get(f"/cooperation/report.csv?{PERIOD}", headers={"Accept-Language": "th"})
    assert resp.mimetype == "text/csv" and resp.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][0] == "วันเริ่ม"
    assert rows[1][4] == "ประชุม ศปก.อ. กับเมืองห้วยทราย" and rows[1][5:] == ["20", "6"]
    assert len(rows) == 2
    refused = client.get(f"/cooperation/report?district=TH2706&{PERIOD}")
    assert refused.status_code == 400


def test_the_national_rollup_shows_who_met_their_counterparts(client, session, meetings):
    _sign(client, session, Role.HQ_ANALYST, "coop-hq")
    html = client.get(
        f"/cooperation/national?{PERIOD}", headers={"Accept-Language": "th"}
    ).get_data(as_text=True)
    assert "1 จาก 43" in html  # Chiang Khong met its counterparts; Aranyaprathet named none
    assert 'id="coop-row-TH5703"' in html and 'id="coop-row-TH2706"' in html
    resp = client.get(f"/cooperation/national.csv?{PERIOD}", headers={"Accept-Language": "th"})
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert len(rows) == 44
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["เชียงของ"][3:6] == ["1", "1", "ใช่"]
    assert by_name["อรัญประเทศ"][5] == "ไม่ใช่"


def test_activities_export_and_ogc_api_in_scope(client, session, meetings):
    _sign(client, session, Role.COORDINATOR)
    data = client.get("/api/export/cooperation_activities.geojson").get_json()
    assert [f["properties"]["title"] for f in data["features"]] == [meetings["home"].title]
    assert data["features"][0]["properties"]["participants"] == 20
    items = client.get("/ogcapi/collections/cooperation_activities/items").get_json()
    assert [f["id"] for f in items["features"]] == [meetings["home"].id]
    client.post("/logout")


def test_a_volunteer_has_no_reports_and_no_collection(client, session, meetings):
    _sign(client, session, Role.VOLUNTEER, "coop-volunteer")
    assert client.get("/cooperation/report").status_code == 403
    assert client.get("/cooperation/national").status_code == 403
    assert client.get("/api/export/cooperation_activities.geojson").status_code == 404
