"""Incident photos: checked by content, re-encoded without metadata, stored once per upload."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.errors import Forbidden, InvalidInput, NotFound, TooLarge, Unprocessable
from gis.incidents.photos import (
    MAX_EDGE,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    WHOLE_DECODE_PIXELS,
    add_photo,
    get_photo,
    list_photos,
    may_add_photo,
    photo_target,
    prepare_photo,
)
from gis.models import Incident, IncidentEvent, IncidentPhoto
from gis.types import Role
from tests.dbtools import run_at_once
from tests.factories import make_incident
from tests.images import (
    BLUE,
    CAMERA,
    RED,
    gif,
    huge_png,
    jpeg,
    jpeg_with_gps,
    png_with_metadata,
    webp_with_metadata,
)


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def assert_no_metadata(data: bytes) -> None:
    image = opened(data)
    assert not image.getexif()
    assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp", "Comment"} & set(image.info)
    assert b"Exif" not in data and b"GPS" not in data and CAMERA.encode() not in data


def near(pixel, colour, tolerance: int = 40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], colour, strict=True))


# Preparing (no database) --------------------------------------------------------------------


def test_a_jpeg_loses_its_exif_and_gps_and_is_turned_upright():
    raw = jpeg_with_gps((300, 200), orientation=6)  # stored sideways: display turned 90° right
    assert b"Exif" in raw and CAMERA.encode() in raw and opened(raw).getexif().get_ifd(0x8825)
    photo = prepare_photo(raw)
    assert photo.content_type == "image/jpeg"
    assert (photo.width, photo.height) == (200, 300)
    assert_no_metadata(photo.data)
    image = opened(photo.data).convert("RGB")
    # The left (red) half of the stored pixels is the top once turned 90° clockwise.
    assert near(image.getpixel((100, 40)), RED) and near(image.getpixel((100, 260)), BLUE)
    assert opened(photo.data).format == "JPEG"


def test_a_jpeg_without_orientation_keeps_its_size_and_its_sides():
    photo = prepare_photo(jpeg_with_gps((300, 200), orientation=1))
    assert (photo.width, photo.height) == (300, 200)
    image = opened(photo.data).convert("RGB")
    assert near(image.getpixel((40, 100)), RED) and near(image.getpixel((260, 100)), BLUE)
    assert_no_metadata(photo.data)


@pytest.mark.parametrize(
    ("make", "content_type", "pillow_format"),
    [
        (png_with_metadata, "image/png", "PNG"),
        (webp_with_metadata, "image/webp", "WEBP"),
    ],
)
def test_png_and_webp_keep_their_format_and_lose_their_metadata(make, content_type, pillow_format):
    raw = make()
    assert opened(raw).getexif()  # the upload carries EXIF
    photo = prepare_photo(raw)
    assert photo.content_type == content_type
    assert (photo.width, photo.height) == (120, 80)
    assert opened(photo.data).format == pillow_format
    assert_no_metadata(photo.data)


def test_a_png_keeps_its_transparency():
    raw = io.BytesIO()
    image = Image.new("RGBA", (20, 10), (0, 0, 0, 0))
    image.save(raw, "PNG")
    stored = opened(prepare_photo(raw.getvalue()).data)
    assert stored.mode == "RGBA" and stored.getpixel((5, 5))[3] == 0


def test_the_longest_edge_is_capped():
    photo = prepare_photo(jpeg((3000, 1000)))
    assert (photo.width, photo.height) == (MAX_EDGE, 683)
    assert opened(photo.data).size == (MAX_EDGE, 683)


def test_the_digest_is_of_the_uploaded_bytes():
    raw = jpeg()
    assert prepare_photo(raw).sha256 == hashlib.sha256(raw).hexdigest()


def truncated_jpeg() -> bytes:
    raw = jpeg_with_gps((800, 600))
    return raw[: len(raw) // 2]


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        pytest.param(b"Just some text pretending to be a photo.\n", Unprocessable, id="text"),
        pytest.param(gif(), Unprocessable, id="gif"),
        pytest.param(truncated_jpeg(), Unprocessable, id="truncated-jpeg"),
        pytest.param(jpeg_with_gps()[:200], Unprocessable, id="jpeg-header-only"),
        pytest.param(huge_png(41), Unprocessable, id="41-megapixels"),
        pytest.param(huge_png(120), Unprocessable, id="120-megapixels"),
        pytest.param(huge_png(200), Unprocessable, id="200-megapixels"),
        pytest.param(b"", InvalidInput, id="empty"),
        pytest.param(b"\xff" * (MAX_PHOTO_BYTES + 1), TooLarge, id="10MiB+1"),
    ],
)
def test_bad_uploads_are_refused_naming_the_photo(raw, error):
    with pytest.raises(error) as exc:
        prepare_photo(raw)
    assert exc.value.field == "photo"
    assert exc.value.message


@pytest.mark.parametrize("megapixels", [41, 120])
def test_a_bomb_is_refused_also_where_warnings_are_not_errors(megapixels):
    """In production Pillow's DecompressionBombWarning is only a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with pytest.raises(Unprocessable) as exc:
            prepare_photo(huge_png(megapixels))
    assert exc.value.field == "photo"


def test_a_41_megapixel_png_is_small_on_disk():
    raw = huge_png(41)
    assert len(raw) < 100_000
    size = Image.open(io.BytesIO(raw)).size
    assert size[0] * size[1] > 41_000_000


# Bounded decoding ---------------------------------------------------------------------------

#: Growth of a process's peak memory allowed for preparing the largest baseline JPEG accepted
#: (decoded whole, 40 megapixels took some 200 MB; at a reduced scale some 70).
JPEG_PEAK_MB = 120

_PEAK = """
import resource, sys
from gis.incidents.photos import prepare_photo
raw = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
photo = prepare_photo(raw)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(photo.width, photo.height, (after - before) // 1024)
"""


def test_a_large_baseline_jpeg_is_decoded_at_a_reduced_scale(tmp_path):
    """A 39-megapixel JPEG is decoded at half scale (Image.draft), not whole, and still gives a
    photo of MAX_EDGE; measured in a process of its own (peak memory, kB on Linux)."""
    path = tmp_path / "large.jpg"
    Image.new("RGB", (7000, 5600), (120, 30, 200)).save(path, "JPEG", quality=80)
    done = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    width, height, grown_mb = (int(v) for v in done.stdout.split())
    assert (width, height) == (MAX_EDGE, 1638)
    assert grown_mb < JPEG_PEAK_MB, f"preparing the photo took {grown_mb} MB"


def progressive_jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, BLUE).save(out, "JPEG", quality=70, progressive=True)
    return out.getvalue()


def webp(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, RED).save(out, "WEBP", quality=20, method=0)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        pytest.param(lambda: huge_png(WHOLE_DECODE_PIXELS["PNG"] / 1e6 + 0.1), "PNG", id="png"),
        pytest.param(lambda: webp((2600, 2400)), "WebP", id="webp"),
        pytest.param(lambda: progressive_jpeg((4000, 3600)), "progressive JPEG", id="jpeg"),
    ],
)
def test_what_decodes_whole_is_refused_above_its_size_before_decoding(make, kind):
    """PNG, WebP and progressive JPEG decode whole: above WHOLE_DECODE_PIXELS of their format
    they are refused, naming the photo, before their pixels are read."""
    with pytest.raises(Unprocessable) as exc:
        prepare_photo(make())
    assert exc.value.field == "photo"
    assert f"a {kind} photo may have at most" in exc.value.message


def test_a_png_within_its_size_is_still_accepted():
    photo = prepare_photo(huge_png(WHOLE_DECODE_PIXELS["PNG"] / 1e6 - 0.5))
    assert photo.content_type == "image/png" and max(photo.width, photo.height) == MAX_EDGE


# Storing ------------------------------------------------------------------------------------


def officer(session: Session, name: str = "photo-officer", district: str = "TH2706"):
    return accounts.create_user(
        session, name, None, "a long enough password", Role.OFFICER, district=district
    )


def photo_rows(session: Session, incident_id: int) -> int:
    return session.execute(
        select(func.count()).where(IncidentPhoto.incident_id == incident_id)
    ).scalar_one()


def photo_events(session: Session, incident_id: int) -> list[IncidentEvent]:
    return list(
        session.scalars(
            select(IncidentEvent).where(
                IncidentEvent.incident_id == incident_id, IncidentEvent.action == "photo_added"
            )
        )
    )


@pytest.mark.db
def test_a_photo_is_stored_with_its_audit_event(session):
    user = officer(session)
    incident = make_incident(session, reporter=user)
    prepared = prepare_photo(jpeg_with_gps(orientation=6))
    photo, created = add_photo(session, incident, prepared, user)
    assert created
    assert (photo.incident_id, photo.content_type) == (incident.id, "image/jpeg")
    assert (photo.width, photo.height, photo.byte_size) == (200, 300, len(prepared.data))
    assert photo.uploaded_by_id == user.id
    events = photo_events(session, incident.id)
    assert len(events) == 1
    assert events[0].note == str(photo.id) and events[0].actor_id == user.id
    session.expire_all()
    stored = get_photo(session, incident.id, photo.id)
    assert stored.data == prepared.data
    assert_no_metadata(stored.data)
    assert [p.id for p in list_photos(session, incident.id)] == [photo.id]


@pytest.mark.db
def test_the_same_upload_again_is_stored_once(session):
    incident = make_incident(session)
    raw = jpeg()
    first, created = add_photo(session, incident, prepare_photo(raw), None)
    again, created_again = add_photo(session, incident, prepare_photo(raw), None)
    assert created and not created_again
    assert again.id == first.id
    assert photo_rows(session, incident.id) == 1
    assert len(photo_events(session, incident.id)) == 1


@pytest.mark.db
def test_the_same_file_on_two_incidents_is_two_photos(session):
    one, two = make_incident(session), make_incident(session)
    raw = jpeg()
    a, _ = add_photo(session, one, prepare_photo(raw), None)
    b, created = add_photo(session, two, prepare_photo(raw), None)
    assert created and a.id != b.id


@pytest.mark.db
def test_a_sixth_photo_is_refused_but_a_retry_still_answers(session):
    incident = make_incident(session)
    colours = [(i * 40, 255 - i * 40, 7) for i in range(MAX_PHOTOS + 1)]
    uploads = [jpeg(colour=c) for c in colours]
    for raw in uploads[:MAX_PHOTOS]:
        assert add_photo(session, incident, prepare_photo(raw), None)[1]
    with pytest.raises(Unprocessable) as exc:
        add_photo(session, incident, prepare_photo(uploads[-1]), None)
    assert exc.value.field == "photo"
    assert photo_rows(session, incident.id) == MAX_PHOTOS
    assert len(photo_events(session, incident.id)) == MAX_PHOTOS
    _, created = add_photo(session, incident, prepare_photo(uploads[0]), None)
    assert not created and photo_rows(session, incident.id) == MAX_PHOTOS


@pytest.mark.db
def test_a_photo_of_another_incident_is_not_found(session):
    one, two = make_incident(session), make_incident(session)
    photo, _ = add_photo(session, one, prepare_photo(jpeg()), None)
    with pytest.raises(NotFound):
        get_photo(session, two.id, photo.id)
    assert get_photo(session, one.id, photo.id).id == photo.id


@pytest.mark.db
def test_who_may_add_photos(session):
    reporter = officer(session, "photo-reporter")
    incident = make_incident(session, reporter=reporter)
    users = {
        "reporter": reporter,
        "coordinator-here": accounts.create_user(
            session, "c-here", None, "a long enough password", Role.COORDINATOR, district="TH2706"
        ),
        "coordinator-elsewhere": accounts.create_user(
            session, "c-away", None, "a long enough password", Role.COORDINATOR, district="TH5703"
        ),
        "officer-here": officer(session, "o-here"),
        "hq": accounts.create_user(
            session, "hq-analyst", None, "a long enough password", Role.HQ_ANALYST
        ),
    }
    allowed = {name: may_add_photo(session, incident, u) for name, u in users.items()}
    assert allowed == {
        "reporter": True,
        "coordinator-here": True,
        "coordinator-elsewhere": False,
        "officer-here": False,
        "hq": False,
    }
    assert photo_target(session, incident.id, reporter).id == incident.id
    with pytest.raises(Forbidden):
        photo_target(session, incident.id, users["officer-here"])
    with pytest.raises(NotFound):
        photo_target(session, incident.id, users["coordinator-elsewhere"])


@pytest.mark.db
def test_concurrent_uploads_of_one_file_store_one_row(engine):
    """Four sessions on their own connections add the same file at once (committed, not inside
    the test transaction); the rows are removed at the end."""
    with Session(engine) as session:
        incident_id = make_incident(session).id
        session.commit()
    prepared = prepare_photo(jpeg_with_gps())
    threads = 4

    def upload(ready) -> tuple[int, bool]:
        with Session(engine) as session:
            incident = session.get_one(Incident, incident_id)
            ready()
            photo, created = add_photo(session, incident, prepared, None)
            session.commit()
            return photo.id, created

    try:
        results = run_at_once(threads, upload)
        assert sum(created for _, created in results) == 1
        assert len({photo_id for photo_id, _ in results}) == 1
        with Session(engine) as session:
            assert photo_rows(session, incident_id) == 1
            assert len(photo_events(session, incident_id)) == 1
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(IncidentPhoto).where(IncidentPhoto.incident_id == incident_id))
            session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id == incident_id))
            session.execute(delete(Incident).where(Incident.id == incident_id))


@pytest.mark.db
def test_concurrent_uploads_of_different_files_stop_at_the_limit(engine):
    """Eight different files at once on an incident: exactly :data:`MAX_PHOTOS` are stored."""
    with Session(engine) as session:
        incident_id = make_incident(session).id
        session.commit()
    threads = MAX_PHOTOS + 3
    uploads = [prepare_photo(jpeg(colour=(i * 30, 9, 255 - i * 30))) for i in range(threads)]
    barrier = threading.Barrier(threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def upload(prepared) -> None:
        try:
            with Session(engine) as session:
                incident = session.get_one(Incident, incident_id)
                barrier.wait(timeout=30)
                add_photo(session, incident, prepared, None)
                session.commit()
                outcome = "stored"
        except Unprocessable:
            outcome = "refused"
        except BaseException as exc:  # reported below
            outcome = repr(exc)
        with lock:
            outcomes.append(outcome)

    workers = [threading.Thread(target=upload, args=(p,)) for p in uploads]
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
        assert sorted(outcomes) == ["refused"] * 3 + ["stored"] * MAX_PHOTOS
        with Session(engine) as session:
            assert photo_rows(session, incident_id) == MAX_PHOTOS
    finally:
        with Session(engine) as session, session.begin():
            session.execute(delete(IncidentPhoto).where(IncidentPhoto.incident_id == incident_id))
            session.execute(delete(IncidentEvent).where(IncidentEvent.incident_id == incident_id))
            session.execute(delete(Incident).where(Incident.id == incident_id))
