"""Emerging hot spot analysis: the Mann-Kendall test against pymannkendall, one fixture per
category built from its definition, the space-time neighbourhood and a cube end to end."""

from __future__ import annotations

import numpy as np
import pymannkendall
import pytest

from gis.hotspots.emerging import (
    MIN_STEPS,
    Emerging,
    MannKendall,
    analyse,
    classify,
    hex_neighbours,
    mann_kendall,
    space_time_weights,
)

SERIES = {
    "untied rising": [1.0, 2.5, 2.0, 4.0, 3.5, 6.0, 7.0, 6.5, 9.0, 8.0],
    "untied falling": [9.3, 8.1, 8.4, 6.0, 5.2, 5.5, 3.1, 2.0],
    "tied": [1, 2, 2, 3, 1, 4, 5, 5, 5, 2, 6, 6],
    "many ties": [0, 0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0],
    "no trend": [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5],
    "constant": [2, 2, 2, 2, 2, 2],
    "random": list(np.random.default_rng(7).normal(size=40)),
    "random counts": list(np.random.default_rng(8).poisson(2, size=52)),
}


@pytest.mark.parametrize("name", list(SERIES))
def test_mann_kendall_equals_pymannkendall(name):
    series = np.array(SERIES[name], dtype=float)
    ours = mann_kendall(series)
    theirs = pymannkendall.original_test(series)
    assert ours.s[0] == pytest.approx(theirs.s)
    assert ours.var_s[0] == pytest.approx(theirs.var_s)
    assert ours.z[0] == pytest.approx(theirs.z)
    assert ours.p[0] == pytest.approx(theirs.p)


def test_mann_kendall_of_many_series_at_once():
    rows = np.random.default_rng(3).poisson(1.5, size=(30, 24)).astype(float)
    ours = mann_kendall(rows)
    for k, row in enumerate(rows):
        theirs = pymannkendall.original_test(row)
        assert (ours.s[k], ours.var_s[k]) == pytest.approx((theirs.s, theirs.var_s))
        assert ours.p[k] == pytest.approx(theirs.p)


H, C, N = 1, -1, 0  # hot, cold, neither
UP, FLAT, DOWN = 3.0, 0.0, -3.0

#: (steps: 1 hot, -1 cold, 0 neither; trend z of the z-scores) -> category, each built from
#: ArcGIS's definition; ten steps, so "90 percent" is nine of them.
FIXTURES = [
    ([N, N, N, N, N, N, N, N, N, H], FLAT, Emerging.NEW_HOT),
    ([N, N, N, N, N, N, N, H, H, H], UP, Emerging.CONSECUTIVE_HOT),
    ([N, H, H, H, H, H, H, H, H, H], UP, Emerging.INTENSIFYING_HOT),
    ([H, H, H, H, H, H, H, H, H, H], FLAT, Emerging.PERSISTENT_HOT),
    ([H, H, H, H, H, H, H, H, N, H], DOWN, Emerging.DIMINISHING_HOT),
    ([N, H, N, N, H, N, N, N, H, H], FLAT, Emerging.SPORADIC_HOT),
    ([N, C, N, N, H, N, N, N, N, H], FLAT, Emerging.OSCILLATING_HOT),
    ([H, H, H, H, H, H, H, H, H, N], DOWN, Emerging.HISTORICAL_HOT),
    ([N, N, N, N, N, N, N, N, N, C], FLAT, Emerging.NEW_COLD),
    ([N, N, N, N, N, N, N, N, C, C], DOWN, Emerging.CONSECUTIVE_COLD),
    ([C, C, C, C, C, C, C, C, N, C], DOWN, Emerging.INTENSIFYING_COLD),
    ([C, C, C, C, C, C, C, C, C, C], FLAT, Emerging.PERSISTENT_COLD),
    ([N, C, C, C, C, C, C, C, C, C], UP, Emerging.DIMINISHING_COLD),
    ([C, N, N, C, N, N, N, C, N, C], FLAT, Emerging.SPORADIC_COLD),
    ([H, N, N, N, C, N, N, N, N, C], FLAT, Emerging.OSCILLATING_COLD),
    ([C, C, C, C, C, C, C, C, C, N], UP, Emerging.HISTORICAL_COLD),
    ([N, N, N, N, N, N, N, N, N, N], UP, Emerging.NO_PATTERN),
    ([N, H, H, N, H, N, N, N, N, N], FLAT, Emerging.NO_PATTERN),  # hot once, not now
]


@pytest.mark.parametrize(
    ("steps", "trend", "expected"),
    FIXTURES,
    ids=[f"{e.value}-{k}" for k, (_, _, e) in enumerate(FIXTURES)],
)
def test_each_category_as_defined(steps, trend, expected):
    bins = np.array([steps])
    p = np.array([0.001 if trend else 0.8])
    found = classify(bins, MannKendall(np.zeros(1), np.ones(1), np.array([trend]), p))
    assert found == [expected]


def test_every_category_has_a_fixture():
    assert {e for _, _, e in FIXTURES} == set(Emerging)


def test_the_boundaries_of_ninety_percent_and_of_a_run():
    # 9 hot steps of 10 is "90 percent"; 8 is not: then sporadic (hot before the final run)
    nine = [N, H, H, H, H, H, H, H, H, H]
    eight = [N, N, H, H, H, H, H, H, H, H]
    trend = MannKendall(np.zeros(2), np.ones(2), np.zeros(2), np.ones(2))
    assert classify(np.array([nine, eight]), trend) == [
        Emerging.PERSISTENT_HOT,
        Emerging.CONSECUTIVE_HOT,  # one unbroken run at the end, never hot before it
    ]
    broken = [H, N, H, H, H, H, H, H, H, H]  # 9 of 10, run of 8 with a hot step before it
    assert classify(np.array([broken]), MannKendall(*(np.zeros(1),) * 3, np.ones(1))) == [
        Emerging.PERSISTENT_HOT
    ]


def test_the_space_time_neighbourhood():
    # a row of three locations (0-1-2), four steps, one earlier step in the window
    w = space_time_weights([np.array([1]), np.array([0, 2]), np.array([1])], steps=4, window=1)

    def node(loc, t):
        return loc * 4 + t

    assert sorted(w.neighbors[node(1, 2)]) == sorted(
        [node(0, 2), node(2, 2), node(1, 1), node(0, 1), node(2, 1)]
    )
    assert sorted(w.neighbors[node(0, 0)]) == [node(1, 0)]  # no step before the first
    assert node(1, 3) not in w.neighbors[node(1, 2)]  # later steps are not neighbours


def test_hexagon_neighbours_match_the_grid():
    from gis.hotspots.gistar import hex_centres

    i, j = np.meshgrid(np.arange(-3, 4), np.arange(-3, 4))
    i, j = i.ravel(), j.ravel()
    found = hex_neighbours(i, j)
    centres = hex_centres(i, j, 1000.0)
    for k, around in enumerate(found):
        d = np.hypot(*(centres - centres[k]).T)
        expected = set(np.flatnonzero((d > 0) & (d < 1000.0 * np.sqrt(3) * 1.05)).tolist())
        assert set(around.tolist()) == expected


def test_a_cluster_appearing_in_the_last_step_is_new():
    i, j = np.meshgrid(np.arange(0, 9), np.arange(0, 9))
    i, j = i.ravel(), j.ravel()
    neighbours = hex_neighbours(i, j)
    steps = 10
    counts = ((np.arange(len(i))[:, None] + np.arange(steps)[None, :]) % 3).astype(float)
    centre = int(np.flatnonzero((i == 4) & (j == 4))[0])
    for cell in [centre, *neighbours[centre].tolist()]:
        counts[cell, -1] = 25
    result = analyse(counts, neighbours)
    assert result.categories[centre] is Emerging.NEW_HOT
    assert result.hot_steps[centre] == 1
    assert int(result.totals[centre]) == int(counts[centre].sum())
    assert Emerging.NO_PATTERN in result.categories


def test_too_few_steps_are_refused():
    with pytest.raises(ValueError, match="at least"):
        analyse(np.ones((3, MIN_STEPS - 1)), [np.array([1]), np.array([0, 2]), np.array([1])])


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("window", [0, 1, 2])
def test_the_space_time_z_scores_are_esdas_g_local_star(seed, window):
    import warnings

    import esda

    from gis.hotspots.emerging import space_time_z

    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(0, 7), np.arange(0, 5))
    keep = rng.random(i.size) < 0.85  # holes in the grid: isolated hexagons too
    i, j = i.ravel()[keep], j.ravel()[keep]
    neighbours = hex_neighbours(i, j)
    counts = rng.poisson(1.5, size=(len(i), 9)).astype(float)
    w = space_time_weights(neighbours, steps=9, window=window)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(counts.ravel(), w, transform="B", star=True, permutations=0)
    ours = space_time_z(counts, neighbours, window)
    assert ours.shape == counts.shape
    np.testing.assert_allclose(ours.ravel(), np.nan_to_num(g.Zs), rtol=1e-9, atol=1e-9)
