"""Property tests (Hypothesis) of the edges where hostile input enters: coordinates of a report,
GeoJSON geometries of imports, the CSV escaper of exports, ``POST /api/incidents`` itself, and
the date parameters of every route given dates around the ends of the calendar.

Every bad input must be a clear 4xx naming a field and write nothing; every good one must pass
with its values intact. ``BORDERWATCH_FUZZ=1`` (``make fuzz``) runs many more examples.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import uuid

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, select

from gis.errors import InvalidGeometry, InvalidInput, OutsideWatchArea
from gis.export import Kind
from gis.export.formats import FORMULA_STARTS, csv_text
from gis.incidents.reports import parse_incident
from gis.models import Incident, IncidentEvent
from gis.types import Channel, Role
from gis.validation import MAX_VERTICES, parse_geometry
from tests.date_params import DateWorld, date_world, judge, near_the_ends, routes_with_dates, send
from tests.webapp.signin import csrf_token, make_user, sign_in

settings.register_profile("suite", max_examples=60, deadline=None)
settings.register_profile("fuzz", max_examples=2_000, deadline=None)
settings.load_profile("fuzz" if os.environ.get("BORDERWATCH_FUZZ") else "suite")

NOW = dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
COORDINATE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    ANYTHING,
)


def report(**fields: object) -> dict[str, object]:
    body: dict[str, object] = {
        "lon": 102.5066,
        "lat": 13.6928,
        "category": "smuggling",
        "occurred_at": (NOW - dt.timedelta(hours=1)).isoformat(),
        "idempotency_key": str(uuid.uuid4()),
    }
    body.update(fields)
    return body


@given(lon=COORDINATE, lat=COORDINATE)
def test_coordinates_are_finite_and_in_range_or_refused_by_name(lon, lat):
    try:
        data = parse_incident(report(lon=lon, lat=lat), NOW, channel=Channel.OFFICER_APP)
    except InvalidInput as err:
        assert err.field in ("lon", "lat")
        return
    assert math.isfinite(data.lon) and -180 <= data.lon <= 180
    assert math.isfinite(data.lat) and -90 <= data.lat <= 90
    assert not isinstance(lon, bool) and not isinstance(lat, bool)
    assert data.lon == lon and data.lat == lat


@given(
    field=st.sampled_from(
        ["category", "occurred_at", "idempotency_key", "severity", "description", "nonsense"]
    ),
    value=ANYTHING,
)
def test_any_other_field_is_accepted_as_valid_or_refused_by_its_name(field, value):
    try:
        parse_incident(report(**{field: value}), NOW, channel=Channel.OFFICER_APP)
    except InvalidInput as err:
        assert err.field == field or (field == "nonsense" and err.field in ("nonsense", "body"))


POSITION = st.lists(
    st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.integers(), ANYTHING),
    min_size=0,
    max_size=3,
)
NESTED = st.recursive(POSITION, lambda inner: st.lists(inner, max_size=5), max_leaves=60)
GEOMETRY_TYPES = ["Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString", "Nope"]


@given(gtype=st.sampled_from(GEOMETRY_TYPES), coordinates=NESTED)
def test_any_geometry_is_valid_or_refused_as_invalid_geometry(gtype, coordinates):
    allowed = ("Polygon", "MultiPolygon", "LineString")
    try:
        geom = parse_geometry({"type": gtype, "coordinates": coordinates}, allowed, "feature #1")
    except InvalidGeometry as err:
        assert err.field == "geometry"
        assert str(err).startswith("feature #1")
        return
    assert isinstance(geom, BaseGeometry)
    assert geom.geom_type in allowed and geom.is_valid and not geom.is_empty


def test_self_intersecting_deeply_nested_and_huge_geometries_are_refused():
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[100, 15], [101, 16], [101, 15], [100, 16], [100, 15]]],
    }
    with pytest.raises(InvalidGeometry, match="not valid"):
        parse_geometry(bowtie, ["Polygon"])
    deep: list = [100, 15]
    for _ in range(40):
        deep = [deep]
    with pytest.raises(InvalidGeometry, match="nested too deeply"):
        parse_geometry({"type": "Polygon", "coordinates": deep}, ["Polygon"])
    ring = [[100 + i * 1e-6, 15] for i in range(MAX_VERTICES + 1)]
    with pytest.raises(InvalidGeometry, match=f"more than {MAX_VERTICES} vertices"):
        parse_geometry({"type": "LineString", "coordinates": ring}, ["LineString"])


@given(text=st.text(max_size=40))
def test_the_csv_escaper_defuses_every_formula_and_keeps_everything_else(text):
    cell = csv_text(text, Kind.TEXT)
    if text.startswith(FORMULA_STARTS):
        assert cell == "'" + text
    else:
        assert cell == text
    assert not cell.startswith(FORMULA_STARTS)
    out = io.StringIO()
    csv.writer(out).writerow([cell, "ท่าเรือ"])
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    row = next(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert row == [cell, "ท่าเรือ"]


REPORT_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "lon": COORDINATE,
        "lat": COORDINATE,
        "category": st.one_of(
            st.sampled_from(["smuggling", "other", "drug_trafficking"]), ANYTHING
        ),
        "occurred_at": st.one_of(
            st.just((NOW - dt.timedelta(hours=2)).isoformat()), st.text(max_size=30), ANYTHING
        ),
        "severity": st.one_of(st.integers(min_value=-2, max_value=8), ANYTHING),
        "description": st.one_of(st.text(max_size=50), ANYTHING),
        "extra": ANYTHING,
    },
)


@pytest.fixture
def officer_client(app, session):
    """A client signed in as an officer, and its CSRF token: shared by a test's examples."""
    client = app.test_client()
    officer = make_user(session, Role.OFFICER, f"prop-{uuid.uuid4().hex[:8]}")
    session.commit()
    assert sign_in(client, officer.username).status_code == 302
    return client, csrf_token(client)


@pytest.mark.db
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=REPORT_FIELDS, keep_key=st.booleans())
def test_the_report_api_answers_4xx_naming_a_field_and_writes_nothing_or_stores_once(
    session, officer_client, fields, keep_key
):
    client, token = officer_client
    body = {"idempotency_key": str(uuid.uuid4())} if keep_key else {}
    body.update(fields)
    assume(body)
    before = session.execute(select(func.count()).select_from(Incident)).scalar_one()
    events = session.execute(select(func.count()).select_from(IncidentEvent)).scalar_one()
    resp = client.post("/api/incidents", json=body, headers={"X-CSRFToken": token})
    after = session.execute(select(func.count()).select_from(Incident)).scalar_one()
    after_events = session.execute(select(func.count()).select_from(IncidentEvent)).scalar_one()
    assert resp.status_code in (201, 400, 422), resp.get_data(as_text=True)
    if resp.status_code == 201:
        assert (after, after_events) == (before + 1, events + 1)
        return
    assert (after, after_events) == (before, events)
    error = resp.get_json()
    assert error["field"], error
    if resp.status_code == 422:
        assert error["error"] == OutsideWatchArea.code


@pytest.fixture(scope="module")
def dates(module_app, module_session) -> DateWorld:
    return date_world(module_app, module_session)


@pytest.mark.db
@given(data=st.data())
def test_any_date_near_the_calendars_ends_is_answered_or_refused_by_its_name(
    dates, module_connection, data
):
    """One or more date parameters of a route (:mod:`tests.date_params`), each a day or an
    instant near year 1 or 9999, a leap second, hour 24, nine fractional digits, an offset
    up to ±23:59 (or an interval of them): a 2xx, or a 4xx naming one of them."""
    group = data.draw(st.sampled_from(routes_with_dates(dates.app)), label="route")
    chosen = data.draw(st.lists(st.sampled_from(group), min_size=1, unique=True))
    values = {p: data.draw(near_the_ends(p.interval), label=p.id) for p in chosen}
    savepoint = module_connection.begin_nested()
    try:
        resp = send(dates, values)
    finally:
        savepoint.rollback()
    problem = judge(resp, {p.name for p in values})
    assert problem is None, problem
