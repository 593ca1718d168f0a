"""Photos of the register's activities, handled as incident photos are: judged by their content
(JPEG, PNG or WebP, bounded in bytes and pixels), re-encoded from the pixels only so that no GPS
position or camera detail leaves with them (:func:`gis.incidents.photos.prepare_photo`), stored
once per activity and digest, at most :data:`MAX_PHOTOS` each. Coordinators and officers of the
activity's district add them; whoever reads the activity sees them. Each new photo is recorded
in ``cooperation_change`` (the activity's record, ``photo_added``).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, undefer

from gis.cooperation.access import RECORDERS, require_role
from gis.cooperation.activities import get_activity
from gis.cooperation.audit import record_change
from gis.cooperation.uploads import UploadQuota, check_bytes, check_files
from gis.errors import NotFound, Unprocessable
from gis.incidents.photos import prepare_photo
from gis.models import Activity, ActivityPhoto, User
from gis.text import N_
from gis.types import CooperationRecord

#: Most photos of one activity.
MAX_PHOTOS = 10


def add_activity_photo(
    session: Session,
    activity_id: int,
    raw: bytes,
    viewer: User,
    quota: UploadQuota | None = None,
) -> tuple[ActivityPhoto, bool]:
    """Check, re-encode and store a photo of an activity of the viewer's district.

    A retry of a stored file is answered with it before anything is decoded or counted; then
    the activity's :data:`MAX_PHOTOS` and the account's uploads of the day (``quota``,
    :mod:`gis.cooperation.uploads`) are checked before the photo is decoded.

    Returns:
        The stored photo and whether it is new (``False``: the same file was stored before).

    Raises:
        Forbidden: the role does not record activities.
        NotFound: no such activity in the viewer's scope.
        InvalidInput, TooLarge, Unprocessable: the upload is empty, too large, not a photo or
            damaged (field ``photo``), the activity has :data:`MAX_PHOTOS` already, or the
            account has its uploads of the day.
    """
    require_role(viewer, RECORDERS)
    quota = quota or UploadQuota()
    activity = get_activity(session, activity_id, viewer)
    session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    known = _stored(session, activity.id, hashlib.sha256(raw).hexdigest())
    if known is not None:
        return known, False
    count = session.execute(
        select(func.count()).where(ActivityPhoto.activity_id == activity.id)
    ).scalar_one()
    if count >= MAX_PHOTOS:
        raise Unprocessable(
            N_("an activity has at most {limit} photos"), field="photo", limit=MAX_PHOTOS
        )
    check_files(session, viewer, quota, "photo")
    photo = prepare_photo(raw)
    check_bytes(session, viewer, quota, "photo", photo.byte_size)
    new_id = session.execute(
        pg_insert(ActivityPhoto)
        .values(
            activity_id=activity.id,
            sha256=photo.sha256,
            content_type=photo.content_type,
            width=photo.width,
            height=photo.height,
            byte_size=photo.byte_size,
            data=photo.data,
            uploaded_by_id=viewer.id,
        )
        .on_conflict_do_nothing(constraint="uq_cooperation_photo_activity_sha256")
        .returning(ActivityPhoto.id)
    ).scalar_one_or_none()
    if new_id is None:  # the same file stored meanwhile
        stored = _stored(session, activity.id, photo.sha256)
        assert stored is not None
        return stored, False
    record_change(
        session,
        by=viewer,
        district_id=activity.district_id,
        record=CooperationRecord.ACTIVITY,
        record_id=activity.id,
        action="photo_added",
        new={"photo_id": new_id, "sha256": photo.sha256, "bytes": photo.byte_size},
    )
    return session.get_one(ActivityPhoto, new_id), True


def _stored(session: Session, activity_id: int, sha256: str) -> ActivityPhoto | None:
    return session.execute(
        select(ActivityPhoto).where(
            ActivityPhoto.activity_id == activity_id, ActivityPhoto.sha256 == sha256
        )
    ).scalar_one_or_none()


def activity_photos(session: Session, activity_id: int, viewer: User) -> list[ActivityPhoto]:
    """The photos of an activity the viewer reads (without their bytes), oldest first.

    Raises:
        NotFound: no such activity in the viewer's scope.
    """
    activity = get_activity(session, activity_id, viewer)
    return list(
        session.execute(
            select(ActivityPhoto)
            .where(ActivityPhoto.activity_id == activity.id)
            .order_by(ActivityPhoto.id)
        ).scalars()
    )


def activity_photo(
    session: Session, activity_id: int, photo_id: int, viewer: User
) -> ActivityPhoto:
    """One photo with its bytes, if the viewer reads its activity.

    Raises:
        NotFound: no such activity in the viewer's scope, or no such photo of it.
    """
    activity = get_activity(session, activity_id, viewer)
    photo = session.execute(
        select(ActivityPhoto)
        .options(undefer(ActivityPhoto.data))
        .where(ActivityPhoto.id == photo_id, ActivityPhoto.activity_id == activity.id)
    ).scalar_one_or_none()
    if photo is None:
        raise NotFound(N_("no such photo"), field="photo_id")
    return photo
