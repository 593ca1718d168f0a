"""Exports: the collections HQ and GIS clients take away, with scope and redaction, streamed.

A collection (:mod:`gis.export.collections` declares them in one registry, one entry each) says
which rows a viewer may read (the same scope as the map: :mod:`gis.incidents.map_layer` for
incidents) and which properties leave the system: an allow-list per access level, never a
deny-list. :func:`plan` turns a collection, an :class:`Access` and checked :class:`Filters` into
one ``SELECT`` with the columns ``fid``, ``geom`` and the allowed properties, in ``fid`` order.

The writers read that statement through a server-side cursor (``stream_results``, rows fetched
:data:`FETCH_ROWS` at a time), so memory stays flat whatever the size:

- :func:`geojson_chunks`: an RFC 7946 FeatureCollection. Each feature's text is built in
  PostGIS (``ST_AsGeoJSON`` with :data:`COORDINATE_DIGITS` decimals, polygon rings forced
  counter-clockwise, lon/lat, no ``crs`` member, the row id as the feature ``id``); Python only
  joins the texts. A whole export reads them by one ``COPY ... TO STDOUT`` instead of the
  cursor (:func:`copy_lines`, a bounded queue filled by a thread: memory flat too); a page (OGC
  API, ``limit``) by the cursor, in ``fid`` order. :mod:`gis.export.formats` writes CSV and
  GeoPackage from the same plan.

Every export is audited (:func:`start_audit`, :func:`finish_audit`): who, which collection and
filters, whether sensitive fields were asked for and why, how many features left, when.
"""

from __future__ import annotations

import datetime as dt
import itertools
import queue
import threading
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import psycopg2.extensions
from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    String,
    Text,
    and_,
    cast,
    func,
    literal,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.db import dbapi_connection, literal_sql
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.models import District, ExportAudit, User
from gis.reference.layers import in_bbox
from gis.types import BBox, IncidentCategory, IncidentStatus, Role

#: Decimals kept in exported coordinates (about 0.1 m).
COORDINATE_DIGITS = 6
#: Rows fetched from the server-side cursor at a time.
FETCH_ROWS = 1_000
#: Bytes of COPY output gathered into one chunk of a whole GeoJSON export.
COPY_CHUNK = 1 << 18
#: Chunks of COPY output read ahead of the client at most (memory: about 2 MB).
COPY_AHEAD = 8
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
        for name in ("run", "after", "limit"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
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
        raise InvalidInput(f"reason is longer than {MAX_REASON} characters", field="reason")
    if include_sensitive:
        if Role(viewer.role) not in SENSITIVE_ROLES:
            raise Forbidden(
                "Only HQ analysts may export sensitive fields.", field="include_sensitive"
            )
        if reason is None:
            raise InvalidInput(
                "reason is required with include_sensitive=true (it is audited)", field="reason"
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
    rows = source.rows.where(in_bbox(source.geom, f.bbox))
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
        raise NotFound(f"no collection {collection.name}", field="collection")
    source = collection.source(access)
    columns = [source.fid.label("fid"), source.geom.label("geom")]
    columns += [fl.expr.label(fl.name) for fl in source.fields]
    rows = filtered(source, f).with_only_columns(*columns)
    if f.limit is not None or f.after is not None:
        rows = rows.order_by(source.fid)
    if f.limit is not None:
        rows = rows.limit(f.limit)
    return source.fields, rows.subquery("x")


def count(session: Session, collection: Collection, access: Access, f: Filters) -> int:
    """Features matching the filters (``after`` and ``limit`` ignored)."""
    if not may_read(collection, access):
        raise NotFound(f"no collection {collection.name}", field="collection")
    source = collection.source(access)
    plain = replace(f, after=None, limit=None)
    matching = filtered(source, plain).subquery("m")
    return int(session.execute(select(func.count()).select_from(matching)).scalar_one())


# --------------------------------------------------------------------------- GeoJSON


def feature_text(fields: tuple[Field, ...], x: Any) -> ColumnElement[str]:
    """One RFC 7946 feature as JSON text, built in PostGIS: lon/lat, rings counter-clockwise,
    :data:`COORDINATE_DIGITS` decimals, the id as the feature ``id``."""
    pairs: list[Any] = []
    for fl in fields:
        value = x.c[fl.name]
        if fl.kind is Kind.JSON:
            value = cast(func.translate(cast(value, Text), "\n\r", "  "), JSON)
        pairs += [literal(fl.name, String), value]
    properties = cast(func.json_build_object(*pairs), Text)
    # a json value is embedded as it is: json_agg of rows separates them with a raw newline,
    # which is only whitespace to JSON, but a COPY of whole features needs one line per feature
    geometry = func.coalesce(
        func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(x.c.geom), COORDINATE_DIGITS), "null"
    )
    return func.concat(
        '{"type":"Feature","id":',
        x.c.fid,
        ',"geometry":',
        geometry,
        ',"properties":',
        properties,
        "}",
    )


def stream_batches(
    session: Session, statement: Any, *, utf8: bool = False
) -> Generator[list[Any], None, None]:
    """Batches of rows (tuples) of ``statement`` through a server-side cursor, up to
    :data:`FETCH_ROWS` rows each.

    The psycopg2 named cursor is used directly on the session's connection (in its
    transaction): SQLAlchemy's per-row result objects would cost about a third of a large
    export's time. The statement's values are quoted by psycopg2
    (:func:`gis.db.literal_sql`), as its parameterised ``execute`` does.

    Args:
        utf8: text columns come as UTF-8 ``bytes``, as PostgreSQL sends them, instead of
            ``str``: a writer that only joins texts then neither decodes nor encodes them, and
            holds each batch once, in its smallest form (a ``str`` with one Thai letter takes
            two bytes per character, its encoding a third copy).
    """
    raw = dbapi_connection(session)
    with raw.cursor() as setting:  # a long stream gains nothing from JIT compiling its plan
        setting.execute("SET LOCAL jit = off")
    sql = literal_sql(session, statement)
    cursor = raw.cursor(name=f"export_{next(_CURSORS)}")
    as_is = utf8 and raw.encoding == "UTF8"
    if as_is:
        psycopg2.extensions.register_type(psycopg2.extensions.BYTES, cursor)
    try:
        cursor.execute(sql)
        while True:
            batch = cursor.fetchmany(FETCH_ROWS)
            if not batch:
                break
            if utf8 and not as_is:  # another client encoding: the texts as UTF-8 all the same
                batch = [tuple(_utf8(v) for v in row) for row in batch]
            yield batch
            del batch  # not held while the next batch is fetched
    finally:
        cursor.close()


def _utf8(value: Any) -> Any:
    return value.encode() if isinstance(value, str) else value


_CURSORS = itertools.count(1)


def stream_rows(session: Session, statement: Any) -> Generator[Any, None, None]:
    """Rows of ``statement`` through a server-side cursor (see :func:`stream_batches`)."""
    batches = stream_batches(session, statement)
    try:
        for batch in batches:
            yield from batch
    finally:
        batches.close()


#: COPY options under which each row of one JSON text column is that text and a newline, as it
#: is: JSON text never holds a raw control character (strings escape them, whitespace between
#: tokens is made of spaces by :func:`feature_text`), so neither this delimiter nor this quote
#: ever occurs and CSV never quotes or escapes; text format would double every backslash.
_COPY_OPTIONS = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'"


class _CopySink:
    """The file psycopg2's ``copy_expert`` writes rows to: gathers them into chunks of about
    :data:`COPY_CHUNK` bytes and hands each to a bounded queue (the COPY waits while the client
    is :data:`COPY_AHEAD` chunks behind)."""

    def __init__(self, out: queue.Queue[Any], stop: threading.Event) -> None:
        self.out = out
        self.stop = stop
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= COPY_CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        chunk = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        # once the reader has gone, chunks are dropped (raising here would leave psycopg2's
        # connection in the middle of the COPY): the cancel sent by the reader ends the COPY
        while not self.stop.is_set():
            try:
                self.out.put(chunk, timeout=0.1)
                return
            except queue.Full:
                continue


_END = object()


def copy_lines(session: Session, statement: Any) -> Generator[bytes, None, None]:
    """The single text column of ``statement`` as UTF-8 lines (each value and ``"\\n"``), in
    chunks of whole lines, through one ``COPY (...) TO STDOUT`` on the session's connection.

    The values must never hold a newline, ``\\x01`` or ``\\x02`` (JSON text from PostgreSQL's
    JSON functions: see :data:`_COPY_OPTIONS`). psycopg2's ``copy_expert`` reads in a thread (it
    lets go of the GIL while it waits for the server) into a queue of :data:`COPY_AHEAD` chunks,
    so memory stays flat and chunks are yielded as they arrive. Closing the generator early (a
    client that went away) cancels the statement on the server and waits for the thread: the
    session's transaction is then aborted and must be rolled back. An error of the statement is
    raised here.
    """
    raw = dbapi_connection(session)
    if raw.encoding != "UTF8":
        raise RuntimeError("a COPY export needs a UTF8 client encoding")
    with raw.cursor() as cursor:  # a long stream gains nothing from JIT compiling its plan
        cursor.execute("SET LOCAL jit = off")
    sql = f"COPY ({literal_sql(session, statement)}) TO STDOUT WITH ({_COPY_OPTIONS})"
    chunks: queue.Queue[Any] = queue.Queue(maxsize=COPY_AHEAD)
    stop = threading.Event()
    sink = _CopySink(chunks, stop)

    def run() -> None:
        end: Any = _END
        try:
            with raw.cursor() as cursor:
                cursor.copy_expert(sql, sink)
            sink.flush()
        except BaseException as exc:  # handed to the reader, raised there
            end = exc
        while not stop.is_set():
            try:
                chunks.put(end, timeout=0.1)
                return
            except queue.Full:
                continue

    thread = threading.Thread(target=run, name="export-copy", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is _END:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
            del item
    finally:
        stop.set()
        if thread.is_alive():
            raw.cancel()  # ends a COPY still running; the thread's copy_expert then raises
        thread.join()


@dataclass
class Counter:
    """Features written so far (read by the audit when a download ends or is cut)."""

    n: int = 0
    last_fid: int | None = None
    #: a page (:attr:`Filters.limit`) stopped before the last matching feature
    more: bool = False


def geojson_chunks(
    session: Session,
    collection: Collection,
    access: Access,
    f: Filters,
    counter: Counter,
    *,
    foreign: Mapping[str, Any] | None = None,
) -> Iterator[bytes]:
    """The FeatureCollection as UTF-8 chunks, one per :data:`FETCH_ROWS` features (a page in
    ``fid`` order, a whole export in no particular order).

    With :attr:`Filters.limit` (a page), one more row is read to tell whether another page
    follows (:attr:`Counter.more`).

    Args:
        foreign: extra top-level members by name, written after the features: JSON text, or a
            callable of the finished ``counter`` that returns JSON text (an OGC API page's
            ``numberReturned`` and ``next`` link).
    """
    page = f.limit
    if page is None:
        yield from _whole_geojson(session, collection, access, f, counter, foreign)
        return
    f = replace(f, limit=page + 1)
    fields, x = plan(collection, access, f)
    statement = select(x.c.fid, feature_text(fields, x))
    yield b'{"type":"FeatureCollection","features":['
    batches = stream_batches(session, statement, utf8=True)
    try:
        for batch in batches:
            if page is not None and counter.n + len(batch) > page:
                counter.more = True
                batch = batch[: page - counter.n]
            if not batch:
                break
            # b"" first: the comma between this chunk's first feature and the last one sent
            features = [b""] if counter.n else []
            features += [feature for _, feature in batch]
            counter.n += len(batch)
            counter.last_fid = batch[-1][0]
            del batch  # the rows' tuples go now, their texts once joined
            chunk = b",".join(features)
            del features
            yield chunk
            del chunk
            if counter.more:
                break
    finally:
        batches.close()
    yield _closing(counter, foreign)


def _closing(counter: Counter, foreign: Mapping[str, Any] | None) -> bytes:
    parts = ["]"]
    for name, value in (foreign or {}).items():
        parts.append(f',"{name}":{value(counter) if callable(value) else value}')
    parts.append("}\n")
    return "".join(parts).encode()


def _whole_geojson(
    session: Session,
    collection: Collection,
    access: Access,
    f: Filters,
    counter: Counter,
    foreign: Mapping[str, Any] | None,
) -> Iterator[bytes]:
    """A whole export (no ``limit``): the features' texts by one COPY (:func:`copy_lines`),
    their newlines turned into the commas between them in bytes; features counted by the
    newlines. About 1.5x as fast as the server-side cursor at 1,000,000 features: no round trip
    per :data:`FETCH_ROWS` rows, no tuple per row, the reading overlapped with the sending."""
    fields, x = plan(collection, access, f)
    statement = select(feature_text(fields, x))
    yield b'{"type":"FeatureCollection","features":['
    lines = copy_lines(session, statement)
    pending = False  # a comma owed before the next chunk (its line ended the last chunk)
    try:
        for chunk in lines:
            counter.n += chunk.count(b"\n")
            text = chunk.replace(b"\n", b",")
            del chunk
            if pending:
                text = b"," + text
            pending = text.endswith(b",")
            if pending:
                text = text[:-1]
            yield text
            del text
    finally:
        lines.close()
    yield _closing(counter, foreign)


# --------------------------------------------------------------------------- audit


def start_audit(session: Session, collection: str, fmt: str, access: Access, f: Filters) -> int:
    """Write the audit row of an export that starts (state ``started``) and return its id.

    The caller commits it before the first byte leaves, so that a download cut short is on
    record too.
    """
    row = ExportAudit(
        user_id=access.viewer.id,
        token_id=access.token_id,
        collection=collection,
        format=fmt,
        filters=f.audit(),
        sensitive=access.sensitive,
        reason=access.reason,
    )
    session.add(row)
    session.flush()
    return row.id


def finish_audit(session: Session, audit_id: int, state: str, feature_count: int) -> None:
    """Record how an export ended (``completed``, ``aborted`` or ``failed``) and its count."""
    session.execute(
        update(ExportAudit)
        .where(ExportAudit.id == audit_id)
        .values(state=state, feature_count=feature_count, finished_at=func.now())
    )


__all__ = [
    "COORDINATE_DIGITS",
    "Access",
    "Collection",
    "Counter",
    "Field",
    "Filters",
    "Kind",
    "Source",
    "copy_lines",
    "count",
    "feature_text",
    "finish_audit",
    "geojson_chunks",
    "make_access",
    "may_read",
    "plan",
    "start_audit",
    "stream_rows",
]
