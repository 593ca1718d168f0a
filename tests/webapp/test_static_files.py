"""Static files (webapp/static_files.py): every URL the pages give carries the file's fingerprint,
a request by the current fingerprint may be kept for a year, anything else is asked again."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask

from gis.types import Role
from tests.webapp.signin import make_user, sign_in
from webapp.static_files import FINGERPRINT_CHARS, IMMUTABLE, fingerprint

STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
#: A script or stylesheet of a page, its file and its fingerprint.
ASSET = re.compile(r'(?:src|href)="/static/([^"?]+)\?v=([0-9a-f]+)"')


def digest(path: str) -> str:
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:FINGERPRINT_CHARS]


@pytest.mark.db
@pytest.mark.parametrize("role", [Role.HQ_ANALYST, None])
def test_every_asset_of_the_map_page_carries_its_files_fingerprint(session, client, role):
    if role is not None:
        sign_in(client, make_user(session, role).username)
    html = client.get("/").get_data(as_text=True)
    assets = ASSET.findall(html)
    names = [name for name, _ in assets]
    assert "vendor/leaflet/leaflet.js" in names and "js/layers.js" in names
    assert "vendor/leaflet/leaflet.css" in names and "css/map.css" in names
    assert all(v == digest(name) for name, v in assets), assets
    # no static file is named without its fingerprint
    assert re.findall(r'(?:src|href)="/static/[^"?]+"', html) == []


@pytest.mark.db
def test_template_pages_fingerprint_their_files_too(client):
    html = client.get("/report").get_data(as_text=True)
    assets = dict(ASSET.findall(html))
    assert assets["vendor/leaflet/leaflet.js"] == digest("vendor/leaflet/leaflet.js")
    assert assets["js/report.js"] == digest("js/report.js")


@pytest.mark.db
def test_a_file_asked_for_by_its_fingerprint_may_be_kept_for_a_year(client):
    resp = client.get(f"/static/js/layers.js?v={digest('js/layers.js')}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == IMMUTABLE
    assert resp.data == (STATIC / "js/layers.js").read_bytes()
    # a conditional request by the same URL keeps the same promise
    again = client.get(
        f"/static/js/layers.js?v={digest('js/layers.js')}",
        headers={"If-None-Match": resp.headers["ETag"]},
    )
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.db
@pytest.mark.parametrize("query", ["", "?v=", "?v=0123456789ab", "?v=../../etc"])
def test_without_the_current_fingerprint_the_browser_asks_again(client, query):
    resp = client.get(f"/static/js/layers.js{query}")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.data == (STATIC / "js/layers.js").read_bytes()


@pytest.mark.db
def test_a_missing_file_is_404_without_a_promise(client):
    resp = client.get("/static/js/no-such-file.js?v=0123456789ab")
    assert resp.status_code == 404 and "immutable" not in resp.headers.get("Cache-Control", "")


def test_a_changed_file_gets_a_new_fingerprint(tmp_path):
    app = Flask("fingerprints", static_folder=str(tmp_path))
    (tmp_path / "app.js").write_text("console.log(1);\n")
    first = fingerprint(app, "app.js")
    (tmp_path / "app.js").write_text("console.log(22);\n")
    second = fingerprint(app, "app.js")
    assert first and second and first != second
    assert second == hashlib.sha256(b"console.log(22);\n").hexdigest()[:FINGERPRINT_CHARS]


def test_names_outside_the_folder_or_missing_have_no_fingerprint(tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "secret.txt").write_text("not served")
    app = Flask("fingerprints", static_folder=str(tmp_path / "static"))
    assert fingerprint(app, "../secret.txt") is None
    assert fingerprint(app, "missing.js") is None
