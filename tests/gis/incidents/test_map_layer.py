"""The incidents layer: who sees what, filters, box, cap, and what a feature carries."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import partial

import pytest
from geoalchemy2.elements import WKTElement
from sqlalchemy import text

from gis.errors import InvalidInput
from gis.incidents.map_layer import (
    DEFAULT_STATUSES,
    DESCRIPTION_CHARS,
    MAX_FEATURES,
    POINTS_FROM_ZOOM,
    LayerFilter,
    cell_degrees,
    incident_layer_geojson,
    incidents_geojson,
    parse_filters,
)
from gis.models import Incident
from gis.types import BBox, IncidentCategory, IncidentStatus, Role
from tests.factories import district, inside, make_incident
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
#: Chiang Khong (the scoped accounts' district), Chiang Saen (same province), Aranyaprathet.
HOME, NEIGHBOUR, FAR = "Chiang Khong", "Chiang Saen", "Aranyaprathet"


#: A verified incident of Chiang Khong (or of ``district_name``), at a point inside the district.
incident = partial(
    make_incident,
    district_name=HOME,
    status="verified",
    occurred_at=T0,
    description="boxes loaded on a boat",
)


def layer(session, viewer, layer_filter: LayerFilter | None = None, **kwargs) -> dict:
    return json.loads(incidents_geojson(session, viewer, layer_filter or LayerFilter(), **kwargs))


def ids(collection: dict) -> set[int]:
    return {f["id"] for f in collection["features"]}


@pytest.fixture
def accounts(session):
    return {role: make_user(session, role) for role in Role}


@pytest.fixture
def spread(session, accounts):
    """Incidents in three districts, in every status and channel that matters."""
    made = []
    for name in (HOME, NEIGHBOUR, FAR):
        for status in IncidentStatus:
            made.append(incident(session, district_name=name, status=status.value))
        made.append(incident(session, district_name=name, status="new", channel="online_public"))
        made.append(
            incident(session, district_name=name, status="verified", channel="online_public")
        )
    return made


#: District names each role's scope holds (None: all), for the independent count.
SCOPE_NAMES: dict[Role, tuple[str, ...] | None] = {
    Role.ADMINISTRATOR: None,
    Role.HQ_ANALYST: None,
    Role.PATROL_PLANNER: "province",  # type: ignore[dict-item]  # the whole of Chiang Rai
    Role.COORDINATOR: (HOME,),
    Role.OFFICER: (HOME,),
    Role.VOLUNTEER: (),
}

INDEPENDENT = """
    SELECT count(*) FROM incident i
    JOIN district d ON d.id = i.district_id JOIN province p ON p.id = d.province_id
    WHERE i.status IN ('new', 'verified', 'referred', 'closed')
      AND NOT (i.channel = 'online_public' AND i.status = 'new')
      AND (i.reporter_id = :viewer
           OR (:national OR d.name = ANY(:names) OR (:province AND p.pcode = 'TH57')))
"""


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_sees_its_scope_and_the_count_matches_sql(session, accounts, spread, role):
    viewer = accounts[role]
    scope = SCOPE_NAMES[role]
    expected = session.execute(
        text(INDEPENDENT),
        {
            "viewer": viewer.id,
            "national": scope is None,
            "names": list(scope) if isinstance(scope, tuple) else [],
            "province": scope == "province",
        },
    ).scalar_one()
    got = layer(session, viewer)
    assert got["type"] == "FeatureCollection"
    assert len(got["features"]) == got["total"] == expected
    assert got["truncated"] is False and got["limit"] == MAX_FEATURES
    districts = {f["properties"]["district"] for f in got["features"]}
    if role is Role.VOLUNTEER:
        assert expected == 0
    elif role in (Role.COORDINATOR, Role.OFFICER):
        assert districts == {HOME} and expected == 5  # 4 default statuses + verified public
    elif role is Role.PATROL_PLANNER:
        assert districts == {HOME, NEIGHBOUR} and expected == 10
    else:
        assert districts == {HOME, NEIGHBOUR, FAR} and expected == 15


def test_unverified_public_reports_are_on_no_layer_until_verified(session, accounts):
    report = incident(session, status="new", channel="online_public", receipt_code="R" * 23)
    for role in Role:
        assert report.id not in ids(layer(session, accounts[role])), role
        asked = LayerFilter(statuses=frozenset({IncidentStatus.NEW}))
        assert report.id not in ids(layer(session, accounts[role], asked)), role
    report.status = IncidentStatus.VERIFIED
    session.flush()
    assert report.id in ids(layer(session, accounts[Role.COORDINATOR]))


def test_an_officers_new_report_is_on_the_layer(session, accounts):
    report = incident(session, status="new", channel="officer_app")
    assert report.id in ids(layer(session, accounts[Role.COORDINATOR]))


def test_rejected_and_duplicates_only_when_the_status_filter_asks(session, accounts):
    rejected = incident(session, status="rejected")
    duplicate = incident(session, status="duplicate")
    shown = incident(session, status="verified")
    coordinator = accounts[Role.COORDINATOR]
    assert ids(layer(session, coordinator)) == {shown.id}
    asked = LayerFilter(statuses=frozenset({IncidentStatus.REJECTED, IncidentStatus.DUPLICATE}))
    assert ids(layer(session, coordinator, asked)) == {rejected.id, duplicate.id}


def test_volunteers_see_only_their_own_reports(session, accounts):
    volunteer = accounts[Role.VOLUNTEER]
    own = incident(session, reporter=volunteer, status="new")
    incident(session, reporter=accounts[Role.OFFICER])
    incident(session)
    assert ids(layer(session, volunteer)) == {own.id}


def test_a_viewer_always_sees_what_they_reported_elsewhere(session, accounts):
    officer = accounts[Role.OFFICER]
    away = incident(session, district_name=FAR, reporter=officer)
    incident(session, district_name=FAR)
    assert ids(layer(session, officer)) == {away.id}
    assert away.id not in ids(layer(session, accounts[Role.COORDINATOR]))


def test_a_disabled_account_sees_nothing(session, accounts):
    officer = accounts[Role.OFFICER]
    incident(session, reporter=officer)
    officer.is_active = False
    session.flush()
    assert layer(session, officer)["features"] == []


def test_filters_on_categories_statuses_and_days(session, accounts):
    hq = accounts[Role.HQ_ANALYST]
    drugs = incident(session, category="drug_trafficking", occurred_at=T0)
    people = incident(session, category="human_trafficking", occurred_at=T0 + dt.timedelta(days=2))
    goods = incident(session, category="smuggling", status="referred", occurred_at=T0)

    both = parse_filters({"category": "drug_trafficking, human_trafficking"})
    assert ids(layer(session, hq, both)) == {drugs.id, people.id}
    referred = parse_filters({"status": "referred"})
    assert ids(layer(session, hq, referred)) == {goods.id}
    # Days are Thai days; "until" takes the whole day: 1 June (Thai) holds T0 (19:00 Thai).
    first_day = parse_filters({"since": "2026-06-01", "until": "2026-06-01"})
    assert ids(layer(session, hq, first_day)) == {drugs.id, goods.id}
    later = parse_filters({"since": "2026-06-02T00:00:00+07:00"})
    assert ids(layer(session, hq, later)) == {people.id}
    all_three = parse_filters({"category": "drug_trafficking,human_trafficking,smuggling"})
    assert ids(layer(session, hq, all_three)) == {drugs.id, people.id, goods.id}


def test_the_box_limits_the_features(session, accounts):
    hq = accounts[Role.HQ_ANALYST]
    home = incident(session, district_name=HOME)
    incident(session, district_name=FAR)
    lon, lat = inside(session, HOME)
    box = BBox(lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    assert ids(layer(session, hq, bbox=box)) == {home.id}
    assert layer(session, hq, bbox=BBox(0, 0, 1, 1))["features"] == []


def test_a_views_points_are_read_without_parallel_workers_or_jit(session, accounts):
    # a view's points are a few thousand rows at most, found through the index: a parallel
    # worker or a JIT compilation costs more than the read (bench/mapload.py)
    session.execute(text("SET LOCAL max_parallel_workers_per_gather = 2"))
    session.execute(text("SET LOCAL jit = on"))
    home = incident(session)
    assert ids(layer(session, accounts[Role.HQ_ANALYST])) == {home.id}
    assert session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one() == "0"
    assert session.execute(text("SHOW jit")).scalar_one() == "off"


def test_the_cap_keeps_the_newest_and_says_how_many_matched(session, accounts):
    made = [incident(session, occurred_at=T0 + dt.timedelta(hours=h)) for h in range(5)]
    got = layer(session, accounts[Role.COORDINATOR], limit=3)
    assert got["total"] == 5 and got["limit"] == 3 and got["truncated"] is True
    assert [f["id"] for f in got["features"]] == [i.id for i in reversed(made)][:3]
    with pytest.raises(ValueError):
        layer(session, accounts[Role.COORDINATOR], limit=MAX_FEATURES + 1)


def test_features_carry_no_reporter_and_a_short_description(session, accounts):
    officer = accounts[Role.OFFICER]
    long_text = "ข" * (DESCRIPTION_CHARS + 50)
    row = incident(
        session,
        reporter=officer,
        description=long_text,
        reporter_contact="LINE: secret-contact",
        receipt_code="ABCDE-FGHIJ-KLMNO-PQRST",
        channel="online_public",
    )
    raw = incidents_geojson(session, accounts[Role.COORDINATOR])
    assert "secret-contact" not in raw and "ABCDE-FGHIJ" not in raw
    (feature,) = json.loads(raw)["features"]
    props = feature["properties"]
    assert set(props) == {
        "id", "category", "status", "severity", "occurred_at", "district", "district_th",
        "province", "province_th", "description", "description_truncated",
    }  # fmt: skip
    assert props["id"] == feature["id"] == row.id
    assert props["description"] == long_text[:DESCRIPTION_CHARS] + "…"
    assert props["description_truncated"] is True
    assert props["district"] == HOME and props["province"] == "Chiang Rai"
    assert props["district_th"] == "เชียงของ" and props["province_th"] == "เชียงราย"
    assert dt.datetime.fromisoformat(props["occurred_at"]) == T0
    assert props["occurred_at"].endswith("+07:00")
    lon, lat = inside(session, HOME)
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx([lon, lat], abs=1e-6)


def test_an_empty_answer_is_a_valid_collection(session, accounts):
    got = layer(session, accounts[Role.VOLUNTEER])
    assert got == {
        "type": "FeatureCollection", "features": [], "total": 0, "limit": MAX_FEATURES,
        "truncated": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "drugs"}, "category"),
        ({"category": "smuggling,"}, "category"),
        ({"status": "open"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-13-01"}, "since"),
        ({"until": "2026-06-01T10:00:00"}, "until"),  # no offset
        ({"since": "2026-06-03", "until": "2026-06-01"}, "since"),
    ],
)
def test_bad_filters_name_the_field(params, field):
    with pytest.raises(InvalidInput) as caught:
        parse_filters(params)
    assert caught.value.field == field


def test_no_filters_mean_the_default_statuses_and_any_category():
    assert parse_filters({}) == LayerFilter()
    assert parse_filters({"status": "new,verified"}).statuses == {"new", "verified"}
    assert "rejected" not in DEFAULT_STATUSES and "duplicate" not in DEFAULT_STATUSES
    assert parse_filters({"category": "other"}).categories == {IncidentCategory.OTHER}


# --------------------------------------------------------------------------- counted cells


def grid_points(lon: float, lat: float, n: int, step: float = 0.0005) -> list[tuple[float, float]]:
    side = int(n**0.5) + 1
    return [(lon + (i % side) * step, lat + (i // side) * step) for i in range(n)]


@pytest.fixture
def crowd(session):
    """Incidents in two crowded places of Chiang Khong and one of Aranyaprathet, bulk-inserted."""
    home = inside(session, HOME)
    far = inside(session, FAR)
    places = [
        (home, 30, "smuggling"),
        ((home[0] + 0.05, home[1] + 0.05), 20, "drug_trafficking"),
        (far, 25, "illegal_entry"),
    ]
    for (lon, lat), n, category in places:
        d = district(session, HOME if (lon, lat) != far else FAR)
        for x, y in grid_points(lon, lat, n):
            session.add(
                Incident(
                    idempotency_key=uuid.uuid4(),
                    category=category,
                    status="verified",
                    channel="officer_app",
                    occurred_at=T0,
                    district_id=d.id,
                    geom=WKTElement(f"POINT({x} {y})", srid=4326),
                )
            )
    session.flush()
    return places


def cells(session, viewer, **kwargs) -> dict:
    return json.loads(incident_layer_geojson(session, viewer, LayerFilter(), **kwargs))


def test_a_crowded_box_comes_as_counted_cells_that_add_up(session, accounts, crowd, monkeypatch):
    monkeypatch.setattr("gis.incidents.map_layer.POINTS_AT_MOST", 40)
    hq = accounts[Role.HQ_ANALYST]
    got = cells(session, hq, zoom=8)
    assert got["aggregated"] is True and got["zoom"] == 8
    want = session.execute(
        text("SELECT count(*) FROM incident WHERE status = 'verified' AND occurred_at = :t"),
        {"t": T0},
    ).scalar_one()
    assert got["total"] == want == 75
    assert sum(f["properties"]["count"] for f in got["features"]) == 75
    assert got["cells"] == len(got["features"]) == 2  # at zoom 8 a cell is 0.35 degrees
    biggest = got["features"][0]["properties"]
    assert biggest == {"count": 50, "categories": {"smuggling": 30, "drug_trafficking": 20}}
    assert all("id" not in f for f in got["features"])  # a cell is not an incident
    finer = cells(session, hq, zoom=12)  # 0.022-degree cells split the two Chiang Khong places
    assert sorted(f["properties"]["count"] for f in finer["features"]) == [20, 25, 30]
    lon, lat = finer["features"][0]["geometry"]["coordinates"]
    home = crowd[0][0]
    assert abs(lon - (home[0] + 0.0025)) < 0.003 and abs(lat - (home[1] + 0.0025)) < 0.003


def test_cells_count_only_what_the_viewer_may_see(session, accounts, crowd, monkeypatch):
    monkeypatch.setattr("gis.incidents.map_layer.POINTS_AT_MOST", 40)
    coordinator = accounts[Role.COORDINATOR]  # Chiang Khong only
    got = cells(session, coordinator, zoom=6)
    assert got["aggregated"] is True and got["total"] == 50
    far_box = BBox(102.0, 13.0, 103.0, 14.0)
    assert cells(session, coordinator, zoom=6, bbox=far_box)["features"] == []
    assert cells(session, accounts[Role.HQ_ANALYST], zoom=6, bbox=far_box)["total"] == 25


def test_few_incidents_or_a_close_zoom_come_as_points(session, accounts, crowd, monkeypatch):
    hq = accounts[Role.HQ_ANALYST]
    few = cells(session, hq, zoom=6)  # 75 incidents: under POINTS_AT_MOST
    assert "aggregated" not in few and len(few["features"]) == 75
    monkeypatch.setattr("gis.incidents.map_layer.POINTS_AT_MOST", 40)
    close = cells(session, hq, zoom=POINTS_FROM_ZOOM)
    assert "aggregated" not in close and close["total"] == 75
    assert cells(session, hq)["aggregated"] is True  # no zoom: the whole-border view
    assert cell_degrees(0) == 90.0 and cell_degrees(10) == pytest.approx(90.0 / 1024)
