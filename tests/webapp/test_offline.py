"""The field app's server side (webapp/offline): the manifest, the service worker, the shell
without per-request secrets, the session it asks for, and the pages the worker may keep."""

from __future__ import annotations

import re
import uuid

import pytest

from gis.types import Role
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

THAI = {"Accept-Language": "th"}
ENGLISH = {"Accept-Language": "en"}
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]*)">')
_FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


@pytest.fixture
def officer(app, session):
    user = make_user(session, Role.OFFICER, f"offline-{uuid.uuid4().hex[:8]}")
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    return client


def test_the_manifest_opens_the_shell_in_the_readers_language(client):
    thai = client.get("/manifest.webmanifest", headers=THAI)
    assert thai.status_code == 200 and thai.mimetype == "application/manifest+json"
    body = thai.get_json()
    assert body["short_name"] == "เฝ้าระวังชายแดน" and body["lang"] == "th"
    assert body["start_url"] == "/app" and body["scope"] == "/"
    assert body["display"] == "standalone" and body["theme_color"] == "#0b3d5c"
    assert {i["sizes"] for i in body["icons"]} == {"192x192", "512x512"}
    assert any(i["purpose"] == "maskable" for i in body["icons"])
    for icon in body["icons"]:  # each icon is served, as a PNG of its size
        resp = client.get(icon["src"])
        assert resp.status_code == 200 and resp.data[:8] == b"\x89PNG\r\n\x1a\n"
        width = int.from_bytes(resp.data[16:20], "big")
        assert f"{width}x{width}" == icon["sizes"]
    english = client.get("/manifest.webmanifest", headers=ENGLISH).get_json()
    assert english["name"] == "borderwatch – NTS-Mekong Watch border reports"


def test_the_service_worker_is_served_from_the_root_and_never_kept(client):
    resp = client.get("/sw.js")
    assert resp.status_code == 200 and resp.mimetype == "text/javascript"
    assert resp.headers["Cache-Control"] == "no-cache"
    worker = resp.get_data(as_text=True)
    assert 'importScripts("/static/js/sw-routes.js")' in worker
    # the app shell's files are precached with the hash of their content
    for path in ("/static/js/pindrop.js", "/static/js/outbox.js", "/static/css/base.css"):
        assert re.search(re.escape(path) + r'",revision:"[0-9a-f]{32}"', worker), path
    assert "cdn" not in worker.lower() and "googleapis" not in worker


def test_a_worker_not_built_is_a_clear_404(app, client, tmp_path):
    app.config["SERVICE_WORKER_PATH"] = str(tmp_path / "missing.js")
    resp = client.get("/sw.js", headers=ENGLISH)
    assert resp.status_code == 404
    assert "The service worker has not been built" in resp.get_data(as_text=True)


def test_the_csp_lets_the_worker_and_the_manifest_load(client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert "worker-src 'self'" in policy and "manifest-src 'self'" in policy


def test_the_shell_holds_no_per_request_secret(officer):
    resp = officer.get("/app", headers=THAI)
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "private, no-cache"
    html = resp.get_data(as_text=True)
    assert _META_TOKEN.search(html).group(1) == ""  # asked for from /api/session
    assert set(_FORM_TOKEN.findall(html)) == {""}  # the header's forms too
    assert "nonce" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert 'data-shell="true"' in html and 'id="map_bwapp"' in html
    assert '<script src="/app/map.js" defer>' in html
    script = officer.get("/app/map.js", headers=THAI)
    assert script.status_code == 200 and script.mimetype == "text/javascript"
    assert "map_bwapp" in script.get_data(as_text=True)  # the two halves fit
    # two renderings are the same page: what the worker keeps is what the server would send
    assert officer.get("/app", headers=THAI).get_data(as_text=True) == html
    # the live map page keeps its nonce and token
    live = officer.get("/", headers=THAI).get_data(as_text=True)
    assert _META_TOKEN.search(live).group(1) != "" and "nonce=" in live


def test_the_shell_and_its_script_are_for_signed_in_accounts(client):
    for path in ("/app", "/app/map.js"):
        resp = client.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_the_session_names_the_account_and_gives_a_working_token(app, officer, client):
    anonymous = client.get("/api/session", headers=THAI)
    assert anonymous.status_code == 401 and anonymous.headers["Cache-Control"] == "no-store"
    assert anonymous.get_json()["error"] == "unauthorized"
    resp = officer.get("/api/session", headers=THAI)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    body = resp.get_json()
    assert body["user"]["role"] == "officer" and body["user"]["role_label"] == "เจ้าหน้าที่อำเภอ"
    assert body["user"]["username"].startswith("offline-")
    # the token of the session lets the shell send a report
    report = {
        "idempotency_key": str(uuid.uuid4()),
        "category": "smuggling",
        "occurred_at": "2026-11-20T08:00:00+07:00",
        "lon": 100.4086,
        "lat": 20.2617,
    }
    refused = officer.post("/api/incidents", json=report)
    assert refused.status_code == 400  # no token: CSRF refuses it
    stored = officer.post(
        "/api/incidents", json=report, headers={"X-CSRFToken": body["csrf_token"]}
    )
    assert stored.status_code == 201


def test_signed_in_pages_name_the_worker_and_the_manifest(officer, client):
    page = officer.get("/my-reports", headers=THAI).get_data(as_text=True)
    assert '<meta name="bw-service-worker" content="/sw.js" data-session="/api/session"' in page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    public = client.get("/login").get_data(as_text=True)
    assert "bw-service-worker" not in public  # no worker for the public
    assert '<link rel="manifest"' in public


def test_my_reports_is_kept_without_secrets_and_says_when_it_was_made(officer):
    resp = officer.get("/my-reports", headers=THAI)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "private, no-cache"
    html = resp.get_data(as_text=True)
    assert _META_TOKEN.search(html).group(1) == "" and "nonce" not in html
    made = re.search(r'<p class="bw-muted" id="my-reports-made">ข้อมูล ณ ([^<]+)</p>', html)
    assert made and re.search(r"\d{4}", made.group(1)).group(0).startswith("25")  # BE year
