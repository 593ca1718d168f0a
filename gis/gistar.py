"""Hexagon counts and the Getis-Ord Gi* hot spot statistic of a hotspot run.

The run's incidents are counted on a hexagon grid of ``cell_m`` metres (edge length,
``ST_HexagonGrid`` in the metric CRS, anchored at its origin so that cells line up between runs).
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

import numpy as np
from geoalchemy2 import Geometry
from sqlalchemy import (
    Column,
    Double,
    Integer,
    MetaData,
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.hotspot_params import RunParams
from gis.models import HotspotCell, Incident

log = logging.getLogger(__name__)

#: Confidence bins: (alpha, bin magnitude), strictest first.
LEVELS = ((0.01, 3), (0.05, 2), (0.10, 1))
#: Fewest cells for which Gi* means anything.
MIN_CELLS = 8

_INTS = ARRAY(Integer)
_FLOATS = ARRAY(Double)

_HEX = Table(
    "hotspot_hex",
    MetaData(),
    Column("i", Integer),
    Column("j", Integer),
    Column("n", Integer),
    Column("geom", Geometry("POLYGON", srid=METRIC_SRID, spatial_index=False)),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def _fill_hexagons(session: Session, params: RunParams) -> None:
    """The run's occupied hexagons and their neighbours, with counts, in ``hotspot_hex``."""
    from gis.clustering import incident_conditions

    size = params.cell_m
    pts = (
        select(func.ST_Transform(Incident.geom, METRIC_SRID).label("g"))
        .where(and_(true(), *incident_conditions(params)))
        .cte("pts")
    )
    hexes = func.ST_HexagonGrid(size, pts.c.g).table_valued("geom", "i", "j").lateral("h")
    occupied = (
        select(
            hexes.c.i,
            hexes.c.j,
            func.count().label("n"),
            func.ST_Envelope(func.ST_Collect(hexes.c.geom)).label("box"),
        )
        .select_from(pts)
        .join(hexes, func.ST_Intersects(hexes.c.geom, pts.c.g))
        .group_by(hexes.c.i, hexes.c.j)
        .cte("occupied")
    )
    around = (
        func.ST_HexagonGrid(size, func.ST_Expand(occupied.c.box, size))
        .table_valued("geom", "i", "j")
        .lateral("r")
    )
    cells = (
        select(around.c.i, around.c.j, around.c.geom)
        .select_from(occupied)
        .join(around, true())
        .distinct()
        .cte("cells")
    )
    rows = (
        select(
            cells.c.i,
            cells.c.j,
            func.coalesce(occupied.c.n, 0),
            cells.c.geom,
        )
        .select_from(cells)
        .outerjoin(occupied, and_(occupied.c.i == cells.c.i, occupied.c.j == cells.c.j))
    )
    _HEX.create(session.connection())
    session.execute(insert(_HEX).from_select(["i", "j", "n", "geom"], rows))


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


def compute_cells(session: Session, run_id: int, params: RunParams) -> str:
    """Store the run's hexagon counts with their Gi* statistic in ``hotspot_cell``.

    Returns:
        A sentence for ``hotspot_run.gistar``: what was computed, or why Gi* was not.
    """
    _fill_hexagons(session, params)
    rows = session.execute(
        select(
            _HEX.c.i,
            _HEX.c.j,
            _HEX.c.n,
            func.ST_X(func.ST_Centroid(_HEX.c.geom)),
            func.ST_Y(func.ST_Centroid(_HEX.c.geom)),
        ).order_by(_HEX.c.i, _HEX.c.j)
    ).all()
    size = f"{params.cell_m:,.0f} m"
    z: list[float | None] = [None] * len(rows)
    p: list[float | None] = [None] * len(rows)
    bins = [0] * len(rows)
    counts = np.array([r[2] for r in rows], dtype=np.float64)
    if len(rows) < MIN_CELLS or counts.sum() == 0 or np.all(counts == counts[0]):
        note = f"Gi* not computed: too few occupied hexagons ({len(rows)} cells of {size})"
    else:
        try:
            centres = np.array([(r[3], r[4]) for r in rows], dtype=np.float64)
            zs, ps, bs = gistar(counts, centres, params.cell_m)
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
                f"Getis-Ord Gi* on {len(rows):,} hexagons of {size} (six neighbours, cell "
                f"included), FDR-corrected: {hot} hot and {cold} cold cells"
            )
    if rows:
        values = select(
            func.unnest(bindparam("i", [r[0] for r in rows], type_=_INTS)).label("i"),
            func.unnest(bindparam("j", [r[1] for r in rows], type_=_INTS)).label("j"),
            func.unnest(bindparam("z", z, type_=_FLOATS)).label("z"),
            func.unnest(bindparam("p", p, type_=_FLOATS)).label("p"),
            func.unnest(bindparam("b", bins, type_=_INTS)).label("b"),
        ).subquery("v")
        session.execute(
            insert(HotspotCell).from_select(
                ["run_id", "i", "j", "n", "z", "p", "bin", "geom"],
                select(
                    literal(run_id),
                    _HEX.c.i,
                    _HEX.c.j,
                    _HEX.c.n,
                    values.c.z,
                    values.c.p,
                    values.c.b,
                    func.ST_Transform(_HEX.c.geom, SRID),
                ).join(values, and_(values.c.i == _HEX.c.i, values.c.j == _HEX.c.j)),
            )
        )
    session.execute(text("DROP TABLE hotspot_hex"))
    return note
