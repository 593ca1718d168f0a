"""Distances in metres: within 1 % of the geodesic value along the whole border."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gis.reference.measure import border_distance_m, proximity

pytestmark = pytest.mark.db


def test_border_distance_within_one_percent_of_geodesic_everywhere(session):
    # Points along the whole border, from Chiang Rai to Trat: every border district's inner
    # point, every checkpoint, and points pushed 5 km off each border segment's middle.
    samples = session.execute(
        text(
            """
            SELECT ST_X(g) AS lon, ST_Y(g) AS lat FROM (
              SELECT ST_PointOnSurface(geom) AS g FROM district WHERE border_neighbour IS NOT NULL
              UNION ALL SELECT geom FROM checkpoint
              UNION ALL SELECT ST_Project(ST_LineInterpolatePoint(geom, 0.5)::geography, 5000,
                                          radians(45))::geometry FROM border_segment
              UNION ALL SELECT ST_Project(ST_LineInterpolatePoint(geom, 0.5)::geography, 20000,
                                          radians(225))::geometry FROM border_segment
            ) s
            """
        )
    ).all()
    assert len(samples) > 250
    lons = [s.lon for s in samples]
    assert min(lons) < 100.5 and max(lons) > 105.0  # both ends of the border are covered
    worst = 0.0
    for lon, lat in samples:
        ours = border_distance_m(session, lon, lat)
        geodesic = session.execute(
            text(
                "SELECT min(ST_Distance(geom::geography,"
                " ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography)) FROM border_segment"
            ),
            {"lon": lon, "lat": lat},
        ).scalar()
        if geodesic < 1.0:
            assert ours < 1.0
            continue
        error = abs(ours - geodesic) / geodesic
        worst = max(worst, error)
        assert error < 0.01, f"({lon}, {lat}): {ours:.1f} m against geodesic {geodesic:.1f} m"
    assert worst > 0  # the metric projection is an approximation, and this test sees it


def test_proximity_finds_the_nearest_checkpoint(session):
    # Aranyaprathet town: the Ban Khlong Luek (Rong Kluea market) checkpoint is the nearest.
    p = proximity(session, 102.5066, 13.6928)
    slug = session.execute(
        text("SELECT slug FROM checkpoint WHERE id = :id"), {"id": p.checkpoint_id}
    ).scalar()
    nearest = session.execute(
        text(
            "SELECT slug, ST_Distance(geom::geography,"
            " ST_SetSRID(ST_MakePoint(102.5066, 13.6928), 4326)::geography) AS m"
            " FROM checkpoint ORDER BY m LIMIT 1"
        )
    ).one()
    assert slug == nearest.slug
    assert p.checkpoint_m == pytest.approx(nearest.m, rel=0.01)
    assert p.border_m == pytest.approx(5_692, rel=0.01)
    assert p.crossing_id is None and p.crossing_m is None  # no crossings loaded in this test
