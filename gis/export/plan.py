"""What an export reads: collections, who reads them with which fields, and the checked filters.

A :class:`Collection` (declared once in :data:`gis.export.collections.COLLECTIONS`) builds, for
an :class:`Access`, a :class:`Source`: the rows the viewer may read (the same rule as the map and
the feature's own API) and the properties that may leave, an allow-list per access level.
:func:`plan` turns a collection, an access and checked :class:`Filters` into one ``SELECT`` of
``fid``, ``geom`` and the allowed properties; :func:`count` counts what it would read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select, true
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.export.crs import CRS84, Crs, box_in_storage, to_output
from gis.filters import in_bbox
from gis.models import District, User
from gis.text import N_
from gis.types import BBox, IncidentCategory, IncidentStatus, Role

#: Longest reason accepted for a sensitive export (characters).
MAX_REASON = 500
#: Roles that may ask for the sensitive fields (with a reason).
SENSITIVE_ROLES = frozenset({Role.HQ_ANALYST})


class Kind(StrEnum):
    """The type of an exported property (GeoPackage field types, CSV formatting)."""

    INT = "int"
    FLOAT = "float"
    TEXT = "text"
    BOOL = "bool"
    DATETIME = "datetime"  # RFC 3339 text in Thai time, built in SQL
    DATE = "date"  # ISO 8601 date text
    JSON = "json"  # a JSON array or object (text in CSV and GeoPackage)


@dataclass(frozen=True, slots=True)
class Field:
    """One exported property: its name, type and SQL expression."""

    name: str
    kind: Kind
    expr: Any


@dataclass(frozen=True, slots=True)
class Access:
    """Who exports, and whether the sensitive fields were asked for (with a reason).

    Attributes:
        viewer: the account (a token acts as its account).
        scope: district ids the account may see (``None``: every district).
        sensitive: the sensitive projection (HQ analysts only, with ``reason``).
        reason: why the sensitive fields are needed (audited).
        token_id: the API token the request came with, if any (audited).
    """

    viewer: User
    scope: frozenset[int] | None
    sensitive: bool = False
    reason: str | None = None
    token_id: int | None = None

    @property
    def role(self) -> Role:
        return Role(self.viewer.role)


@dataclass(frozen=True, slots=True)
class Filters:
    """Checked filters of an export or an OGC API items request.

    Attributes:
        bbox: only features intersecting this box.
        start, end: only features whose time lies in ``[start, end]`` (each optional);
            ``end_exclusive`` makes the end open (a whole day given as a date).
        categories, statuses: only these incident categories / statuses (empty: any).
        districts: only features of these districts (P-codes; empty: any).
        run: hotspot run id (``None``: the latest finished run).
        after: keyset cursor, only features with ``fid > after``.
        limit: most features (``None``: all).
        fid: only the feature with this id (an OGC API item).
        where: a CQL2 filter (:mod:`gis.export.cql`) as a builder of its SQL condition over an
            access's properties and geometry; ``where_text`` is the filter as given (audited).
        crs: the CRS of the answer's coordinates (OGC API Part 2; CRS84 by default).
        bbox_crs: the CRS ``bbox`` is given in (``bbox`` is then not checked as degrees).
    """

    bbox: BBox | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    end_exclusive: bool = False
    categories: frozenset[IncidentCategory] = frozenset()
    statuses: frozenset[IncidentStatus] = frozenset()
    districts: frozenset[str] = frozenset()
    run: int | None = None
    after: int | None = None
    limit: int | None = None
    fid: int | None = None
    where: Callable[[tuple[Field, ...], Any], ColumnElement[bool]] | None = None
    where_text: str | None = None
    crs: Crs = CRS84
    bbox_crs: Crs = CRS84

    def audit(self) -> dict[str, Any]:
        """The filters as JSON for the audit row (only those given)."""
        out: dict[str, Any] = {}
        if self.bbox is not None:
            b = self.bbox
            out["bbox"] = [b.minx, b.miny, b.maxx, b.maxy]
        if self.start is not None or self.end is not None:
            out["datetime"] = [
                self.start.isoformat() if self.start else None,
                self.end.isoformat() if self.end else None,
            ]
        for name in ("categories", "statuses", "districts"):
            values = getattr(self, name)
            if values:
                out[name] = sorted(str(v) for v in values)
        for name in ("run", "after", "limit", "fid"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.where_text is not None:
            out["filter"] = self.where_text
        for name in ("crs", "bbox_crs"):
            if not getattr(self, name).is_storage:
                out[name] = getattr(self, name).uri
        return out


@dataclass(frozen=True, slots=True)
class Source:
    """What a collection reads for one access: the rows (scope applied) and the filter columns.

    Attributes:
        fid: the feature id (an integer column, unique, indexed: the keyset order).
        geom: the EPSG:4326 geometry.
        fields: the allowed properties for this access, in output order.
        rows: ``SELECT`` of the base table with its joins and the scope in ``WHERE``.
        time: the column the ``datetime`` filter applies to (``None``: not filterable).
        district_id: district id column for the ``district`` filter (``None``: not filterable).
        category, status: incident category / status columns (``None``: not filterable).
        run: the hotspot run column (``None``: no ``run`` filter).
    """

    fid: Any
    geom: Any
    fields: tuple[Field, ...]
    rows: Select[Any]
    time: Any = None
    district_id: Any = None
    category: Any = None
    status: Any = None
    run: Any = None
    latest_run: Any = None
    #: statuses kept when no ``status`` filter is given (``None``: all)
    default_statuses: frozenset[IncidentStatus] | None = None


@dataclass(frozen=True)
class Collection:
    """An exportable collection, declared once in :data:`gis.export.collections.COLLECTIONS`.

    Attributes:
        name: the id in URLs (``/api/export/<name>.geojson``, ``/ogcapi/collections/<name>``).
        title, description: for people (OGC API collection metadata).
        geometry_type: the OGC geometry type of every feature (``Point``, ``MultiPolygon``, ...).
        roles: roles that may read it (others do not see it listed: 404).
        source: builds the :class:`Source` for an access.
        filters: the optional filters it takes (``datetime``, ``category``, ``status``,
            ``district``, ``run``); ``bbox`` always applies.
    """

    name: str
    title: str
    description: str
    geometry_type: str
    roles: frozenset[Role]
    source: Callable[[Access], Source]
    filters: frozenset[str] = field(default_factory=frozenset)


# --------------------------------------------------------------------------- access


def make_access(
    session: Session,
    viewer: User,
    *,
    include_sensitive: bool = False,
    reason: str | None = None,
    token_id: int | None = None,
) -> Access:
    """The :class:`Access` of ``viewer``; checks who may ask for the sensitive fields.

    Raises:
        Forbidden: ``include_sensitive`` from a role other than HQ analyst.
        InvalidInput: ``include_sensitive`` without a reason (``field="reason"``), or a reason
            that is too long.
    """
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise InvalidInput(
            N_("reason is longer than {max_reason} characters"),
            field="reason",
            max_reason=MAX_REASON,
        )
    if include_sensitive:
        if Role(viewer.role) not in SENSITIVE_ROLES:
            raise Forbidden(
                N_("Only HQ analysts may export sensitive fields."), field="include_sensitive"
            )
        if reason is None:
            raise InvalidInput(
                N_("reason is required with include_sensitive=true (it is audited)"), field="reason"
            )
    return Access(
        viewer=viewer,
        scope=scope_district_ids(session, viewer),
        sensitive=include_sensitive,
        reason=reason if include_sensitive else None,
        token_id=token_id,
    )


def may_read(collection: Collection, access: Access) -> bool:
    """Whether the account may read (and see listed) ``collection``."""
    return bool(access.viewer.is_active) and access.role in collection.roles


# --------------------------------------------------------------------------- the plan


def _in_time(source: Source, f: Filters) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if f.start is not None:
        conditions.append(source.time >= f.start)
    if f.end is not None:
        conditions.append(source.time < f.end if f.end_exclusive else source.time <= f.end)
    return and_(true(), *conditions)


def _in_districts(source: Source, pcodes: frozenset[str]) -> ColumnElement[bool]:
    if not pcodes:
        return true()
    ids = select(District.id).where(District.pcode.in_(sorted(pcodes))).scalar_subquery()
    return source.district_id.in_(ids)


def filtered(source: Source, f: Filters) -> Select[Any]:
    """``source.rows`` with the filters in ``WHERE`` (no columns added, no order)."""
    if f.bbox is not None and not f.bbox_crs.is_storage:
        b = f.bbox
        box = box_in_storage(b.minx, b.miny, b.maxx, b.maxy, f.bbox_crs)
        rows = source.rows.where(func.ST_Intersects(source.geom, box))
    else:
        rows = source.rows.where(in_bbox(source.geom, f.bbox))
    if f.where is not None:
        named = {fl.name for fl in source.fields}
        props = source.fields + (() if "id" in named else (Field("id", Kind.INT, source.fid),))
        rows = rows.where(f.where(props, source.geom))
    if source.time is not None:
        rows = rows.where(_in_time(source, f))
    if source.district_id is not None:
        rows = rows.where(_in_districts(source, f.districts))
    if source.category is not None and f.categories:
        rows = rows.where(source.category.in_(sorted(f.categories)))
    if source.status is not None and (f.statuses or source.default_statuses):
        rows = rows.where(source.status.in_(sorted(f.statuses or source.default_statuses or ())))
    if source.run is not None:
        rows = rows.where(source.run == (f.run if f.run is not None else source.latest_run))
    if f.after is not None:
        rows = rows.where(source.fid > f.after)
    if f.fid is not None:
        rows = rows.where(source.fid == f.fid)
    return rows


def plan(collection: Collection, access: Access, f: Filters) -> tuple[tuple[Field, ...], Any]:
    """The export's statement: ``fid``, ``geom`` and the allowed properties.

    A page (``after`` or ``limit`` given) is in ``fid`` order (keyset pagination); a whole
    export is in no particular order, so that PostgreSQL streams it without sorting it.

    Returns:
        ``(fields, subquery)``: the subquery's columns are ``fid``, ``geom`` and one per field.

    Raises:
        NotFound: the account may not read the collection.
    """
    if not may_read(collection, access):
        raise NotFound(
            N_("no collection {collection}"), field="collection", collection=collection.name
        )
    source = collection.source(access)
    columns = [source.fid.label("fid"), to_output(source.geom, f.crs).label("geom")]
    columns += [fl.expr.label(fl.name) for fl in source.fields]
    rows = filtered(source, f).with_only_columns(*columns)
    if f.limit is not None or f.after is not None:
        rows = rows.order_by(source.fid)
    if f.limit is not None:
        rows = rows.limit(f.limit)
    return source.fields, rows.subquery("x")


def count(session: Session, collection: Collection, access: Access, f: Filters) -> int:
    """Features matching the filters (``after`` and ``limit`` ignored).

    Raises:
        NotFound: the account may not read the collection.
    """
    if not may_read(collection, access):
        raise NotFound(
            N_("no collection {collection}"), field="collection", collection=collection.name
        )
    source = collection.source(access)
    plain = replace(f, after=None, limit=None)
    matching = filtered(source, plain).subquery("m")
    return int(session.execute(select(func.count()).select_from(matching)).scalar_one())


__all__ = [
    "MAX_REASON",
    "SENSITIVE_ROLES",
    "Access",
    "Collection",
    "Field",
    "Filters",
    "Kind",
    "Source",
    "count",
    "filtered",
    "make_access",
    "may_read",
    "plan",
]
