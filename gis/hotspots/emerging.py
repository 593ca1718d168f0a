"""Emerging hot spots: where incidents cluster over time, and how that changes.

The analysis follows ArcGIS Pro's *Emerging Hot Spot Analysis* ("How Emerging Hot Spot Analysis
works") on a space-time cube of hexagon counts: ``counts[l, t]`` is the number of incidents of
location ``l`` (a hexagon of the hotspot runs' grid, :mod:`gis.hotspots.gistar`) in time step
``t`` (a week or a month in Thai time), at least :data:`MIN_STEPS` steps.

1. **Space-time Gi\\*** (:func:`space_time_gistar`): every bin (location, step) is a node; its
   neighbours are the bins of the same and the adjacent hexagons (the six around it) in the same
   step and in the :data:`TIME_WINDOW` steps before it (ArcGIS's neighbourhood distance and
   neighbourhood time step; only earlier steps, as ArcGIS does). The z-score of each bin is
   esda's ``G_Local`` with ``star`` (the bin itself counts, binary weights over the whole cube),
   computed in closed form without building the weights (:func:`space_time_z`; the tests check
   it against ``G_Local`` on libpysal weights, :func:`space_time_weights`); its
   two-sided p-value is tested with the False Discovery Rate correction (``esda.fdr``) at
   :data:`ALPHA` (90 % confidence), as the hotspot runs' Gi\\* cells are: a bin is hot (z > 0)
   or cold (z < 0) when significant.
2. **Mann-Kendall trend** (:func:`mann_kendall`) of each location's series of Gi\\* z-scores
   (ArcGIS tests the z-scores for intensifying and diminishing spots): S, its variance with the
   correction for ties, z with the continuity correction and the two-sided p-value, exactly as
   ``pymannkendall.original_test`` computes them (the tests check it on tied and untied series),
   for all locations at once (one call of pymannkendall per hexagon is too slow for a cube of a
   million incidents). A trend is significant at :data:`TREND_ALPHA`.
3. **Categories** (:func:`classify`), ArcGIS's definitions, "90 percent" being ``≥ 0.9`` of the
   steps:

   - *new*: hot in the final step and never before;
   - *consecutive*: one uninterrupted run of at least two hot steps ending with the final one,
     never hot before that run, and hot in less than 90 % of the steps;
   - *intensifying* / *persistent* / *diminishing*: hot in at least 90 % of the steps including
     the final one, with a significant upward / no significant / a significant downward trend;
   - *sporadic*: hot in the final step, on and off before, less than 90 % hot, never cold;
   - *oscillating*: hot in the final step, cold in an earlier one, less than 90 % hot;
   - *historical*: not hot in the final step, but hot in at least 90 % of the steps;
   - the same eight for cold spots; *no pattern* otherwise.

   Where R's sfdep (``emerging_hotspot_analysis``) differs we follow ArcGIS: sfdep tests the
   trend of the Gi\\* values with ``Kendall::MannKendall`` (a tie-adjusted tau, no continuity
   correction), allows a single final hot step for *consecutive*, and reads "90 %" of the steps
   before the final one for *historical*.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from gis.parsing import THAI_TIME
from gis.text import N_
from gis.types import StrEnum

#: Fewest time steps of an analysis.
MIN_STEPS = 6
#: Earlier time steps in a bin's neighbourhood (ArcGIS's neighbourhood time step).
TIME_WINDOW = 1
#: Significance of a hot or cold bin (FDR-corrected), and of a trend.
ALPHA = 0.10
TREND_ALPHA = 0.05
#: "90 percent of the time-step intervals".
MOST = 0.9


class Emerging(StrEnum):
    """The categories of emerging hot spot analysis."""

    NEW_HOT = "new_hot"
    CONSECUTIVE_HOT = "consecutive_hot"
    INTENSIFYING_HOT = "intensifying_hot"
    PERSISTENT_HOT = "persistent_hot"
    DIMINISHING_HOT = "diminishing_hot"
    SPORADIC_HOT = "sporadic_hot"
    OSCILLATING_HOT = "oscillating_hot"
    HISTORICAL_HOT = "historical_hot"
    NEW_COLD = "new_cold"
    CONSECUTIVE_COLD = "consecutive_cold"
    INTENSIFYING_COLD = "intensifying_cold"
    PERSISTENT_COLD = "persistent_cold"
    DIMINISHING_COLD = "diminishing_cold"
    SPORADIC_COLD = "sporadic_cold"
    OSCILLATING_COLD = "oscillating_cold"
    HISTORICAL_COLD = "historical_cold"
    NO_PATTERN = "no_pattern"


#: Each category's name, as the legend and the popups say it.
LABELS: dict[Emerging, str] = {
    Emerging.NEW_HOT: N_("New hot spot"),
    Emerging.CONSECUTIVE_HOT: N_("Consecutive hot spot"),
    Emerging.INTENSIFYING_HOT: N_("Intensifying hot spot"),
    Emerging.PERSISTENT_HOT: N_("Persistent hot spot"),
    Emerging.DIMINISHING_HOT: N_("Diminishing hot spot"),
    Emerging.SPORADIC_HOT: N_("Sporadic hot spot"),
    Emerging.OSCILLATING_HOT: N_("Oscillating hot spot"),
    Emerging.HISTORICAL_HOT: N_("Historical hot spot"),
    Emerging.NEW_COLD: N_("New cold spot"),
    Emerging.CONSECUTIVE_COLD: N_("Consecutive cold spot"),
    Emerging.INTENSIFYING_COLD: N_("Intensifying cold spot"),
    Emerging.PERSISTENT_COLD: N_("Persistent cold spot"),
    Emerging.DIMINISHING_COLD: N_("Diminishing cold spot"),
    Emerging.SPORADIC_COLD: N_("Sporadic cold spot"),
    Emerging.OSCILLATING_COLD: N_("Oscillating cold spot"),
    Emerging.HISTORICAL_COLD: N_("Historical cold spot"),
    Emerging.NO_PATTERN: N_("No pattern detected"),
}
#: The places a planner looks at first: hot spots that are new, growing or getting worse.
EMERGING_PLACES = (Emerging.NEW_HOT, Emerging.CONSECUTIVE_HOT, Emerging.INTENSIFYING_HOT)

#: What each category means, for the legend and the popups (the definitions above).
MEANINGS: dict[Emerging, str] = {
    Emerging.NEW_HOT: N_("Hot spot in the last step and never before"),
    Emerging.CONSECUTIVE_HOT: N_("Hot spot in an unbroken run of the last steps, never before it"),
    Emerging.INTENSIFYING_HOT: N_(
        "Hot spot in at least 90 % of the steps, the last included, and getting hotter"
    ),
    Emerging.PERSISTENT_HOT: N_("Hot spot in at least 90 % of the steps, with no clear trend"),
    Emerging.DIMINISHING_HOT: N_(
        "Hot spot in at least 90 % of the steps, the last included, and cooling down"
    ),
    Emerging.SPORADIC_HOT: N_("Hot spot in the last step, on and off before, never a cold spot"),
    Emerging.OSCILLATING_HOT: N_("Hot spot in the last step, a cold spot in an earlier one"),
    Emerging.HISTORICAL_HOT: N_("Hot spot in at least 90 % of the steps, but not the last"),
    Emerging.NEW_COLD: N_("Cold spot in the last step and never before"),
    Emerging.CONSECUTIVE_COLD: N_(
        "Cold spot in an unbroken run of the last steps, never before it"
    ),
    Emerging.INTENSIFYING_COLD: N_(
        "Cold spot in at least 90 % of the steps, the last included, and getting colder"
    ),
    Emerging.PERSISTENT_COLD: N_("Cold spot in at least 90 % of the steps, with no clear trend"),
    Emerging.DIMINISHING_COLD: N_(
        "Cold spot in at least 90 % of the steps, the last included, and warming up"
    ),
    Emerging.SPORADIC_COLD: N_("Cold spot in the last step, on and off before, never a hot spot"),
    Emerging.OSCILLATING_COLD: N_("Cold spot in the last step, a hot spot in an earlier one"),
    Emerging.HISTORICAL_COLD: N_("Cold spot in at least 90 % of the steps, but not the last"),
    Emerging.NO_PATTERN: N_("None of the hot or cold spot patterns"),
}


@dataclass(frozen=True, slots=True)
class MannKendall:
    """Mann-Kendall statistics per series (arrays over the locations)."""

    s: np.ndarray
    var_s: np.ndarray
    z: np.ndarray
    p: np.ndarray


def mann_kendall(series: np.ndarray) -> MannKendall:
    """The Mann-Kendall trend test of each row of ``series`` (locations × time steps).

    S = Σ_{i<j} sign(x_j − x_i); Var(S) = [n(n−1)(2n+5) − Σ_t t(t−1)(2t+5)] / 18 over the groups
    of ``t`` tied values; z = (S − sign S) / √Var(S) (0 when S = 0 or Var(S) = 0); p two-sided
    under the normal law: ``pymannkendall.original_test``'s ``s``, ``var_s``, ``z``, ``p``.
    """
    from scipy import stats

    x = np.asarray(series, dtype=np.float64)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    rows, n = x.shape
    s = np.zeros(rows)
    for lag in range(1, n):
        s += np.sign(x[:, lag:] - x[:, :-lag]).sum(axis=1)
    ordered = np.sort(x, axis=1)
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    group = np.cumsum(starts, axis=1) - 1 + (np.arange(rows) * n)[:, np.newaxis]
    sizes = np.bincount(group.ravel(), minlength=rows * n).reshape(rows, n).astype(np.float64)
    ties = (sizes * (sizes - 1) * (2 * sizes + 5)).sum(axis=1)
    var_s = (n * (n - 1) * (2 * n + 5) - ties) / 18.0
    root = np.sqrt(np.where(var_s > 0, var_s, 1.0))
    z = np.where(var_s > 0, (s - np.sign(s)) / root, 0.0)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return MannKendall(s=s, var_s=var_s, z=z, p=p)


def space_time_weights(neighbours: list[np.ndarray], steps: int, window: int = TIME_WINDOW):
    """The space-time neighbourhood as libpysal weights over the bins (``l * steps + t``).

    Args:
        neighbours: for each location, the indexes of its spatial neighbours (itself excluded).
        steps: time steps.
        window: earlier steps in the neighbourhood.

    Returns:
        A ``libpysal.weights.W`` (binary; the bin itself is added by Gi*'s ``star``).
    """
    from libpysal.weights import W
    from scipy import sparse

    focal: list[np.ndarray] = []
    other: list[np.ndarray] = []
    t = np.arange(steps)
    for loc, around in enumerate(neighbours):
        places = np.concatenate([[loc], np.asarray(around, dtype=np.int64)])
        for back in range(window + 1):
            when = t[back:]
            for place in places:
                if place == loc and back == 0:
                    continue
                focal.append(loc * steps + when)
                other.append(place * steps + when - back)
    size = len(neighbours) * steps
    rows = np.concatenate(focal) if focal else np.empty(0, dtype=np.int64)
    cols = np.concatenate(other) if other else np.empty(0, dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and components are expected in a cube
        return W.from_sparse(matrix)


def spatial_matrix(neighbours: list[np.ndarray]) -> Any:
    """Binary location-by-location adjacency with each location its own neighbour (scipy CSR)."""
    from scipy import sparse

    count = len(neighbours)
    sizes = np.array([len(n) for n in neighbours], dtype=np.int64)
    src = np.concatenate([np.arange(count), np.repeat(np.arange(count), sizes)])
    parts = [np.arange(count)] + [np.asarray(n, dtype=np.int64) for n in neighbours]
    dst = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    return sparse.csr_matrix((np.ones(len(src)), (src, dst)), shape=(count, count))


def space_time_z(counts: np.ndarray, neighbours: list[np.ndarray], window: int = TIME_WINDOW):
    """Gi* z-scores of every bin of a cube over the space-time neighbourhood, the bin included,
    binary weights: z = (Σ_j w_ij x_j − x̄ W_i) / (s √((n W_i − W_i²) / (n − 1))) with x̄ and s
    the mean and standard deviation of all n bins (esda's ``G_Local`` with ``star``; the tests
    check they agree on every test cube).

    The weights are never materialised: a bin's neighbourhood sum is the sum over its own and
    the adjacent hexagons (one sparse product of the small location adjacency with the cube)
    over the step and the ``window`` steps before it (cumulative sums along time). Building
    libpysal weights for a cube of a million bins (tens of millions of links) takes longer than
    the whole analysis may.
    """
    x = counts.astype(np.float64)
    steps = x.shape[1]
    adjacency = spatial_matrix(neighbours)
    around = np.asarray(adjacency @ x)
    running = np.cumsum(around, axis=1)
    lagged = running.copy()
    lagged[:, window + 1 :] -= running[:, : steps - window - 1]
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    depth = np.minimum(np.arange(steps), window) + 1
    weight = degree[:, np.newaxis] * depth[np.newaxis, :]
    n = x.size
    mean = x.mean()
    sd = math.sqrt(max((x * x).mean() - mean * mean, 0.0))
    if sd == 0.0:
        return np.zeros_like(x)
    spread = sd * np.sqrt(np.maximum(n * weight - weight * weight, 0.0) / (n - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (lagged - mean * weight) / spread
    return np.nan_to_num(z, nan=0.0, posinf=0.0, neginf=0.0)


def space_time_gistar(
    counts: np.ndarray, neighbours: list[np.ndarray], window: int = TIME_WINDOW
) -> tuple[np.ndarray, np.ndarray]:
    """Gi* z-scores (:func:`space_time_z`) and FDR-significant bins (−1 cold, 0, 1 hot).

    Args:
        counts: incidents per location and time step, shape (locations, steps).
        neighbours: each location's spatial neighbours (indexes).
        window: earlier steps in a bin's neighbourhood.

    Returns:
        ``(z, hot_or_cold)``, both shaped like ``counts``.
    """
    import esda
    from scipy import stats

    z = space_time_z(counts, neighbours, window)
    p = 2.0 * stats.norm.sf(np.abs(z.ravel()))
    significant = p <= esda.fdr(p, ALPHA)
    sign = np.where(significant, np.sign(z.ravel()), 0).astype(np.int64)
    return z, sign.reshape(z.shape)


def _final_run(flags: np.ndarray) -> np.ndarray:
    """Length of the run of True values ending with the last step, per row."""
    reversed_false = ~flags[:, ::-1]
    any_false = reversed_false.any(axis=1)
    first_false = np.argmax(reversed_false, axis=1)
    return np.where(any_false, first_false, flags.shape[1])


def _side(
    mine: np.ndarray, theirs: np.ndarray, trend: MannKendall, up: int, names: list[Emerging]
) -> np.ndarray:
    """Categories of one side (hot: ``up`` = 1, cold: ``up`` = -1); ``None`` where none fits.
    ``names``: new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating,
    historical."""
    new, consecutive, intensifying, persistent, diminishing, sporadic, oscillating, historical = (
        names
    )
    steps = mine.shape[1]
    share = mine.sum(axis=1) / steps
    final = mine[:, -1]
    run = _final_run(mine)
    before_run = mine.sum(axis=1) - run
    most = share >= MOST
    significant = trend.p < TREND_ALPHA
    rising = significant & (np.sign(trend.z) == up)
    falling = significant & (np.sign(trend.z) == -up)
    found = np.full(mine.shape[0], None, dtype=object)
    ever_other = theirs.any(axis=1)
    rules = [
        (final & (run == 1) & (before_run == 0), new),
        (final & most & rising, intensifying),
        (final & most & falling, diminishing),
        (final & most, persistent),
        (final & ~most & (run >= 2) & (before_run == 0), consecutive),
        (final & ~most & ever_other, oscillating),
        (final & ~most, sporadic),
        (~final & most, historical),
    ]
    for condition, name in reversed(rules):  # earlier rules take precedence
        found[condition] = name
    return found


def classify(hot_or_cold: np.ndarray, trend: MannKendall) -> list[Emerging]:
    """The category of each location from its significant bins and the trend of its z-scores.

    Args:
        hot_or_cold: per location and step, 1 hot, -1 cold, 0 neither.
        trend: Mann-Kendall of each location's z-scores.

    Returns:
        One :class:`Emerging` per location.
    """
    hot, cold = hot_or_cold > 0, hot_or_cold < 0
    members = list(Emerging)
    hot_names, cold_names = members[:8], members[8:16]  # in the order _side names them
    as_hot = _side(hot, cold, trend, 1, hot_names)
    as_cold = _side(cold, hot, trend, -1, cold_names)
    found = []
    for h, c in zip(as_hot, as_cold, strict=True):
        found.append(h if h is not None else c if c is not None else Emerging.NO_PATTERN)
    return found


@dataclass(frozen=True, slots=True)
class EmergingResult:
    """Per location: its category, total count, Gi* z-scores per step, the trend's z and p,
    and the number of hot and cold steps."""

    categories: list[Emerging]
    totals: np.ndarray
    z: np.ndarray
    trend_z: np.ndarray
    trend_p: np.ndarray
    hot_steps: np.ndarray
    cold_steps: np.ndarray


def analyse(counts: np.ndarray, neighbours: list[np.ndarray]) -> EmergingResult:
    """Space-time Gi*, Mann-Kendall and the categories of a cube of counts.

    Raises:
        ValueError: fewer than :data:`MIN_STEPS` time steps.
    """
    if counts.shape[1] < MIN_STEPS:
        raise ValueError(f"an emerging hot spot analysis needs at least {MIN_STEPS} time steps")
    z, hot_or_cold = space_time_gistar(counts, neighbours)
    trend = mann_kendall(z)
    return EmergingResult(
        categories=classify(hot_or_cold, trend),
        totals=counts.sum(axis=1),
        z=z,
        trend_z=trend.z,
        trend_p=trend.p,
        hot_steps=(hot_or_cold > 0).sum(axis=1),
        cold_steps=(hot_or_cold < 0).sum(axis=1),
    )


def hex_neighbours(i: np.ndarray, j: np.ndarray) -> list[np.ndarray]:
    """For each cell of ``ST_HexagonGrid`` (``i``, ``j``), the indexes of the adjacent cells among
    those given (flat-topped hexagons: same column ±1 row; odd columns' neighbours in the next
    columns are rows j and j+1, even columns' rows j−1 and j)."""
    where = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(i, j, strict=True))}
    found = []
    for a, b in zip(i.tolist(), j.tolist(), strict=True):
        shift = 0 if a % 2 else -1
        around = [(a, b - 1), (a, b + 1)]
        for col in (a - 1, a + 1):
            around += [(col, b + shift), (col, b + shift + 1)]
        found.append(np.array([where[c] for c in around if c in where], dtype=np.int64))
    return found


class Step(StrEnum):
    """The length of a time step of the cube."""

    WEEK = "week"
    MONTH = "month"


def _months_back(when: dt.datetime, months: int) -> dt.datetime:
    """``when`` (Thai time) moved back by calendar months, the day kept or clamped."""
    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (following - dt.timedelta(days=1)).day
    return when.replace(year=year, month=month, day=min(when.day, last_day))


def step_edges(since: dt.datetime, until: dt.datetime, step: Step) -> list[dt.datetime]:
    """The edges of the whole steps in ``[since, until)``, aligned to ``until`` (ArcGIS's "end
    time" alignment, so that the final step is a whole week or month ending at the run's time):
    weeks of 7 days, or calendar months counted back in Thai time. Earlier incidents, in no
    whole step, are left out of the cube.

    Returns:
        ``T + 1`` instants, oldest first (``T`` whole steps; an empty list when none fits).
    """
    end = until.astimezone(THAI_TIME)
    edges = [end]
    while True:
        k = len(edges)
        earlier = end - dt.timedelta(days=7 * k) if step is Step.WEEK else _months_back(end, k)
        if earlier < since:
            break
        edges.append(earlier)
    return edges[::-1] if len(edges) > 1 else []


def step_count(days: int, weekly: bool) -> int:
    """Time steps of ``days`` days (rounded up): weeks or months of 30.44 days."""
    return math.ceil(days / (7 if weekly else 30.44))
