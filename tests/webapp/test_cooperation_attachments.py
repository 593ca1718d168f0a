"""Minutes and receipts through the API and the pages: stored without metadata, read in scope,
refusals naming the field, the account's daily limit from the configuration."""

from __future__ import annotations

import io

import pikepdf
import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.budget import add_spending, create_allocation, parse_allocation, parse_spending
from gis.cooperation.documents import MAX_DOCUMENT_BYTES
from gis.models import CooperationAttachment
from gis.types import Role
from tests.gis.cooperation.data import activity_body
from tests.images import jpeg_with_gps
from tests.pdfs import AUTHOR, encrypted_pdf, pdf_with_metadata, pdf_with_script
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db


def _post(client, url, field, raw, token, name="file.pdf", mimetype="application/pdf"):
    """A multipart upload built in memory (the test client's own encoder spools bodies over
    500 KB to a temporary file it never closes)."""
    items = MultiDict([(field, FileStorage(io.BytesIO(raw), name, content_type=mimetype))])
    boundary, body = encode_multipart(items)
    return client.post(
        url,
        data=body,
        headers={"X-CSRFToken": token},
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _count(session) -> int:
    return session.execute(select(func.count()).select_from(CooperationAttachment)).scalar_one()


def test_minutes_are_uploaded_stored_once_and_read_without_metadata(client, session):
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    assert sign_in(client, officer.username).status_code == 302
    token = csrf_token(client)
    url = f"/api/cooperation/activities/{activity.id}/minutes"
    raw = pdf_with_metadata()
    first = _post(client, url, "minutes", raw, token)
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["pages"] == 2
    again = _post(client, url, "minutes", raw, token)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    stored = client.get(first.headers["Location"])
    assert stored.status_code == 200 and stored.mimetype == "application/pdf"
    assert stored.headers["X-Content-Type-Options"] == "nosniff"
    assert stored.headers["Cache-Control"].startswith("private")
    with pikepdf.open(io.BytesIO(stored.data)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root
    assert _count(session) == 1
    page = client.get(f"/cooperation/activities/{activity.id}").get_data(as_text=True)
    assert first.headers["Location"] in page and 'id="coop-minutes-form"' in page


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"not a pdf", 422),
        (encrypted_pdf(), 422),
        (pdf_with_script(), 422),
        (b"%PDF-1.7\n" + b"0" * (MAX_DOCUMENT_BYTES + 10), 413),
        (b"", 400),
    ],
    ids=["text", "encrypted", "script", "oversize", "empty"],
)
def test_a_bad_file_is_refused_naming_minutes(client, session, raw, status):
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    assert sign_in(client, officer.username).status_code == 302
    resp = _post(
        client,
        f"/api/cooperation/activities/{activity.id}/minutes",
        "minutes",
        raw,
        csrf_token(client),
    )
    assert resp.status_code == status, resp.get_json()
    assert resp.get_json()["field"] == "minutes"
    assert _count(session) == 0


def test_another_district_neither_reads_nor_uploads(client, session):
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    assert sign_in(client, officer.username).status_code == 302
    token = csrf_token(client)
    url = f"/api/cooperation/activities/{activity.id}/minutes"
    location = _post(client, url, "minutes", pdf_with_metadata(), token).headers["Location"]
    client.post("/logout", data={"csrf_token": token})
    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    assert sign_in(client, away.username).status_code == 302
    assert client.get(location).status_code == 404
    assert (
        _post(client, url, "minutes", pdf_with_metadata(3), csrf_token(client)).status_code == 404
    )


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


def test_a_receipt_is_added_from_the_budget_page_and_listed_there(client, session):
    coordinator = make_user(session, Role.COORDINATOR)
    line = _line(session, coordinator)
    assert sign_in(client, coordinator.username).status_code == 302
    token = csrf_token(client)
    page = client.get("/cooperation/budget?year=2569").get_data(as_text=True)
    assert f"/cooperation/spending/{line.id}/receipts" in page
    resp = client.post(
        f"/cooperation/spending/{line.id}/receipts?year=2569",
        data={"receipt": (io.BytesIO(jpeg_with_gps()), "r.jpg"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303 and "/cooperation/budget?year=2569" in resp.headers["Location"]
    receipt = session.execute(select(CooperationAttachment)).scalar_one()
    assert receipt.spending_line_id == line.id and receipt.content_type == "image/jpeg"
    page = client.get("/cooperation/budget?year=2569").get_data(as_text=True)
    assert f"/api/cooperation/attachments/{receipt.id}" in page
    api = _post(
        client,
        f"/api/cooperation/spending/{line.id}/receipts",
        "receipt",
        pdf_with_metadata(),
        token,
    )
    assert api.status_code == 201
    assert AUTHOR.encode() not in client.get(api.headers["Location"]).data
    refused = _post(client, f"/api/cooperation/spending/{line.id}/receipts", "receipt", b"x", token)
    assert refused.status_code == 422 and refused.get_json()["field"] == "receipt"


def test_the_daily_upload_limit_comes_from_the_configuration(app, client, session):
    app.config["COOPERATION_UPLOADS_PER_DAY"] = 1
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    assert sign_in(client, officer.username).status_code == 302
    token = csrf_token(client)
    url = f"/api/cooperation/activities/{activity.id}"
    assert _post(client, url + "/minutes", "minutes", pdf_with_metadata(), token).status_code == 201
    photo = _post(client, url + "/photos", "photo", jpeg_with_gps(), token, "p.jpg", "image/jpeg")
    assert photo.status_code == 422 and photo.get_json()["field"] == "photo"
    more = _post(client, url + "/minutes", "minutes", pdf_with_metadata(3), token)
    assert more.status_code == 422 and more.get_json()["field"] == "minutes"
