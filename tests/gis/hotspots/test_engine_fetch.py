"""The hotspot engine's read of a run's incidents: the geometry column read as the EWKB that
binary COPY sends (either byte order), rows of another layout refused and read again with
``ST_X``/``ST_Y``, and large tables read by several connections on the session's snapshot."""

from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import pytest
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session

from gis.hotspots import engine as hotspot_engine
from gis.hotspots.engine import Points, fetch_points, parse_point_rows
from gis.hotspots.params import RunParams, parse_run_params
from gis.models import Incident, IncidentEvent
from tests import hotspot_data

pytestmark = pytest.mark.db

PARAMS = {"since": "2025-11-01", "until": "2026-11-01T00:00:00Z", "corridor_only": False}

# the columns of points_select around a geometry expression put in its place
ROWS_SQL = (
    "SELECT id, {geom}, occurred_at, severity, CAST(0 AS smallint), district_id, "
    "coalesce(parallel_area_id, -1) FROM incident WHERE id = ANY(:ids) ORDER BY id"
)


def _params() -> RunParams:
    """A run's parameters over every district (the test database holds this test's incidents
    only)."""
    params = parse_run_params(PARAMS)
    assert params.district_ids is None
    return params


def _copy(session: Session, geom: str, ids: list[int]) -> bytes:
    raw = session.connection().connection.dbapi_connection
    buf = io.BytesIO()
    with raw.cursor() as cur:
        sql = cur.mogrify(ROWS_SQL.format(geom=geom).replace(":ids", "%s"), (ids,)).decode()
        cur.copy_expert(f"COPY ({sql}) TO STDOUT WITH (FORMAT binary)", buf)
    return buf.getvalue()


def _lonlat(session: Session, ids: list[int]) -> np.ndarray:
    rows = session.execute(
        text("SELECT ST_X(geom), ST_Y(geom) FROM incident WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": ids},
    ).all()
    return np.array(rows, dtype=np.float64)


def _metric(session: Session, ids: list[int]) -> np.ndarray:
    rows = session.execute(
        text(
            "SELECT ST_X(ST_Transform(geom, 32648)), ST_Y(ST_Transform(geom, 32648)) "
            "FROM incident WHERE id = ANY(:ids) ORDER BY id"
        ),
        {"ids": ids},
    ).all()
    return np.array(rows, dtype=np.float64)


def _same(a: Points, b: Points) -> None:
    for name in ("ids", "xy", "at_us", "severity", "category", "district", "area"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_the_geometry_is_read_as_ewkb_in_either_byte_order(session):
    hand = hotspot_data.build(session)
    ids = sorted([i for group in hand.groups.values() for i in group] + hand.noise)
    expected = _lonlat(session, ids)
    stored = parse_point_rows(_copy(session, "geom", ids))  # as the column sends it
    assert stored is not None and int(stored["geom"]["order"][0]) == 1  # NDR on this server
    for geom in ("geom", "ST_AsEWKB(geom, 'NDR')", "ST_AsEWKB(geom, 'XDR')"):
        rows = parse_point_rows(_copy(session, geom, ids))
        assert rows is not None, geom
        assert rows["id"].tolist() == ids
        np.testing.assert_array_equal(
            np.column_stack([rows["geom"]["x"], rows["geom"]["y"]]), expected, err_msg=geom
        )


@pytest.mark.parametrize(
    "geom",
    [
        "ST_Force3D(geom)",  # 33 bytes: not the fixed width
        "ST_SetSRID(geom, 0)",  # EWKB without an SRID: 21 bytes
        "CASE WHEN id = min(id) OVER () THEN ST_Force3DM(geom) ELSE geom END",  # one row only
        "CASE WHEN id = max(id) OVER () THEN ST_GeomFromText('POINT EMPTY', 4326) ELSE geom END",
        "ST_Transform(geom, 32648)",  # another SRID
        "ST_Buffer(geom, 0.001, 1)",  # not a point
    ],
)
def test_rows_that_are_not_2d_points_of_the_fixed_layout_are_refused(session, geom):
    hand = hotspot_data.build(session)
    ids = sorted(i for group in hand.groups.values() for i in group)
    assert parse_point_rows(_copy(session, geom, ids)) is None
    assert parse_point_rows(_copy(session, "geom", ids)) is not None


def test_refused_rows_are_read_again_with_st_x_and_st_y(session, monkeypatch):
    hotspot_data.build(session)
    params = _params()
    ewkb = fetch_points(session, params)
    monkeypatch.setattr(hotspot_engine, "parse_point_rows", lambda _data: None)
    fallback = fetch_points(session, params)
    _same(ewkb, fallback)
    assert len(ewkb) == 26
    np.testing.assert_allclose(ewkb.xy, _metric(session, ewkb.ids.tolist()), atol=1e-3)


@pytest.fixture
def committed(engine: Engine) -> Iterator[list[int]]:
    """The hand-made set committed (other connections see it); deleted afterwards."""
    with Session(engine) as session:
        hand = hotspot_data.build(session)
        session.commit()
    ids = [i for group in hand.groups.values() for i in group] + hand.noise
    yield ids
    with Session(engine) as session:
        session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id.in_(ids)))
        session.execute(delete(Incident).where(Incident.id.in_(ids)))
        session.commit()


def _spy(monkeypatch) -> list[int | None]:
    """Replaces the parallel read by itself, noting how many parts it read (None: not used)."""
    calls: list[int | None] = []
    real = hotspot_engine._fetch_parallel

    def spy(session, statement):
        parts = real(session, statement)
        calls.append(None if parts is None else len(parts))
        return parts

    monkeypatch.setattr(hotspot_engine, "_fetch_parallel", spy)
    return calls


def test_a_large_table_is_read_by_several_connections_as_one_would(engine, committed, monkeypatch):
    calls = _spy(monkeypatch)
    with Session(engine) as session:
        params = _params()
        # below the threshold whatever other tests left in the table (its pages are pg_class's
        # estimate, which a deletion does not lower until the next VACUUM)
        monkeypatch.setattr(hotspot_engine, "PARALLEL_FETCH_MIN_PAGES", 10**12)
        alone = fetch_points(session, params)
        monkeypatch.setattr(hotspot_engine, "PARALLEL_FETCH_MIN_PAGES", 0)
        shared = fetch_points(session, params)
        session.rollback()
    assert calls == [None, hotspot_engine.FETCH_CONNECTIONS]
    assert alone.ids.tolist() == sorted(committed)
    _same(alone, shared)


def test_a_transaction_that_has_written_reads_alone_and_sees_its_rows(
    engine, committed, monkeypatch
):
    calls = _spy(monkeypatch)
    monkeypatch.setattr(hotspot_engine, "PARALLEL_FETCH_MIN_PAGES", 0)
    with Session(engine) as session:
        params = _params()
        added = hotspot_data.add_incident(session, *hotspot_data.HOME)  # not committed
        points = fetch_points(session, params)
        session.rollback()
    assert calls == [None]
    assert points.ids.tolist() == sorted([*committed, added])
