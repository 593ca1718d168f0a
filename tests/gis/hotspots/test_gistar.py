"""Getis-Ord Gi* on hexagon counts: an obvious hot cluster on a constructed grid, FDR bins, and
runs that still complete without esda."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sqlalchemy import select, text

from gis.hotspots import gistar
from gis.hotspots import runs as clustering
from gis.models import HotspotCell
from gis.types import RunStatus
from tests import hotspot_data

CELL = 1_000.0


def _lattice(n: int) -> np.ndarray:
    """Centres of an n × n patch of flat-topped hexagons with edge CELL."""
    dx, dy = 1.5 * CELL, math.sqrt(3) * CELL
    return np.array(
        [(c * dx, r * dy + (dy / 2 if c % 2 else 0)) for c in range(n) for r in range(n)]
    )


def test_an_obvious_hot_cluster_is_hot_at_99_percent_and_the_rest_is_not():
    centres = _lattice(15)
    rng = np.random.default_rng(7)
    counts = rng.poisson(1.0, len(centres)).astype(float)
    middle = np.array([7 * 1.5 * CELL, 7.5 * math.sqrt(3) * CELL])  # column 7 is offset
    hot = np.linalg.norm(centres - middle, axis=1) < 2.0 * CELL  # the cell and its 6 neighbours
    assert hot.sum() == 7
    counts[hot] = 25
    z, p, bins = gistar.gistar(counts, centres, CELL)
    assert (bins[hot] == 3).all()
    assert (z[hot] > 3).all() and (p[hot] < 0.001).all()
    far = np.linalg.norm(centres - middle, axis=1) > 4.0 * CELL
    assert (bins[far] <= 0).all()


def test_noise_alone_gives_almost_no_significant_cell_after_fdr():
    centres = _lattice(15)
    counts = np.random.default_rng(3).poisson(2.0, len(centres)).astype(float)
    _z, _p, bins = gistar.gistar(counts, centres, CELL)
    assert (bins != 0).sum() <= 3


def test_fdr_bins_are_stricter_than_raw_p_values():
    z = np.array([3.5, 2.2, 1.7, 0.1, -2.2, -3.5])
    p = np.array([0.0005, 0.028, 0.09, 0.92, 0.028, 0.0005])
    bins = gistar.gistar_bins(z, p)
    assert list(bins[[0, 5, 3]]) == [3, -3, 0]
    assert all(abs(b) <= 2 for b in bins[[1, 2, 4]])


@pytest.mark.db
def test_a_run_stores_its_cells_and_completes_without_esda(session, monkeypatch):
    hotspot_data.build(session)
    params = {"since": "2025-11-01", "until": "2026-11-01T00:00:00Z", "corridor_only": False}
    run = clustering.run_hotspots(session, {**params, "cell_m": 500})
    cells = session.execute(select(HotspotCell).where(HotspotCell.run_id == run.id)).scalars()
    cells = list(cells)
    assert sum(c.n for c in cells) == run.n_incidents == 26
    assert any(c.n == 0 for c in cells)  # the ring around occupied cells
    assert run.gistar and run.gistar.startswith("Getis-Ord Gi*")

    def missing(*_args):
        raise ImportError("No module named 'esda'")

    monkeypatch.setattr(gistar, "gistar", missing)
    again = clustering.run_hotspots(session, {**params, "cell_m": 500})
    assert again.status == RunStatus.DONE and again.n_clusters == 3
    assert "not computed" in (again.gistar or "")
    stored = session.execute(select(HotspotCell).where(HotspotCell.run_id == again.id)).scalars()
    assert all(c.bin == 0 and c.z is None for c in stored)


@pytest.mark.db
def test_points_are_binned_in_the_cells_st_hexagongrid_draws(session):
    rng = np.random.default_rng(11)
    xy = np.column_stack([rng.uniform(-30_000, 900_000, 400), rng.uniform(1.2e6, 2.3e6, 400)])
    for size in (250.0, 1_000.0, 2_000.0):
        i, j = gistar.hex_cells(xy, size)
        rows = session.execute(
            text(
                "SELECT h.i, h.j FROM unnest(CAST(:x AS float8[]), CAST(:y AS float8[])) "
                "WITH ORDINALITY AS v(x, y, k) CROSS JOIN LATERAL ST_HexagonGrid(:s, "
                "ST_SetSRID(ST_MakePoint(v.x, v.y), 32648)) h "
                "WHERE ST_Intersects(h.geom, ST_SetSRID(ST_MakePoint(v.x, v.y), 32648)) "
                "ORDER BY v.k"
            ),
            {"x": xy[:, 0].tolist(), "y": xy[:, 1].tolist(), "s": size},
        ).all()
        assert [(a, b) for a, b in rows] == list(zip(i.tolist(), j.tolist(), strict=True))


def test_counts_include_the_ring_of_empty_neighbours():
    xy = np.array([[0.0, 0.0], [10.0, 10.0], [5_000.0, 5_000.0]])
    _i, _j, n = gistar.hex_counts(xy, 1_000.0)
    assert n.sum() == 3 and sorted(n[n > 0].tolist()) == [1, 2]
    assert len(n) == 2 * 7  # two occupied cells, far apart, each with six empty neighbours
