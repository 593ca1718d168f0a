"""The space-time cube of a run's emerging hot spot analysis: its points counted per hexagon of
``ST_HexagonGrid`` and per time step (:func:`gis.hotspots.emerging.step_edges`), analysed
(:func:`gis.hotspots.emerging.analyse`) and stored in ``emerging_cell``."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.hotspots.emerging import Emerging, EmergingResult, analyse, hex_neighbours, step_edges
from gis.hotspots.gistar import MIN_CELLS, hex_cells, hex_centres, hex_counts
from gis.hotspots.params import RunParams

log = logging.getLogger(__name__)

#: ``Points.at_us`` counts microseconds from this instant (gis.hotspots.engine).
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _cell_key(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    return i.astype(np.int64) * (1 << 32) + j


def build_cube(
    xy: np.ndarray, at_us: np.ndarray, cell_m: float, edges: list[dt.datetime]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The space-time cube of a run's points: the occupied hexagons of ``ST_HexagonGrid``
    (``cell_m``) with the ring around each (counting 0, as the Gi* cells of the runs), and the
    incidents of each per step.

    Args:
        xy: metric coordinates of the points.
        at_us: when each occurred, microseconds since 2000-01-01 UTC.
        cell_m: hexagon edge in metres.
        edges: the steps' edges (:func:`step_edges`).

    Returns:
        ``(i, j, counts)``: cell indexes (sorted) and counts of shape (cells, steps).
    """
    bounds = np.array([(e - _EPOCH) // dt.timedelta(microseconds=1) for e in edges])
    step = np.searchsorted(bounds, at_us, side="right") - 1
    inside = (step >= 0) & (step < len(edges) - 1)
    xy, step = xy[inside], step[inside]
    i, j, _ = hex_counts(xy, cell_m)
    counts = np.zeros((len(i), len(edges) - 1), dtype=np.int64)
    if len(xy):
        pi, pj = hex_cells(xy, cell_m)
        cell = np.searchsorted(_cell_key(i, j), _cell_key(pi, pj))
        np.add.at(counts, (cell, step), 1)
    return i, j, counts


@dataclass(frozen=True, slots=True)
class EmergingCells:
    """A run's emerging hot spot analysis, ready to store (``note`` for ``hotspot_run``)."""

    i: list[int]
    j: list[int]
    result: EmergingResult | None
    note: str


def analyse_emerging(
    params: RunParams, xy: np.ndarray, at_us: np.ndarray, run_id: int | None = None
) -> EmergingCells:
    """The run's cube (:func:`build_cube`) and its analysis (:func:`gis.hotspots.emerging.analyse`);
    no database, so that the worker runs it beside the clusters."""
    if params.emerging is None:
        raise ValueError("the run asks for no emerging hot spot analysis")
    edges = step_edges(params.since, params.until, params.emerging)
    i, j, counts = build_cube(xy, at_us, params.cell_m, edges)
    steps = counts.shape[1]
    where = f"{len(i):,} hexagons of {params.cell_m:,.0f} m × {steps} {params.emerging.value}s"
    if len(i) < MIN_CELLS or counts.sum() == 0:
        return EmergingCells([], [], None, f"Emerging hot spots not computed: too few ({where})")
    try:
        result = analyse(counts, hex_neighbours(i, j))
    except ImportError:
        return EmergingCells([], [], None, "Emerging hot spots not computed: esda is not installed")
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        log.exception("emerging hot spots failed for hotspot run %s", run_id)
        return EmergingCells([], [], None, "Emerging hot spots not computed: the analysis failed")
    found = Counter(c.value for c in result.categories)
    summary = ", ".join(f"{found[c.value]} {c.value}" for c in Emerging if found[c.value])
    note = f"Emerging hot spots on {where} (space-time Gi*, Mann-Kendall): {summary}"
    return EmergingCells(i.tolist(), j.tolist(), result, note)


def store_emerging(session: Session, run_id: int, params: RunParams, cells: EmergingCells) -> None:
    """Write the analysed hexagons to ``emerging_cell``, polygons by ``ST_HexagonGrid``.

    Raises:
        RuntimeError: a cell that ``ST_HexagonGrid`` does not draw.
    """
    r = cells.result
    if r is None or not cells.i:
        return
    centres = hex_centres(np.array(cells.i), np.array(cells.j), params.cell_m)
    values = {
        "run": run_id, "size": params.cell_m, "metric": METRIC_SRID, "srid": SRID,
        "i": cells.i, "j": cells.j, "c": [c.value for c in r.categories],
        "n": r.totals.tolist(), "s": [int(r.z.shape[1])] * len(cells.i),
        "h": r.hot_steps.tolist(), "k": r.cold_steps.tolist(),
        "tz": r.trend_z.tolist(), "tp": r.trend_p.tolist(), "fz": r.z[:, -1].tolist(),
        "x": centres[:, 0].tolist(), "y": centres[:, 1].tolist(),
    }  # fmt: skip
    result: Any = session.execute(_STORE, values)
    if result.rowcount != len(cells.i):
        raise RuntimeError(f"{len(cells.i) - result.rowcount} hexagons not on ST_HexagonGrid")


_STORE = text(
    """
    INSERT INTO emerging_cell (run_id, i, j, category, n, steps, hot_steps, cold_steps,
                               trend_z, trend_p, final_z, geom)
    SELECT :run, v.i, v.j, v.c, v.n, v.s, v.h, v.k, v.tz, v.tp, v.fz, ST_Transform(h.geom, :srid)
    FROM unnest(CAST(:i AS int[]), CAST(:j AS int[]), CAST(:c AS text[]), CAST(:n AS int[]),
                CAST(:s AS int[]), CAST(:h AS int[]), CAST(:k AS int[]),
                CAST(:tz AS float8[]), CAST(:tp AS float8[]), CAST(:fz AS float8[]),
                CAST(:x AS float8[]), CAST(:y AS float8[]))
         AS v(i, j, c, n, s, h, k, tz, tp, fz, x, y)
    CROSS JOIN LATERAL ST_HexagonGrid(:size, ST_SetSRID(ST_MakePoint(v.x, v.y), :metric)) h
    WHERE h.i = v.i AND h.j = v.j
    """
)
