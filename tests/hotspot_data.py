"""A hand-made set of incidents with a known clustering answer, near Chiang Khong (TH5703).

- ``straddle``: 8 incidents within 150 m of a point on the Mekong boundary, on both banks;
- ``near``: 7 incidents about 2-3 km from the border, in Thailand (inside the corridor);
- ``inland``: 7 incidents more than 12 km from the border and every crossing (outside the
  corridor);
- ``noise``: 4 lone incidents in the corridor, kilometres from each other and the groups.

With ``eps_m`` 1,000 and ``min_points`` 5 the answer is three clusters (two with
``corridor_only``) and the noise.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.types import IncidentCategory, IncidentStatus
from tests.factories import report_incident

#: Chiang Khong town on the Mekong.
HOME = (100.40, 20.26)
AS_OF = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@dataclass
class HandSet:
    groups: dict[str, list[int]] = field(default_factory=dict)
    noise: list[int] = field(default_factory=list)


def _project(session: Session, lon: float, lat: float, metres: float, azimuth: float):
    row = session.execute(
        text(
            "SELECT ST_X(p::geometry), ST_Y(p::geometry) FROM (SELECT ST_Project("
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :m, radians(:az)) p) s"
        ),
        {"lon": lon, "lat": lat, "m": metres, "az": azimuth},
    ).one()
    return float(row[0]), float(row[1])


def _pick(session: Session, low_m: float, high_m: float, crossing_m: float) -> tuple[float, float]:
    """A point of a 0.01° grid around :data:`HOME`, in a Thai district, whose distance to the
    border lies in ``low_m..high_m`` and which is ``crossing_m`` from any natural crossing."""
    row = session.execute(
        text(
            """
            WITH grid AS (
              SELECT ST_SetSRID(ST_MakePoint(:x + dx * 0.01, :y + dy * 0.01), 4326) AS p,
                     abs(dx) + abs(dy) AS k, dx, dy
              FROM generate_series(-25, 25) dx, generate_series(-25, 25) dy
            )
            SELECT ST_X(p), ST_Y(p) FROM grid
            WHERE EXISTS (SELECT 1 FROM district d WHERE ST_Covers(d.geom, grid.p))
              AND (SELECT ST_Distance(b.geom, ST_Transform(grid.p, 32648)) FROM border_piece b
                   ORDER BY b.geom <-> ST_Transform(grid.p, 32648) LIMIT 1) BETWEEN :lo AND :hi
              AND NOT EXISTS (SELECT 1 FROM natural_crossing c
                              WHERE ST_DWithin(c.geom_m, ST_Transform(grid.p, 32648), :cm))
            ORDER BY k, dx, dy LIMIT 1
            """
        ),
        {"x": HOME[0], "y": HOME[1], "lo": low_m, "hi": high_m, "cm": crossing_m},
    ).one()
    return float(row[0]), float(row[1])


def _border_point(session: Session) -> tuple[float, float]:
    row = session.execute(
        text(
            "SELECT ST_X(q), ST_Y(q) FROM (SELECT ST_ClosestPoint(geom, "
            "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) q FROM border_segment "
            "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326) LIMIT 1) s"
        ),
        {"x": HOME[0], "y": HOME[1]},
    ).one()
    return float(row[0]), float(row[1])


def add_incident(
    session: Session, lon: float, lat: float, *, days_ago: float = 10, **values: Any
) -> int:
    """The id of a verified incident at ``lon, lat``, ``days_ago`` days before :data:`AS_OF`,
    stored as the app stores a report; ``values`` as for :func:`tests.factories.report_incident`.
    """
    values = {"status": IncidentStatus.VERIFIED, **values}
    occurred_at = AS_OF - dt.timedelta(days=days_ago)
    return report_incident(session, (lon, lat), occurred_at=occurred_at, **values).id


def _ring(session: Session, centre: tuple[float, float], n: int, radius: float) -> list:
    points = [centre]
    for k in range(n - 1):
        points.append(_project(session, *centre, radius, k * 360.0 / (n - 1)))
    return points


def build(session: Session) -> HandSet:
    """Store the hand-made set (see the module docstring)."""
    hand = HandSet()
    border = _border_point(session)
    near = _pick(session, 2_000, 3_000, 3_000)
    inland = _pick(session, 12_000, 20_000, 12_000)
    cats = list(IncidentCategory)
    layout = {
        "straddle": _ring(session, border, 8, 150),
        "near": _ring(session, near, 7, 120),
        "inland": _ring(session, inland, 7, 120),
    }
    for name, points in layout.items():
        hand.groups[name] = [
            add_incident(
                session,
                x,
                y,
                days_ago=5 + 7 * k,
                category=cats[k % 3],
                severity=1 + k % 5,
            )
            for k, (x, y) in enumerate(points)
        ]
    # lone incidents along the border, kilometres apart and from the groups
    for k, azimuth in enumerate((20, 200, 110, 290)):
        x, y = _project(session, *border, 6_000 + 1_500 * k, azimuth)
        bx, by = session.execute(
            text(
                "SELECT ST_X(q), ST_Y(q) FROM (SELECT ST_ClosestPoint(geom, "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326)) q FROM border_segment "
                "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326) LIMIT 1) s"
            ),
            {"x": x, "y": y},
        ).one()
        hand.noise.append(add_incident(session, float(bx), float(by), days_ago=3))
    return hand
