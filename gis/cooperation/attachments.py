"""Attachments of the register: the minutes of an activity (a PDF) and the receipt of a spending
line (a PDF or a photo), handled as incident photos are: judged by their content, bounded in
size, kept without metadata (:func:`gis.cooperation.documents.prepare_pdf`;
:func:`gis.incidents.photos.prepare_photo` for a photo), stored once per activity or line and
digest, and read only by whoever reads the activity's or line's district.

Coordinators and officers of the activity's district add its minutes (at most
:data:`MAX_MINUTES`); the district's coordinators, who record its spending, add a line's receipts
(at most :data:`MAX_RECEIPTS`). Each upload counts against the account's day
(:mod:`gis.cooperation.uploads`), and each new file is a row of the activity's or line's record
of change (``minutes_added``, ``receipt_added``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, undefer

from gis.cooperation.access import RECORDERS, SPENDERS, readable_scope, require_role
from gis.cooperation.activities import get_activity
from gis.cooperation.audit import record_change
from gis.cooperation.documents import check_size, looks_like_pdf, prepare_pdf
from gis.cooperation.uploads import UploadQuota, check_bytes, check_files
from gis.errors import BorderwatchError, Forbidden, NotFound, Unprocessable
from gis.incidents.photos import prepare_photo
from gis.models import Activity, BudgetAllocation, CooperationAttachment, SpendingLine, User
from gis.text import N_
from gis.types import CooperationRecord

#: Most minutes of one activity.
MAX_MINUTES = 5
#: Most receipts of one spending line.
MAX_RECEIPTS = 3
#: The fields that carry the files, named by every refusal about them.
MINUTES_FIELD = "minutes"
RECEIPT_FIELD = "receipt"


def _known(
    session: Session, owner: Any, owner_id: int, sha256: str
) -> CooperationAttachment | None:
    return session.execute(
        select(CooperationAttachment).where(
            owner == owner_id, CooperationAttachment.sha256 == sha256
        )
    ).scalar_one_or_none()


def _count(session: Session, owner: Any, owner_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(CooperationAttachment).where(owner == owner_id)
    ).scalar_one()


def _insert(session: Session, values: dict[str, Any]) -> int | None:
    return session.execute(
        pg_insert(CooperationAttachment)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(CooperationAttachment.id)
    ).scalar_one_or_none()


def _store(
    session: Session,
    viewer: User,
    quota: UploadQuota,
    raw: bytes,
    *,
    owner: Any,
    owner_id: int,
    field: str,
    limit: int,
    limit_message: str,
    prepare: Callable[[bytes], dict[str, Any]],
    audit: dict[str, Any],
) -> tuple[CooperationAttachment, bool]:
    """Store ``raw`` once on its owner (the activity or spending line, already locked): a file
    stored before is returned as it is; otherwise the owner's ``limit`` and the account's day are
    checked, ``prepare`` makes the stored values (refusals naming ``field``), and the new row is
    written with a row of the owner's record of change (``audit``: where :func:`record_change`
    files it)."""
    check_size(raw, field)
    known = _known(session, owner, owner_id, hashlib.sha256(raw).hexdigest())
    if known is not None:
        return known, False
    if _count(session, owner, owner_id) >= limit:
        raise Unprocessable(limit_message, field=field, limit=limit)
    check_files(session, viewer, quota, field)
    values = prepare(raw)
    check_bytes(session, viewer, quota, field, values["byte_size"])
    new_id = _insert(session, {**values, owner.key: owner_id, "uploaded_by_id": viewer.id})
    if new_id is None:  # the same file stored meanwhile
        stored = _known(session, owner, owner_id, values["sha256"])
        assert stored is not None
        return stored, False
    record_change(
        session,
        by=viewer,
        record_id=owner_id,
        new={"attachment_id": new_id, "sha256": values["sha256"], "bytes": values["byte_size"]},
        **audit,
    )
    return session.get_one(CooperationAttachment, new_id), True


def _pdf_file(raw: bytes, field: str) -> dict[str, Any]:
    """A PDF's stored values: the document without its metadata; a refusal names ``field``."""
    document = prepare_pdf(raw, field)
    return {
        "sha256": document.sha256,
        "content_type": document.content_type,
        "byte_size": document.byte_size,
        "pages": document.pages,
        "data": document.data,
    }


def add_minutes(
    session: Session, activity_id: int, raw: bytes, viewer: User, quota: UploadQuota
) -> tuple[CooperationAttachment, bool]:
    """Check the minutes of an activity of the viewer's district (a PDF), strip them of their
    metadata and store them once, audited; the caller commits.

    Returns:
        The stored attachment (bytes not loaded) and whether it is new (``False``: the same
        file was stored before, and nothing was counted or written).

    Raises:
        Forbidden: the role does not record activities.
        NotFound: no such activity in the viewer's scope.
        InvalidInput, TooLarge, Unprocessable: (field ``minutes``) empty, too large, not a PDF,
            encrypted, with active content, the activity's :data:`MAX_MINUTES` reached, or the
            account's uploads of the day.
    """
    require_role(viewer, RECORDERS)
    activity = get_activity(session, activity_id, viewer)
    session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    return _store(
        session,
        viewer,
        quota,
        raw,
        owner=CooperationAttachment.activity_id,
        owner_id=activity.id,
        field=MINUTES_FIELD,
        limit=MAX_MINUTES,
        limit_message=N_("an activity has at most {limit} sets of minutes"),
        prepare=partial(_pdf_file, field=MINUTES_FIELD),
        audit={
            "district_id": activity.district_id,
            "record": CooperationRecord.ACTIVITY,
            "action": "minutes_added",
        },
    )


def get_spending_line(
    session: Session, line_id: int, viewer: User
) -> tuple[SpendingLine, BudgetAllocation]:
    """A spending line and its allocation, if the viewer reads the allocation's district.

    Raises:
        Forbidden: the role does not read the register.
        NotFound: no such line in the viewer's scope (the same answer).
    """
    scope = readable_scope(session, viewer)
    row = session.execute(
        select(SpendingLine, BudgetAllocation)
        .join(BudgetAllocation, BudgetAllocation.id == SpendingLine.allocation_id)
        .where(SpendingLine.id == line_id)
    ).one_or_none()
    if row is None or (scope is not None and row[1].district_id not in scope):
        raise NotFound(N_("no such spending line"), field="id")
    return row[0], row[1]


def _receipt_file(raw: bytes) -> dict[str, Any]:
    """A receipt's stored values: a PDF without metadata or a re-encoded photo; a refusal of
    either names ``receipt``."""
    if looks_like_pdf(raw):
        return _pdf_file(raw, RECEIPT_FIELD)
    try:
        photo = prepare_photo(raw)
    except BorderwatchError as exc:
        if exc.template == "the photo must be a JPEG, PNG or WebP image":
            raise Unprocessable(
                N_("{field} must be a PDF or a JPEG, PNG or WebP photo"), field=RECEIPT_FIELD
            ) from None
        values = {k: v for k, v in exc.values.items() if k != "field"}
        raise type(exc)(exc.template, field=RECEIPT_FIELD, **values) from None
    return {
        "sha256": photo.sha256,
        "content_type": photo.content_type,
        "byte_size": photo.byte_size,
        "pages": None,
        "data": photo.data,
    }


def add_receipt(
    session: Session, line_id: int, raw: bytes, viewer: User, quota: UploadQuota
) -> tuple[CooperationAttachment, bool]:
    """Check the receipt of a spending line of the viewer's district (a PDF or a photo), strip
    its metadata and store it once, audited; the caller commits.

    Returns:
        The stored attachment (bytes not loaded) and whether it is new.

    Raises:
        Forbidden: the role does not record spending, or the line is of another district the
            viewer reads.
        NotFound: no such line in the viewer's scope.
        InvalidInput, TooLarge, Unprocessable: (field ``receipt``) empty, too large, neither a
            PDF nor a photo, encrypted or active PDF, the line's :data:`MAX_RECEIPTS` reached,
            or the account's uploads of the day.
    """
    require_role(viewer, SPENDERS)
    line, allocation = get_spending_line(session, line_id, viewer)
    if allocation.district_id != viewer.district_id:
        raise Forbidden(N_("your role may not do this"))
    session.execute(select(SpendingLine.id).where(SpendingLine.id == line.id).with_for_update())
    return _store(
        session,
        viewer,
        quota,
        raw,
        owner=CooperationAttachment.spending_line_id,
        owner_id=line.id,
        field=RECEIPT_FIELD,
        limit=MAX_RECEIPTS,
        limit_message=N_("a spending line has at most {limit} receipts"),
        prepare=_receipt_file,
        audit={
            "district_id": allocation.district_id,
            "record": CooperationRecord.SPENDING,
            "action": "receipt_added",
        },
    )


def minutes_of(session: Session, activity_id: int, viewer: User) -> list[CooperationAttachment]:
    """The minutes of an activity the viewer reads (without their bytes), oldest first.

    Raises:
        NotFound: no such activity in the viewer's scope.
    """
    activity = get_activity(session, activity_id, viewer)
    return list(
        session.execute(
            select(CooperationAttachment)
            .where(CooperationAttachment.activity_id == activity.id)
            .order_by(CooperationAttachment.id)
        ).scalars()
    )


def receipts_of(session: Session, line_ids: list[int]) -> dict[int, list[CooperationAttachment]]:
    """The receipts of spending lines (without their bytes) by line, oldest first; the caller
    checked that the viewer reads the lines."""
    found: dict[int, list[CooperationAttachment]] = {}
    if not line_ids:
        return found
    rows = session.execute(
        select(CooperationAttachment)
        .where(CooperationAttachment.spending_line_id.in_(line_ids))
        .order_by(CooperationAttachment.id)
    ).scalars()
    for row in rows:
        assert row.spending_line_id is not None
        found.setdefault(row.spending_line_id, []).append(row)
    return found


def get_attachment(session: Session, attachment_id: int, viewer: User) -> CooperationAttachment:
    """One attachment with its bytes, if the viewer reads its activity's or line's district.

    Raises:
        Forbidden: the role does not read the register.
        NotFound: no such attachment in the viewer's scope (the same answer).
    """
    scope = readable_scope(session, viewer)
    row = session.execute(
        select(
            CooperationAttachment, func.coalesce(Activity.district_id, BudgetAllocation.district_id)
        )
        .options(undefer(CooperationAttachment.data))
        .outerjoin(Activity, Activity.id == CooperationAttachment.activity_id)
        .outerjoin(SpendingLine, SpendingLine.id == CooperationAttachment.spending_line_id)
        .outerjoin(BudgetAllocation, BudgetAllocation.id == SpendingLine.allocation_id)
        .where(CooperationAttachment.id == attachment_id)
    ).one_or_none()
    if row is None or (scope is not None and row[1] not in scope):
        raise NotFound(N_("no such attachment"), field="attachment_id")
    return row[0]
