"""Synthetic incidents as numpy columns: positions around the sites, then what, when and how.

See :mod:`seeds.demo_model` for the sites and :mod:`seeds.demo_profiles` for the tables drawn
from. No database is needed; :mod:`seeds.demo` loads the columns with COPY.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from gis.parsing import THAI_TIME
from gis.types import IncidentCategory
from seeds.demo_model import MAX_ROUNDS, WINDOW_DAYS, Floats, Geography, Site, to_lonlat
from seeds.demo_profiles import (
    CATEGORIES,
    CHANNEL_MIX,
    CHANNELS,
    HOURS,
    MIXES,
    RECENT_DAYS,
    REPORT_DELAY_H,
    SEASONS,
    SEVERITY_MIX,
    SHARES,
    SITE_HOURS,
    STATUS_OLDER,
    STATUS_RECENT,
    TEMPLATES,
    TEMPLATES_PER_CATEGORY,
)

Ints = npt.NDArray[np.int64]

#: Hour-of-day profiles are in Thai time (a fixed offset: no daylight saving).
LOCAL_OFFSET = THAI_TIME.utcoffset(None)
#: PostgreSQL's binary timestamps count microseconds from this instant.
PG_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
US = 1_000_000
HOUR_US = 3_600 * US
DAY_US = 24 * HOUR_US
KINDS = ("crossing", "checkpoint", "town", "noise")


@dataclass(frozen=True, slots=True)
class Incidents:
    """Generated incidents as columns; codes index the tuples of :mod:`seeds.demo_profiles`.

    Times are microseconds since :data:`PG_EPOCH` (what PostgreSQL's binary COPY expects).
    """

    lon: Floats
    lat: Floats
    category: Ints
    channel: Ints
    status: Ints
    severity: Ints
    template: Ints
    quantity: Ints
    occurred_us: Ints
    reported_us: Ints

    def __len__(self) -> int:
        return len(self.lon)


def to_pg_us(moment: dt.datetime) -> int:
    """Microseconds from :data:`PG_EPOCH` to an aware datetime."""
    return (moment - PG_EPOCH) // dt.timedelta(microseconds=1)


def synthesize(
    rng: np.random.Generator,
    geo: Geography,
    sites: tuple[Site, ...],
    n: int,
    anchor: dt.datetime,
) -> Incidents:
    """Draw ``n`` incidents: positions, category, channel, status, severity, times, description.

    Args:
        rng: random generator (consumed in a fixed order).
        geo: reference layers.
        sites: the sites of :func:`seeds.demo_model.plan_sites`.
        n: number of incidents.
        anchor: end of the two-year window (aware datetime); every time is before it.

    Returns:
        The columns, grouped site by site (points of a site are neighbours in the table).
    """
    per_kind = dict(zip(KINDS, rng.multinomial(n, [SHARES[k] for k in KINDS]), strict=True))
    site_counts = np.zeros(len(sites), dtype=np.int64)
    for kind in KINDS[:3]:
        members = np.array([i for i, s in enumerate(sites) if s.kind == kind], dtype=np.int64)
        if len(members) == 0:
            per_kind["noise"] += per_kind[kind]
            continue
        weights = np.array([sites[i].rate_weight for i in members])
        site_counts[members] = rng.multinomial(per_kind[kind], weights / weights.sum())
    site_of = np.repeat(np.arange(len(sites)), site_counts)
    lon, lat = _site_points(rng, geo, sites, site_of)
    noise_lon, noise_lat = _uniform_points(rng, geo, per_kind["noise"])
    lon, lat = np.concatenate([lon, noise_lon]), np.concatenate([lat, noise_lat])

    # Per point: which mix, hour profile and time weights apply (noise is a pseudo-site).
    mixes = list(MIXES)
    profile_of = [s.kind for s in sites] + ["noise"]
    point_site = np.concatenate([site_of, np.full(per_kind["noise"], len(sites))])
    site_mix = np.array([mixes.index(s.mix) for s in sites] + [mixes.index("noise")])
    category = _draw_by_group(rng, site_mix[point_site], [MIXES[m] for m in mixes])
    occurred = _occurred(rng, sites, profile_of, point_site, category, anchor)
    channel = _draw_by_group(rng, category, [CHANNEL_MIX[c] for c in CATEGORIES])
    means_us = np.array([REPORT_DELAY_H[c] * HOUR_US for c in CHANNELS])
    delay = (rng.exponential(1.0, len(lon)) * means_us[channel]).astype(np.int64)
    reported = np.minimum(occurred + delay, to_pg_us(anchor))
    recent = (to_pg_us(anchor) - reported < RECENT_DAYS * DAY_US).astype(np.int64)
    status = _draw_by_group(rng, recent, [STATUS_OLDER, STATUS_RECENT])
    severity = _draw_by_group(rng, category, [SEVERITY_MIX[c] for c in CATEGORIES]) + 1
    template = category * TEMPLATES_PER_CATEGORY + rng.integers(0, TEMPLATES_PER_CATEGORY, len(lon))
    flat = [t for c in CATEGORIES for t in TEMPLATES[c]]
    low = np.array([t.low for t in flat], dtype=float)[template]
    high = np.array([t.high for t in flat], dtype=float)[template]
    quantity = np.rint(low * (high / low) ** rng.random(len(lon))).astype(np.int64)
    return Incidents(
        lon, lat, category, channel, status, severity, template, quantity, occurred, reported
    )


def _draw_by_group(rng: np.random.Generator, group: Ints, tables: list[tuple[float, ...]]) -> Ints:
    """For each point, a code drawn from ``tables[group]`` (one vectorised draw per group)."""
    out = np.zeros(len(group), dtype=np.int64)
    for g, probs in enumerate(tables):
        idx = np.flatnonzero(group == g)
        if len(idx):
            p = np.asarray(probs, dtype=float)
            out[idx] = rng.choice(len(p), size=len(idx), p=p / p.sum())
    return out


def _site_points(
    rng: np.random.Generator, geo: Geography, sites: tuple[Site, ...], site_of: Ints
) -> tuple[Floats, Floats]:
    """Gaussian clouds around the sites, redrawn until inside a target district."""
    col = {
        name: np.array([getattr(s, name) for s in sites], dtype=float)[site_of]
        for name in ("x", "y", "ux", "uy", "sigma_along", "sigma_across")
    }
    lon = np.zeros(len(site_of))
    lat = np.zeros(len(site_of))
    todo = np.arange(len(site_of))
    for _ in range(MAX_ROUNDS):
        if len(todo) == 0:
            break
        a = rng.standard_normal(len(todo)) * col["sigma_along"][todo]
        b = rng.standard_normal(len(todo)) * col["sigma_across"][todo]
        ux, uy = col["ux"][todo], col["uy"][todo]
        lo, la = to_lonlat(col["x"][todo] + a * ux - b * uy, col["y"][todo] + a * uy + b * ux)
        ok = shapely.contains_xy(geo.target_area, lo, la)
        lon[todo[ok]], lat[todo[ok]] = lo[ok], la[ok]
        todo = todo[~ok]
    # A site whose cloud lies almost wholly outside: the rest spreads over its district.
    for d in np.unique([sites[site_of[i]].district for i in todo]):
        idx = todo[np.array([sites[site_of[i]].district for i in todo]) == d]
        lon[idx], lat[idx] = _in_polygon(rng, geo.districts[d], len(idx))
    return lon, lat


def _uniform_points(rng: np.random.Generator, geo: Geography, n: int) -> tuple[Floats, Floats]:
    """``n`` points spread over the target districts in proportion to their areas."""
    areas = np.array(geo.areas_km2)
    counts = rng.multinomial(n, areas / areas.sum())
    parts = [_in_polygon(rng, geo.districts[d], int(k)) for d, k in enumerate(counts) if k]
    if not parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _in_polygon(
    rng: np.random.Generator, polygon: shapely.Geometry, n: int
) -> tuple[Floats, Floats]:
    """``n`` uniform points inside a (prepared) polygon, by rejection from its bounding box."""
    minx, miny, maxx, maxy = polygon.bounds
    lons: list[Floats] = []
    lats: list[Floats] = []
    need = n
    while need > 0:
        m = max(64, 3 * need)
        lo = np.round(rng.uniform(minx, maxx, m), 6)
        la = np.round(rng.uniform(miny, maxy, m), 6)
        ok = np.flatnonzero(shapely.contains_xy(polygon, lo, la))[:need]
        lons.append(lo[ok])
        lats.append(la[ok])
        need -= len(ok)
    return np.concatenate(lons), np.concatenate(lats)


def _day_weights(kind: str, site: Site | None, anchor: dt.datetime) -> Floats:
    """Relative activity on each day of the window: season x growth of reporting x trend."""
    first = (anchor + LOCAL_OFFSET).date() - dt.timedelta(days=WINDOW_DAYS)
    days = np.arange(WINDOW_DAYS)
    dates = np.datetime64(first, "D") + days
    doy = (dates - dates.astype("datetime64[Y]")).astype(np.int64) + 1
    amplitude, peak = SEASONS[kind]
    w = 1 + amplitude * np.cos(2 * np.pi * (doy - peak) / 365.25)
    w *= 0.85 + 0.3 * days / (WINDOW_DAYS - 1)
    x = days / (WINDOW_DAYS - 1)
    trend = site.trend if site else "steady"
    if trend == "rising":
        w *= np.exp(1.2 * x)
    elif trend == "falling":
        w *= np.exp(-1.2 * x)
    elif trend == "emerging" and site is not None:
        w *= days >= site.trend_start
    return w / w.sum()


def _occurred(
    rng: np.random.Generator,
    sites: tuple[Site, ...],
    profile_of: list[str],
    point_site: Ints,
    category: Ints,
    anchor: dt.datetime,
) -> Ints:
    """When each incident happened: a day by the site's weights, a local hour by its profile."""
    n = len(point_site)
    day = np.zeros(n, dtype=np.int64)
    order = np.argsort(point_site, kind="stable")
    bounds = np.searchsorted(point_site[order], np.arange(len(profile_of) + 1))
    for s in range(len(profile_of)):
        idx = order[bounds[s] : bounds[s + 1]]
        if len(idx):
            site = sites[s] if s < len(sites) else None
            p = _day_weights(profile_of[s], site, anchor)
            day[idx] = rng.choice(WINDOW_DAYS, size=len(idx), p=p)
    profiles = list(HOURS)
    kind_profile = np.array([profiles.index(SITE_HOURS[k]) for k in profile_of])[point_site]
    online = CATEGORIES.index(IncidentCategory.ONLINE_FRAUD)
    kind_profile[category == online] = profiles.index("online")
    hour = _draw_by_group(rng, kind_profile, [HOURS[p] for p in profiles])
    first = (anchor + LOCAL_OFFSET).date() - dt.timedelta(days=WINDOW_DAYS)
    local_midnight = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC) - LOCAL_OFFSET
    t = to_pg_us(local_midnight) + day * DAY_US + hour * HOUR_US + rng.integers(0, HOUR_US, n)
    # Wrap the few hours that fall outside [anchor - window, anchor) by whole days' worth.
    start = to_pg_us(anchor) - WINDOW_DAYS * DAY_US
    return start + (t - start) % (WINDOW_DAYS * DAY_US)


def idempotency_keys(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """``n`` random (version 4) UUIDs as rows of 16 bytes."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return raw
