"""Hotspot runs: exact DBSCAN on a hand-made set with a known answer, the stored clusters,
determinism, scope, empty runs, bad parameters, progress and failure."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from sqlalchemy import func, select, text

from gis.errors import Forbidden, InvalidInput
from gis.hotspots import runs as clustering
from gis.hotspots.params import parse_run_params
from gis.models import Hotspot, HotspotMember, HotspotRun
from gis.types import Role, RunStatus
from tests import hotspot_data
from tests.hotspot_data import AS_OF
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

PARAMS = {
    "since": "2025-11-01",
    "until": "2026-11-01T00:00:00Z",
    "eps_m": 1000,
    "min_points": 5,
    "corridor_only": False,
}


@pytest.fixture
def hand(session):
    return hotspot_data.build(session)


def _members(session, run) -> list[set[int]]:
    rows = session.execute(
        select(Hotspot.rank, HotspotMember.incident_id)
        .join(HotspotMember, HotspotMember.hotspot_id == Hotspot.id)
        .where(Hotspot.run_id == run.id)
        .order_by(Hotspot.rank)
    ).all()
    groups: dict[int, set[int]] = {}
    for rank, incident_id in rows:
        groups.setdefault(rank, set()).add(incident_id)
    return [groups[r] for r in sorted(groups)]


def _hotspots(session, run) -> list[Hotspot]:
    return list(
        session.execute(select(Hotspot).where(Hotspot.run_id == run.id).order_by(Hotspot.rank))
        .scalars()
        .all()
    )


def test_hand_made_set_gives_the_three_groups_and_leaves_the_noise(session, hand):
    run = clustering.run_hotspots(session, PARAMS)
    assert run.status == RunStatus.DONE, run.error
    assert run.n_incidents == 8 + 7 + 7 + 4
    found = sorted(_members(session, run), key=min)
    expected = sorted((set(g) for g in hand.groups.values()), key=min)
    assert found == expected
    assert run.n_clusters == 3
    clustered = set().union(*found)
    assert not clustered & set(hand.noise)


def test_the_straddling_group_lies_on_both_sides_of_the_border(session, hand):
    ids = hand.groups["straddle"]
    inside = session.execute(
        text(
            "SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM district d "
            "WHERE ST_Covers(d.geom, i.geom))), count(*) FROM incident i WHERE id = ANY(:ids)"
        ),
        {"ids": ids},
    ).one()
    assert 0 < inside[0] < inside[1], "the group should have incidents in Thailand and across"
    run = clustering.run_hotspots(session, PARAMS)
    spot = next(h for h in _hotspots(session, run) if h.n_incidents == 8)
    assert spot.parallel_area_ids, "a cluster across the border involves a parallel area"
    assert spot.district_ids


def test_corridor_only_leaves_out_the_inland_group(session, hand):
    run = clustering.run_hotspots(session, {**PARAMS, "corridor_only": True})
    assert run.status == RunStatus.DONE
    found = sorted(_members(session, run), key=min)
    expected = sorted([set(hand.groups["straddle"]), set(hand.groups["near"])], key=min)
    assert found == expected
    assert run.n_incidents == 8 + 7 + 4


def test_cluster_details_hull_score_trend_and_nearest_places(session, hand):
    run = clustering.run_hotspots(session, PARAMS)
    spots = _hotspots(session, run)
    assert [h.rank for h in spots] == [1, 2, 3]
    assert [h.score for h in spots] == sorted((h.score for h in spots), reverse=True)
    for spot in spots:
        ids = next(g for g in hand.groups.values() if len(g) == spot.n_incidents and True)
        assert spot.n_incidents == len(ids)
        assert sum(spot.categories.values()) == spot.n_incidents
        # every member lies inside the padded hull; the centroid too
        covered = session.execute(
            text(
                "SELECT bool_and(ST_Covers(h.hull, i.geom)) AND bool_and(ST_Covers(h.hull, "
                "h.centroid)) FROM hotspot h JOIN hotspot_member m ON m.hotspot_id = h.id "
                "JOIN incident i ON i.id = m.incident_id WHERE h.id = :id GROUP BY h.id"
            ),
            {"id": spot.id},
        ).scalar_one()
        assert covered
        assert spot.nearest_checkpoint_id is not None and spot.nearest_checkpoint_m >= 0
        assert spot.first_seen <= spot.last_seen
    # the score by hand for one cluster: severity 2^(s-3), halving every 90 days
    spot = spots[0]
    rows = session.execute(
        text(
            "SELECT i.severity, i.occurred_at FROM hotspot_member m JOIN incident i "
            "ON i.id = m.incident_id WHERE m.hotspot_id = :id"
        ),
        {"id": spot.id},
    ).all()
    expected = sum(
        2.0 ** (sev - 3) * math.exp(-math.log(2) * (AS_OF - at).total_seconds() / 86400 / 90)
        for sev, at in rows
    )
    assert spot.score == pytest.approx(expected, rel=1e-9)
    recent = sum(1 for _s, at in rows if AS_OF - at <= dt.timedelta(days=30))
    previous = sum(
        1 for _s, at in rows if dt.timedelta(days=30) < AS_OF - at <= dt.timedelta(days=60)
    )
    assert (spot.recent_30, spot.previous_30, spot.trend) == (recent, previous, recent - previous)


def test_one_and_two_point_clusters_still_draw(session, hand):
    run = clustering.run_hotspots(session, {**PARAMS, "min_points": 2, "eps_m": 200})
    for spot in _hotspots(session, run):
        area = session.execute(
            text("SELECT ST_Area(hull::geography) FROM hotspot WHERE id = :id"), {"id": spot.id}
        ).scalar_one()
        assert area > 1_000  # a padded hull, never a line or a point


def test_same_run_twice_gives_identical_clusters(session, hand):
    first = clustering.run_hotspots(session, PARAMS)
    second = clustering.run_hotspots(session, PARAMS)
    assert _members(session, first) == _members(session, second)
    a, b = _hotspots(session, first), _hotspots(session, second)
    for x, y in zip(a, b, strict=True):
        assert (x.rank, x.score, x.n_incidents, x.categories, x.trend) == (
            y.rank,
            y.score,
            y.n_incidents,
            y.categories,
            y.trend,
        )
        same = session.execute(
            text(
                "SELECT ST_Equals(a.hull, b.hull) FROM hotspot a, hotspot b "
                "WHERE a.id = :a AND b.id = :b"
            ),
            {"a": x.id, "b": y.id},
        ).scalar_one()
        assert same


def test_agrees_with_st_clusterdbscan(session, hand):
    """The engine and PostGIS's ST_ClusterDBSCAN in the same metric CRS find the same groups."""
    run = clustering.run_hotspots(session, PARAMS)
    rows = session.execute(
        text(
            "SELECT id, ST_ClusterDBSCAN(ST_Transform(geom, 32648), 1000, 5) OVER (ORDER BY id) "
            "FROM incident WHERE status = 'verified' AND occurred_at >= '2025-11-01' "
            "ORDER BY id"
        )
    ).all()
    groups: dict[int, set[int]] = {}
    for incident_id, label in rows:
        if label is not None:
            groups.setdefault(label, set()).add(incident_id)
    assert sorted(groups.values(), key=min) == sorted(_members(session, run), key=min)


def test_metric_distances_stay_within_one_percent_of_geodesic(session):
    """UTM 48N along the whole border: 1 km east-west and north-south at its ends."""
    from pyproj import Geod, Transformer

    to_m = Transformer.from_crs(4326, 32648, always_xy=True)
    geod = Geod(ellps="WGS84")
    for lon, lat in ((100.0, 20.5), (100.0, 14.0), (105.7, 15.0), (102.5, 11.6), (105.7, 20.5)):
        for az in (0, 45, 90):
            lon2, lat2, _ = geod.fwd(lon, lat, az, 1_000)
            (x1, x2), (y1, y2) = to_m.transform([lon, lon2], [lat, lat2])
            assert math.hypot(x2 - x1, y2 - y1) == pytest.approx(1_000, rel=0.01)


def test_dbscan_semantics_min_points_counts_the_point_itself_and_eps_is_inclusive():
    xy = np.array([[0.0, 0.0], [1000.0, 0.0], [2000.0, 0.0], [10_000.0, 0.0]])
    labels = clustering.dbscan_labels(xy, 1000.0, 3)
    assert labels[0] == labels[1] == labels[2] >= 0 and labels[3] == -1
    assert (clustering.dbscan_labels(xy, 999.0, 3) == -1).all()
    assert len(clustering.dbscan_labels(np.empty((0, 2)), 1000.0, 3)) == 0


def test_a_run_over_no_incidents_is_an_empty_result(session):
    run = clustering.run_hotspots(session, {**PARAMS, "categories": ["online_fraud"]})
    assert run.status == RunStatus.DONE
    assert (run.n_incidents, run.n_clusters, run.progress) == (0, 0, 1.0)
    assert _hotspots(session, run) == []


def test_a_planner_run_keeps_to_the_planners_scope(session, hand):
    planner = make_user(session, Role.PATROL_PLANNER, district="TH5703")
    run = clustering.start_run(session, PARAMS, planner)
    assert run.district_ids == [planner.district_id]
    with pytest.raises(Forbidden) as exc:
        clustering.start_run(session, {**PARAMS, "districts": ["TH2706"]}, planner)
    assert exc.value.field == "districts"
    away = clustering.run_hotspots(session, {**PARAMS, "districts": ["TH2706"]})
    assert away.n_incidents == 0  # the hand-made set lies in Chiang Khong


def test_roles_that_may_not_run(session):
    officer = make_user(session, Role.OFFICER)
    with pytest.raises(Forbidden):
        clustering.start_run(session, PARAMS, officer)


NOW = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"eps_m": 0}, "eps_m"),
        ({"eps_m": -5}, "eps_m"),
        ({"eps_m": 50_001}, "eps_m"),
        ({"eps_m": float("nan")}, "eps_m"),
        ({"eps_m": "1000"}, "eps_m"),
        ({"min_points": 1}, "min_points"),
        ({"min_points": 2.5}, "min_points"),
        ({"min_points": True}, "min_points"),
        ({"since": "2026-11-10", "until": "2026-11-01"}, "since"),
        ({"since": "1990-01-01"}, "since"),
        ({"since": "2010-01-01", "until": "2026-11-01"}, "since"),
        ({"until": "2027-06-01"}, "until"),
        ({"until": "yesterday"}, "until"),
        ({"until": "1999-06-01"}, "until"),
        ({"until": "0001-01-01"}, "until"),
        ({"until": "9999-12-31"}, "until"),
        ({"categories": ["piracy"]}, "categories"),
        ({"categories": []}, "categories"),
        ({"statuses": ["maybe"]}, "statuses"),
        ({"districts": "TH5703"}, "districts"),
        ({"districts": [True]}, "districts"),
        ({"corridor_only": "yes"}, "corridor_only"),
        ({"half_life_days": 0}, "half_life_days"),
        ({"cell_m": 10}, "cell_m"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_name_the_field(payload, field):
    with pytest.raises(InvalidInput) as exc:
        parse_run_params(payload, now=NOW)
    assert exc.value.field == field


def test_unknown_district_is_refused_and_nothing_is_stored(session):
    before = session.execute(select(func.count()).select_from(HotspotRun)).scalar_one()
    with pytest.raises(InvalidInput) as exc:
        clustering.start_run(session, {"districts": ["TH9999"]}, None)
    assert exc.value.field == "districts"
    assert session.execute(select(func.count()).select_from(HotspotRun)).scalar_one() == before


def test_progress_is_written_and_ends_at_one(session, hand):
    seen: list[float] = []
    run = clustering.run_hotspots(session, PARAMS, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) >= 4
    assert run.progress == 1.0 and run.started_at and run.finished_at


def test_a_failing_run_is_marked_failed_with_nothing_stored(session, hand, monkeypatch):
    def broken(*_args):
        raise RuntimeError("boom")

    monkeypatch.setattr(clustering, "store_clusters", broken)
    run = clustering.run_hotspots(session, PARAMS)
    assert run.status == RunStatus.FAILED
    assert "RuntimeError" in (run.error or "")
    assert _hotspots(session, run) == []


def test_members_must_refer_to_existing_rows_and_go_with_them(session, hand):
    from sqlalchemy.exc import IntegrityError

    run = clustering.run_hotspots(session, PARAMS)
    spot = _hotspots(session, run)[0]
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("INSERT INTO hotspot_member VALUES (:h, 2000000000)"), {"h": spot.id})
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            text("INSERT INTO hotspot_member VALUES (2000000000, :i)"), {"i": hand.noise[0]}
        )
    session.execute(text("DELETE FROM hotspot_run WHERE id = :r"), {"r": run.id})
    left = session.execute(
        select(func.count()).select_from(HotspotMember).where(HotspotMember.hotspot_id == spot.id)
    ).scalar_one()
    assert left == 0


def test_truncating_runs_truncates_the_members(session, hand):
    clustering.run_hotspots(session, PARAMS)
    session.execute(text("TRUNCATE hotspot_run CASCADE"))
    assert session.execute(select(func.count()).select_from(HotspotMember)).scalar_one() == 0
