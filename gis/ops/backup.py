"""Backups of the database with ``pg_dump`` (custom format) and their verified restore.

A backup is two files: ``FILE``, the ``pg_dump --format=custom`` archive, and ``FILE.json``,
its manifest: when and from which server and schema revision it was taken, the archive's
SHA-256, the row count of every table and a checksum of the incidents and their audit events.
The manifest is computed in the very snapshot that ``pg_dump`` dumps (``pg_export_snapshot``
in a ``REPEATABLE READ`` transaction, passed to ``pg_dump --snapshot``), so that reports
arriving during the backup do not make the figures disagree with the archive.

A restore goes into an empty database (PostGIS may be installed, no table of borderwatch may
exist) in one transaction (``pg_restore --single-transaction --exit-on-error``: a failure leaves
nothing behind), then recomputes the figures in the restored database and compares them with the
manifest: a restore that lost or changed a row fails loudly.

This is a logical backup for moving or copying a database and for daily copies; point-in-time
recovery of the production server is continuous WAL archiving (``docs/operations.md``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, make_url, select, text
from sqlalchemy import table as table_clause
from sqlalchemy.exc import DBAPIError

from gis.db import make_engine

#: Tables whose rows are checksummed, not only counted: the programme's records.
CHECKSUMMED = ("incident", "incident_event")
#: Tables that belong to extensions, not to borderwatch (not counted, not restored by us).
EXTENSION_TABLES = frozenset({"spatial_ref_sys"})
MANIFEST_VERSION = 1


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why."""


@dataclass(frozen=True)
class Fingerprint:
    """What a database holds: rows per table and a checksum per :data:`CHECKSUMMED` table."""

    counts: dict[str, int]
    checksums: dict[str, str]

    def differences(self, other: Fingerprint) -> list[str]:
        """How ``other`` differs from this one, one line per table."""
        lines = []
        for table in sorted(set(self.counts) | set(other.counts)):
            mine, theirs = self.counts.get(table), other.counts.get(table)
            if mine != theirs:
                lines.append(f"{table}: {mine} rows in the backup, {theirs} after the restore")
        for table in sorted(set(self.checksums) | set(other.checksums)):
            if self.checksums.get(table) != other.checksums.get(table):
                lines.append(f"{table}: the rows' checksum differs")
        return lines


@dataclass(frozen=True)
class Manifest:
    version: int
    taken_at: str
    server_version: str
    schema_revision: str | None
    archive_sha256: str
    archive_bytes: int
    counts: dict[str, int]
    checksums: dict[str, str]

    @property
    def fingerprint(self) -> Fingerprint:
        return Fingerprint(self.counts, self.checksums)


def manifest_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".json")


def libpq_url(url: str) -> str:
    """A URL that ``pg_dump``/``pg_restore`` understand (no SQLAlchemy driver name)."""
    parsed = make_url(url)
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool_env(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment that passes the password (so that it
    does not show in the process list)."""
    parsed = make_url(libpq_url(url))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return parsed.set(password=None).render_as_string(hide_password=False), env


def pg_tool(name: str, server_major: int) -> str:
    """``pg_dump``/``pg_restore`` of the server's major version (Debian keeps each version's
    client programs in ``/usr/lib/postgresql/<major>/bin``), else the one on ``PATH``."""
    versioned = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if versioned.exists():
        return str(versioned)
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client-{server_major})")
    return found


def fingerprint(connection: Connection, checksummed: tuple[str, ...] = CHECKSUMMED) -> Fingerprint:
    """Rows per borderwatch table and the checksums of the ``checksummed`` tables (constant
    names; each has an ``id``), read in ``connection``'s transaction."""
    tables = connection.execute(
        text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
            " ORDER BY c.relname"
        )
    ).scalars()
    counts = {}
    for table in tables:
        if table in EXTENSION_TABLES:
            continue
        counts[table] = connection.execute(
            select(func.count()).select_from(table_clause(table))
        ).scalar_one()
    checksums = {}
    quote = connection.dialect.identifier_preparer.quote
    for table in checksummed:  # constant names, quoted
        if table in counts:
            rows = f"SELECT md5(t::text) AS h, t.id FROM {quote(table)} t"  # noqa: S608 # nosec B608
            digest = "md5(coalesce(string_agg(h, '' ORDER BY id), ''))"
            sql = f"SELECT {digest} FROM ({rows}) AS r"  # noqa: S608 # nosec B608
            checksums[table] = connection.execute(text(sql)).scalar_one()
    return Fingerprint(counts, checksums)


def _connect(engine: Engine) -> Connection:
    try:
        return engine.connect()
    except DBAPIError as err:
        raise BackupError(f"cannot reach the database: {err.orig}") from err


def _server(connection: Connection) -> tuple[str, int, str | None]:
    version = connection.execute(text("SHOW server_version")).scalar_one()
    major = int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10_000
    has_alembic = connection.execute(text("SELECT to_regclass('alembic_version')")).scalar()
    revision = (
        connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        if has_alembic
        else None
    )
    return version, major, revision


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(url: str, archive: Path, say: Callable[[str], None] = lambda _: None) -> Manifest:
    """Dump the database of ``url`` into ``archive`` and write its manifest beside it.

    The archive is written to a temporary name and renamed when complete, so that ``archive``
    is never a half-written file.
    """
    archive = Path(archive)
    if archive.is_dir():
        raise BackupError(f"{archive} is a directory: give a file name")
    if not archive.parent.is_dir():
        raise BackupError(f"the folder {archive.parent} does not exist")
    partial = archive.with_name(archive.name + ".partial")
    engine = make_engine(url, isolation_level="REPEATABLE READ")
    try:
        with _connect(engine) as connection:
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            version, major, revision = _server(connection)
            say(f"counting rows in snapshot {snapshot}")
            figures = fingerprint(connection)
            target, env = _tool_env(url)
            say(f"pg_dump {sum(figures.counts.values()):,} rows of {len(figures.counts)} tables")
            command = [
                pg_tool("pg_dump", major),
                "--format=custom",
                f"--snapshot={snapshot}",
                f"--file={partial}",
                f"--dbname={target}",
            ]
            done = subprocess.run(  # noqa: S603 (a fixed program, arguments as a list, no shell)
                command, env=env, capture_output=True, text=True, check=False
            )
            if done.returncode != 0:
                partial.unlink(missing_ok=True)
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    finally:
        engine.dispose()
    os.replace(partial, archive)
    manifest = Manifest(
        version=MANIFEST_VERSION,
        taken_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        server_version=version,
        schema_revision=revision,
        archive_sha256=_sha256(archive),
        archive_bytes=archive.stat().st_size,
        counts=figures.counts,
        checksums=figures.checksums,
    )
    manifest_path(archive).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    return manifest


def read_manifest(archive: Path) -> Manifest:
    path = manifest_path(archive)
    if not archive.is_file():
        raise BackupError(f"no backup at {archive}")
    if not path.is_file():
        raise BackupError(f"the manifest {path} is missing: cannot check the restore")
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        manifest = Manifest(**data)
    except (ValueError, TypeError) as err:
        raise BackupError(f"the manifest {path} is not readable: {err}") from err
    if manifest.version != MANIFEST_VERSION:
        raise BackupError(f"the manifest {path} has version {manifest.version}")
    return manifest


def restore(url: str, archive: Path, say: Callable[[str], None] = lambda _: None) -> Manifest:
    """Restore ``archive`` into the empty database of ``url`` and check it against the manifest.

    Raises:
        BackupError: the archive or its manifest is missing or damaged, the database is not
            empty, ``pg_restore`` failed (nothing was restored), or the restored rows differ
            from the manifest's.
    """
    archive = Path(archive)
    manifest = read_manifest(archive)
    say("checking the archive's SHA-256")
    if _sha256(archive) != manifest.archive_sha256:
        raise BackupError(f"{archive} does not match its manifest (damaged or replaced)")
    engine = make_engine(url)
    try:
        with _connect(engine) as connection:
            _, major, _ = _server(connection)
            present = fingerprint(connection).counts
        if present:
            raise BackupError(
                f"the database is not empty ({len(present)} tables, e.g. {min(present)}): "
                "restore into a new database"
            )
        target, env = _tool_env(url)
        say(f"pg_restore {sum(manifest.counts.values()):,} rows of {len(manifest.counts)} tables")
        command = [
            pg_tool("pg_restore", major),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            f"--dbname={target}",
            str(archive),
        ]
        done = subprocess.run(  # noqa: S603 (a fixed program, arguments as a list, no shell)
            command, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed, nothing was restored: {done.stderr.strip()}")
        say("comparing the restored rows with the manifest")
        with engine.connect() as connection:
            restored = fingerprint(connection)
    finally:
        engine.dispose()
    differences = manifest.fingerprint.differences(restored)
    if differences:
        raise BackupError("the restore differs from the backup: " + "; ".join(differences))
    return manifest
