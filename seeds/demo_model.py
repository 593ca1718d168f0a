"""Synthetic incidents for the demo data set: places, counts and attributes (no database).

Everything is drawn from a numpy ``Generator``, so the same seed and the same reference data give
the same output. Places are *sites* in the metric CRS (UTM 48N, metres): the checkpoints, spots
on the border where people cross outside the checkpoints (over the Mekong and over land), and the
district towns; around each site incidents scatter as a Gaussian cloud (stretched along the
crossing path for border sites). The rest is background noise spread uniformly over the target
districts.

Points are drawn in numpy, converted to EPSG:4326 with pyproj, rounded to 6 decimals (0.1 m) and
kept only when a target district contains them (shapely ``contains_xy`` on prepared polygons;
rejected points are drawn again). That is quicker than ``ST_GeneratePoints`` in PostGIS, which
draws only uniform points, no clusters (``docs/benchmarks.md``); the database still assigns
every district by polygon (``ST_Covers``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from gis.db import METRIC_SRID, SRID
from seeds.demo_profiles import TRENDS

Floats = npt.NDArray[np.float64]

#: Length of the time window: two years of incidents, ending at the anchor.
WINDOW_DAYS = 730
#: Decimals kept in generated coordinates (about 0.1 m).
COORD_DECIMALS = 6
#: Border sites drawn along the target districts' border, and their least spacing.
CROSSING_SITES = 60
MIN_SITE_SPACING_M = 4_000.0
#: Relative activity around each kind of checkpoint.
CHECKPOINT_WEIGHT = {
    "permanent_crossing": 1.0,
    "border_trade_checkpoint": 0.7,
    "joint_inspection_checkpoint": 0.7,
    "temporary_crossing": 0.4,
}
#: Rounds of redrawing points that fell outside the target districts before the fallback.
MAX_ROUNDS = 40


@dataclass(frozen=True, slots=True)
class CheckpointRef:
    """A checkpoint: id, index of its district in :class:`Geography`, metric position."""

    id: int
    district: int
    x: float
    y: float
    neighbour: str
    kind: str


@dataclass(frozen=True, slots=True)
class BorderRef:
    """A border segment of a target district, as a metric LineString."""

    segment_id: int
    district: int
    neighbour: str
    river: bool
    line: BaseGeometry


@dataclass(frozen=True, slots=True)
class Geography:
    """The reference layers the generator needs, read once from the database.

    ``districts`` are the target districts in EPSG:4326 (prepared), ``district_names`` their
    Thai names (``name_th``, for the texts people read), ``target_area`` their union; ``towns``
    is a metric point per district (its coordination centre).
    """

    district_ids: tuple[int, ...]
    district_names: tuple[str, ...]
    districts: tuple[BaseGeometry, ...]
    areas_km2: tuple[float, ...]
    towns: tuple[tuple[float, float], ...]
    checkpoints: tuple[CheckpointRef, ...]
    border: tuple[BorderRef, ...]
    target_area: BaseGeometry


@dataclass(frozen=True, slots=True)
class Site:
    """A place where incidents concentrate (metric CRS).

    The cloud is a Gaussian centred on ``(x, y)`` with ``sigma_along`` along the unit direction
    ``(ux, uy)`` and ``sigma_across`` across it. For border sites ``(bx, by)`` is the point on the
    border and ``(ux, uy)`` points from it into Thailand.
    """

    kind: str
    mix: str
    district: int
    x: float
    y: float
    ux: float
    uy: float
    sigma_along: float
    sigma_across: float
    weight: float
    trend: str
    trend_start: int
    bx: float = 0.0
    by: float = 0.0
    river: bool = False
    neighbour: str = ""

    @property
    def rate_weight(self) -> float:
        """Share of the incidents: an emerging site has its daily rate only while it is active."""
        return self.weight * (WINDOW_DAYS - self.trend_start) / WINDOW_DAYS


@cache
def _to_lonlat() -> Transformer:
    return Transformer.from_crs(METRIC_SRID, SRID, always_xy=True)


def to_lonlat(x: Floats, y: Floats) -> tuple[Floats, Floats]:
    """Metric coordinates to EPSG:4326 longitude/latitude, rounded to :data:`COORD_DECIMALS`."""
    lon, lat = _to_lonlat().transform(x, y)
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


def _inside(geo: Geography, x: Floats, y: Floats) -> npt.NDArray[np.bool_]:
    lon, lat = to_lonlat(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    return shapely.contains_xy(geo.target_area, lon, lat)


def _trend(rng: np.random.Generator) -> tuple[str, int]:
    kinds = [k for _, k in TRENDS]
    kind = kinds[rng.choice(len(TRENDS), p=[p for p, _ in TRENDS])]
    start = WINDOW_DAYS - int(rng.integers(60, 240)) if kind == "emerging" else 0
    return kind, start


def plan_sites(rng: np.random.Generator, geo: Geography) -> tuple[Site, ...]:
    """The incident sites: every checkpoint, :data:`CROSSING_SITES` border spots and the towns.

    Args:
        rng: random generator (consumed in a fixed order).
        geo: reference layers.

    Returns:
        The sites, checkpoints first, then border spots, then towns.
    """
    sites: list[Site] = []
    for cp in geo.checkpoints:
        sigma = float(rng.uniform(400, 1200))
        trend, start = _trend(rng)
        weight = CHECKPOINT_WEIGHT.get(cp.kind, 0.5) * float(rng.lognormal(0, 0.5))
        sites.append(
            Site(
                kind="checkpoint",
                mix=f"checkpoint_{cp.neighbour}",
                district=cp.district,
                x=cp.x,
                y=cp.y,
                ux=1.0,
                uy=0.0,
                sigma_along=sigma,
                sigma_across=sigma,
                weight=weight,
                trend=trend,
                trend_start=start,
                bx=cp.x,
                by=cp.y,
                neighbour=cp.neighbour,
            )
        )
    sites.extend(_crossing_sites(rng, geo))
    for district, (x, y) in enumerate(geo.towns):
        sigma = float(rng.uniform(1500, 3000))
        trend, start = _trend(rng)
        sites.append(
            Site(
                kind="town",
                mix="town",
                district=district,
                x=x,
                y=y,
                ux=1.0,
                uy=0.0,
                sigma_along=sigma,
                sigma_across=sigma,
                weight=float(rng.lognormal(0, 0.4)),
                trend=trend,
                trend_start=start,
            )
        )
    return tuple(sites)


def _thai_side(geo: Geography, x: float, y: float, nx: float, ny: float) -> int:
    """+1 when Thailand lies along ``(nx, ny)`` from the border point, -1 when opposite, else 0."""
    d = np.array([300.0, 800.0, -300.0, -800.0])
    inside = _inside(geo, x + d * nx, y + d * ny)
    if inside[:2].all() and not inside[2:].any():
        return 1
    if inside[2:].all() and not inside[:2].any():
        return -1
    return 0


def _crossing_sites(rng: np.random.Generator, geo: Geography) -> list[Site]:
    lengths = np.array([b.line.length * (1.3 if b.river else 1.0) for b in geo.border])
    p = lengths / lengths.sum()
    sites: list[Site] = []
    for _ in range(CROSSING_SITES * 40):
        if len(sites) == CROSSING_SITES:
            break
        b = geo.border[int(rng.choice(len(geo.border), p=p))]
        s = float(rng.uniform(0, b.line.length))
        here, ahead, behind = (b.line.interpolate(v) for v in (s, s + 1000, s - 1000))
        tx, ty = ahead.x - behind.x, ahead.y - behind.y
        norm = math.hypot(tx, ty)
        if norm == 0:
            continue
        nx, ny = -ty / norm, tx / norm
        side = _thai_side(geo, here.x, here.y, nx, ny)
        if side == 0 or any(
            math.hypot(here.x - o.bx, here.y - o.by) < MIN_SITE_SPACING_M for o in sites
        ):
            continue
        nx, ny = side * nx, side * ny
        inland = float(rng.uniform(400, 900))
        lat = float(to_lonlat(np.array([here.x]), np.array([here.y]))[1][0])
        mix = ("mekong_north" if lat > 19.0 else "mekong_northeast") if b.river else None
        trend, start = _trend(rng)
        sites.append(
            Site(
                kind="crossing",
                mix=mix or f"land_{b.neighbour}",
                district=b.district,
                x=here.x + nx * inland,
                y=here.y + ny * inland,
                ux=nx,
                uy=ny,
                sigma_along=float(rng.uniform(500, 1000)),
                sigma_across=float(rng.uniform(250, 500)),
                weight=float(rng.lognormal(0, 0.8)) * (1.3 if b.river else 1.0),
                trend=trend,
                trend_start=start,
                bx=here.x,
                by=here.y,
                river=b.river,
                neighbour=b.neighbour,
            )
        )
    return sites


def crossing_paths(
    rng: np.random.Generator, geo: Geography, sites: tuple[Site, ...], count: int, seed: int
) -> list[dict[str, object]]:
    """GeoJSON features of ``count`` demo crossing paths at the busiest border sites, named in
    Thai (``เส้นทางสาธิตที่ 6 (อ.เชียงแสน ข้ามแม่น้ำโขง)``).

    Each path runs 0.8-2.5 km inland from the border and 0.5-2 km (0.8-2 km over the Mekong)
    across it, with a slight bend. At least two paths go to each kind of border site (Mekong,
    land to Laos, land to Cambodia) when there are such sites.

    Args:
        rng: random generator.
        geo: reference layers.
        sites: the planned sites.
        count: number of paths.
        seed: the demo seed, kept in the ids (``demo-s<seed>-<n>``) and properties.

    Returns:
        Features for :func:`gis.reference.crossings.import_crossings`.
    """
    border = sorted((s for s in sites if s.kind == "crossing"), key=lambda s: -s.weight)
    groups: dict[str, list[Site]] = {}
    for s in border:
        groups.setdefault("river" if s.river else f"land_{s.neighbour}", []).append(s)
    chosen = [s for g in sorted(groups) for s in groups[g][:2]]
    chosen += [s for s in border if s not in chosen]
    chosen = sorted(chosen[:count], key=lambda s: -s.weight)
    features: list[dict[str, object]] = []
    for i, s in enumerate(chosen, 1):
        inland = float(rng.uniform(800, 2500))
        across = float(rng.uniform(800 if s.river else 500, 2000))
        offsets = np.array([inland, inland / 2, -across / 2, -across])
        bend = rng.normal(0, 0.06 * (inland + across), 4) * np.array([0.3, 1, 1, 0.3])
        x = s.bx + offsets * s.ux + bend * s.uy
        y = s.by + offsets * s.uy - bend * s.ux
        lon, lat = to_lonlat(x, y)
        name = geo.district_names[s.district]
        where = "ข้ามแม่น้ำโขง" if s.river else "ข้ามพรมแดนทางบก"
        risk = "high" if i <= count // 3 else "medium" if i <= 2 * count // 3 else "low"
        features.append(
            {
                "type": "Feature",
                "id": f"demo-s{seed}-{i:02d}",
                "properties": {
                    "name": f"เส้นทางสาธิตที่ {i} (อ.{name} {where})",
                    "description": ("เส้นทางสมมุติของชุดข้อมูลสาธิต สร้างขึ้นใกล้กลุ่มเหตุสาธิต ไม่ใช่ช่องทางจริง"),
                    "risk_level": risk,
                    "demo": True,
                    "seed": seed,
                    "kind": "river" if s.river else "land",
                    "neighbour": s.neighbour,
                },
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)],
                },
            }
        )
    return features
