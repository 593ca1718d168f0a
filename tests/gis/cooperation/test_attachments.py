"""Minutes and receipts: PDFs stored without their metadata, refusals naming the field, stored
once, audited, read in scope, and the account's daily upload limit."""

from __future__ import annotations

import io

import pikepdf
import pytest
from sqlalchemy import func, select

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.attachments import (
    MAX_MINUTES,
    add_minutes,
    add_receipt,
    get_attachment,
    minutes_of,
)
from gis.cooperation.budget import add_spending, create_allocation, parse_allocation, parse_spending
from gis.cooperation.documents import MAX_DOCUMENT_BYTES, prepare_pdf
from gis.cooperation.photos import add_activity_photo
from gis.cooperation.uploads import MIB, UploadQuota
from gis.errors import Forbidden, InvalidInput, NotFound, TooLarge, Unprocessable
from gis.models import CooperationAttachment, CooperationChange
from gis.types import CooperationRecord, Role
from tests.factories import make_user
from tests.gis.cooperation.data import activity_body
from tests.images import CAMERA, jpeg_with_gps
from tests.pdfs import (
    AUTHOR,
    PRODUCER,
    XMP_CREATOR,
    encrypted_pdf,
    pdf_with_embedded_file,
    pdf_with_launch_link,
    pdf_with_metadata,
    pdf_with_script,
)

QUOTA = UploadQuota()


def expanded(data: bytes) -> bytes:
    """The PDF written out uncompressed, so that any text it holds can be searched."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.save(
            out,
            compress_streams=False,
            stream_decode_level=pikepdf.StreamDecodeLevel.all,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
        )
    return out.getvalue()


def test_a_pdf_is_kept_without_its_document_information_and_xmp():
    raw = pdf_with_metadata(pages=3)
    with pikepdf.open(io.BytesIO(raw)) as before:  # the upload names its people and software
        assert before.docinfo["/Author"] == AUTHOR and before.docinfo["/Producer"] == PRODUCER
        assert "/Metadata" in before.Root
    assert XMP_CREATOR.encode() in expanded(raw)

    stored = prepare_pdf(raw, "minutes")

    assert stored.pages == 3 and stored.content_type == "application/pdf"
    with pikepdf.open(io.BytesIO(stored.data)) as after:
        assert "/Info" not in after.trailer
        assert "/Metadata" not in after.Root
        assert len(after.pages) == 3
    text = expanded(stored.data)
    for secret in (AUTHOR, PRODUCER, XMP_CREATOR, "/Producer", "/Author", "x:xmpmeta"):
        assert secret.encode() not in text, secret
    assert b"Minutes page 3" in text  # the content is kept


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", InvalidInput),
        (b"%PDF-1.7\n" + b"0" * (MAX_DOCUMENT_BYTES + 1), TooLarge),
        (b"this is a text file, not a PDF", Unprocessable),
        (jpeg_with_gps(), Unprocessable),
        (b"%PDF-1.7\nbroken beyond repair", Unprocessable),
        (encrypted_pdf(), Unprocessable),
        (encrypted_pdf(user_password=""), Unprocessable),  # opens, but only restricted
        (pdf_with_script(), Unprocessable),
        (pdf_with_launch_link(), Unprocessable),
        (pdf_with_embedded_file(), Unprocessable),
    ],
    ids=[
        "empty",
        "oversize",
        "text",
        "photo",
        "damaged",
        "encrypted",
        "owner-password",
        "javascript",
        "launch",
        "embedded-file",
    ],
)
def test_what_is_not_a_plain_pdf_is_refused_naming_the_field(raw, error):
    with pytest.raises(error) as caught:
        prepare_pdf(raw, "minutes")
    assert caught.value.field == "minutes"


def test_an_encrypted_pdf_is_refused_as_such():
    with pytest.raises(Unprocessable) as caught:
        prepare_pdf(encrypted_pdf(), "receipt")
    assert caught.value.field == "receipt" and "encrypted" in caught.value.message


# --------------------------------------------------------------------------- stored


def _activity(session, user):
    return create_activity(session, parse_activity(activity_body(session)), user)


def _line(session, coordinator):
    admin = make_user(session, Role.ADMINISTRATOR)
    allocation = create_allocation(
        session,
        parse_allocation(
            {"district": "TH5703", "fiscal_year": 2569, "amount": 80000, "source": "MRCF"}
        ),
        admin,
    )
    body = {
        "allocation_id": allocation.id,
        "spent_on": "2026-07-01",
        "item": "อาหาร",
        "amount": 500,
    }
    return add_spending(session, parse_spending(body), coordinator)


def _count(session) -> int:
    return session.execute(select(func.count()).select_from(CooperationAttachment)).scalar_one()


@pytest.mark.db
def test_minutes_are_stored_once_audited_and_read_in_scope(session):
    officer = make_user(session, Role.OFFICER)
    activity = _activity(session, officer)
    raw = pdf_with_metadata()
    first, created = add_minutes(session, activity.id, raw, officer, QUOTA)
    again, created_again = add_minutes(session, activity.id, raw, officer, QUOTA)
    assert created and not created_again and again.id == first.id and _count(session) == 1
    actions = session.execute(
        select(CooperationChange.action).where(
            CooperationChange.record == CooperationRecord.ACTIVITY,
            CooperationChange.record_id == activity.id,
        )
    ).scalars().all()  # fmt: skip
    assert actions == ["created", "minutes_added"]
    planner = make_user(session, Role.PATROL_PLANNER)  # province TH57: reads Chiang Khong
    assert get_attachment(session, first.id, planner).data.startswith(b"%PDF-")
    assert [m.id for m in minutes_of(session, activity.id, planner)] == [first.id]
    away = make_user(session, Role.COORDINATOR, "away", district="TH2706")
    with pytest.raises(NotFound):
        get_attachment(session, first.id, away)
    with pytest.raises(NotFound):
        add_minutes(session, activity.id, pdf_with_metadata(pages=1), away, QUOTA)
    with pytest.raises(Forbidden):
        add_minutes(session, activity.id, raw, planner, QUOTA)


@pytest.mark.db
def test_a_refused_upload_writes_nothing_and_names_minutes(session):
    officer = make_user(session, Role.OFFICER)
    activity = _activity(session, officer)
    changes = session.execute(select(func.count()).select_from(CooperationChange)).scalar_one()
    for raw in (encrypted_pdf(), pdf_with_script(), b"plain text"):
        with pytest.raises(Unprocessable) as caught:
            add_minutes(session, activity.id, raw, officer, QUOTA)
        assert caught.value.field == "minutes"
    assert _count(session) == 0
    after = session.execute(select(func.count()).select_from(CooperationChange)).scalar_one()
    assert after == changes


@pytest.mark.db
def test_an_activity_has_at_most_its_minutes(session):
    officer = make_user(session, Role.OFFICER)
    activity = _activity(session, officer)
    for pages in range(1, MAX_MINUTES + 1):
        add_minutes(session, activity.id, pdf_with_metadata(pages=pages), officer, QUOTA)
    with pytest.raises(Unprocessable) as caught:
        add_minutes(session, activity.id, pdf_with_metadata(pages=9), officer, QUOTA)
    assert caught.value.field == "minutes"


@pytest.mark.db
def test_a_receipt_is_a_pdf_or_a_photo_of_the_coordinators_district(session):
    coordinator = make_user(session, Role.COORDINATOR)
    line = _line(session, coordinator)
    pdf, _ = add_receipt(session, line.id, pdf_with_metadata(), coordinator, QUOTA)
    photo, _ = add_receipt(session, line.id, jpeg_with_gps(), coordinator, QUOTA)
    assert (pdf.content_type, photo.content_type) == ("application/pdf", "image/jpeg")
    assert CAMERA.encode() not in get_attachment(session, photo.id, coordinator).data
    assert pdf.spending_line_id == line.id and pdf.activity_id is None
    with pytest.raises(Unprocessable) as caught:
        add_receipt(session, line.id, b"GIF89a not a receipt", coordinator, QUOTA)
    assert caught.value.field == "receipt"
    with pytest.raises(Unprocessable) as caught:
        add_receipt(session, line.id, encrypted_pdf(), coordinator, QUOTA)
    assert caught.value.field == "receipt"
    officer = make_user(session, Role.OFFICER)  # records activities, not spending
    with pytest.raises(Forbidden):
        add_receipt(session, line.id, pdf_with_metadata(pages=1), officer, QUOTA)
    away = make_user(session, Role.COORDINATOR, "away", district="TH2706")
    with pytest.raises(NotFound):
        add_receipt(session, line.id, pdf_with_metadata(pages=1), away, QUOTA)
    hq = make_user(session, Role.HQ_ANALYST)
    assert get_attachment(session, pdf.id, hq).id == pdf.id


@pytest.mark.db
def test_an_account_uploads_at_most_its_daily_files_and_bytes(session):
    officer = make_user(session, Role.OFFICER)
    activity = _activity(session, officer)
    small = UploadQuota(files=2, bytes=10 * MIB)
    add_minutes(session, activity.id, pdf_with_metadata(pages=1), officer, small)
    add_activity_photo(session, activity.id, jpeg_with_gps(), officer, small)
    # a retry of a stored file costs nothing
    add_minutes(session, activity.id, pdf_with_metadata(pages=1), officer, small)
    with pytest.raises(Unprocessable) as caught:
        add_minutes(session, activity.id, pdf_with_metadata(pages=2), officer, small)
    assert caught.value.field == "minutes" and "2" in caught.value.message
    with pytest.raises(Unprocessable) as caught:
        add_activity_photo(session, activity.id, jpeg_with_gps((90, 60)), officer, small)
    assert caught.value.field == "photo"
    other = make_user(session, Role.COORDINATOR)  # another account has its own day
    add_minutes(session, activity.id, pdf_with_metadata(pages=2), other, small)

    tiny = UploadQuota(files=100, bytes=1)  # bytes: what is stored after stripping
    with pytest.raises(Unprocessable) as caught:
        add_minutes(session, activity.id, pdf_with_metadata(pages=3), other, tiny)
    assert caught.value.field == "minutes" and "MiB" in caught.value.message
