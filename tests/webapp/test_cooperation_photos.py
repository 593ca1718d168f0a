"""Photos of activities: re-encoded without metadata, stored once, in the reader's scope."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from gis.cooperation.activities import create_activity, parse_activity
from gis.models import ActivityPhoto, CooperationChange
from gis.types import CooperationRecord, Role
from tests.gis.cooperation.data import activity_body
from tests.images import jpeg_with_gps
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db


def _upload(client, url, raw, token):
    return client.post(
        url,
        data={"photo": (io.BytesIO(raw), "p.jpg", "image/jpeg")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )


def test_a_photo_is_stored_once_without_its_metadata_and_read_in_scope(client, session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    assert sign_in(client, coordinator.username).status_code == 302
    token = csrf_token(client)
    url = f"/api/cooperation/activities/{activity.id}/photos"
    raw = jpeg_with_gps()
    first = _upload(client, url, raw, token)
    assert first.status_code == 201, first.get_json()
    again = _upload(client, url, raw, token)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    image = client.get(first.headers["Location"])
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["X-Content-Type-Options"] == "nosniff"
    assert not Image.open(io.BytesIO(image.data)).getexif()  # no GPS, no camera
    stored = session.execute(select(func.count()).select_from(ActivityPhoto)).scalar_one()
    assert stored == 1
    recorded = (
        session.execute(
            select(CooperationChange.action).where(
                CooperationChange.record == CooperationRecord.ACTIVITY,
                CooperationChange.record_id == activity.id,
            )
        )
        .scalars()
        .all()
    )
    assert recorded == ["created", "photo_added"]
    page = client.get(f"/cooperation/activities/{activity.id}").get_data(as_text=True)
    assert first.headers["Location"] in page

    bad = _upload(client, url, b"not an image at all", token)
    assert bad.status_code == 422 and bad.get_json()["field"] == "photo"
    client.post("/logout", data={"csrf_token": token})

    away = make_user(session, Role.OFFICER, "away-officer", district="TH2706")
    assert sign_in(client, away.username).status_code == 302
    assert client.get(first.headers["Location"]).status_code == 404
    assert _upload(client, url, raw, csrf_token(client)).status_code == 404


def test_the_page_form_uploads_and_comes_back(client, session):
    officer = make_user(session, Role.OFFICER)
    activity = create_activity(session, parse_activity(activity_body(session)), officer)
    assert sign_in(client, officer.username).status_code == 302
    token = csrf_token(client)
    resp = client.post(
        f"/cooperation/activities/{activity.id}/photos",
        data={"photo": (io.BytesIO(jpeg_with_gps()), "p.jpg"), "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 303
    assert session.execute(select(func.count()).select_from(ActivityPhoto)).scalar_one() == 1
