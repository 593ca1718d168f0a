"""The dashboard page, its CSV downloads and its JSON, in the viewer's scope and language."""

from __future__ import annotations

import csv
import io

import pytest

from gis.types import Role
from tests.factories import make_incident
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

MARCH = "period=month&day=2019-03-15"


@pytest.fixture
def reports(session):
    import datetime as dt

    from gis.parsing import THAI_TIME

    when = dt.datetime(2019, 3, 10, 9, 0, tzinfo=THAI_TIME)
    rows = [
        ("Chiang Khong", "smuggling"),
        ("Chiang Khong", "drug_trafficking"),
        ("Aranyaprathet", "smuggling"),
    ]
    return [
        make_incident(session, district_name=d, category=c, occurred_at=when, reported_at=when)
        for d, c in rows
    ]


def as_role(client, session, role: Role):
    user = make_user(session, role)
    assert sign_in(client, user.username).status_code == 302
    return user


def test_hq_reads_the_month_in_thai(client, session, reports):
    as_role(client, session, Role.HQ_ANALYST)
    page = client.get(f"/dashboard?{MARCH}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="th">' in html
    assert "แดชบอร์ดสถิติ" in html
    assert 'id="fig-reports"><span class="db-figure">3</span>' in html
    assert "มีนาคม 2562" in html  # March 2019, Buddhist-era year
    assert "vendor/chart.js/chart.umd.min.js" in html
    assert 'id="dashboard-data"' in html


def test_csv_is_utf8_with_a_bom_and_counts_the_rows(client, session, reports):
    as_role(client, session, Role.HQ_ANALYST)
    got = client.get(f"/dashboard/districts.csv?{MARCH}&lang=en")
    assert got.status_code == 200
    assert got.mimetype == "text/csv"
    assert "attachment" in got.headers["Content-Disposition"]
    body = got.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    counts = {row[0]: int(row[2]) for row in rows[1:]}
    assert sum(counts.values()) == len(reports)
    assert counts["Chiang Khong"] == 2
    thai = client.get(f"/dashboard/districts.csv?{MARCH}").get_data().decode("utf-8-sig")
    assert thai.splitlines()[0].startswith("พื้นที่,จังหวัด,ช่วงนี้")
    assert "เชียงของ,เชียงราย,2" in thai
    assert client.get(f"/dashboard/nothing.csv?{MARCH}").status_code == 404


def test_api_and_map_follow_the_coordinators_scope(client, session, reports):
    as_role(client, session, Role.COORDINATOR)  # Chiang Khong
    numbers = client.get(f"/api/dashboard?{MARCH}").get_json()
    assert numbers["total"]["count"] == 2
    assert [d["pcode"] for d in numbers["districts"]] == ["TH5703"]
    shapes = client.get(f"/api/dashboard/map?{MARCH}")
    assert shapes.mimetype == "application/geo+json"
    features = shapes.get_json()["features"]
    assert [(f["properties"]["pcode"], f["properties"]["count"]) for f in features] == [
        ("TH5703", 2)
    ]
    refused = client.get(f"/api/dashboard?{MARCH}&district=TH2706")
    assert refused.status_code == 400
    assert refused.get_json()["field"] == "district"


def test_a_bad_filter_is_refused_naming_its_field(client, session):
    as_role(client, session, Role.HQ_ANALYST)
    got = client.get("/api/dashboard?period=decade")
    assert got.status_code == 400 and got.get_json()["field"] == "period"
    assert client.get("/dashboard?day=yesterday").status_code == 400


@pytest.mark.parametrize("role", [Role.OFFICER, Role.VOLUNTEER, Role.ADMINISTRATOR])
def test_other_roles_may_not_open_it(client, session, role):
    as_role(client, session, role)
    assert client.get("/dashboard").status_code == 403
    assert client.get("/api/dashboard").status_code == 403


def test_the_weekly_brief_of_a_province_in_thai(client, session, reports):
    import datetime as dt

    from gis.parsing import THAI_TIME
    from tests.patrol_data import HOME, make_run

    make_run(session, [HOME])
    waiting = dt.datetime(2019, 3, 11, 8, 0, tzinfo=THAI_TIME)
    make_incident(session, district_name="Chiang Saen", occurred_at=waiting, reported_at=waiting)
    as_role(client, session, Role.PATROL_PLANNER)  # Chiang Rai
    page = client.get("/dashboard/brief?day=2019-03-12&province=TH57&period=month")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "สรุปรายสัปดาห์: เชียงราย" in html
    # Monday to Sunday in Buddhist-era years; the week asked for, whatever period says
    assert "11 มีนาคม พ.ศ. 2562 ถึง 17 มีนาคม พ.ศ. 2562" in html
    figure = html.split('id="brief-reports"><strong>')[1].split("<")[0]
    assert figure == "1"  # the reports of Sunday 10 March belong to the week before
    top = html.split('<table class="bw-brief-table" id="brief-hotspots">')[1].split("</table>")[0]
    assert "เชียงของ" in top  # the latest run's hotspot no. 1
    overdue = html.split('id="brief-backlog"')[1].split("</table>")[0]
    assert "เชียงแสน" in overdue
    assert client.get("/dashboard/brief?province=TH27").status_code == 400  # not theirs
