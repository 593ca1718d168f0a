"""Photos of incidents: checking an upload, re-encoding it without metadata, storing it once.

An upload is judged by its content, never by its file name or declared type: Pillow must read it
as JPEG, PNG or WebP (:data:`FORMATS`), it may hold at most :data:`MAX_PIXELS` pixels (a
decompression bomb is refused before it is decoded) and must decode whole (a truncated or corrupt
file is refused). Decoding is bounded (:func:`_bounded`): a baseline JPEG is decoded at the
smallest of 1/1, 1/2, 1/4 or 1/8 scale that still covers the stored size (``Image.draft``); a
PNG, WebP or progressive JPEG, which decode whole, may have at most the pixels of
:data:`WHOLE_DECODE_PIXELS` (refused before it is decoded).

What is stored is a new image made from the pixels only: turned upright from its EXIF
orientation (``ImageOps.exif_transpose``), shrunk to at most :data:`MAX_EDGE` pixels on its
longest edge, and written without any EXIF, XMP, ICC or text block, so that no GPS position or
camera detail of an informant or officer leaves with it. JPEG stays JPEG (quality
:data:`JPEG_QUALITY`); PNG and WebP keep their format.

An upload (:func:`upload_photo`) is checked in order of cost: the digest of its bytes and the
incident's photos are read before the image is decoded, so that a retry of a stored photo is
answered with it and an upload to an incident that has :data:`MAX_PHOTOS` is refused, neither of
them decoded.

Storing (:func:`add_photo`) writes the bytes into ``incident_photo`` with one
``INSERT … ON CONFLICT (incident_id, sha256) DO NOTHING``, where ``sha256`` is the digest of the
bytes as uploaded: an offline client that sends the same file again gets the stored photo and
nothing is written, also when the copies arrive at the same time. The incident's row is locked
while its photos are counted, so that :data:`MAX_PHOTOS` holds under concurrent uploads. A new
photo gets an ``incident_event`` (``photo_added``, note: the photo id) in the same transaction.

Who may add photos (:func:`may_add_photo`): the incident's own reporter (an officer, volunteer or
coordinator account) and the coordinators whose scope holds the incident's district.
"""

from __future__ import annotations

import hashlib
import io
import logging
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session, undefer

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidInput, NotFound, TooLarge, Unprocessable
from gis.incidents.reports import get_visible_incident
from gis.models import Incident, IncidentEvent, IncidentPhoto, User
from gis.text import N_
from gis.types import Role

log = logging.getLogger(__name__)

#: Largest file accepted (bytes, as uploaded).
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Most pixels (width × height) an upload may have; more is refused before decoding.
MAX_PIXELS = 40_000_000
#: Most pixels of an upload that decodes whole, by format ("JPEG": a progressive one, whose
#: decoder keeps every coefficient of the image): the decoding and re-encoding of a pixel hold
#: some 10 (PNG), 18 (WebP) and 7 (progressive JPEG) bytes at their peak, so that each stays
#: within about 100 MB. A baseline JPEG is decoded at a reduced scale instead, to under four
#: times the stored size whatever its own.
WHOLE_DECODE_PIXELS = {"PNG": 10_000_000, "WEBP": 6_000_000, "JPEG": 14_000_000}
_WHOLE_REFUSED = {
    "PNG": N_("a PNG photo may have at most {most} megapixels (a baseline JPEG {baseline})"),
    "WEBP": N_("a WebP photo may have at most {most} megapixels (a baseline JPEG {baseline})"),
    "JPEG": N_(
        "a progressive JPEG photo may have at most {most} megapixels (a baseline JPEG {baseline})"
    ),
}
#: Longest edge of a stored photo (pixels).
MAX_EDGE = 2048
#: Photos per incident.
MAX_PHOTOS = 5
JPEG_QUALITY = 85
WEBP_QUALITY = 85
#: The field that carries the photo, named by every error about it.
FIELD = "photo"

#: Pillow format of an upload -> (stored content type, Pillow format written). Phones write
#: some JPEGs as MPO (JPEG with extra frames): they are JPEGs, stored as plain JPEG.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "JPEG"),
    "MPO": ("image/jpeg", "JPEG"),
    "PNG": ("image/png", "PNG"),
    "WEBP": ("image/webp", "WEBP"),
}
#: Pillow formats tried when opening an upload (JPEG's opener also yields MPO files).
OPEN_FORMATS = ("JPEG", "PNG", "WEBP")
#: File name extension per stored content type.
EXTENSIONS: dict[str, str] = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
#: Accounts that may add photos to the incidents they reported themselves.
REPORTING_ROLES = frozenset({Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR})
#: Image modes written as they are, per output format; others are converted to RGB(A).
_KEEP_MODES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({"RGB", "L"}),
    "PNG": frozenset({"1", "L", "LA", "RGB", "RGBA", "I;16"}),
    "WEBP": frozenset({"RGB", "RGBA"}),
}


#: What Pillow raises on damaged or truncated image data while decoding.
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, IndexError, struct.error)


@dataclass(frozen=True, slots=True)
class PreparedPhoto:
    """A checked upload, re-encoded and ready to store.

    Attributes:
        data: the re-encoded image (no metadata).
        content_type: ``image/jpeg``, ``image/png`` or ``image/webp``.
        width: width of the stored image in pixels, after orientation.
        height: height of the stored image in pixels, after orientation.
        sha256: hex digest of the bytes as uploaded (the key of a retried upload).
    """

    data: bytes
    content_type: str
    width: int
    height: int
    sha256: str

    @property
    def byte_size(self) -> int:
        return len(self.data)


def _open(raw: bytes) -> Image.Image:
    """The upload opened (header only) as one of :data:`FORMATS`, or refused."""
    try:
        # Over Image.MAX_IMAGE_PIXELS Pillow warns (an exception where warnings are errors) and
        # over twice that it raises; below it, the size is checked here after opening.
        image = Image.open(io.BytesIO(raw), formats=list(OPEN_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Unprocessable(
            N_("the photo has more than {most} megapixels"),
            field=FIELD,
            most=MAX_PIXELS // 1_000_000,
        ) from None
    except UnidentifiedImageError:
        raise Unprocessable(
            N_("the photo must be a JPEG, PNG or WebP image"), field=FIELD
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        log.info("unreadable photo header: %r", exc)
        raise Unprocessable(N_("the photo is damaged or incomplete"), field=FIELD) from None
    if image.format not in FORMATS:  # not reached with formats= above; kept as a guard
        image.close()
        raise Unprocessable(N_("the photo must be a JPEG, PNG or WebP image"), field=FIELD)
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        image.close()
        raise Unprocessable(
            N_("the photo has more than {most} megapixels"),
            field=FIELD,
            most=MAX_PIXELS // 1_000_000,
        )
    return image


def _fitted(size: tuple[int, int]) -> tuple[int, int]:
    """``size`` shrunk to fit :data:`MAX_EDGE` on its longest edge (never grown)."""
    width, height = size
    scale = min(1.0, MAX_EDGE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _bounded(image: Image.Image) -> None:
    """Set the decoder to no more than the stored size needs, or refuse the image.

    A baseline JPEG is decoded at the smallest 1/1, 1/2, 1/4 or 1/8 scale that still covers
    :func:`_fitted` (``Image.draft`` changes ``image.size`` to it). PNG and WebP decode whole,
    and a progressive JPEG keeps every coefficient of the whole image while it decodes: they
    are held to :data:`WHOLE_DECODE_PIXELS` of their format.

    Raises:
        Unprocessable: a PNG, WebP or progressive JPEG over its :data:`WHOLE_DECODE_PIXELS`.
    """
    kind = "JPEG" if image.format == "MPO" else str(image.format)
    progressive = bool(image.info.get("progressive") or image.info.get("progression"))
    if kind == "JPEG" and not progressive:
        image.draft(None, _fitted(image.size))
        return
    width, height = image.size
    limit = WHOLE_DECODE_PIXELS[kind]
    if width * height > limit:
        raise Unprocessable(
            _WHOLE_REFUSED[kind],
            field=FIELD,
            most=limit // 1_000_000,
            baseline=MAX_PIXELS // 1_000_000,
        )


def _upright_pixels(image: Image.Image, out_format: str) -> Image.Image:
    """A new image holding only the upload's pixels: shrunk, upright, in a mode ``out_format``
    writes; no ``info`` (EXIF, XMP, ICC, text) and no palette transparency carried over."""
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)  # JPEG: decodes at ~1/n
    image.load()  # a truncated or corrupt file fails here
    upright = ImageOps.exif_transpose(image)
    if upright.mode not in _KEEP_MODES[out_format] or (
        upright.has_transparency_data and upright.mode not in ("LA", "RGBA")
    ):
        alpha = out_format != "JPEG" and upright.has_transparency_data
        upright = upright.convert("RGBA" if alpha else "RGB")
    return Image.frombytes(upright.mode, upright.size, upright.tobytes())


def _check_bytes(raw: bytes) -> None:
    """An upload that is not empty and not over :data:`MAX_PHOTO_BYTES`, or refused."""
    if not raw:
        raise InvalidInput(N_("the photo is empty"), field=FIELD)
    if len(raw) > MAX_PHOTO_BYTES:
        raise TooLarge(
            N_("the photo is larger than {mib} MiB"),
            field=FIELD,
            mib=MAX_PHOTO_BYTES // (1024 * 1024),
        )


def prepare_photo(raw: bytes) -> PreparedPhoto:
    """Check an uploaded photo and re-encode it for storage (no database).

    Args:
        raw: the file's bytes as uploaded.

    Returns:
        The re-encoded photo: upright, at most :data:`MAX_EDGE` pixels on its longest edge,
        without metadata, in the upload's format, and the digest of ``raw``.

    Raises:
        InvalidInput: an empty file (``field="photo"``).
        TooLarge: more than :data:`MAX_PHOTO_BYTES` bytes.
        Unprocessable: not a JPEG, PNG or WebP image (by content), more than :data:`MAX_PIXELS`
            pixels (more than :data:`WHOLE_DECODE_PIXELS` for what decodes whole), or a
            truncated or corrupt image.
    """
    _check_bytes(raw)
    with _open(raw) as image:
        content_type, out_format = FORMATS[str(image.format)]
        _bounded(image)
        try:
            clean = _upright_pixels(image, out_format)
        except _DAMAGED as exc:
            log.info("undecodable photo: %r", exc)
            raise Unprocessable(N_("the photo is damaged or incomplete"), field=FIELD) from None
    out = io.BytesIO()
    if out_format == "JPEG":
        clean.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif out_format == "WEBP":
        clean.save(out, "WEBP", quality=WEBP_QUALITY)
    else:
        clean.save(out, "PNG")
    return PreparedPhoto(
        data=out.getvalue(),
        content_type=content_type,
        width=clean.width,
        height=clean.height,
        sha256=hashlib.sha256(raw).hexdigest(),
    )


def may_add_photo(session: Session, incident: Incident, user: User) -> bool:
    """Whether ``user`` may add photos to ``incident``.

    Its reporter may (when an officer, volunteer or coordinator account), and so may the
    coordinators whose scope holds its district. Nobody else, whatever else they may see.
    """
    if not user.is_active:
        return False
    role = Role(user.role)
    if incident.reporter_id is not None and incident.reporter_id == user.id:
        return role in REPORTING_ROLES
    if role is not Role.COORDINATOR:
        return False
    scope = scope_district_ids(session, user)
    return scope is not None and incident.district_id in scope


def photo_target(session: Session, incident_id: int, user: User) -> Incident:
    """The incident ``user`` wants to add a photo to, if they may.

    Raises:
        NotFound: no such incident, or one the user may not see (the same answer).
        Forbidden: the user sees the incident but may not add photos to it.
    """
    incident = get_visible_incident(session, incident_id, user)
    if not may_add_photo(session, incident, user):
        raise Forbidden(N_("you may not add photos to this incident"), field="id")
    return incident


def add_photo(
    session: Session, incident: Incident, prepared: PreparedPhoto, actor: User | None
) -> tuple[IncidentPhoto, bool]:
    """Store a photo of ``incident`` once, with its audit event; the caller commits.

    The incident's row is locked (``FOR NO KEY UPDATE``) while its photos are counted. The row
    is written by ``INSERT … ON CONFLICT (incident_id, sha256) DO NOTHING``: when the same upload
    is already stored (a retry, possibly concurrent with the first copy), nothing is written
    and the stored photo is returned, also when the incident has its :data:`MAX_PHOTOS`.

    Args:
        session: open session; flushed, not committed.
        incident: the incident (the caller checked that ``actor`` may add to it).
        prepared: the photo from :func:`prepare_photo`.
        actor: the account adding the photo.

    Returns:
        The photo (without its bytes loaded) and whether this call stored it.

    Raises:
        Unprocessable: the incident already has :data:`MAX_PHOTOS` other photos
            (``field="photo"``).
    """
    session.execute(
        select(Incident.id).where(Incident.id == incident.id).with_for_update(key_share=True)
    )
    new_id = None
    if _photo_count(session, incident.id) < MAX_PHOTOS:
        new_id = session.execute(
            pg_insert(IncidentPhoto)
            .values(
                incident_id=incident.id,
                sha256=prepared.sha256,
                content_type=prepared.content_type,
                width=prepared.width,
                height=prepared.height,
                byte_size=prepared.byte_size,
                data=prepared.data,
                uploaded_by_id=None if actor is None else actor.id,
            )
            .on_conflict_do_nothing(index_elements=["incident_id", "sha256"])
            .returning(IncidentPhoto.id)
        ).scalar()
    if new_id is None:
        stored = _stored_photo(session, incident.id, prepared.sha256)
        if stored is None:
            raise _full()
        return stored, False
    session.add(
        IncidentEvent(
            incident_id=incident.id,
            actor_id=None if actor is None else actor.id,
            action="photo_added",
            note=str(new_id),
            changes={"photo_id": new_id},
        )
    )
    session.flush()
    return session.get_one(IncidentPhoto, new_id), True


def upload_photo(
    session: Session, incident: Incident, raw: bytes, actor: User | None
) -> tuple[IncidentPhoto, bool]:
    """Check an upload, re-encode it and store it once, the cheap refusals first.

    The size of the bytes, their digest and the incident's photos are checked before the image
    is decoded: the same file again (a retry) is answered with the stored photo, and an upload
    to an incident that has :data:`MAX_PHOTOS` is refused, neither of them decoded. Then
    :func:`prepare_photo` (bounded decoding) and :func:`add_photo`, which checks both again
    under the incident's lock for uploads at the same time.

    Args:
        session: open session; flushed, not committed.
        incident: the incident (the caller checked that ``actor`` may add to it).
        raw: the file's bytes as uploaded.
        actor: the account adding the photo.

    Returns:
        The photo (without its bytes loaded) and whether this call stored it.

    Raises:
        InvalidInput, TooLarge, Unprocessable: as :func:`prepare_photo` and :func:`add_photo`.
    """
    _check_bytes(raw)
    stored = _stored_photo(session, incident.id, hashlib.sha256(raw).hexdigest())
    if stored is not None:
        return stored, False
    if _photo_count(session, incident.id) >= MAX_PHOTOS:
        raise _full()
    return add_photo(session, incident, prepare_photo(raw), actor)


def _full() -> Unprocessable:
    return Unprocessable(
        N_("an incident has at most {max_photos} photos"), field=FIELD, max_photos=MAX_PHOTOS
    )


def _photo_count(session: Session, incident_id: int) -> int:
    return session.execute(
        select(func.count()).where(IncidentPhoto.incident_id == incident_id)
    ).scalar_one()


def _stored_photo(session: Session, incident_id: int, sha256: str) -> IncidentPhoto | None:
    """The photo of the incident uploaded as the bytes with this digest, if stored."""
    return session.execute(
        select(IncidentPhoto).where(
            IncidentPhoto.incident_id == incident_id, IncidentPhoto.sha256 == sha256
        )
    ).scalar_one_or_none()


def list_photos(session: Session, incident_id: int) -> list[IncidentPhoto]:
    """The incident's photos, oldest first, without their bytes."""
    return list(
        session.scalars(
            select(IncidentPhoto)
            .where(IncidentPhoto.incident_id == incident_id)
            .order_by(IncidentPhoto.id)
        )
    )


def get_photo(session: Session, incident_id: int, photo_id: int) -> IncidentPhoto:
    """Photo ``photo_id`` of incident ``incident_id``, its bytes loaded.

    The caller checks that the viewer may see the incident.

    Raises:
        NotFound: no such photo of that incident (a photo of another incident is not found).
    """
    photo = session.execute(
        select(IncidentPhoto)
        .where(IncidentPhoto.id == photo_id, IncidentPhoto.incident_id == incident_id)
        .options(undefer(IncidentPhoto.data))
    ).scalar_one_or_none()
    if photo is None:
        raise NotFound(N_("no such photo"), field="photo_id")
    return photo


__all__ = [
    "EXTENSIONS",
    "MAX_EDGE",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_PIXELS",
    "WHOLE_DECODE_PIXELS",
    "PreparedPhoto",
    "add_photo",
    "get_photo",
    "list_photos",
    "may_add_photo",
    "photo_target",
    "prepare_photo",
    "upload_photo",
]
