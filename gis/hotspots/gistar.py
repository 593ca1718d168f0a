"""Hexagon counts and the Getis-Ord Gi* hot spot statistic of a hotspot run.

The run's incidents are counted on the hexagon grid of ``cell_m`` metres (edge length) that
``ST_HexagonGrid`` draws in the metric CRS (anchored at its origin, so that cells line up between
runs): :func:`hex_cells` bins the points the run already holds, the polygons come from PostGIS.
The cells analysed are the occupied hexagons and the ring of hexagons around each (counting 0),
so that a lone busy cell among empty ones stands out, as it does on the ground.

Gi* (esda's ``G_Local`` with ``star=True``: each cell's own count is part of its neighbourhood;
binary weights; neighbours are the six adjacent hexagons, libpysal ``DistanceBand``) gives a
z-score per cell; its two-sided p-value under the normal approximation is binned as ArcGIS's
*Hot Spot Analysis (Getis-Ord Gi\\*)* does with the False Discovery Rate correction: a cell is a
hot (z > 0) or cold (z < 0) spot at 99, 95 or 90 % confidence when its p-value is at most the
Benjamini-Hochberg threshold (``esda.fdr``) at α = 0.01, 0.05 or 0.10; ``bin`` is ±3, ±2, ±1
accordingly and 0 when not significant.

esda/libpysal are the optional ``analysis`` extra: without them the hexagon counts are still
stored and the run says that Gi* was not computed (``hotspot_run.gistar``).
"""

from __future__ import annotations

import logging
import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.hotspots.params import RunParams

log = logging.getLogger(__name__)

#: Confidence bins: (alpha, bin magnitude), strictest first.
LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))
#: Fewest cells for which Gi* means anything.
MIN_CELLS = 8


def hex_cells(xy: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``ST_HexagonGrid(size, ...)`` cell (``i``, ``j``) of each metric point.

    PostGIS's grid is anchored at the CRS origin with flat-topped hexagons: cell (i, j) is
    centred at x = 1.5 · size · i, y = √3 · size · (j + ½ if i is odd). A point belongs to the
    cell of the nearest centre, found among the nearest row of three columns. Binning here, on
    the points the run already holds, replaces one ``ST_HexagonGrid`` call per point in SQL
    (much slower); the cells' polygons still come from ``ST_HexagonGrid``
    (:func:`compute_cells` checks that every cell is found there).
    """
    height = math.sqrt(3) * size
    x, y = xy[:, 0], xy[:, 1]
    col0 = np.rint(x / (1.5 * size)).astype(np.int64)
    best = np.full(len(xy), np.inf)
    best_i = np.zeros(len(xy), dtype=np.int64)
    best_j = np.zeros(len(xy), dtype=np.int64)
    for step in (-1, 0, 1):
        col = col0 + step
        offset = (col & 1) * (height / 2)
        row = np.rint((y - offset) / height).astype(np.int64)
        d = (x - 1.5 * size * col) ** 2 + (y - (row * height + offset)) ** 2
        closer = d < best
        best = np.where(closer, d, best)
        best_i = np.where(closer, col, best_i)
        best_j = np.where(closer, row, best_j)
    return best_i, best_j


def hex_centres(i: np.ndarray, j: np.ndarray, size: float) -> np.ndarray:
    """Centres (metric CRS) of ``ST_HexagonGrid`` cells."""
    height = math.sqrt(3) * size
    return np.column_stack([1.5 * size * i, height * j + (i & 1) * (height / 2)])


#: Offsets of the six neighbours of a flat-topped hexagon, in (1.5 · size, √3/2 · size) units.
_NEIGHBOURS = np.array([(0, 2), (0, -2), (1, 1), (1, -1), (-1, 1), (-1, -1)], dtype=np.float64)


def hex_counts(xy: np.ndarray, size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Occupied cells and the six neighbours of each: ``(i, j, count)`` sorted by (i, j)."""
    if len(xy) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    i, j = hex_cells(xy, size)
    keys, first, counts = np.unique(_key(i, j), return_index=True, return_counts=True)
    ci, cj = i[first], j[first]
    centres = hex_centres(ci, cj, size)
    height = math.sqrt(3) * size
    around = [
        centres + np.array([dx, dy])
        for dx, dy in (
            (0, height),
            (0, -height),
            (1.5 * size, height / 2),
            (1.5 * size, -height / 2),
            (-1.5 * size, height / 2),
            (-1.5 * size, -height / 2),
        )
    ]
    ni, nj = hex_cells(np.vstack(around), size)
    all_i, all_j = np.concatenate([ci, ni]), np.concatenate([cj, nj])
    every, where = np.unique(_key(all_i, all_j), return_index=True)
    n = np.zeros(len(every), dtype=np.int64)
    n[np.searchsorted(every, keys)] = counts
    return all_i[where], all_j[where], n


def _key(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """One int64 per cell, ordered as (i, j) (cell indexes stay far below 2^31)."""
    return i.astype(np.int64) * (1 << 32) + j


def gistar_bins(z: np.ndarray, p: np.ndarray) -> np.ndarray:
    """ArcGIS-style bins (-3..3) of two-sided p-values with the FDR correction."""
    import esda

    bins = np.zeros(len(z), dtype=np.int64)
    for alpha, magnitude in reversed(LEVELS):  # weakest first, overwritten by stricter levels
        threshold = esda.fdr(p, alpha)
        significant = p <= threshold
        bins[significant] = np.sign(z[significant]).astype(np.int64) * magnitude
    return bins


def gistar(
    counts: np.ndarray, centres: np.ndarray, cell_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gi* z-scores, two-sided p-values and bins of hexagon counts.

    Args:
        counts: incidents per cell.
        centres: cell centres (metric CRS), shape (n, 2).
        cell_m: hexagon edge length (adjacent centres lie sqrt(3) × cell_m apart).

    Returns:
        ``(z, p, bins)``.

    Raises:
        ImportError: esda/libpysal are not installed.
    """
    import esda
    from libpysal.weights import DistanceBand
    from scipy import stats

    threshold = math.sqrt(3) * cell_m * 1.05
    with warnings.catch_warnings():
        # separate groups of cells are separate components of the weights: expected here
        warnings.filterwarnings("ignore", message=".*not fully connected", category=UserWarning)
        w = DistanceBand(centres, threshold=threshold, binary=True, silence_warnings=True)
        g = esda.G_Local(
            counts.astype(np.float64), w, transform="B", star=True, permutations=0, n_jobs=1
        )
    z = np.asarray(g.Zs, dtype=np.float64)
    p = 2.0 * stats.norm.sf(np.abs(z))
    return z, p, gistar_bins(z, p)


@dataclass(frozen=True, slots=True)
class Cells:
    """A run's hexagons with their Gi* statistic (``z``, ``p`` ``None`` when not computed)."""

    i: list[int]
    j: list[int]
    n: list[int]
    z: list[float | None]
    p: list[float | None]
    bins: list[int]
    note: str


def analyse_cells(params: RunParams, xy: np.ndarray, run_id: int | None = None) -> Cells:
    """Hexagon counts of the run's points and their Gi* statistic (no database: a worker runs it
    beside the storing of the clusters)."""
    i, j, counts = hex_counts(xy, params.cell_m)
    size = f"{params.cell_m:,.0f} m"
    z: list[float | None] = [None] * len(i)
    p: list[float | None] = [None] * len(i)
    bins = [0] * len(i)
    if len(i) < MIN_CELLS or counts.sum() == 0 or np.all(counts == counts[0]):
        note = f"Gi* not computed: too few occupied hexagons ({len(i)} cells of {size})"
    else:
        try:
            zs, ps, bs = gistar(
                counts.astype(np.float64), hex_centres(i, j, params.cell_m), params.cell_m
            )
        except ImportError:
            note = (
                "Gi* not computed: esda/libpysal are not installed "
                "(pip install 'borderwatch[analysis]'); hexagon counts only"
            )
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            log.exception("Gi* failed for hotspot run %s", run_id)
            note = "Gi* not computed: the statistic failed on these counts; hexagon counts only"
        else:
            z, p = [float(v) for v in zs], [float(v) for v in ps]
            bins = [int(b) for b in bs]
            hot = sum(1 for b in bins if b > 0)
            cold = sum(1 for b in bins if b < 0)
            note = (
                f"Getis-Ord Gi* on {len(i):,} hexagons of {size} (six neighbours, cell "
                f"included), FDR-corrected: {hot} hot and {cold} cold cells"
            )
    return Cells(i.tolist(), j.tolist(), counts.tolist(), z, p, bins, note)


def store_cells(session: Session, run_id: int, params: RunParams, cells: Cells) -> None:
    """Write the cells to ``hotspot_cell``, their polygons drawn by ``ST_HexagonGrid``.

    Raises:
        RuntimeError: a cell that ``ST_HexagonGrid`` does not draw (the binning is wrong).
    """
    if not cells.i:
        return
    centres = hex_centres(np.array(cells.i), np.array(cells.j), params.cell_m)
    result: Any = session.execute(
        _STORE_CELLS,
        {
            "run": run_id,
            "size": params.cell_m,
            "metric": METRIC_SRID,
            "srid": SRID,
            "i": cells.i,
            "j": cells.j,
            "n": cells.n,
            "z": cells.z,
            "p": cells.p,
            "b": cells.bins,
            "x": centres[:, 0].tolist(),
            "y": centres[:, 1].tolist(),
        },
    )
    if result.rowcount != len(cells.i):
        raise RuntimeError(f"{len(cells.i) - result.rowcount} hexagons not on ST_HexagonGrid")


def compute_cells(session: Session, run_id: int, params: RunParams, xy: np.ndarray) -> str:
    """Store the run's hexagon counts with their Gi* statistic in ``hotspot_cell``.

    Returns:
        A sentence for ``hotspot_run.gistar``: what was computed, or why Gi* was not.
    """
    cells = analyse_cells(params, xy, run_id)
    store_cells(session, run_id, params, cells)
    return cells.note


_STORE_CELLS = text(
    """
    INSERT INTO hotspot_cell (run_id, i, j, n, z, p, bin, geom)
    SELECT :run, v.i, v.j, v.n, v.z, v.p, v.b, ST_Transform(h.geom, :srid)
    FROM unnest(CAST(:i AS int[]), CAST(:j AS int[]), CAST(:n AS int[]),
                CAST(:z AS float8[]), CAST(:p AS float8[]), CAST(:b AS int[]),
                CAST(:x AS float8[]), CAST(:y AS float8[])) AS v(i, j, n, z, p, b, x, y)
    CROSS JOIN LATERAL ST_HexagonGrid(:size, ST_SetSRID(ST_MakePoint(v.x, v.y), :metric)) h
    WHERE h.i = v.i AND h.j = v.j
    """
)
