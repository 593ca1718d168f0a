"""The watch corridor: where incidents near unofficial crossing places are watched.

The corridor is the union of buffers of :data:`DEFAULT_WIDTH_M` metres (configurable per build)
around

- the Mekong river boundary (``border_segment.kind = 'mekong_river'``), always;
- the land border segments that are not flagged ``demarcated``: while no segment is flagged,
  that is all of them; administrators flag segments ``unmarked`` or ``demarcated``
  (:func:`set_demarcation`, audited in ``border_segment_event``);
- the stretches of border segments that districts flagged and are not ``demarcated``
  (``border_stretch``, reference editing: an unmarked stretch of a demarcated segment);
- the natural crossing paths (``natural_crossing``) that are not retired.

It is a derived table, rebuilt by :func:`refresh_corridor`:

- ``watch_corridor``: one row, the whole area as a MultiPolygon (EPSG:4326), with the width it
  was built with and a digest of the reference rows it was built from;
- ``watch_corridor_piece``: the same area cut into small polygons (``ST_Subdivide``) with a
  GiST index, so that "is this incident in the corridor" (:func:`in_corridor`) is one index probe.

The seed loader, the crossing import and :func:`set_demarcation` refresh it when the reference
layers change; :func:`ensure_corridor` rebuilds it when its digest no longer matches the
reference rows (a change made some other way) and is called before every hotspot run that
keeps to the corridor. Buffers are computed in the metric CRS (:data:`gis.db.METRIC_SRID`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Numeric, cast, delete, exists, func, insert, select, text
from sqlalchemy.orm import Session

from gis.db import METRIC_SRID, SRID
from gis.errors import InvalidInput, NotFound
from gis.filters import bbox_envelope, in_bbox
from gis.geojson import json_object
from gis.models import (
    BorderSegment,
    BorderSegmentEvent,
    User,
    WatchCorridor,
    WatchCorridorPiece,
)
from gis.parsing import BETWEEN_METRES, parse_choice, parse_number
from gis.reference.layers import display_collection, display_polygons, display_precision
from gis.text import N_
from gis.types import BBox, Demarcation

#: Default half-width of the corridor on each side of the lines (metres).
DEFAULT_WIDTH_M = 5_000.0
#: Accepted widths (metres).
MIN_WIDTH_M = 100.0
MAX_WIDTH_M = 50_000.0
#: Most vertices per corridor piece (small pieces keep point-in-polygon tests cheap).
PIECE_VERTICES = 64

#: A digest of everything the corridor is built from: it changes when a segment, its kind or
#: demarcation flag, or a natural crossing changes.
_DIGEST = text(
    """
    SELECT md5(
        coalesce((SELECT string_agg(
                    id || ':' || kind || ':' || demarcation || ':' || md5(ST_AsBinary(geom)),
                    ',' ORDER BY id) FROM border_segment), '')
        || '|' ||
        coalesce((SELECT string_agg(id || ':' || md5(ST_AsBinary(geom)), ',' ORDER BY id)
                  FROM natural_crossing WHERE retired_at IS NULL), '')
        || '|' ||
        coalesce((SELECT string_agg(
                    id || ':' || demarcation || ':' || md5(ST_AsBinary(geom)), ',' ORDER BY id)
                  FROM border_stretch WHERE retired_at IS NULL), '')
    )
    """
)

_BUILD = text(
    """
    WITH lines AS (
        SELECT ST_Transform(geom, :metric) AS g, 1 AS segment, 0 AS crossing
        FROM border_segment
        WHERE kind = 'mekong_river' OR demarcation <> 'demarcated'
        UNION ALL
        SELECT ST_Transform(geom, :metric), 1, 0
        FROM border_stretch
        WHERE retired_at IS NULL AND demarcation <> 'demarcated'
        UNION ALL
        SELECT geom_m, 0, 1 FROM natural_crossing WHERE retired_at IS NULL
    )
    INSERT INTO watch_corridor (width_m, n_segments, n_crossings, source_digest, geom)
    SELECT :width, coalesce(sum(segment), 0), coalesce(sum(crossing), 0), :digest,
           ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Transform(
               ST_Buffer(ST_Collect(g), :width, 'quad_segs=8'), :srid)), 3))
    FROM lines
    HAVING count(*) > 0
    RETURNING id
    """
)


@dataclass(frozen=True, slots=True)
class CorridorInfo:
    """The corridor as built."""

    width_m: float
    built_at: dt.datetime
    n_segments: int
    n_crossings: int
    area_km2: float
    pieces: int


def check_width(width_m: Any, field: str = "width_m") -> float:
    """A corridor width in metres within :data:`MIN_WIDTH_M`..:data:`MAX_WIDTH_M`.

    Raises:
        InvalidInput: (``field``) not a finite number in range.
    """
    return parse_number(width_m, field, MIN_WIDTH_M, MAX_WIDTH_M, out_of_range=BETWEEN_METRES)


def current_width(session: Session) -> float:
    """The width the corridor was last built with (:data:`DEFAULT_WIDTH_M` if never built)."""
    width = session.execute(select(WatchCorridor.width_m).limit(1)).scalar()
    return float(width) if width is not None else DEFAULT_WIDTH_M


def refresh_corridor(session: Session, width_m: float | None = None) -> CorridorInfo | None:
    """Rebuild ``watch_corridor`` and its pieces from the reference layers; the caller commits.

    Args:
        session: open session.
        width_m: buffer width in metres on each side; ``None`` keeps the current width
            (:data:`DEFAULT_WIDTH_M` the first time).

    Returns:
        The corridor, or ``None`` when there is no border or crossing to build it from.

    Raises:
        InvalidInput: (``width_m``) out of range.
    """
    width = check_width(width_m) if width_m is not None else current_width(session)
    digest = session.execute(_DIGEST).scalar_one()
    # one rebuild at a time: a concurrent refresh waits, then rebuilds on the new rows
    session.execute(text("LOCK TABLE watch_corridor IN EXCLUSIVE MODE"))
    session.execute(delete(WatchCorridorPiece))
    session.execute(delete(WatchCorridor))
    built = session.execute(
        _BUILD, {"width": width, "digest": digest, "metric": METRIC_SRID, "srid": SRID}
    ).scalar()
    if built is None:
        return None
    session.execute(
        insert(WatchCorridorPiece).from_select(
            ["geom"],
            select(
                func.ST_Subdivide(func.ST_Dump(WatchCorridor.geom).geom, PIECE_VERTICES)  # type: ignore[attr-defined]
            ).where(WatchCorridor.id == built),
        )
    )
    return corridor_info(session)


def ensure_corridor(session: Session) -> CorridorInfo | None:
    """The corridor, rebuilt first if missing or built from other reference rows than now.

    Returns:
        The corridor, or ``None`` when there is nothing to build it from.
    """
    digest = session.execute(_DIGEST).scalar_one()
    stored = session.execute(select(WatchCorridor.source_digest).limit(1)).first()
    if stored is None or stored[0] != digest:
        return refresh_corridor(session)
    return corridor_info(session)


def corridor_info(session: Session) -> CorridorInfo | None:
    """The stored corridor's figures, or ``None`` when it was never built."""
    row = session.execute(
        select(
            WatchCorridor.width_m,
            WatchCorridor.built_at,
            WatchCorridor.n_segments,
            WatchCorridor.n_crossings,
            (func.ST_Area(func.ST_Transform(WatchCorridor.geom, METRIC_SRID)) / 1e6).label("a"),
            select(func.count()).select_from(WatchCorridorPiece).scalar_subquery().label("p"),
        ).limit(1)
    ).first()
    if row is None:
        return None
    return CorridorInfo(row[0], row[1], row[2], row[3], round(float(row[4]), 1), int(row[5]))


def in_corridor(geom: Any) -> ColumnElement[bool]:
    """SQL condition: the EPSG:4326 geometry ``geom`` lies in the watch corridor.

    False for everything while the corridor has not been built.
    """
    return exists().where(func.ST_Intersects(WatchCorridorPiece.geom, geom))


def set_demarcation(
    session: Session,
    segment_no: int,
    demarcation: Demarcation | str,
    actor: User | None,
    note: str | None = None,
) -> BorderSegment:
    """Flag a border segment ``unmarked``, ``demarcated`` or ``unknown``, audit the change and
    rebuild the corridor. Setting the value it already has writes nothing.

    Args:
        session: open session (the caller commits).
        segment_no: the segment's number (``border_segment.segment_no``).
        demarcation: the new flag.
        actor: the administrator (``None`` from the command line without an account).
        note: why (kept in the audit row, at most 1,000 characters).

    Raises:
        InvalidInput: (``demarcation``, ``note``) unknown value or note too long.
        NotFound: (``segment``) no such segment.
    """
    value = parse_choice(demarcation, "demarcation", Demarcation)
    if note is not None and (not isinstance(note, str) or len(note) > 1_000):
        raise InvalidInput(N_("note must be text of at most 1,000 characters"), field="note")
    segment = session.execute(
        select(BorderSegment).where(BorderSegment.segment_no == segment_no).with_for_update()
    ).scalar_one_or_none()
    if segment is None:
        raise NotFound(
            N_("there is no border segment no. {segment_no}"),
            field="segment",
            segment_no=segment_no,
        )
    before = Demarcation(segment.demarcation)
    if before is value:
        return segment
    segment.demarcation = value
    session.add(
        BorderSegmentEvent(
            segment_id=segment.id,
            actor_id=actor.id if actor is not None else None,
            from_value=before.value,
            to_value=value.value,
            note=note,
        )
    )
    session.flush()
    refresh_corridor(session)
    return segment


def corridor_geojson(session: Session, bbox: BBox | None = None, zoom: int | None = None) -> str:
    """The ``corridor`` map layer: the corridor, clipped to ``bbox``, as a FeatureCollection.

    Properties: ``width_km`` (on each side of the lines), ``built_at``, ``n_segments`` (border
    segments it follows) and ``n_crossings`` (natural crossing paths). Simplified for ``zoom``
    (:func:`gis.reference.layers.display_precision`).
    """
    precision = display_precision(zoom)
    geom: Any = WatchCorridor.geom
    if bbox is not None:
        geom = func.ST_Intersection(geom, bbox_envelope(bbox))
    properties = {
        "width_km": func.round(cast(WatchCorridor.width_m / 1000.0, Numeric), 1),
        "built_at": func.to_char(
            func.timezone("UTC", WatchCorridor.built_at), 'YYYY-MM-DD"T"HH24:MI:SS"Z"'
        ),
        "n_segments": WatchCorridor.n_segments,
        "n_crossings": WatchCorridor.n_crossings,
    }
    rows = select(
        WatchCorridor.id.label("id"),
        display_polygons(geom, precision).label("geom"),
        json_object(properties).label("properties"),
    ).where(in_bbox(WatchCorridor.geom, bbox))
    return display_collection(session, rows, precision)
