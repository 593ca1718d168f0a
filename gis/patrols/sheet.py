"""The map of a printed patrol sheet: an SVG drawn by PostGIS, needing no tile server.

Every shape is ``ST_AsSVG`` of the geometry in the metric CRS (UTM 48N, metres; SVG's y axis
points down, ``ST_AsSVG`` writes ``-y``): the district's outline, the border and the Mekong
inside the frame, the hotspots' hulls, the route, the start and the numbered stops, with a scale
bar. The frame is the route's box with a margin, at least :data:`MIN_SPAN_M` across. Strokes do
not scale with the drawing (``vector-effect``), so lines print at the same width at any size.
The few words on the map (its accessible name, the scale's unit, the start's and north's
letters) are :class:`SheetWords`, which the webapp gives in the reader's language.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID

#: Smallest width and height of the frame (metres).
MIN_SPAN_M = 3_000.0
#: Decimal digits of the SVG's coordinates (metres: 0 is a metre).
DIGITS = 0

_FRAME = text(
    """
    SELECT ST_XMin(b) AS minx, ST_YMin(b) AS miny, ST_XMax(b) AS maxx, ST_YMax(b) AS maxy
    FROM (
      SELECT ST_Extent(g) AS b FROM (
        SELECT ST_Transform(route, :srid) AS g FROM patrol_plan WHERE id = :id
        UNION ALL
        SELECT ST_Transform(h.hull, :srid) FROM patrol_stop s
          JOIN hotspot h ON h.id = s.hotspot_id WHERE s.plan_id = :id
      ) parts
    ) e
    """
)

_SHAPES = text(
    """
    WITH frame AS (SELECT ST_MakeEnvelope(:minx, :miny, :maxx, :maxy, :srid) AS f)
    SELECT 'district' AS kind, ST_AsSVG(ST_Intersection(d.geom_m, f), 0, :digits) AS svg
      FROM district d, frame, patrol_plan p
      WHERE p.id = :id AND d.id = p.district_id AND ST_Intersects(d.geom_m, f)
    UNION ALL
    SELECT 'border', ST_AsSVG(ST_Intersection(ST_Transform(b.geom, :srid), f), 0, :digits)
      FROM border_segment b, frame
      WHERE ST_Intersects(ST_Transform(b.geom, :srid), f)
    UNION ALL
    SELECT 'mekong', ST_AsSVG(ST_Intersection(ST_Transform(r.geom, :srid), f), 0, :digits)
      FROM river r, frame
      WHERE r.variant = 'ne_centreline' AND ST_Intersects(ST_Transform(r.geom, :srid), f)
    UNION ALL
    SELECT 'hotspot', ST_AsSVG(ST_Transform(h.hull, :srid), 0, :digits)
      FROM patrol_stop s JOIN hotspot h ON h.id = s.hotspot_id WHERE s.plan_id = :id
    UNION ALL
    SELECT 'route', ST_AsSVG(ST_Transform(route, :srid), 0, :digits)
      FROM patrol_plan WHERE id = :id AND route IS NOT NULL
    """
)

_POINTS = text(
    """
    SELECT 0 AS seq, ST_X(g) AS x, ST_Y(g) AS y
      FROM (SELECT ST_Transform(start, :srid) AS g FROM patrol_plan WHERE id = :id) s
    UNION ALL
    SELECT seq, ST_X(ST_Transform(geom, :srid)), ST_Y(ST_Transform(geom, :srid))
      FROM patrol_stop WHERE plan_id = :id
    ORDER BY seq
    """
)

_STYLE = {
    "district": 'fill="#f1f3f5" stroke="#868e96" stroke-width="1" stroke-dasharray="4 3"',
    "border": 'fill="none" stroke="#c92a2a" stroke-width="2.5" stroke-dasharray="8 3 2 3"',
    "mekong": 'fill="none" stroke="#1c7ed6" stroke-width="3" stroke-opacity="0.6"',
    "hotspot": 'fill="#fa5252" fill-opacity="0.25" stroke="#c92a2a" stroke-width="1.5"',
    "route": 'fill="none" stroke="#212529" stroke-width="2.5"',
}


@dataclass(frozen=True, slots=True)
class SheetMap:
    """The sheet's map as SVG text and the frame's size in metres."""

    svg: str
    width_m: float
    height_m: float


@dataclass(frozen=True, slots=True)
class SheetWords:
    """The words drawn on the sheet's map, as templates with ``{name}`` placeholders.

    The defaults are the English text; the webapp passes them in the reader's language.

    Attributes:
        title: the map's accessible name; ``{plan}`` is the plan's number.
        start: the letter in the start's square.
        north: the letter under the north arrow.
        km: the scale bar's length in kilometres; ``{n}`` is the number.
        m: the scale bar's length in metres; ``{n}`` is the number.
    """

    title: str = "Route of patrol plan {plan}"
    start: str = "S"
    north: str = "N"
    km: str = "{n} km"
    m: str = "{n} m"


def _scale_bar(width_m: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ metres) about a fifth of the frame."""
    target = width_m / 5
    power = 10 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target)


def sheet_map(session: Session, plan_id: int, words: SheetWords | None = None) -> SheetMap:
    """The plan's map as an SVG element (module docstring).

    Args:
        session: open session.
        plan_id: a plan with a route.
        words: the words on the map, in the reader's language (English if not given).

    Returns:
        The SVG and the frame's size.
    """
    words = words or SheetWords()
    box = session.execute(_FRAME, {"id": plan_id, "srid": METRIC_SRID}).one()
    cx, cy = (box.minx + box.maxx) / 2, (box.miny + box.maxy) / 2
    # A frame 4:3 wide (the sheet's map area) holding the box with a 12 % margin on each side.
    hw = max((box.maxx - box.minx) / 2, (box.maxy - box.miny) / 2 * 4 / 3, MIN_SPAN_M / 2) * 1.12
    hh = hw * 3 / 4
    minx, maxx, miny, maxy = cx - hw, cx + hw, cy - hh, cy + hh
    params = {
        "id": plan_id,
        "srid": METRIC_SRID,
        "minx": minx,
        "miny": miny,
        "maxx": maxx,
        "maxy": maxy,
    }
    shapes = session.execute(_SHAPES, {**params, "digits": DIGITS}).all()
    points = session.execute(_POINTS, {"id": plan_id, "srid": METRIC_SRID}).all()
    width, height = maxx - minx, maxy - miny
    unit = width / 100  # one hundredth of the frame, for symbols and lettering
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bw-sheet-map" role="img" '
        f'aria-label="{_text(words.title, plan=plan_id)}" '
        f'viewBox="{minx:.0f} {-maxy:.0f} {width:.0f} {height:.0f}" '
        f'preserveAspectRatio="xMidYMid meet">',
        f'<rect x="{minx:.0f}" y="{-maxy:.0f}" width="{width:.0f}" height="{height:.0f}" '
        'fill="#ffffff"/>',
    ]
    order = ("district", "mekong", "border", "hotspot", "route")
    for kind in order:
        for row in shapes:
            if row.kind == kind and row.svg:
                parts.append(
                    f'<path class="bw-sheet-{kind}" d="{row.svg}" {_STYLE[kind]} '
                    'vector-effect="non-scaling-stroke" fill-rule="evenodd"/>'
                )
    for p in points:
        x, y = p.x, -p.y
        if p.seq == 0:
            s = unit * 1.8
            letter = _text(words.start)
            parts.append(
                f'<rect class="bw-sheet-start" x="{x - s:.0f}" y="{y - s:.0f}" '
                f'width="{2 * s:.0f}" height="{2 * s:.0f}" fill="#2b8a3e" stroke="#ffffff"/>'
                f'<text x="{x:.0f}" y="{y + s * 0.45:.0f}" font-size="{s * 1.3:.0f}" '
                f'text-anchor="middle" fill="#ffffff" font-weight="bold">{letter}</text>'
            )
        else:
            r = unit * 1.9
            parts.append(
                f'<circle class="bw-sheet-stop" cx="{x:.0f}" cy="{y:.0f}" r="{r:.0f}" '
                f'fill="#ffffff" stroke="#212529" stroke-width="2" '
                f'vector-effect="non-scaling-stroke"/>'
                f'<text x="{x:.0f}" y="{y + r * 0.45:.0f}" font-size="{r * 1.25:.0f}" '
                f'text-anchor="middle" fill="#212529" font-weight="bold">{int(p.seq)}</text>'
            )
    bar = _scale_bar(width)
    bx, by = minx + unit * 3, -miny - unit * 4
    label = _text(words.km, n=f"{bar / 1000:g}") if bar >= 1000 else _text(words.m, n=f"{bar:g}")
    parts.append(
        f'<g class="bw-sheet-scale"><rect x="{bx:.0f}" y="{by:.0f}" width="{bar:.0f}" '
        f'height="{unit * 0.8:.0f}" fill="#212529"/>'
        f'<text x="{bx:.0f}" y="{by - unit:.0f}" font-size="{unit * 2.4:.0f}" '
        f'fill="#212529">{label}</text></g>'
    )
    nx, ny = maxx - unit * 5, -maxy + unit * 4
    parts.append(
        f'<g class="bw-sheet-north"><path d="M {nx:.0f} {ny:.0f} l {-unit * 1.5:.0f} '
        f'{unit * 4:.0f} l {unit * 3:.0f} 0 z" fill="#212529"/>'
        f'<text x="{nx:.0f}" y="{ny + unit * 7:.0f}" font-size="{unit * 2.4:.0f}" '
        f'text-anchor="middle" fill="#212529">{_text(words.north)}</text></g>'
    )
    parts.append("</svg>")
    return SheetMap("".join(parts), width, height)


def _text(template: str, **values: object) -> str:
    """``template`` with its values in place, escaped for SVG text and attributes."""
    return html.escape(template.format(**values) if values else template)
