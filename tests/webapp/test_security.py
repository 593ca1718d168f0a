"""Security headers on every page, the CSP's script nonce, cookie flags and the proxy setting."""

from __future__ import annotations

import logging
import os
import re
import uuid

import pytest

from gis.types import Role
from tests.webapp.signin import PASSWORD, csrf_token, make_user, sign_in
from webapp import create_app
from webapp.security import content_security_policy, tile_origin

pytestmark = pytest.mark.db

PAGES = ("/", "/about", "/login", "/report", "/report?lang=th", "/healthz", "/api/layers")


def directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("path", (*PAGES, "/no-such-page", "/api/incidents/1"))
def test_every_answer_carries_the_security_headers(client, path):
    resp = client.get(path)
    csp = directives(resp.headers["Content-Security-Policy"])
    scripts = csp["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert scripts[0] == "'self'" and all(s == "'self'" or s.startswith("'nonce-") for s in scripts)
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["default-src"] == ["'self'"] and csp["connect-src"] == ["'self'"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=(self)" in resp.headers["Permissions-Policy"]


def test_images_may_come_only_from_the_app_and_the_configured_basemap(client, app):
    img = directives(client.get("/").headers["Content-Security-Policy"])["img-src"]
    assert img == ["'self'", "data:", "blob:", tile_origin(app.config["TILE_URL"])]
    assert tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == (
        "https://tile.openstreetmap.org"
    )
    assert tile_origin("https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png") == (
        "https://*.tiles.example.org:8443"
    )
    assert tile_origin("") is None and tile_origin("/tiles/{z}/{x}/{y}.png") is None
    assert content_security_policy("")["img-src"] == ["'self'", "data:", "blob:"]
    with pytest.raises(ValueError, match="TILE_URL"):
        tile_origin("https://{host}.example.org/{z}/{x}/{y}.png")


def test_inline_scripts_of_the_map_page_carry_this_requests_nonce(client):
    nonces = []
    for _ in range(2):
        resp = client.get("/")
        csp = directives(resp.headers["Content-Security-Policy"])
        (nonce,) = [s[len("'nonce-") : -1] for s in csp["script-src"] if s.startswith("'nonce-")]
        assert len(nonce) >= 16
        html = resp.get_data(as_text=True)
        tags = re.findall(r"<script\b[^>]*>", html)
        inline = [t for t in tags if "src=" not in t]
        assert len(inline) >= 2  # folium's header script and the map script
        assert all(f'nonce="{nonce}"' in t for t in inline), inline
        # the app's own files: static ones, and the scripts' catalogue of the page's language
        assert all(re.search(r'src="/(static|i18n)/', t) for t in tags if "src=" in t)
        assert " on" not in " ".join(tags)  # no inline event handlers
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_no_page_has_a_script_without_src_or_nonce(client, session):
    make_user(session, Role.COORDINATOR, "csp-coordinator")
    make_user(session, Role.ADMINISTRATOR, "csp-admin")
    pages = {}
    for path in PAGES:
        pages[path] = client.get(path).get_data(as_text=True)
    assert sign_in(client, "csp-coordinator").status_code == 302
    for path in ("/", "/review", "/account/password"):
        pages[f"coordinator {path}"] = client.get(path).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert sign_in(client, "csp-admin").status_code == 302
    pages["admin /admin/users"] = client.get("/admin/users").get_data(as_text=True)
    for name, html in pages.items():
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or "nonce=" in tag, f"{name}: {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"{name}: inline event handler"


def test_cookies_are_secure_httponly_and_samesite_by_default(database_url, session):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    resp = client.get("/login", base_url="https://borderwatch.example")
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = client.get("/about")
    assert "Strict-Transport-Security" not in plain.headers  # only over HTTPS


def test_the_plain_environment_can_turn_secure_cookies_off_for_local_http(monkeypatch):
    from webapp.config import from_environment

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "false")
    monkeypatch.setenv("PROXY_COUNT", "1")
    values = from_environment()
    assert values["SESSION_COOKIE_SECURE"] is False and values["PROXY_COUNT"] == 1
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert from_environment()["SESSION_COOKIE_SECURE"] is True


def proxied_app(database_url: str, proxies: int):
    return create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test",
            "SESSION_COOKIE_SECURE": False,
            "PROXY_COUNT": proxies,
            "RATELIMIT_STORAGE_URI": os.environ["RATELIMIT_STORAGE_URI"],
            "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "LOGIN_LIMIT_IP": "2 per minute",
        }
    )


def login_from(client, username: str, forwarded_for: str) -> int:
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": PASSWORD + "x", "csrf_token": token},
        headers={"X-Forwarded-For": forwarded_for},
        environ_base={"REMOTE_ADDR": "10.9.0.1"},  # the proxy
    ).status_code


@pytest.mark.parametrize("proxies", [0, 1])
def test_per_address_limits_use_the_client_address_only_behind_a_configured_proxy(
    database_url, proxies
):
    client = proxied_app(database_url, proxies).test_client()
    codes = [login_from(client, f"proxy-user-{i}", "203.0.113.5") for i in range(3)]
    assert codes == [200, 200, 429]
    other_client = login_from(client, "proxy-user-9", "203.0.113.77")
    # Behind a configured proxy another client has its own counter; without, the forwarded
    # header is ignored (anyone could forge it) and all requests count for the proxy address.
    assert other_client == (200 if proxies else 429)


def test_negative_proxy_count_is_refused(database_url):
    with pytest.raises(ValueError, match="PROXY_COUNT"):
        proxied_app(database_url, -1)


@pytest.mark.parametrize("proxies", [0, 1])
def test_a_forwarded_address_the_app_does_not_trust_is_logged_once(database_url, caplog, proxies):
    """Behind a proxy with PROXY_COUNT=0 every client has the proxy's address, so one client's
    attempts close the per-address limits for everyone: the app says so in its log."""
    client = proxied_app(database_url, proxies).test_client()
    with caplog.at_level(logging.WARNING, logger="webapp.security"):
        assert client.get("/about").status_code == 200
        for _ in range(3):
            client.get("/about", headers={"X-Forwarded-For": "203.0.113.5"})
    warned = [r.getMessage() for r in caplog.records if "X-Forwarded-For" in r.getMessage()]
    assert len(warned) == (0 if proxies else 1)
    for message in warned:
        assert "PROXY_COUNT" in message and "203.0.113.5" not in message


def test_a_form_field_without_a_readable_name_is_a_400_not_a_server_error(client, session):
    """A multipart part whose quoted name ends in a backslash parses to no name; the CSRF
    check, which reads every field name, must not meet it (found by the API fuzzer)."""
    body = (
        b'--B\r\nContent-Disposition: form-data; name="a\\"\r\n\r\nx\r\n'
        b'--B\r\nContent-Disposition: form-data; name="photo"; filename="p.jpg"\r\n\r\n\xff\xd8\r\n'
        b"--B--\r\n"
    )
    resp = client.post(
        "/api/incidents/1/photos",
        data=body,
        headers={"Content-Type": "multipart/form-data; boundary=B"},
    )
    assert resp.status_code == 400
    assert resp.get_json() == {
        "error": "invalid_input",
        "message": "a form field has no readable name",
        "field": "body",
    }


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/layers/districts?bbox=97,10,108,21&zoom=6\x00", "zoom"),
        ("/api/patrols/hotspots?district=%00Chiang%20Khong", "district"),
        ("/api/review/incidents?category=smuggling&st%00atus=new", "st\x00atus"),
    ],
)
def test_a_nul_character_in_a_parameter_is_a_400_naming_it(client, session, path, field):
    """PostgreSQL stores no NUL character: before this check, a NUL in the planner's district
    filter reached psycopg2 and answered 500 (found by `make fuzz`)."""
    make_user(session, Role.HQ_ANALYST)
    assert sign_in(client, "test-hq-analyst").status_code == 302
    resp = client.get(path)
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["error"] == "invalid_input" and body["field"] == field
    assert "NUL" in body["message"]


def test_a_nul_character_in_a_form_field_is_a_400_before_anything_is_done(client, session):
    token = csrf_token(client)
    form = {"username": "ad\x00min", "password": "x", "csrf_token": token}
    resp = client.post("/login", data=form, headers={"Accept-Language": "en"})
    assert resp.status_code == 400
    assert "NUL character" in resp.get_data(as_text=True)


def test_a_nameless_form_field_beside_a_csrf_header_is_a_4xx_not_a_server_error(client, session):
    """A part whose quoted name ends in a backslash parses to no name (None); with the CSRF
    token in the header, the NUL check is the first to read the fields (found by `make fuzz`)."""
    make_user(session, Role.OFFICER)
    assert sign_in(client, "test-officer").status_code == 302
    body = (
        b'--B\r\nContent-Disposition: form-data; name="a\\"\r\n\r\nx\r\n'
        b'--B\r\nContent-Disposition: form-data; name=""\r\n\r\n-6.3e+209\r\n'
        b'--B\r\nContent-Disposition: form-data; name="photo"; filename="p.zip"\r\n\r\nPK\x03\x04'
        b"\r\n--B--\r\n"
    )
    headers = {"Content-Type": "multipart/form-data; boundary=B", "X-CSRFToken": csrf_token(client)}
    resp = client.post("/api/incidents/59545483/photos", data=body, headers=headers)
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
