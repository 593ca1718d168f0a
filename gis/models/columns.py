"""Column helpers shared by the tables: vocabularies, geometries, metric copies, timestamps."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from geoalchemy2 import Geometry
from sqlalchemy import Computed, DateTime, Enum, func
from sqlalchemy.orm import Mapped, mapped_column

from gis.db import METRIC_SRID, SRID


def vocabulary(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A VARCHAR column restricted by a CHECK constraint to the enum's values.

    A CHECK constraint (not a native PostgreSQL enum) keeps adding a value a one-line migration.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=40,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def geometry(kind: str) -> Geometry:
    return Geometry(kind, srid=SRID, spatial_index=True)


def metric_copy(kind: str, source: str = "geom") -> Mapped[Any]:
    """A stored copy of ``source`` in the metric CRS, kept by PostgreSQL, for nearest-neighbour
    searches in metres with a GiST index (see :mod:`gis.reference.measure`)."""
    return mapped_column(
        Geometry(kind, srid=METRIC_SRID, spatial_index=True),
        Computed(f"ST_Transform({source}, {METRIC_SRID})", persisted=True),
    )


def now_column() -> Mapped[dt.datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
