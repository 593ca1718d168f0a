"""How much one account may upload to the register in a day (photos, minutes, receipts).

Each upload that is decoded and stored costs memory, time and room in the database, so an
account may add at most :attr:`UploadQuota.files` files and :attr:`UploadQuota.bytes` stored
bytes per Thai day across the register (the webapp takes both from its configuration,
``COOPERATION_UPLOADS_PER_DAY`` and ``COOPERATION_UPLOAD_MIB_PER_DAY``). A retried upload of a
stored file costs nothing. The account's uploads of the day are counted under a transaction
lock of the account (an advisory lock), so that uploads at the same time cannot pass the limit
together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from gis.errors import Unprocessable
from gis.models import ActivityPhoto, CooperationAttachment, User
from gis.parsing import THAI_TIME
from gis.text import N_

#: First key of the advisory lock that serialises one account's uploads (the issue's number).
LOCK_NAMESPACE = 17
MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class UploadQuota:
    """Most files and stored bytes one account adds to the register per Thai day."""

    files: int = 40
    bytes: int = 200 * MIB


def day_start(now: dt.datetime | None = None) -> dt.datetime:
    """The start of the current Thai day (an aware instant)."""
    now = now or dt.datetime.now(THAI_TIME)
    return dt.datetime.combine(now.astimezone(THAI_TIME).date(), dt.time(), THAI_TIME)


def uploaded_today(session: Session, account: User) -> tuple[int, int]:
    """Files and stored bytes ``account`` added to the register since the Thai day began."""
    since = day_start()
    rows = union_all(
        select(literal(1).label("n"), ActivityPhoto.byte_size.label("size")).where(
            ActivityPhoto.uploaded_by_id == account.id, ActivityPhoto.created_at >= since
        ),
        select(literal(1).label("n"), CooperationAttachment.byte_size.label("size")).where(
            CooperationAttachment.uploaded_by_id == account.id,
            CooperationAttachment.created_at >= since,
        ),
    ).subquery()
    files, size = session.execute(
        select(func.count(rows.c.n), func.coalesce(func.sum(rows.c.size), 0))
    ).one()
    return int(files), int(size)


def check_files(session: Session, account: User, quota: UploadQuota, field: str) -> None:
    """Refuse one more file when ``account`` has its day's files; locks the account's uploads
    until the transaction ends. Called before the upload is decoded.

    Raises:
        Unprocessable: (naming ``field``) the account added :attr:`UploadQuota.files` today.
    """
    session.execute(select(func.pg_advisory_xact_lock(LOCK_NAMESPACE, account.id)))
    files, _ = uploaded_today(session, account)
    if files >= quota.files:
        raise Unprocessable(
            N_("{field}: your account may upload {most} files a day to the register"),
            field=field,
            most=quota.files,
        )


def check_bytes(session: Session, account: User, quota: UploadQuota, field: str, size: int) -> None:
    """Refuse a file of ``size`` stored bytes that would take ``account`` past its day's bytes
    (after :func:`check_files`, which took the lock).

    Raises:
        Unprocessable: (naming ``field``) past :attr:`UploadQuota.bytes` today.
    """
    _, stored = uploaded_today(session, account)
    if stored + size > quota.bytes:
        raise Unprocessable(
            N_("{field}: your account may upload {mib} MiB a day to the register"),
            field=field,
            mib=quota.bytes // MIB,
        )
