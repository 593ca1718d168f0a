"""The officer's pin drop on the map in headless Chromium: report, offline queue, retries."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gis.accounts import users as accounts
from gis.models import AccountChange, District, Incident, IncidentEvent, IncidentPhoto, User
from gis.types import Role

pytestmark = [pytest.mark.browser, pytest.mark.db]

PASSWORD = "correct horse battery"
#: Aranyaprathet market (target district TH2706, Sa Kaeo, on the Cambodian border).
ARANYAPRATHET = (13.6928, 102.5066)
#: Bangkok: far from every border district.
BANGKOK = (13.7563, 100.5018)
PHONE = {"width": 390, "height": 844}

MAP_READY = """() => !!(window.borderwatch && window.borderwatch.pindrop &&
    document.querySelectorAll('path.bw-layer-districts').length > 100)"""


@dataclass(frozen=True)
class Accounts:
    officer: User
    volunteer: User
    analyst: User


@pytest.fixture
def people(engine: Engine) -> Iterator[Accounts]:
    """An officer and a volunteer of Aranyaprathet and an HQ analyst, committed where the live
    server reads them; they and their reports are deleted after the test."""
    tag = uuid.uuid4().hex[:8]
    with Session(engine, expire_on_commit=False) as session:
        officer = accounts.create_user(
            session, f"pd-officer-{tag}", "Officer Somchai", PASSWORD, Role.OFFICER, "TH2706"
        )
        volunteer = accounts.create_user(
            session, f"pd-volunteer-{tag}", None, PASSWORD, Role.VOLUNTEER, "TH2706"
        )
        analyst = accounts.create_user(
            session, f"pd-analyst-{tag}", None, PASSWORD, Role.HQ_ANALYST
        )
        session.commit()
    yield Accounts(officer, volunteer, analyst)
    ids = [officer.id, volunteer.id, analyst.id]
    reports = select(Incident.id).where(Incident.reporter_id.in_(ids)).scalar_subquery()
    with engine.begin() as conn:
        conn.execute(delete(IncidentPhoto).where(IncidentPhoto.incident_id.in_(reports)))
        conn.execute(delete(IncidentEvent).where(IncidentEvent.incident_id.in_(reports)))
        conn.execute(delete(Incident).where(Incident.reporter_id.in_(ids)))
        conn.execute(delete(AccountChange).where(AccountChange.user_id.in_(ids)))
        conn.execute(delete(User).where(User.id.in_(ids)))


@pytest.fixture
def server(start_server) -> str:
    """The live app with plain-HTTP cookies, no basemap and rate-limit counters of its own."""
    return start_server(
        TILE_URL="",
        SESSION_COOKIE_SECURE=False,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",
    )


def reports_of(engine: Engine, user: User) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(Incident.id, Incident.idempotency_key, Incident.category, District.pcode)
            .join(District, District.id == Incident.district_id)
            .where(Incident.reporter_id == user.id)
        ).all()
    return [
        {"id": r.id, "key": str(r.idempotency_key), "category": r.category, "district": r.pcode}
        for r in rows
    ]


def sign_in(page: Any, base: str, user: User) -> None:
    page.goto(base + "/login?next=/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.wait_for_function(MAP_READY, timeout=30_000)


def sign_in_plain(page: Any, base: str, user: User) -> None:
    """Sign in as an account that does not report: the map without the pin drop."""
    page.goto(base + "/login?next=/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.wait_for_function(
        "() => document.querySelectorAll('path.bw-layer-districts').length > 100"
    )


def sign_out(page: Any) -> None:
    """Sign out from the shared header: its menu (behind a button on a phone), the account's
    menu, then "Sign out"."""
    toggle = page.locator(".bw-bar-toggle")
    if toggle.is_visible():
        toggle.click()
    page.click(".bw-account summary")
    page.click("#sign-out")


def tap_at(page: Any, lat: float, lon: float) -> None:
    """Zoom the map to (lat, lon), start a report and tap the map's centre there."""
    page.evaluate(
        "([lat, lon]) => window.borderwatch.pindrop.map.setView([lat, lon], 15, {animate: false})",
        [lat, lon],
    )
    page.click("#pd-report")
    assert page.is_visible("#pd-hint")
    box = page.locator(".folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#pd-form", state="visible")


def fill_form(
    page: Any, category: str = "smuggling", text: str = "Boxes loaded on a pickup"
) -> None:
    page.select_option("#pd-category", category)
    page.select_option("#pd-severity", "4")
    page.fill("#pd-description", text)


def listen_for_created(page: Any) -> None:
    page.evaluate(
        """() => { window.createdIncidents = [];
        window.borderwatch.pindrop.map.on('bw:incidentcreated',
            (e) => window.createdIncidents.push(e.incident)); }"""
    )


def created(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => window.createdIncidents")


def outbox(page: Any) -> list[dict[str, Any]]:
    key = page.evaluate("() => window.borderwatch.pindrop.storageKey")
    return json.loads(page.evaluate("(k) => localStorage.getItem(k) || '[]'", key))


def pin_shown(page: Any, incident_id: int) -> bool:
    """Whether the stored report is on the map: in the incidents layer, or as pindrop's pin."""
    return page.evaluate(
        """(id) => {
        const bw = window.borderwatch, map = bw.pindrop.map;
        const layer = bw.findLayer ? bw.findLayer(map, 'incidents') : null;
        if (layer && map.hasLayer(layer.group) && layer.byId && layer.byId[id]) return true;
        return document.querySelectorAll('.bw-pd-pin--sent').length === 1;
    }""",
        incident_id,
    )


def assert_clean(log: Any, base: str) -> None:
    assert not log.page_errors, log.page_errors
    assert not log.dialogs, log.dialogs
    assert all(url.startswith(base) for url in log.requests), log.requests


def test_an_officer_drops_a_pin_and_it_appears_without_reload(
    server, page_and_log, people, engine, output_dir
):
    page, log = page_and_log
    page.set_viewport_size(PHONE)
    sign_in(page, server, people.officer)
    assert page.inner_text(".bw-account-name").startswith("Officer Somchai")
    listen_for_created(page)
    page.evaluate("() => { window.sameDocument = true; }")

    tap_at(page, *ARANYAPRATHET)
    lat, lon = float(page.input_value("#pd-lat")), float(page.input_value("#pd-lon"))
    assert abs(lat - ARANYAPRATHET[0]) < 0.001 and abs(lon - ARANYAPRATHET[1]) < 0.001
    assert page.locator(".bw-pd-pin--draft").count() == 1
    # "When" defaults to now on the device; the form names all seven categories.
    assert len(page.input_value("#pd-when")) == 16
    assert page.locator("#pd-category option[value]:not([value=''])").count() == 7
    fill_form(page)
    page.screenshot(path=str(output_dir / "pindrop.png"))

    with page.expect_response("**/api/incidents") as answer:
        page.click("#pd-submit")
    assert answer.value.status == 201
    assert answer.value.header_value("location").startswith("/api/incidents/")
    sent = json.loads(answer.value.request.post_data)
    page.wait_for_function("() => window.createdIncidents.length === 1")

    incident = created(page)[0]
    assert incident["idempotency_key"] == sent["idempotency_key"]
    # RFC 3339 with the device's own offset
    offset = page.evaluate(
        """() => { const m = -new Date().getTimezoneOffset(), a = Math.abs(m);
        const p = (n) => String(n).padStart(2, '0');
        return (m < 0 ? '-' : '+') + p(Math.floor(a / 60)) + ':' + p(a % 60); }"""
    )
    assert sent["occurred_at"].endswith(":00" + offset)
    assert page.evaluate("() => window.sameDocument") is True  # no reload
    assert pin_shown(page, incident["id"])
    assert page.is_hidden("#pd-form")
    assert f"Report #{incident['id']} stored" in page.inner_text("#pd-message")
    assert outbox(page) == []
    assert page.is_hidden("#pd-outbox")

    rows = reports_of(engine, people.officer)
    assert rows == [
        {
            "id": incident["id"],
            "key": sent["idempotency_key"],
            "category": "smuggling",
            "district": "TH2706",
        }
    ]
    assert not log.console_errors, log.console_errors
    assert_clean(log, server)


def test_an_offline_report_is_kept_and_sent_when_the_connection_returns(
    server, page_and_log, browser_context, people, engine, output_dir
):
    page, log = page_and_log
    page.set_viewport_size(PHONE)
    sign_in(page, server, people.officer)
    listen_for_created(page)
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "drug_trafficking", "Packages handed over at the river bank")

    browser_context.set_offline(True)
    page.click("#pd-submit")
    page.wait_for_selector("#pd-outbox", state="visible")
    page.wait_for_function(
        "() => document.querySelector('#pd-outbox-status').textContent"
        ".includes('1 report waiting to be sent')"
    )
    kept = outbox(page)
    assert len(kept) == 1 and kept[0]["state"] == "waiting" and kept[0]["incident"] is None
    key = kept[0]["key"]
    assert kept[0]["body"]["idempotency_key"] == key
    assert kept[0]["body"]["category"] == "drug_trafficking"
    assert page.locator(".bw-pd-pin--pending").count() == 1
    assert "kept on this phone" in page.inner_text("#pd-message")
    page.screenshot(path=str(output_dir / "pindrop-pending.png"))
    assert reports_of(engine, people.officer) == []

    browser_context.set_offline(False)
    page.wait_for_function("() => window.createdIncidents.length === 1", timeout=20_000)
    page.wait_for_selector("#pd-outbox", state="hidden")
    assert outbox(page) == []
    assert page.locator(".bw-pd-pin--pending").count() == 0
    rows = reports_of(engine, people.officer)
    assert [(r["key"], r["district"]) for r in rows] == [(key, "TH2706")]
    # Requests that failed while offline (the report, map layers) are the only console errors.
    offline = (
        "Failed to load resource",
        "ERR_INTERNET_DISCONNECTED",
        "could not be loaded",
        "Failed to fetch",
    )
    assert all(any(o in m for o in offline) for m in log.console_errors), log.console_errors
    assert_clean(log, server)


def test_a_lost_answer_is_retried_with_the_same_key_and_stored_once(
    server, page_and_log, people, engine, output_dir
):
    page, log = page_and_log
    sign_in(page, server, people.officer)
    listen_for_created(page)
    posts: list[dict[str, Any]] = []

    def lose_first_answer(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        posts.append(json.loads(route.request.post_data))
        if len(posts) == 1:
            response = route.fetch()  # the server stores the report ...
            assert response.status == 201
            route.abort("connectionreset")  # ... and the answer never arrives
        else:
            route.continue_()

    page.route("**/api/incidents", lose_first_answer)
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "human_trafficking", "Van with passengers crossing the field")
    page.screenshot(path=str(output_dir / "pindrop-desktop.png"))
    page.click("#pd-submit")
    page.wait_for_function("() => window.createdIncidents.length === 1", timeout=30_000)

    assert len(posts) == 2
    assert posts[0]["idempotency_key"] == posts[1]["idempotency_key"]
    assert posts[0] == posts[1]
    incident = created(page)[0]
    rows = reports_of(engine, people.officer)
    assert [(r["id"], r["key"]) for r in rows] == [(incident["id"], posts[0]["idempotency_key"])]
    assert outbox(page) == []
    assert_clean(log, server)


def test_a_point_outside_the_service_area_is_refused_naming_the_distance(
    server, page_and_log, people, engine, output_dir
):
    page, log = page_and_log
    page.set_viewport_size(PHONE)
    sign_in(page, server, people.officer)
    tap_at(page, *ARANYAPRATHET)
    page.fill("#pd-lat", str(BANGKOK[0]))
    page.fill("#pd-lon", str(BANGKOK[1]))
    page.dispatch_event("#pd-lon", "change")
    fill_form(page, "other", "Far from the border")
    with page.expect_response("**/api/incidents") as answer:
        page.click("#pd-submit")
    assert answer.value.status == 422
    body = answer.value.json()

    error = page.locator('[data-error-for="location"]')
    error.wait_for(state="visible")
    text = error.inner_text()
    assert body["message"] in text
    assert f"{body['distance_m'] / 1000:.1f} km" in text
    assert page.is_visible("#pd-form")  # the form stays open to fix the place
    page.screenshot(path=str(output_dir / "pindrop-refused.png"))
    assert reports_of(engine, people.officer) == []

    # Cancelled, the refused report stays listed (never lost silently) until discarded.
    page.click("#pd-cancel")
    assert "1 report refused" in page.inner_text("#pd-outbox-status")
    assert [item["state"] for item in outbox(page)] == ["refused"]
    assert page.locator(".bw-pd-pin--refused").count() == 1
    page.click(".bw-pd-discard")
    assert outbox(page) == []
    assert page.is_hidden("#pd-outbox")
    assert page.locator(".bw-pd-pin--refused").count() == 0
    assert reports_of(engine, people.officer) == []
    # The browser logs the refused request (422) as a console error; nothing else.
    assert all("422" in m for m in log.console_errors), log.console_errors
    assert_clean(log, server)


def test_a_report_made_after_the_session_ended_waits_for_the_next_sign_in(
    server, page_and_log, browser_context, people, engine
):
    page, log = page_and_log
    sign_in(page, server, people.officer)
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "illegal_entry", "Group walking across the dry paddy")
    # The session ends elsewhere (another tab signs out): this page's token and cookie are stale.
    other = browser_context.new_page()
    other.goto(server + "/")
    sign_out(other)
    other.wait_for_url(server + "/login")
    other.close()

    with page.expect_response("**/api/incidents") as answer:
        page.click("#pd-submit")
    assert answer.value.status in (400, 401)  # the CSRF check or the sign-in check refuses it
    page.wait_for_selector("#pd-outbox", state="visible")
    assert [item["state"] for item in outbox(page)] == ["signin"]
    key = outbox(page)[0]["key"]
    assert "sign in again" in page.inner_text("#pd-message")
    assert "Sign in again" in page.inner_text("#pd-outbox")
    assert reports_of(engine, people.officer) == []

    # Signed in again, the map page sends what waited, with the same key.
    sign_in(page, server, people.officer)
    page.wait_for_function(
        "(k) => !localStorage.getItem(k)", arg=f"borderwatch.outbox.v1.{people.officer.id}"
    )
    assert [r["key"] for r in reports_of(engine, people.officer)] == [key]
    assert all("40" in m for m in log.console_errors), log.console_errors  # the refused POST
    assert_clean(log, server)


def jpeg_with_gps() -> bytes:
    """A small JPEG whose EXIF holds a GPS position (Aranyaprathet)."""
    image = Image.new("RGB", (64, 48), (200, 120, 40))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (13.0, 41.0, 34.0)
    gps[3] = "E"
    gps[4] = (102.0, 30.0, 24.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)[1] == "N"
    return data


def uploaded_photo(request: Any) -> bytes:
    """The file of a photo upload (``multipart/form-data``, field ``photo``) as the browser sent
    it."""
    boundary = request.headers["content-type"].split("boundary=", 1)[1].strip('"').encode()
    for part in (request.post_data_buffer or b"").split(b"--" + boundary):
        head, _, body = part.partition(b"\r\n\r\n")
        if b'name="photo"' in head:
            return body[: -len(b"\r\n")] if body.endswith(b"\r\n") else body
    raise AssertionError("no photo in the upload")


def test_a_photo_with_gps_is_uploaded_after_the_report(server, page_and_log, people, engine):
    page, log = page_and_log
    sign_in(page, server, people.officer)
    listen_for_created(page)
    photo = jpeg_with_gps()
    sent: list[bytes] = []

    def keep_upload(route: Any) -> None:
        sent.append(uploaded_photo(route.request))
        route.continue_()

    page.route("**/api/incidents/*/photos", keep_upload)
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "vehicle_theft", "Stolen motorbikes on a boat")
    page.set_input_files(
        "#pd-photo", files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    with page.expect_response("**/api/incidents/*/photos") as answer:
        page.click("#pd-submit")
    assert answer.value.status == 201
    page.wait_for_selector("#pd-outbox", state="hidden")
    assert outbox(page) == []

    incident = created(page)[0]
    with engine.connect() as conn:
        stored = conn.execute(
            select(IncidentPhoto.sha256, IncidentPhoto.data).where(
                IncidentPhoto.incident_id == incident["id"]
            )
        ).all()
    # One photo, from exactly the bytes sent (the digest is of the upload), stored without GPS.
    # The phone shrank it first (static/js/photo.js): what left the phone is a JPEG of the same
    # size, turned upright, without the photo's EXIF (so without its GPS position).
    assert len(sent) == 1 and sent[0] != photo
    assert [row.sha256 for row in stored] == [hashlib.sha256(sent[0]).hexdigest()]
    shrunk = Image.open(io.BytesIO(sent[0]))
    assert shrunk.format == "JPEG" and shrunk.size == (64, 48)
    assert not shrunk.getexif().get_ifd(0x8825)
    assert not Image.open(io.BytesIO(stored[0].data)).getexif().get_ifd(0x8825)
    # The IndexedDB copy is gone once the server has it.
    left = page.evaluate(
        """(key) => new Promise((resolve) => {
        const open = indexedDB.open('borderwatch-pindrop', 1);
        open.onsuccess = () => {
            const get = open.result.transaction('photos').objectStore('photos').get(key);
            get.onsuccess = () => resolve(get.result === undefined ? null : 'kept');
        };
    })""",
        incident["idempotency_key"],
    )
    assert left is None
    assert not log.console_errors, log.console_errors
    assert_clean(log, server)


def test_a_photo_upload_whose_answer_is_lost_is_sent_again_and_stored_once(
    server, page_and_log, people, engine
):
    page, log = page_and_log
    sign_in(page, server, people.officer)
    listen_for_created(page)
    photo = jpeg_with_gps()
    uploads: list[bytes] = []

    def lose_first_answer(route: Any) -> None:
        uploads.append(uploaded_photo(route.request))
        if len(uploads) == 1:
            assert route.fetch().status == 201  # stored by the server ...
            route.abort("connectionreset")  # ... the answer lost
        else:
            route.continue_()

    page.route("**/api/incidents/*/photos", lose_first_answer)
    tap_at(page, *ARANYAPRATHET)
    fill_form(page, "smuggling", "Cigarettes in rice sacks")
    page.set_input_files(
        "#pd-photo", files=[{"name": "sacks.jpg", "mimeType": "image/jpeg", "buffer": photo}]
    )
    with page.expect_response("**/api/incidents/*/photos", timeout=30_000) as answer:
        page.click("#pd-submit")
    assert answer.value.status == 200  # the retry: the same file again
    page.wait_for_selector("#pd-outbox", state="hidden")
    assert len(uploads) == 2 and outbox(page) == []

    incident = created(page)[0]
    with engine.connect() as conn:
        digests = (
            conn.execute(
                select(IncidentPhoto.sha256).where(IncidentPhoto.incident_id == incident["id"])
            )
            .scalars()
            .all()
        )
    assert uploads[0] == uploads[1]  # the same (shrunk) file again
    assert digests == [hashlib.sha256(uploads[0]).hexdigest()]
    assert [r["id"] for r in reports_of(engine, people.officer)] == [incident["id"]]
    assert all("ERR_CONNECTION_RESET" in m or "Failed to load" in m for m in log.console_errors)
    assert_clean(log, server)


def test_the_public_and_other_roles_see_no_report_control(
    server, page_and_log, browser_context, people
):
    page, log = page_and_log
    page.goto(server + "/")
    page.wait_for_function(
        "() => document.querySelectorAll('path.bw-layer-districts').length > 100"
    )
    assert page.locator("#pd-report").count() == 0
    assert page.locator("#pd-form").count() == 0
    assert page.locator("#sign-in").is_visible()
    assert page.evaluate("() => window.borderwatch.pindrop === undefined")

    # A volunteer reports, also from "my location"; without the permission a message says so.
    sign_in(page, server, people.volunteer)
    assert page.locator("#pd-report").is_visible()
    browser_context.grant_permissions(["geolocation"], origin=server)
    browser_context.set_geolocation({"latitude": 13.6928, "longitude": 102.5066})
    page.click("#pd-report")
    page.click("#pd-hint .bw-pd-locate")
    page.wait_for_selector("#pd-form", state="visible")
    assert abs(float(page.input_value("#pd-lat")) - 13.6928) < 1e-4
    assert abs(float(page.input_value("#pd-lon")) - 102.5066) < 1e-4
    page.click("#pd-cancel")
    assert page.locator(".bw-pd-pin--draft").count() == 0
    # The user denies it. Headless Chromium has no way to answer the permission prompt, and
    # some builds leave the request pending for ever: the browser's answer is played here.
    browser_context.clear_permissions()
    page.evaluate(
        """() => {
            navigator.geolocation.getCurrentPosition = function (ok, fail) {
                setTimeout(function () {
                    fail({ code: 1, PERMISSION_DENIED: 1, message: "User denied Geolocation" });
                }, 0);
            };
        }"""
    )
    page.click("#pd-report")
    page.click("#pd-hint .bw-pd-locate")
    page.wait_for_function(
        "() => document.querySelector('#pd-message').textContent.includes('permission')"
    )
    assert page.locator("#pd-form").is_hidden()
    sign_out(page)
    page.wait_for_url(server + "/login")
    page.goto(server + "/")
    page.wait_for_function(
        "() => document.querySelectorAll('path.bw-layer-districts').length > 100"
    )
    assert page.locator("#pd-report").count() == 0

    # An HQ analyst does not report from the map.
    sign_in_plain(page, server, people.analyst)
    assert page.locator(".bw-account-name").is_visible()
    assert page.locator("#pd-report").count() == 0
    assert not log.console_errors, log.console_errors
    assert_clean(log, server)
