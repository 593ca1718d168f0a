"""Loading the generated demo incidents: binary COPY into staging, then set-based SQL.

The rows go into a temporary staging table with PostgreSQL's binary ``COPY`` (numpy builds the
bytes, no Python loop over rows), then one ``INSERT ... SELECT`` per chunk moves them into
``incident``: the district by polygon (``ST_Covers`` on the target districts cut with
``ST_Subdivide``), the border distance and the nearest checkpoint and crossing with the
expressions of :mod:`gis.reference.measure`. Known idempotency keys are skipped.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt
from geoalchemy2 import Geometry
from sqlalchemy import (
    Column,
    DateTime,
    Double,
    Index,
    Integer,
    MetaData,
    Select,
    SmallInteger,
    Table,
    Text,
    bindparam,
    func,
    select,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import UUID, array
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.db import SRID
from gis.models import District, Incident
from gis.reference.measure import border_distance, nearest_checkpoint, nearest_crossing, to_metric
from seeds.demo_incidents import Incidents
from seeds.demo_profiles import CATEGORIES, CHANNELS, STATUSES, TEMPLATES

#: Called as progress(step, done, total).
Progress = Callable[[str, int, int], None]

#: Rows per COPY and per INSERT ... SELECT chunk.
COPY_CHUNK = 100_000
DERIVE_CHUNK = 50_000
#: Most vertices per district piece for the point-in-polygon join.
PIECE_VERTICES = 128

_temp = MetaData()
#: Staging table filled by COPY; integer codes index the vocabularies of seeds.demo_profiles.
#: Column order and binary formats must match :data:`COPY_FORMAT`.
STAGE = Table(
    "demo_incident_stage",
    _temp,
    Column("seq", Integer, nullable=False),
    Column("lon", Double, nullable=False),
    Column("lat", Double, nullable=False),
    Column("category", SmallInteger, nullable=False),
    Column("channel", SmallInteger, nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("severity", SmallInteger, nullable=False),
    Column("template", SmallInteger, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", UUID(as_uuid=True), nullable=False),
    Index("ix_demo_incident_stage_seq", "seq"),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)
#: PostgreSQL binary COPY formats of the staging columns (big-endian; timestamps are
#: microseconds since 2000-01-01 UTC; a uuid is its 16 bytes).
COPY_FORMAT: tuple[tuple[str, str], ...] = (
    ("seq", ">i4"),
    ("lon", ">f8"),
    ("lat", ">f8"),
    ("category", ">i2"),
    ("channel", ">i2"),
    ("status", ">i2"),
    ("severity", ">i2"),
    ("template", ">i2"),
    ("quantity", ">i4"),
    ("occurred_at", ">i8"),
    ("reported_at", ">i8"),
    ("idempotency_key", "V16"),
)
COPY_SQL = (
    "COPY demo_incident_stage (seq, lon, lat, category, channel, status, severity, template,"
    " quantity, occurred_at, reported_at, idempotency_key) FROM STDIN WITH (FORMAT binary)"
)
COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
COPY_TRAILER = (-1).to_bytes(2, "big", signed=True)

#: The target districts cut into pieces of at most PIECE_VERTICES vertices: testing a point
#: against a small piece is several times cheaper than against a whole district.
PIECES = Table(
    "demo_district_piece",
    _temp,
    Column("district_id", Integer, nullable=False),
    Column("name_th", Text, nullable=False),
    Column("geom", Geometry("GEOMETRY", srid=SRID, spatial_index=True), nullable=False),
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DROP",
)


def copy_chunks(data: Incidents, keys: npt.NDArray[np.uint8], size: int) -> Iterator[bytes]:
    """The staging rows in PostgreSQL's binary COPY format, ``size`` rows per chunk."""
    dtype = np.dtype(
        [("fields", ">i2")]
        + [item for name, fmt in COPY_FORMAT for item in ((f"{name}_len", ">i4"), (name, fmt))]
    )
    columns: dict[str, Any] = {
        "seq": np.arange(len(data)),
        "lon": data.lon,
        "lat": data.lat,
        "category": data.category,
        "channel": data.channel,
        "status": data.status,
        "severity": data.severity,
        "template": data.template,
        "quantity": data.quantity,
        "occurred_at": data.occurred_us,
        "reported_at": data.reported_us,
        "idempotency_key": keys.view("V16").reshape(-1),
    }
    for start in range(0, len(data), size):
        stop = min(start + size, len(data))
        rows = np.empty(stop - start, dtype=dtype)
        rows["fields"] = len(COPY_FORMAT)
        for name, fmt in COPY_FORMAT:
            rows[f"{name}_len"] = np.dtype(fmt).itemsize
            rows[name] = columns[name][start:stop]
        yield COPY_HEADER + rows.tobytes() + COPY_TRAILER


def derive_statement() -> Select[Any]:
    """``INSERT INTO incident ... SELECT`` for the staging rows with ``seq`` in [lo, hi),
    returning the count per category of the rows inserted (known keys are skipped)."""
    # Each point and its metric copy are computed once per row: OFFSET 0 keeps PostgreSQL from
    # pulling the subquery up and repeating ST_Transform in every expression that uses it.
    pt = func.ST_SetSRID(func.ST_MakePoint(STAGE.c.lon, STAGE.c.lat), SRID)
    staged = (
        select(STAGE, pt.label("geom"), to_metric(pt).label("geom_m"))
        .where(STAGE.c.seq >= bindparam("lo"), STAGE.c.seq < bindparam("hi"))
        .offset(0)
        .subquery("stage")
    )
    stage = staged.c
    # The district by polygon; a point on a cut between two pieces matches both, so take one.
    covering = (
        select(PIECES.c.district_id, PIECES.c.name_th)
        .where(func.ST_Covers(PIECES.c.geom, stage.geom))
        .order_by(PIECES.c.district_id)
        .limit(1)
        .lateral("district")
    )
    district = covering.c
    cp = nearest_checkpoint(stage.geom_m)
    nc = nearest_crossing(stage.geom_m)
    templates = [t.text for c in CATEGORIES for t in TEMPLATES[c]]
    rows = (
        select(
            stage.idempotency_key,
            array([c.value for c in CATEGORIES])[stage.category + 1],
            array([s.value for s in STATUSES])[stage.status + 1],
            array([c.value for c in CHANNELS])[stage.channel + 1],
            stage.severity,
            stage.occurred_at,
            stage.reported_at,
            func.format(array(templates)[stage.template + 1], stage.quantity, district.name_th),
            district.district_id,
            border_distance(stage.geom_m),
            cp.c.id,
            cp.c.distance_m,
            nc.c.id,
            nc.c.distance_m,
            true(),
            stage.reported_at,
            stage.geom,
        )
        .select_from(staged.join(covering, true()))
        .outerjoin(cp, true())
        .outerjoin(nc, true())
    )
    columns = [
        "idempotency_key",
        "category",
        "status",
        "channel",
        "severity",
        "occurred_at",
        "reported_at",
        "description",
        "district_id",
        "border_distance_m",
        "nearest_checkpoint_id",
        "nearest_checkpoint_m",
        "nearest_crossing_id",
        "nearest_crossing_m",
        "is_demo",
        "updated_at",
        "geom",
    ]
    inserted = (
        pg_insert(Incident)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(Incident.category)
        .cte("inserted")
    )
    return select(inserted.c.category, func.count()).group_by(inserted.c.category)


def load_incidents(
    session: Session,
    data: Incidents,
    keys: npt.NDArray[np.uint8],
    progress: Progress | None = None,
    steps: dict[str, float] | None = None,
) -> tuple[int, dict[str, int]]:
    """COPY the rows into staging, then insert them with their derived fields, chunk by chunk.

    Args:
        session: open session; the caller commits.
        data: the generated incidents.
        keys: one idempotency key (16 bytes) per incident.
        progress: optional ``(step, done, total)`` callback.
        steps: filled with the seconds of the ``copy`` and ``derive`` steps.

    Returns:
        The number of rows inserted and the count per category of them.
    """
    steps = {} if steps is None else steps
    mark = time.perf_counter()
    conn = session.connection()
    STAGE.create(conn)
    PIECES.create(conn)
    conn.execute(
        PIECES.insert().from_select(
            ["district_id", "name_th", "geom"],
            select(
                District.id, District.name_th, func.ST_Subdivide(District.geom, PIECE_VERTICES)
            ).where(District.target),
        )
    )
    n = len(data)
    cursor = conn.connection.cursor()  # psycopg2's, on the session's transaction
    try:
        done = 0
        for chunk in copy_chunks(data, keys, COPY_CHUNK):
            cursor.copy_expert(COPY_SQL, io.BytesIO(chunk))
            done = min(done + COPY_CHUNK, n)
            if progress:
                progress("loading incidents", done, n)
    finally:
        cursor.close()
    conn.execute(text("ANALYZE demo_incident_stage"))
    conn.execute(text("ANALYZE demo_district_piece"))
    steps["copy"] = time.perf_counter() - mark

    mark = time.perf_counter()
    statement = derive_statement()
    # Per-chunk JIT compilation costs more than it saves on these nested-loop lookups; the
    # setting is restored for the rest of the caller's transaction afterwards.
    jit = conn.execute(select(func.current_setting("jit"))).scalar_one()
    conn.execute(select(func.set_config("jit", "off", True)))
    categories: dict[str, int] = {}
    for lo in range(0, n, DERIVE_CHUNK):
        hi = min(lo + DERIVE_CHUNK, n)
        for category, count in conn.execute(statement, {"lo": lo, "hi": hi}):
            key = getattr(category, "value", category)
            categories[key] = categories.get(key, 0) + count
        if progress:
            progress("deriving incidents", hi, n)
    conn.execute(select(func.set_config("jit", jit, True)))
    steps["derive"] = time.perf_counter() - mark
    PIECES.drop(conn)
    STAGE.drop(conn)
    return sum(categories.values()), categories
