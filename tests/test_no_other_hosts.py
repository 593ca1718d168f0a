"""No template or static file makes the browser fetch from a host other than the app's own
(and the configured basemap, which comes from the configuration, not from a file): the service
works without the internet, and a page cannot leak who reads what to a third party.

Checked on the source files: every template, the app's own scripts and styles, and the styles
of the vendored libraries (``url(…)`` in CSS loads what it names). XML namespace names
(``http://www.w3.org/2000/svg``) identify, they are not fetched, and are allowed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "webapp" / "templates"
STATIC = ROOT / "webapp" / "static"
VENDOR = STATIC / "vendor"

#: A URL with a host: scheme-qualified or protocol-relative (``//host/…``).
URL = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*:)?//([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?""", re.I)
#: Names, not addresses: XML namespaces.
NAMESPACES = {"www.w3.org"}
#: CSS ``url(…)`` and ``@import``.
CSS_LOAD = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""", re.I)


def own_files() -> list[Path]:
    files = sorted(TEMPLATES.rglob("*.html"))
    files += sorted(
        p for p in STATIC.rglob("*") if p.suffix in {".js", ".css"} and VENDOR not in p.parents
    )
    return files


def hosts_in(text: str) -> set[str]:
    return {m.group(1).lower() for m in URL.finditer(text)} - NAMESPACES


def test_the_checked_files_are_there():
    files = own_files()
    assert any(p.suffix == ".html" for p in files)
    assert any(p.suffix == ".js" for p in files)
    assert any(p.suffix == ".css" for p in files)


@pytest.mark.parametrize("path", own_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_or_static_file_names_another_host(path: Path):
    assert hosts_in(path.read_text(encoding="utf-8")) == set()


def test_the_vendored_styles_load_nothing_from_another_host():
    styles = sorted(VENDOR.rglob("*.css"))
    assert styles, "the vendored assets are missing: run `make assets`"
    loads = {
        (p.relative_to(VENDOR).as_posix(), m.group(1) or m.group(2))
        for p in styles
        for m in CSS_LOAD.finditer(p.read_text(encoding="utf-8"))
    }
    assert loads  # Leaflet's images
    remote = {(p, u) for p, u in loads if URL.match(u.strip())}
    assert remote == set()


def test_the_check_finds_hosts():
    assert hosts_in('<script src="https://unpkg.com/leaflet.js"></script>') == {"unpkg.com"}
    assert hosts_in("<link href='//cdn.example.org/x.css'>") == {"cdn.example.org"}
    assert hosts_in("fetch(`http://10.0.0.5:8080/api`)") == {"10.0.0.5"}
    assert hosts_in("a{background:url(http://tiles.example.com/a.png)}") == {"tiles.example.com"}
    assert hosts_in('createElementNS("http://www.w3.org/2000/svg", "svg")') == set()
    assert URL.match("https://evil.example/x.png")
