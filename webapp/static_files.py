"""Static files kept by browsers until they change: fingerprinted URLs, cached for a year.

Every URL the app builds for a static file (``url_for("static", ...)``, and the map's scripts
and stylesheets through :func:`asset_url`) carries ``v``, the first characters of the file's
SHA-256. A request whose ``v`` matches the file as served now is answered with
``Cache-Control: public, max-age=31536000, immutable``: a returning officer's browser loads
Leaflet, its plugins and our scripts from its cache without asking again (asking means a
``304 Not Modified`` one round trip later per file, which on a rural phone link is the slowest
part of opening the map). A changed file gets a new ``v``,
hence a new URL, with the next page. A request without ``v``, or with an outdated one, keeps
Flask's ``no-cache`` (the browser asks again each time), so an old page never pins an old file.
Static files are also read whole before flask-compress sees them (:func:`buffer_static_files`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request, url_for

#: Hex digits of the SHA-256 in ``v``.
FINGERPRINT_CHARS = 12
#: What a browser may do with a fingerprinted file.
IMMUTABLE = "public, max-age=31536000, immutable"

#: (path, size, mtime in ns) -> fingerprint; a file edited in place (debug runs) gets a new one.
_fingerprints: dict[tuple[str, int, int], str] = {}


def fingerprint(app: Flask, filename: str) -> str | None:
    """The fingerprint of ``filename`` under the app's static folder; ``None`` if there is no
    such file (or the name leaves the folder)."""
    folder = app.static_folder
    if folder is None:
        return None
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    if not path.is_relative_to(root):
        return None
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    found = _fingerprints.get(key)
    if found is None:
        found = hashlib.sha256(path.read_bytes()).hexdigest()[:FINGERPRINT_CHARS]
        _fingerprints[key] = found
    return found


def asset_url(path: str) -> str:
    """URL of ``path`` under the static folder, fingerprinted (for :mod:`layers.assets`)."""
    return url_for("static", filename=path)


def add_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
    """``url_defaults`` hook: a static file's URL gets ``v`` (unless the caller gave one)."""
    if endpoint != "static" or "v" in values or "filename" not in values:
        return
    found = fingerprint(current_app, str(values["filename"]))
    if found is not None:
        values["v"] = found


def cache_fingerprinted(response: Response) -> Response:
    """``after_request`` hook: a static file asked for by its current fingerprint may be kept
    for a year."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    asked = request.args.get("v")
    filename = (request.view_args or {}).get("filename")
    if asked and filename and asked == fingerprint(current_app, str(filename)):
        response.headers["Cache-Control"] = IMMUTABLE
    return response


def buffer_static_files(response: Response) -> Response:
    """Read a static file into memory before flask-compress sees the response, or close it when
    no body goes out.

    flask-compress compresses a streamed response (``send_file``) through a generator and never
    closes the file it streams from, leaking a file handle per request (a ResourceWarning). The
    map's static files are small: buffered, they are compressed whole and the file is closed.
    A ``304 Not Modified`` (or a range error) sends no body, but Werkzeug keeps the opened file
    in the response: it is closed here. Registered after flask-compress, so Flask runs it first.
    """
    if request.endpoint != "static" or not response.is_streamed:
        return response
    source = response.response
    if response.status_code == 200:
        response.direct_passthrough = False
        response.set_data(b"".join(response.iter_encoded()))
    close = getattr(source, "close", None)
    if close is not None:
        close()
    return response


def init_app(app: Flask) -> None:
    """Register the hooks; call after flask-compress's ``init_app`` (Flask runs ``after_request``
    hooks in reverse order: these then run before it compresses)."""
    app.url_defaults(add_fingerprint)
    app.after_request(buffer_static_files)
    app.after_request(cache_fingerprinted)


__all__ = ["FINGERPRINT_CHARS", "IMMUTABLE", "asset_url", "fingerprint", "init_app"]
