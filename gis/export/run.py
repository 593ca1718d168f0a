"""One export, start to end: the workflow shared by the file download, the OGC API and the CLI.

:func:`prepare_export` does every check an export makes before it reads or writes anything:
find the collection, check that the account may read it, check the format, parse the filters.
A request that only asks what it would get (HTTP ``HEAD``) stops there (:func:`check_export`).

:func:`run_export` then opens the audit row (committed before the first byte leaves), picks the
writer of the format and returns an :class:`ExportRun`: the body, read once, whose end closes
the audit row exactly once. Read to the end it is ``completed``; an error while reading it is
``failed``; :meth:`ExportRun.close` before the end (a client that went away, a body never read)
is ``aborted``. Closing also removes the GeoPackage's temporary folder and ends the session's
transaction, so a caller that always closes the run (``Response.call_on_close``, a ``finally``)
leaves nothing behind whether or not the body was read.

An export is its own unit of work on the session it is given: :func:`run_export` commits the
audit row, and the run's end rolls back the read transaction, records the end, commits and
closes the session.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.export.audit import finish_audit, start_audit
from gis.export.collections import get_collection
from gis.export.files import ARROW_FORMATS, write_arrow_file
from gis.export.formats import csv_chunks, write_geopackage
from gis.export.kml import kml_chunks
from gis.export.params import decode_cursor, parse_filters
from gis.export.plan import Access, Collection, Filters, count, may_read
from gis.export.stream import Counter, feature_json, geojson_chunks, members
from gis.export.words import FIELD_LABELS, TEXTS, Words
from gis.geojson import GEOJSON
from gis.text import N_
from gis.types import BBox

log = logging.getLogger(__name__)


class Format(StrEnum):
    """What an export writes."""

    GEOJSON = "geojson"  # an RFC 7946 FeatureCollection file
    CSV = "csv"  # WKT and properties, UTF-8 with BOM
    GPKG = "gpkg"  # a GeoPackage file
    SHP = "shp"  # a zipped Shapefile (.shp, .shx, .dbf, .prj, .cpg, fields.csv, README.txt)
    KML = "kml"  # KML for Google Earth: placemarks named and described, styled by class
    FGB = "fgb"  # FlatGeobuf with its spatial index
    PARQUET = "parquet"  # GeoParquet 1.1
    OGCAPI = "ogcapi"  # an OGC API page (a FeatureCollection) or one feature


#: Media types of what each format writes.
MEDIA_TYPES: dict[Format, str] = {
    Format.GEOJSON: GEOJSON,
    Format.CSV: "text/csv; charset=utf-8",
    Format.GPKG: "application/geopackage+sqlite3",
    Format.SHP: "application/zip",
    Format.KML: "application/vnd.google-earth.kml+xml",
    Format.FGB: "application/flatgeobuf",
    Format.PARQUET: "application/vnd.apache.parquet",
    Format.OGCAPI: GEOJSON,
}
#: Formats of a file download (``/api/export/<collection>.<format>``, the CLI).
FILE_FORMATS = (
    Format.GEOJSON,
    Format.CSV,
    Format.GPKG,
    Format.SHP,
    Format.KML,
    Format.FGB,
    Format.PARQUET,
)
#: Formats that are text (worth compressing on the way).
TEXT_FORMATS = frozenset({Format.GEOJSON, Format.CSV, Format.KML, Format.OGCAPI})
#: The file name's extension of each format, where it is not the format's name.
EXTENSIONS: dict[Format, str] = {Format.SHP: "shp.zip"}
#: Bytes read from a GeoPackage file at a time.
FILE_CHUNK = 1 << 16
#: Prefix of the temporary folder a GeoPackage is written in.
WORKDIR_PREFIX = "borderwatch-export-"

#: Extra top-level members of a page or a feature by name: JSON text, or a callable of the
#: finished :class:`~gis.export.stream.Counter` that returns JSON text.
Members = Mapping[str, Any]
#: Called with the run's counter as features are written.
Progress = Callable[[Counter], object]


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What a caller asks for, not yet checked.

    Attributes:
        collection: the collection's name.
        fmt: a :class:`Format` value (``geojson``, ``csv``, ``gpkg``, ``ogcapi``).
        params: the collection's filters as text (``datetime``, ``category``, ``status``,
            ``district``, ``run``); other keys are ignored (the caller refuses unknown ones).
        bbox: the checked bounding box.
        limit: a page of at most this many features, in id order (OGC API items).
        cursor: the opaque cursor of a ``next`` link: the page after it.
        fid: one feature, by id (an OGC API item).
        count: count the matching features first (:attr:`ExportRun.matched`).
        words: the reader's words for a file people read (KML, a Shapefile's ``fields.csv``
            and README: :class:`gis.export.words.Words`); English without them.
    """

    collection: str
    fmt: str
    params: Mapping[str, str] = field(default_factory=dict)
    bbox: BBox | None = None
    limit: int | None = None
    cursor: str | None = None
    fid: int | None = None
    count: bool = False
    words: Words | None = None


@dataclass(frozen=True, slots=True)
class ExportJob:
    """A checked export: what :func:`run_export` will read, and for whom."""

    collection: Collection
    fmt: Format
    access: Access
    filters: Filters
    #: the reader's words (:attr:`ExportRequest.words`)
    words: Words | None = None


def find_collection(name: str, access: Access) -> Collection:
    """The collection ``name`` if the account may read it.

    Raises:
        NotFound: (``collection``) no such collection, or one the account may not read (the
            same answer: it is not listed either).
    """
    collection = get_collection(name)
    if collection is None or not may_read(collection, access):
        raise NotFound(N_("no collection {name!r}"), field="collection", name=name)
    return collection


def prepare_export(access: Access, request: ExportRequest) -> ExportJob:
    """Every check of an export, with nothing read or written: the collection and the account's
    right to read it, the format, the filters.

    Raises:
        NotFound: an unknown or unreadable collection (``collection``), an unknown format
            (``format``).
        InvalidInput: a bad filter or cursor, or a filter the collection does not take (its
            ``field`` names the parameter).
    """
    collection = find_collection(request.collection, access)
    fmt = _format(request)
    filters = parse_filters(collection, request.params, request.bbox)
    after = decode_cursor(request.cursor) if request.cursor else None
    filters = replace(filters, after=after, limit=request.limit, fid=request.fid)
    return ExportJob(collection, fmt, access, filters, request.words)


def check_export(session: Session, access: Access, request: ExportRequest) -> ExportJob:
    """What an export would answer, with nothing written (an HTTP ``HEAD``): the checks of
    :func:`prepare_export`, and for one feature that it exists and the account may read it.

    Raises:
        NotFound: as :func:`run_export` would.
        InvalidInput: as :func:`prepare_export`.
    """
    job = prepare_export(access, request)
    fid = job.filters.fid
    if fid is not None and feature_json(session, job.collection, access, fid) is None:
        raise _no_feature(job.collection, fid)
    return job


def _no_feature(collection: Collection, fid: int) -> NotFound:
    return NotFound(
        N_("no feature {fid} in {collection}"),
        field="featureId",
        fid=fid,
        collection=collection.name,
    )


def _format(request: ExportRequest) -> Format:
    """The request's format: a file is read whole; a page or a feature is the OGC API's."""
    part = request.limit is not None or request.cursor is not None or request.fid is not None
    allowed = (Format.OGCAPI,) if part else FILE_FORMATS
    if request.fmt not in allowed:
        known = ", ".join(allowed)
        raise NotFound(
            N_("unknown format {format!r} ({known})"),
            field="format",
            format=request.fmt[:40],
            known=known,
        )
    return Format(request.fmt)


class ExportRun:
    """A started export: iterate it once for the bytes, and always close it.

    Attributes:
        job: what is exported.
        audit_id: the ``export_audit`` row.
        counter: features written so far (and :attr:`~gis.export.stream.Counter.matched`, the
            matching features, when :attr:`ExportRequest.count` asked for them).
    """

    def __init__(
        self,
        session: Session,
        job: ExportJob,
        audit_id: int,
        counter: Counter,
        read_session: Session | None = None,
    ) -> None:
        self.job = job
        self.audit_id = audit_id
        self.counter = counter
        self.session = session
        #: where the features are read (a replica's read-only session, or ``session``)
        self.read_session = read_session if read_session is not None else session
        self.chunks: Iterator[bytes] = iter(())
        self.folder: Path | None = None
        self.state: str | None = None
        self.progress: Progress | None = None

    @property
    def matched(self) -> int | None:
        return self.counter.matched

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.job.fmt]

    def __iter__(self) -> ExportRun:
        return self

    def __next__(self) -> bytes:
        if self.state is not None:
            raise StopIteration
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.end("completed")
            raise
        except BaseException:
            log.exception("export %s failed after %d features", self.audit_id, self.counter.n)
            self.end("failed")
            raise
        if self.progress is not None:
            self.progress(self.counter)
        return chunk

    def close(self) -> None:
        """End the export: ``aborted`` unless it has ended already (then nothing happens)."""
        self.end("aborted")

    def end(self, state: str) -> None:
        """Record the end once: stop the writer, roll back the read transaction (aborted when
        a COPY was cancelled), close the audit row, commit, close the session, remove the
        temporary folder."""
        if self.state is not None:
            return
        self.state = state
        try:
            close = getattr(self.chunks, "close", None)
            if close is not None:
                close()  # a COPY still running is cancelled, its thread joined
        finally:
            try:
                if self.read_session is not self.session:
                    self.read_session.rollback()
                    self.read_session.close()
                self.session.rollback()
                finish_audit(self.session, self.audit_id, state, self.counter.n)
                self.session.commit()
            finally:
                self.session.close()
                if self.folder is not None:
                    shutil.rmtree(self.folder, ignore_errors=True)


def run_export(
    session: Session,
    access: Access,
    request: ExportRequest,
    *,
    members: Members | None = None,
    progress: Progress | None = None,
    read_session: Session | None = None,
) -> ExportRun:
    """Check, audit and start an export (see the module docstring).

    A GeoPackage is written to a temporary folder before this returns (the body streams the
    file); one feature (``request.fid``) is read before this returns; every other format is read
    as the body is.

    Args:
        session: the session the export audits with (and reads with, without
            ``read_session``); the run commits and closes it.
        access: who exports (:func:`gis.export.plan.make_access`).
        request: what is asked for.
        members: extra top-level members of an OGC API page or feature
            (:func:`gis.export.stream.members`).
        progress: called with the run's counter as features are written (after each batch
            of a GeoPackage, each chunk of the body).
        read_session: where the features are counted and read, when not ``session``: a
            replica's read-only session (the audit row stays on ``session``, the primary). Its
            connection is taken before the audit row is written, so an unreachable replica is
            an error before anything is recorded or sent.

    Returns:
        The started run; the caller iterates it and must close it.

    Raises:
        NotFound: see :func:`prepare_export`; also (``featureId``) one feature that does not
            exist or that the account may not read (its audit row is completed with 0).
        InvalidInput: see :func:`prepare_export`.
    """
    job = prepare_export(access, request)
    reads = read_session if read_session is not None else session
    if reads is not session:
        reads.connection()  # the replica answers, or this raises before anything is recorded
    matched = count(reads, job.collection, access, job.filters) if request.count else None
    audit_id = start_audit(session, job.collection.name, job.fmt, access, job.filters)
    session.commit()  # on record before the first byte leaves
    run = ExportRun(session, job, audit_id, Counter(matched=matched), reads)
    run.progress = progress
    try:
        run.chunks = _body(reads, run, members or {})
    except BaseException as exc:
        run.end("completed" if isinstance(exc, NotFound) else "failed")
        raise
    return run


def _body(session: Session, run: ExportRun, members: Members) -> Iterator[bytes]:
    job, counter = run.job, run.counter
    collection, access, f = job.collection, job.access, job.filters
    if f.fid is not None:
        feature = feature_json(session, collection, access, f.fid, f.crs)
        if feature is None:
            raise _no_feature(collection, f.fid)
        counter.n, counter.last_fid = 1, f.fid
        return iter((_with_members(feature, counter, members),))
    if job.fmt in (Format.GEOJSON, Format.OGCAPI):
        return geojson_chunks(session, collection, access, f, counter, foreign=members)
    if job.fmt is Format.CSV:
        return csv_chunks(session, collection, access, f, counter)
    if job.fmt is Format.KML:
        return kml_chunks(session, collection, access, f, counter, job.words)
    run.folder = Path(tempfile.mkdtemp(prefix=WORKDIR_PREFIX))
    path = run.folder / f"{collection.name}.{EXTENSIONS.get(job.fmt, job.fmt.value)}"
    progress = run.progress
    written = None if progress is None else (lambda _n: progress(counter))
    if job.fmt in ARROW_FORMATS:
        words = job.words or Words()
        labels = {name: words.label(name) for name in FIELD_LABELS}
        texts = {key: words.text(key) for key in TEXTS}
        write_arrow_file(
            session, collection, access, f, job.fmt, path, counter, written,
            labels=labels, texts=texts,
        )  # fmt: skip
    else:
        write_geopackage(session, collection, access, f, path, counter, written)
    return _file_chunks(path)


def _with_members(feature: bytes, counter: Counter, extra: Members) -> bytes:
    """``feature`` (a JSON object's text) with ``extra`` members before its closing brace."""
    return feature[:-1] + members(counter, extra) + b"}"


def _file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(FILE_CHUNK):
            yield block


__all__ = [
    "EXTENSIONS",
    "FILE_FORMATS",
    "MEDIA_TYPES",
    "TEXT_FORMATS",
    "ExportJob",
    "ExportRequest",
    "ExportRun",
    "Format",
    "check_export",
    "find_collection",
    "prepare_export",
    "run_export",
]
