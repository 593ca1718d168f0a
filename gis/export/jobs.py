"""Exports run as jobs by the worker: a file written under ``EXPORT_DIR`` with its progress,
downloaded by its owner, deleted when it expires.

Contract (``/api/exports``, the Exports page, ``borderwatch export --job``):

- :func:`needs_job`: a GeoPackage, a Shapefile or a GeoParquet file (:data:`ALWAYS_JOB`), a
  sensitive export, or any export of more than ``threshold`` features is a job; a smaller one
  streams at once from ``/api/export/<collection>.<format>`` as before.
- :func:`start_export_job` checks the request exactly as a download does
  (:func:`gis.export.run.prepare_export`: collection, access, format, filters), counts the
  matching features (the estimate), stores an ``export_file`` row (``queued``, with the
  requester's language in its ``params``) and defers its job (``exports.write``) in the caller's
  transaction.
- :func:`write_export_file` is the job: it builds the owner's access again (the scope of the
  account as it is now; a disabled account exports nothing), runs the export through
  :func:`gis.export.run.run_export` (the same writers, allow-lists and ``export_audit`` row as a
  download: started when the worker starts, completed with the count when the file is whole;
  a KML's and a Shapefile's words in the requester's language, :func:`gis.export.words.words_in`)
  into a temporary file renamed when complete, and commits ``features_written`` on its own
  connection as soon as the first features are written, then at most every
  :data:`PROGRESS_EVERY_S` seconds, so pollers see it move. With a
  replica (``DATABASE_REPLICA_URL``) the features are read there, as downloads read them; a
  replica that does not answer when the job starts is not waited for: the job reads on the
  primary.
- :func:`own_export` finds a job of its owner only (anyone else: :class:`NotFound`, as for a job
  that does not exist); :func:`record_download` counts each download on the row.
- :func:`expire_exports` deletes the files past ``expires_at`` (``EXPORT_KEEP_DAYS`` after they
  were written) and marks their rows ``expired`` (the periodic task ``exports.expire``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.export.plan import Access, count, make_access
from gis.export.run import MEDIA_TYPES, ExportJob, ExportRequest, Format, prepare_export, run_export
from gis.export.stream import Counter
from gis.export.words import words_in
from gis.jobs import defer, lost_database
from gis.models import ExportFile, User
from gis.text import N_
from gis.types import BBox

log = logging.getLogger(__name__)

#: The worker's task of an export job.
TASK = "exports.write"
#: Formats that are always written as a job (a file that cannot stream as it is read).
ALWAYS_JOB = frozenset({"gpkg", "shp", "parquet"})
#: Seconds between two progress commits of a running job.
PROGRESS_EVERY_S = 0.5
#: The states of an export job.
QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
#: States in which a job still moves.
ACTIVE = frozenset({QUEUED, RUNNING})
#: Suffix of a file being written.
PARTIAL = ".part"
#: The key of the requester's language in a job's ``params``.
LANGUAGE = "language"


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """Where job files live and for how long (``EXPORT_DIR``, ``EXPORT_KEEP_DAYS``)."""

    directory: Path
    keep_days: float = 7.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ExportSettings:
        return cls(Path(config["EXPORT_DIR"]), float(config["EXPORT_KEEP_DAYS"]))


def needs_job(job: ExportJob, estimated: int, threshold: int) -> bool:
    """Whether the checked export ``job`` of about ``estimated`` features is run by the worker
    (see the module docstring) rather than streamed at once."""
    return job.fmt.value in ALWAYS_JOB or job.access.sensitive or estimated > threshold


def estimate(session: Session, job: ExportJob) -> int:
    """The features the checked export ``job`` would write now."""
    return count(session, job.collection, job.access, job.filters)


def start_export_job(
    session: Session,
    access: Access,
    request: ExportRequest,
    estimated: int | None = None,
    language: str | None = None,
) -> ExportFile:
    """Check an export as a download does, store its job (``queued``) and defer it in the
    caller's transaction; the caller commits.

    Args:
        session: the request's session.
        access: who exports (:func:`gis.export.plan.make_access`).
        request: collection, format, filters and bounding box as a download takes them.
        estimated: the matching features when the caller counted them already.
        language: the requester's language, kept in the job's ``params`` (``language``): the
            worker writes the file's words in it (:func:`gis.export.words.words_in`).

    Returns:
        The stored job, flushed.

    Raises:
        NotFound, InvalidInput: as :func:`gis.export.run.prepare_export` (nothing stored).
    """
    job = prepare_export(access, request)
    if estimated is None:
        estimated = estimate(session, job)
    params: dict[str, Any] = {k: v for k, v in request.params.items() if v not in (None, "")}
    params.pop("bbox", None)
    params.pop("include_sensitive", None)
    params.pop("reason", None)
    params.pop(LANGUAGE, None)
    if language:
        params[LANGUAGE] = language
    if request.bbox is not None:
        b = request.bbox
        params["bbox"] = [b.minx, b.miny, b.maxx, b.maxy]
    row = ExportFile(
        user_id=access.viewer.id,
        token_id=access.token_id,
        collection=job.collection.name,
        format=job.fmt.value,
        params=params,
        sensitive=access.sensitive,
        reason=access.reason,
        status=QUEUED,
        features_estimated=estimated,
        features_written=0,
    )
    session.add(row)
    session.flush()
    defer(session, TASK, lock=f"export_file:{row.id}", export_id=row.id)
    return row


# --------------------------------------------------------------------------- the worker


def _request_of(row: ExportFile) -> ExportRequest:
    params = dict(row.params)
    box = params.pop("bbox", None)
    bbox = BBox(*box) if box else None
    words = words_in(row.collection, params.pop(LANGUAGE, None))
    filters = {k: str(v) for k, v in params.items()}
    return ExportRequest(row.collection, row.format, filters, bbox, words=words)


def _access_of(session: Session, row: ExportFile) -> Access:
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise NotFound(N_("the account that asked for this export is disabled"), field="user")
    return make_access(
        session, user, include_sensitive=row.sensitive, reason=row.reason, token_id=row.token_id
    )


def file_name_of(row: ExportFile) -> str:
    """The name of a job's file in ``EXPORT_DIR`` (its id keeps it unique)."""
    fmt = Format(row.format)
    extension = "shp.zip" if fmt.value == "shp" else fmt.value
    return f"export-{row.id}-{row.collection}.{extension}"


def download_name(row: ExportFile) -> str:
    """``borderwatch-<collection>-<UTC day the job was asked for>.<extension>``."""
    extension = file_name_of(row).split(".", 1)[1]
    return f"borderwatch-{row.collection}-{row.created_at.astimezone(dt.UTC):%Y-%m-%d}.{extension}"


#: Opens a new session (each step of a job commits on its own).
Sessions = Callable[[], Session]


def _mark(sessions: Sessions, export_id: int, **values: Any) -> None:
    with sessions() as session:
        session.execute(update(ExportFile).where(ExportFile.id == export_id).values(**values))
        session.commit()


def _replica_session(read_sessions: Sessions | None, export_id: int) -> Session | None:
    """A session on the replica with its connection taken, or ``None`` (read on the primary)
    when there is no replica or it does not answer."""
    if read_sessions is None:
        return None
    reads = read_sessions()
    try:
        reads.connection()
    except DBAPIError as err:
        reads.close()
        log.warning(
            "export job %s: the replica does not answer (%s); reading on the primary",
            export_id,
            type(err.orig).__name__,
        )
        return None
    return reads


def write_export_file(
    sessions: Sessions,
    export_id: int,
    settings: ExportSettings,
    read_sessions: Sessions | None = None,
) -> ExportFile:
    """Execute export job ``export_id`` (the worker's task; see the module docstring).

    Args:
        sessions: opens the sessions of the job's steps (the worker's engine's sessionmaker).
        export_id: the job.
        settings: where its file goes, how long it is kept.
        read_sessions: opens a session on the replica (``DATABASE_REPLICA_URL``): the features
            are counted and read there, while the job's row and its audit row are written
            with ``sessions`` on the primary. A replica that does not answer when the job
            starts is not waited for: the job reads on the primary (``None``: always).

    A job no longer waiting (done, failed, expired or gone) is left as it is; a job still
    ``running`` is one whose worker died: it is written again from the start.

    Returns:
        The row as it ended (``done`` or ``failed``).

    Raises:
        Exception: what made the export fail, after the row was marked ``failed``; a lost
            connection (:func:`gis.jobs.lost_database`: a failover, the replica gone) leaves the
            row ``running`` for the worker's retry.
    """
    with sessions() as session:
        row = session.get(ExportFile, export_id, with_for_update=True)
        if row is None or row.status not in ACTIVE:
            return row  # type: ignore[return-value]
        row.status, row.started_at = RUNNING, dt.datetime.now(dt.UTC)
        row.features_written, row.error = 0, None
        session.commit()
    settings.directory.mkdir(parents=True, exist_ok=True)
    final = settings.directory / file_name_of(row)
    partial = final.with_name(final.name + PARTIAL)
    last = [float("-inf")]  # the first features written are committed at once

    def progress(counter: Counter) -> None:
        now = time.monotonic()
        if counter.n and now - last[0] >= PROGRESS_EVERY_S:
            last[0] = now
            _mark(sessions, export_id, features_written=counter.n)

    try:
        session = sessions()
        access = _access_of(session, row)
        reads = _replica_session(read_sessions, export_id)
        run = run_export(session, access, _request_of(row), progress=progress, read_session=reads)
        try:
            with partial.open("wb") as out:
                for chunk in run:
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        finally:
            run.close()
        if run.state != "completed":
            raise RuntimeError(f"the export ended {run.state}")
        os.replace(partial, final)
    except Exception as exc:
        partial.unlink(missing_ok=True)
        if lost_database(exc):
            # left running, even if the new primary could be written: the worker takes the job
            # up again (RETRY_ON_DISCONNECT) and writes the file from the start
            log.warning("export job %s lost its database: left running", export_id)
            raise
        log.exception("export job %s failed", export_id)
        message = getattr(exc, "message", None) or f"{type(exc).__name__}: the export failed"
        _mark(
            sessions,
            export_id,
            status=FAILED,
            error=str(message)[:500],
            finished_at=dt.datetime.now(dt.UTC),
        )
        raise
    finished = dt.datetime.now(dt.UTC)
    _mark(
        sessions,
        export_id,
        status=DONE,
        features_written=run.counter.n,
        file_name=final.name,
        file_size=final.stat().st_size,
        audit_id=run.audit_id,
        finished_at=finished,
        expires_at=finished + dt.timedelta(days=settings.keep_days),
    )
    with sessions() as session:
        return session.get_one(ExportFile, export_id)


def expire_exports(
    session: Session, settings: ExportSettings, now: dt.datetime | None = None
) -> list[int]:
    """Delete the files of the jobs past their ``expires_at`` and mark them ``expired``; the
    caller commits.

    Returns:
        The ids expired.
    """
    now = now or dt.datetime.now(dt.UTC)
    rows = session.scalars(
        select(ExportFile)
        .where(ExportFile.status == DONE, ExportFile.expires_at <= now)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        if row.file_name:
            (settings.directory / row.file_name).unlink(missing_ok=True)
        row.status, row.file_name = EXPIRED, None
    session.flush()
    return [row.id for row in rows]


# --------------------------------------------------------------------------- reading


def own_exports(session: Session, user: User, limit: int = 50) -> list[ExportFile]:
    """The account's export jobs, newest first (expired ones included, without a file)."""
    return list(
        session.scalars(
            select(ExportFile)
            .where(ExportFile.user_id == user.id)
            .order_by(ExportFile.id.desc())
            .limit(limit)
        )
    )


def own_export(session: Session, user: User, export_id: int) -> ExportFile:
    """The account's export job ``export_id``.

    Raises:
        NotFound: (``export``) no such job, or another account's (the same answer).
    """
    row = session.get(ExportFile, export_id)
    if row is None or row.user_id != user.id:
        raise NotFound(N_("there is no export {export_id}"), field="export", export_id=export_id)
    return row


def export_path(row: ExportFile, settings: ExportSettings) -> Path:
    """The job's file.

    Raises:
        NotFound: (``export``) the job has no file (not done yet, failed or expired), or the
            file is gone.
    """
    path = settings.directory / row.file_name if row.file_name else None
    if row.status != DONE or path is None or not path.is_file():
        raise NotFound(
            N_("export {export_id} has no file to download"), field="export", export_id=row.id
        )
    return path


def record_download(session: Session, row: ExportFile) -> None:
    """Count a download of the job's file (the caller commits)."""
    session.execute(
        update(ExportFile)
        .where(ExportFile.id == row.id)
        .values(downloads=ExportFile.downloads + 1, downloaded_at=dt.datetime.now(dt.UTC))
    )


def export_json(row: ExportFile) -> dict[str, Any]:
    """What ``/api/exports`` says of a job."""
    estimated = row.features_estimated
    written = row.features_written or 0
    if row.status == DONE:
        fraction = 1.0
    elif estimated:
        fraction = min(0.99, written / estimated)
    else:
        fraction = 0.0
    return {
        "id": row.id,
        "collection": row.collection,
        "format": row.format,
        "media_type": MEDIA_TYPES[Format(row.format)],
        "params": row.params,
        "sensitive": row.sensitive,
        "status": row.status,
        "features_estimated": estimated,
        "features_written": written,
        "progress": round(fraction, 4),
        "file_size": row.file_size,
        "file_name": download_name(row) if row.status == DONE else None,
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "downloads": row.downloads or 0,
    }
