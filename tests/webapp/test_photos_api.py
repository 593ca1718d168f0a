"""``POST /api/incidents/<id>/photos`` and ``GET /api/incidents/<id>/photos/<photo_id>``."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from gis.incidents.photos import MAX_PHOTO_BYTES, MAX_PHOTOS
from gis.models import IncidentEvent, IncidentPhoto
from gis.types import Role
from tests.factories import make_incident
from tests.images import (
    CAMERA,
    gif,
    huge_png,
    jpeg,
    jpeg_with_gps,
    png_with_metadata,
    webp_with_metadata,
)
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db


@pytest.fixture
def reporter(session):
    """An officer of Aranyaprathet (TH2706) who reported the incident below."""
    return make_user(session, Role.OFFICER, "photo-reporter", district="TH2706")


@pytest.fixture
def incident(session, reporter):
    return make_incident(session, reporter=reporter)


def client_of(app, session, role: Role | None, username: str | None = None, **scope):
    """A client signed in as a new account of ``role`` (``None``: the public), with its CSRF
    token sent on every request as the page's JavaScript does."""
    c = app.test_client()
    if role is not None:
        name = username or f"photo-{role.value.replace('_', '-')}"
        make_user(session, role, name, **scope)
        assert sign_in(c, name).status_code == 302
    c.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(c)
    return c


@pytest.fixture
def client(app, reporter):
    c = app.test_client()
    assert sign_in(c, reporter.username).status_code == 302
    c.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(c)
    return c


def upload(client, incident_id: int, raw: bytes):
    return post_raw(client, incident_id, **multipart({"photo": raw}))


def post_raw(client, incident_id, **kwargs):
    return client.post(f"/api/incidents/{incident_id}/photos", **kwargs)


def counts(session) -> tuple[int, int]:
    photos = session.execute(select(func.count()).select_from(IncidentPhoto)).scalar_one()
    events = session.execute(
        select(func.count()).where(IncidentEvent.action == "photo_added")
    ).scalar_one()
    return photos, events


def test_an_upload_is_created_stripped_and_served(client, session, incident):
    raw = jpeg_with_gps((300, 200), orientation=6)
    before = counts(session)
    resp = upload(client, incident.id, raw)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"id", "url", "content_type", "width", "height", "bytes"}
    assert body["url"] == f"/api/incidents/{incident.id}/photos/{body['id']}"
    assert resp.headers["Location"] == body["url"]
    assert (body["content_type"], body["width"], body["height"]) == ("image/jpeg", 200, 300)
    assert counts(session) == (before[0] + 1, before[1] + 1)
    event = session.execute(
        select(IncidentEvent).where(
            IncidentEvent.incident_id == incident.id, IncidentEvent.action == "photo_added"
        )
    ).scalar_one()
    assert event.note == str(body["id"])

    got = client.get(body["url"])
    assert got.status_code == 200
    assert got.mimetype == "image/jpeg"
    assert got.headers["Cache-Control"] == "private, max-age=3600"
    assert got.headers["Content-Disposition"] == (
        f'inline; filename="incident-{incident.id}-photo-{body["id"]}.jpg"'
    )
    data = got.get_data()
    assert len(data) == body["bytes"]
    image = Image.open(io.BytesIO(data))
    assert image.size == (200, 300) and not image.getexif()
    assert b"Exif" not in data and b"GPS" not in data and CAMERA.encode() not in data

    shown = client.get(f"/api/incidents/{incident.id}").get_json()
    assert shown["photos"] == [{k: body[k] for k in body if k != "bytes"}]


@pytest.mark.parametrize(
    ("make", "content_type", "ext"),
    [(png_with_metadata, "image/png", "png"), (webp_with_metadata, "image/webp", "webp")],
)
def test_png_and_webp_are_kept_as_they_are(client, incident, make, content_type, ext):
    resp = upload(client, incident.id, make())  # sent as p0.jpg, image/jpeg: not what counts
    assert resp.status_code == 201
    assert resp.get_json()["content_type"] == content_type
    got = client.get(resp.headers["Location"])
    assert got.mimetype == content_type
    assert got.headers["Content-Disposition"].endswith(f'.{ext}"')
    assert not Image.open(io.BytesIO(got.get_data())).getexif()


def test_an_incident_without_photos_lists_none(client, incident):
    assert client.get(f"/api/incidents/{incident.id}").get_json()["photos"] == []


def test_the_same_file_again_answers_200_and_writes_nothing(client, session, incident):
    raw = jpeg()
    first = upload(client, incident.id, raw)
    assert first.status_code == 201
    before = counts(session)
    again = upload(client, incident.id, raw)
    assert again.status_code == 200
    assert "Location" not in again.headers
    assert again.get_json() == first.get_json()
    assert counts(session) == before


def test_a_sixth_photo_is_refused(client, session, incident):
    for i in range(MAX_PHOTOS):
        assert upload(client, incident.id, jpeg(colour=(i * 50, 10, 10))).status_code == 201
    before = counts(session)
    resp = upload(client, incident.id, jpeg(colour=(1, 200, 1)))
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "photo"
    assert counts(session) == before
    assert len(client.get(f"/api/incidents/{incident.id}").get_json()["photos"]) == MAX_PHOTOS


BAD = [
    ("text file named .jpg", {"photo": b"not an image at all\n"}, 422, "photo"),
    ("gif", {"photo": gif()}, 422, "photo"),
    ("truncated jpeg", {"photo": jpeg_with_gps((800, 600))[:3000]}, 422, "photo"),
    ("41 megapixels", {"photo": huge_png(41)}, 422, "photo"),
    ("10 MiB + 1", {"photo": b"\xff\xd8" + b"\x00" * (MAX_PHOTO_BYTES - 1)}, 413, "photo"),
    ("empty file", {"photo": b""}, 400, "photo"),
    ("no file", {}, 400, "photo"),
    ("text value", {"text:photo": "data:image/jpeg;base64,AAAA"}, 400, "photo"),
    ("two files", {"photo": [jpeg(), jpeg(colour=(0, 0, 9))]}, 400, "photo"),
    ("other field", {"photo": jpeg(), "text:lat": "13.7"}, 400, "lat"),
]


def multipart(fields: dict) -> dict:
    """A multipart body built in memory (``text:`` names a text field, a list several files).

    The test client's own encoder spools bodies over 500 KB to a temporary file it never
    closes (a ResourceWarning); this one does not.
    """
    items = MultiDict()
    for name, value in fields.items():
        if name.startswith("text:"):
            items.add(name[5:], value)
            continue
        for i, raw in enumerate(value if isinstance(value, list) else [value]):
            items.add(name, FileStorage(io.BytesIO(raw), f"p{i}.jpg", content_type="image/jpeg"))
    boundary, body = encode_multipart(items)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [pytest.param(f, s, fld, id=name) for name, f, s, fld in BAD],
)
def test_bad_uploads_name_the_field_and_write_nothing(
    client, session, incident, fields, status, field
):
    before = counts(session)
    resp = post_raw(client, incident.id, **multipart(fields))
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert body["field"] == field and body["message"]
    assert counts(session) == before


def test_a_body_that_is_not_multipart_is_refused_naming_the_body(client, session, incident):
    before = counts(session)
    for kwargs in (
        {"data": jpeg(), "content_type": "image/jpeg"},
        {"json": {"photo": "AAAA"}},
    ):
        resp = post_raw(client, incident.id, **kwargs)
        assert resp.status_code == 400
        assert resp.get_json()["field"] == "body"
    assert counts(session) == before


def test_a_huge_body_is_refused_by_its_length_before_it_is_read(client, session, incident):
    before = counts(session)
    big = b"\xff\xd8" + b"\x00" * (12 * 1024 * 1024)
    resp = post_raw(client, incident.id, **multipart({"photo": big}))
    assert resp.status_code == 413
    assert resp.get_json()["field"] == "photo"
    assert counts(session) == before


def test_a_huge_body_without_csrf_exemption_is_still_a_413_naming_the_photo(
    app, client, session, incident
):
    """The CSRF check reads forms before the view: the length limit answers there too."""
    app.config["WTF_CSRF_ENABLED"] = True
    resp = post_raw(client, incident.id, **multipart({"photo": b"\x00" * (11 * 1024 * 1024)}))
    assert resp.status_code == 413
    assert resp.get_json()["field"] == "photo"


def test_the_upload_needs_the_csrf_token(app, session, incident, reporter):
    c = app.test_client()
    assert sign_in(c, reporter.username).status_code == 302
    before = counts(session)
    resp = upload(c, incident.id, jpeg())
    assert resp.status_code == 400
    assert counts(session) == before
    c.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(c)
    assert upload(c, incident.id, jpeg()).status_code == 201


# --------------------------------------------------------------------------- who may do what


def test_who_may_add_and_see_photos(app, session, client, incident):
    """The incident is an Aranyaprathet officer's report."""
    stored = upload(client, incident.id, jpeg())
    assert stored.status_code == 201
    photo_url = stored.headers["Location"]
    accounts = {
        "coordinator-here": (Role.COORDINATOR, {"district": "TH2706"}),
        "coordinator-elsewhere": (Role.COORDINATOR, {"district": "TH5703"}),
        "officer-here": (Role.OFFICER, {"district": "TH2706"}),
        "volunteer-here": (Role.VOLUNTEER, {"district": "TH2706"}),
        "planner-here": (Role.PATROL_PLANNER, {"province": "TH27"}),
        "planner-elsewhere": (Role.PATROL_PLANNER, {"province": "TH57"}),
        "hq-analyst": (Role.HQ_ANALYST, {}),
        "admin": (Role.ADMINISTRATOR, {}),
    }
    answers = {
        "reporter": (
            upload(client, incident.id, jpeg(colour=(1, 2, 3))).status_code,
            client.get(photo_url).status_code,
        )
    }
    for i, (name, (role, scope)) in enumerate(accounts.items()):
        c = client_of(app, session, role, name, **scope)
        posted = upload(c, incident.id, jpeg(colour=(9, 9 + i * 20, 9))).status_code
        answers[name] = (posted, c.get(photo_url).status_code)
    public = client_of(app, session, None)
    answers["public"] = (
        upload(public, incident.id, jpeg(colour=(0, 0, 0))).status_code,
        public.get(photo_url).status_code,
    )
    assert answers == {
        "reporter": (201, 200),
        "coordinator-here": (201, 200),
        "coordinator-elsewhere": (404, 404),
        "officer-here": (403, 200),
        "volunteer-here": (404, 404),
        "planner-here": (403, 200),
        "planner-elsewhere": (404, 404),
        "hq-analyst": (403, 200),
        "admin": (403, 200),
        "public": (401, 401),
    }
    assert len(client.get(f"/api/incidents/{incident.id}").get_json()["photos"]) == 3


def test_a_volunteer_adds_photos_to_her_own_report(app, session):
    volunteer = make_user(session, Role.VOLUNTEER, "vol-chiangkhong", district="TH5703")
    c = app.test_client()
    assert sign_in(c, volunteer.username).status_code == 302
    c.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(c)
    own = make_incident(session, reporter=volunteer)  # in Aranyaprathet, outside her district
    resp = upload(c, own.id, jpeg())
    assert resp.status_code == 201
    assert c.get(resp.headers["Location"]).status_code == 200


def test_a_photo_of_another_incident_is_404(client, session, incident, reporter):
    other = make_incident(session, reporter=reporter)
    photo = upload(client, other.id, jpeg()).get_json()
    assert client.get(f"/api/incidents/{other.id}/photos/{photo['id']}").status_code == 200
    resp = client.get(f"/api/incidents/{incident.id}/photos/{photo['id']}")
    assert resp.status_code == 404
    assert client.get(f"/api/incidents/{incident.id}/photos/999999999").status_code == 404


def test_an_unknown_incident_is_404(client):
    assert upload(client, 999_999_999, jpeg()).status_code == 404


def test_the_photo_url_matches_the_route(client, incident):
    url = upload(client, incident.id, jpeg()).get_json()["url"]
    assert re.fullmatch(rf"/api/incidents/{incident.id}/photos/\d+", url)


# --------------------------------------------------------------------------- cost of an upload


def damaged_png(size: tuple[int, int] = (3000, 2000)) -> bytes:
    """A PNG whose header is valid (it opens, with its size) but whose pixels are cut off: it
    cannot be decoded, so any answer but "damaged" was given without decoding it."""
    out = io.BytesIO()
    Image.new("L", size, 90).save(out, "PNG")
    whole = out.getvalue()
    return whole[: len(whole) // 2]


def test_a_full_incident_refuses_a_photo_without_decoding_it(client, session, incident):
    for i in range(MAX_PHOTOS):
        assert upload(client, incident.id, jpeg(colour=(i * 40, 20, 20))).status_code == 201
    before = counts(session)
    resp = upload(client, incident.id, damaged_png())
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["field"] == "photo" and f"at most {MAX_PHOTOS} photos" in body["message"]
    assert counts(session) == before


def test_a_retry_of_a_stored_photo_is_answered_without_decoding_it(client, session, incident):
    """The digest is compared before the image is decoded: bytes stored before (here as if an
    earlier upload of them had been decoded) get the stored photo, not a second decode."""
    raw = damaged_png()
    stored = IncidentPhoto(
        incident_id=incident.id,
        sha256=hashlib.sha256(raw).hexdigest(),
        content_type="image/png",
        width=2048,
        height=1365,
        byte_size=len(raw),
        data=raw,
    )
    session.add(stored)
    session.flush()
    before = counts(session)
    resp = upload(client, incident.id, raw)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["id"] == stored.id
    assert counts(session) == before


def test_uploads_are_limited_per_account(app, session, client, incident):
    """Each decoded upload costs memory and time: an account gets PHOTO_LIMIT_ACCOUNT of them,
    then 429 with Retry-After; another account is not held to its count."""
    app.config["PHOTO_LIMIT_ACCOUNT"] = "3 per minute"
    codes = [
        upload(client, incident.id, jpeg(colour=(i * 50, 90, 90))).status_code for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    refused = upload(client, incident.id, jpeg(colour=(7, 7, 7)))
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    coordinator = client_of(app, session, Role.COORDINATOR, "photo-coord", district="TH2706")
    assert upload(coordinator, incident.id, jpeg(colour=(1, 2, 3))).status_code == 201
