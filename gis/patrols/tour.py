"""The order of a patrol's stops: a closed tour from the start and back, shortest in metres.

pgRouting's ``pgr_TSPeuclidean`` gives the first tour, on the points in the metric CRS
(:data:`gis.db.METRIC_SRID`, UTM 48N). In pgRouting 3.4 it is Boost's metric TSP approximation
(a tour at most twice the optimum), not an exact solver: on small random plans it often returns
a longer tour than the optimum (``bench/patrols.py``, ``docs/benchmarks.md``). So the tour is
then made exact for up to :data:`EXACT_MAX_STOPS` stops (Held–Karp dynamic programme, O(2ⁿ·n²)
on the distance matrix) and improved by 2-opt and or-opt moves for more stops, never longer than
pgRouting's. Python works here on the small distance matrix only; the geometries stay in PostGIS.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import text
from sqlalchemy.orm import Session

#: Up to this many stops (plus the start) the tour is exact (Held–Karp, whose time doubles with
#: each stop: ``docs/benchmarks.md``).
EXACT_MAX_STOPS = 14

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Tour:
    """A closed tour.

    Attributes:
        order: indexes of the stops (into the list given, without the start) in visiting order.
        length_m: length of the closed tour start → stops → start in the metric CRS.
        method: how it was found (``pgr_TSPeuclidean`` then ``exact`` or ``2-opt``).
    """

    order: tuple[int, ...]
    length_m: float
    method: str


def tour_length(points: Sequence[Point], order: Sequence[int]) -> float:
    """Length of the closed tour ``points[0]`` → ``points[i] for i in order`` → ``points[0]``.

    Args:
        points: the start first, then the stops, in metres.
        order: indexes into ``points`` (1-based stops: 0 is the start).

    Returns:
        The Euclidean length.
    """
    path = [0, *order, 0]
    return sum(math.dist(points[a], points[b]) for a, b in itertools.pairwise(path))


def pgr_tour(session: Session, points: Sequence[Point]) -> list[int]:
    """pgRouting's tour through ``points`` from ``points[0]`` and back: indexes of the stops.

    Args:
        session: open session (pgRouting installed in the database).
        points: the start first, then at least one stop, in metres (metric CRS).

    Returns:
        The stops' indexes into ``points`` (1..n) in pgRouting's order.
    """
    if len(points) == 2:
        return [1]
    # pgr_TSPeuclidean reads its points from an SQL text: the values go in a temporary table.
    session.execute(
        text(
            "CREATE TEMPORARY TABLE IF NOT EXISTS bw_tour_points "
            "(id bigint PRIMARY KEY, x float8, y float8) ON COMMIT DELETE ROWS"
        )
    )
    session.execute(text("DELETE FROM bw_tour_points"))
    session.execute(
        text("INSERT INTO bw_tour_points (id, x, y) VALUES (:id, :x, :y)"),
        [{"id": i + 1, "x": x, "y": y} for i, (x, y) in enumerate(points)],
    )
    rows = session.execute(
        text(
            "SELECT node FROM pgr_TSPeuclidean('SELECT id, x, y FROM bw_tour_points', "
            "start_id => 1, end_id => 1) ORDER BY seq"
        )
    ).scalars()
    nodes = [int(n) - 1 for n in rows]
    session.execute(text("DELETE FROM bw_tour_points"))
    stops = [n for n in nodes if n != 0]
    if sorted(stops) != list(range(1, len(points))):
        raise RuntimeError(f"pgr_TSPeuclidean returned an incomplete tour: {nodes}")
    return stops


def exact_order(points: Sequence[Point]) -> list[int]:
    """The shortest closed tour from ``points[0]`` (Held–Karp): the stops' indexes (1..n).

    ``best[mask, j]`` is the shortest path from the start through the stops of ``mask`` (bit
    ``k`` for stop ``k + 1``) ending at stop ``j + 1``; the masks of one size depend only on those
    one stop smaller, so numpy computes each size at once.
    """
    n = len(points) - 1
    if n <= 1:
        return list(range(1, n + 1))
    xy = np.asarray(points, dtype=float)
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    size = 1 << n
    best = np.full((size, n), np.inf)
    came = np.full((size, n), -1, dtype=np.int64)
    singles = 1 << np.arange(n)
    best[singles, np.arange(n)] = d[0, 1:]
    masks = np.arange(size)
    counts = np.array([bin(m).count("1") for m in range(size)])
    stops = d[1:, 1:]
    for members in range(2, n + 1):
        group = masks[counts == members]
        for j in range(n):
            ending = group[(group >> j) & 1 == 1]
            before = best[ending ^ (1 << j)] + stops[:, j]  # via each stop k of the rest
            came[ending, j] = before.argmin(axis=1)
            best[ending, j] = before.min(axis=1)
    full = size - 1
    last = int((best[full] + d[1:, 0]).argmin())
    order, mask = [], full
    while last >= 0:
        order.append(last + 1)
        mask, last = mask ^ (1 << last), int(came[mask, last])
    return order[::-1]


def improve(points: Sequence[Point], order: Sequence[int]) -> list[int]:
    """``order`` improved by 2-opt (reverse a run) and or-opt (move a run of 1–3 stops) moves
    until none shortens the tour; never longer than ``order``."""
    tour = [0, *order]
    n = len(tour)
    d = [[math.dist(points[a], points[b]) for b in range(len(points))] for a in range(len(points))]
    eps = 1e-9
    improved = True
    while improved:
        improved = False
        for i in range(1, n - 1):  # 2-opt: reverse tour[i..k]
            for k in range(i + 1, n):
                a, b, c, e = tour[i - 1], tour[i], tour[k], tour[(k + 1) % n]
                if d[a][c] + d[b][e] < d[a][b] + d[c][e] - eps:
                    tour[i : k + 1] = reversed(tour[i : k + 1])
                    improved = True
        for size in (1, 2, 3):  # or-opt: move tour[i..i+size-1] elsewhere
            for i in range(1, n - size + 1):
                run = tour[i : i + size]
                rest = tour[:i] + tour[i + size :]
                before, after = tour[i - 1], tour[(i + size) % n]
                removed = d[before][run[0]] + d[run[-1]][after] - d[before][after]
                for p in range(len(rest)):
                    x, y = rest[p], rest[(p + 1) % len(rest)]
                    if x == before:
                        continue
                    for seq in (run, run[::-1]):
                        added = d[x][seq[0]] + d[seq[-1]][y] - d[x][y]
                        if added < removed - eps:
                            tour = rest[: p + 1] + list(seq) + rest[p + 1 :]
                            improved = True
                            break
                    if improved:
                        break
                if improved:
                    break
            if improved:
                break
    start = tour.index(0)
    return tour[start + 1 :] + tour[:start]


def plan_tour(session: Session, points: Sequence[Point]) -> Tour:
    """The order of the stops: pgRouting's tour, made exact or improved (module docstring).

    Args:
        session: open session.
        points: the start first, then 1 or more stops, in metres (metric CRS).

    Returns:
        The tour; ``order`` holds 0-based indexes of the stops (``points[1:]``).

    Raises:
        ValueError: no stop.
    """
    if len(points) < 2:
        raise ValueError("a tour needs a start and at least one stop")
    first = pgr_tour(session, points)
    if len(points) - 1 <= EXACT_MAX_STOPS:
        best, method = exact_order(points), "pgr_TSPeuclidean, then exact (Held-Karp)"
    else:
        best, method = improve(points, first), "pgr_TSPeuclidean, then 2-opt/or-opt"
    if tour_length(points, first) <= tour_length(points, best):
        best = first  # keep pgRouting's order when it is as short
    return Tour(tuple(i - 1 for i in best), tour_length(points, best), method)
