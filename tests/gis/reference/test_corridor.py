"""The watch corridor: buffers of the Mekong boundary, the land border that is not flagged
demarcated and the natural crossings; rebuilt when they change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select, text

from gis.errors import InvalidInput, NotFound
from gis.models import BorderSegment, BorderSegmentEvent, WatchCorridor
from gis.reference import corridor
from gis.types import BoundaryKind, Demarcation

pytestmark = pytest.mark.db


def _covered(session, lon: float, lat: float) -> bool:
    point = func.ST_SetSRID(func.ST_MakePoint(lon, lat), 4326)
    return bool(session.execute(select(corridor.in_corridor(point))).scalar())


def _longest_land_segment(session) -> BorderSegment:
    return session.execute(
        select(BorderSegment)
        .where(BorderSegment.kind == BoundaryKind.LAND_OR_OTHER_RIVER)
        .order_by(BorderSegment.length_km.desc(), BorderSegment.id)
        .limit(1)
    ).scalar_one()


def _midpoint(session, segment: BorderSegment) -> tuple[float, float]:
    row = session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint(geom, 0.5) p "
            "FROM border_segment WHERE id = :id) s"
        ),
        {"id": segment.id},
    ).one()
    return float(row[0]), float(row[1])


def _offset(session, lon: float, lat: float, metres: float, azimuth_deg: float):
    row = session.execute(
        text(
            "SELECT ST_X(p::geometry), ST_Y(p::geometry) FROM (SELECT ST_Project("
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m, radians(:az)) p) s"
        ),
        {"lon": lon, "lat": lat, "m": metres, "az": azimuth_deg},
    ).one()
    return float(row[0]), float(row[1])


def test_seeded_corridor_follows_the_whole_border_at_5_km(session):
    info = corridor.corridor_info(session)
    assert info is not None
    assert info.width_m == corridor.DEFAULT_WIDTH_M == 5_000
    total = session.execute(select(func.count()).select_from(BorderSegment)).scalar_one()
    assert info.n_segments == total  # nothing flagged demarcated: every segment
    # about 2 × 5 km × 2,700 km of border, less where the buffers overlap
    assert 15_000 < info.area_km2 < 28_000
    assert info.pieces > 10


def test_points_by_distance_to_the_land_border(session):
    segment = _longest_land_segment(session)
    lon, lat = _midpoint(session, segment)
    assert _covered(session, lon, lat)
    # 3 km and 20 km off the line (either side)
    near = [_offset(session, lon, lat, 3_000, az) for az in (0, 90, 180, 270)]
    assert all(_covered(session, *p) for p in near)
    far = [_offset(session, lon, lat, 20_000, az) for az in (0, 90, 180, 270)]
    distances = [
        session.execute(
            text(
                "SELECT min(ST_Distance(geom::geography, "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography)) FROM border_segment"
            ),
            {"x": x, "y": y},
        ).scalar_one()
        for x, y in far
    ]
    for p, d in zip(far, distances, strict=True):
        assert _covered(session, *p) == (d < 5_000 * 1.01)


def test_flagging_a_land_segment_demarcated_takes_it_out_and_is_audited(session):
    segment = _longest_land_segment(session)
    lon, lat = _midpoint(session, segment)
    others = session.execute(
        text(
            "SELECT min(ST_Distance(geom::geography, "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326)::geography)) FROM border_segment "
            "WHERE id <> :id"
        ),
        {"x": lon, "y": lat, "id": segment.id},
    ).scalar_one()
    assert others > 6_000, "the test needs a segment whose middle is far from the others"
    before = corridor.corridor_info(session)

    corridor.set_demarcation(session, segment.segment_no, "demarcated", None, note="survey 2026")

    assert not _covered(session, lon, lat)
    after = corridor.corridor_info(session)
    assert after is not None and before is not None
    assert after.n_segments == before.n_segments - 1
    event = session.execute(
        select(BorderSegmentEvent).where(BorderSegmentEvent.segment_id == segment.id)
    ).scalar_one()
    assert (event.from_value, event.to_value) == ("unknown", "demarcated")
    assert event.note == "survey 2026"

    corridor.set_demarcation(session, segment.segment_no, Demarcation.UNMARKED, None)
    assert _covered(session, lon, lat)


def test_the_mekong_boundary_stays_even_if_flagged(session):
    segment = session.execute(
        select(BorderSegment)
        .where(BorderSegment.kind == BoundaryKind.MEKONG_RIVER)
        .order_by(BorderSegment.length_km.desc())
        .limit(1)
    ).scalar_one()
    lon, lat = _midpoint(session, segment)
    corridor.set_demarcation(session, segment.segment_no, "demarcated", None)
    assert _covered(session, lon, lat)


@pytest.mark.parametrize(
    ("segment_no", "value", "note", "error", "field"),
    [
        (None, "marked", None, InvalidInput, "demarcation"),
        (None, "demarcated", "x" * 1001, InvalidInput, "note"),
        (999_999, "demarcated", None, NotFound, "segment"),
    ],
)
def test_bad_flags_are_refused_naming_the_field(session, segment_no, value, note, error, field):
    number = segment_no or _longest_land_segment(session).segment_no
    with pytest.raises(error) as exc:
        corridor.set_demarcation(session, number, value, None, note=note)
    assert exc.value.field == field
    assert session.execute(select(func.count()).select_from(BorderSegmentEvent)).scalar() == 0


def test_width_is_configurable_and_checked(session):
    small = corridor.refresh_corridor(session, 1_000)
    assert small is not None and small.width_m == 1_000
    assert corridor.current_width(session) == 1_000
    assert small.area_km2 < 6_000
    again = corridor.refresh_corridor(session)  # keeps the width
    assert again is not None and again.width_m == 1_000
    for bad in (0, -5, 50_001, float("nan"), "5000", True):
        with pytest.raises(InvalidInput) as exc:
            corridor.refresh_corridor(session, bad)  # type: ignore[arg-type]
        assert exc.value.field == "width_m"


def test_ensure_rebuilds_after_a_crossing_is_added_behind_its_back(session):
    segment = _longest_land_segment(session)
    lon, lat = _midpoint(session, segment)
    x, y = _offset(session, lon, lat, 40_000, 270)  # well inside Thailand, away from the border
    x2, y2 = _offset(session, lon, lat, 42_000, 270)
    assert not _covered(session, x, y)
    session.execute(
        text(
            "INSERT INTO natural_crossing (code, name, district_id, geom) VALUES "
            "('t-path', 'test path', :d, ST_Multi(ST_SetSRID(ST_MakeLine("
            "ST_MakePoint(:x, :y), ST_MakePoint(:x2, :y2)), 4326)))"
        ),
        {"d": segment.district_id, "x": x, "y": y, "x2": x2, "y2": y2},
    )
    assert not _covered(session, x, y)  # the table is derived: stale until refreshed
    info = corridor.ensure_corridor(session)
    assert info is not None and info.n_crossings >= 1
    assert _covered(session, x, y)
    built = session.execute(select(WatchCorridor.built_at)).scalar_one()
    corridor.ensure_corridor(session)  # up to date: not rebuilt
    assert session.execute(select(WatchCorridor.built_at)).scalar_one() == built


def test_layer_geojson_is_a_clipped_feature_collection(session):
    doc = json.loads(corridor.corridor_geojson(session, None, 8))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 1
    props = doc["features"][0]["properties"]
    assert props["width_km"] == 5.0 and props["n_segments"] > 0
    assert doc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
    from gis.types import BBox

    empty = json.loads(corridor.corridor_geojson(session, BBox(90.0, 0.0, 90.1, 0.1), 10))
    assert empty["features"] == []
