"""Routes of the field app: ``/manifest.webmanifest``, ``/sw.js``, ``/app``, ``/app/map.js`` and
``/api/session``.

The shell (``/app``) is the map page as the service worker may keep it: no CSRF token, no CSP
nonce and no flash message in it (``g.bw_shell``, read by templates/base.html), its map script a
file of its own (``/app/map.js``: the same map, its element named the same, so that both halves
fit whenever each was fetched). Once online the page asks ``/api/session`` for the account and a
CSRF token (static/js/csrf.js) and says so when it cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, g, jsonify, render_template, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from webapp.incidents.api import REPORTERS
from webapp.map.views import MAP_PANEL, pindrop_config, viewer_map
from webapp.offline import bp
from webapp.vocab import label

#: The name the map's element gets in the shell and its script (folium names it ``map_<id>``).
SHELL_MAP_ID = "bwapp"
#: The worker and the shell are asked for again on every use (the worker checks for updates).
NO_CACHE = "no-cache"
#: The theme colour of the header (static/css/base.css), for the manifest and the browser bar.
THEME_COLOUR = "#0b3d5c"
#: The icons of the home screen (static/icons/, made by scripts/make-icons.py).
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def worker_path() -> Path:
    """Where the generated service worker is (``SERVICE_WORKER_PATH``, by default
    ``static/sw/sw.js``)."""
    configured = current_app.config.get("SERVICE_WORKER_PATH")
    if configured:
        return Path(configured)
    return Path(current_app.static_folder or "static") / "sw" / "sw.js"


@bp.app_context_processor
def offline_globals() -> dict[str, Any]:
    """``offline_pages()`` for templates/base.html: the pages besides the shell that the
    signed-in account's worker keeps (those its role reads), which base.js warms."""

    def offline_pages() -> list[str]:
        if current_user.is_authenticated and current_user.role in REPORTERS:
            return [url_for("incidents.my_reports")]
        return []

    return {"offline_pages": offline_pages}


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the root so that its scope is the whole app; never kept by the
    HTTP cache (the browser compares it byte for byte to find a new version)."""
    path = worker_path()
    try:
        body = path.read_bytes()
    except OSError:
        abort(404, description=gettext("The service worker has not been built (make assets)."))
    resp = Response(body, mimetype="text/javascript")
    resp.headers["Cache-Control"] = NO_CACHE
    return resp


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest in the request's language: "Add to Home screen" opens the shell."""
    locale = get_locale()
    body = {
        "name": gettext("borderwatch – NTS-Mekong Watch border reports"),
        "short_name": gettext("borderwatch"),
        "description": gettext(
            "Report and follow incidents along the Thai–Lao and Thai–Cambodian borders."
        ),
        "lang": locale.language if locale is not None else "th",
        "start_url": url_for("offline.shell"),
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": url_for("static", filename=src), "sizes": sizes, "type": "image/png",
             "purpose": purpose}
            for src, sizes, purpose in ICONS
        ],
    }  # fmt: skip
    resp = jsonify(body)
    resp.mimetype = "application/manifest+json"
    resp.headers["Cache-Control"] = NO_CACHE
    return resp


def shell_map():
    """The viewer's map as the shell draws it: its element named :data:`SHELL_MAP_ID`, no
    nonce."""
    return viewer_map(link_view=True, panel=MAP_PANEL, map_id=SHELL_MAP_ID)


@bp.get("/app")
@login_required
def shell() -> Response:
    """The map page without per-request secrets, which the service worker keeps."""
    g.bw_shell = True
    parts = shell_map()
    html = render_template(
        "map.html",
        map=parts,
        panel=MAP_PANEL,
        pindrop=pindrop_config(),
        map_script_url=url_for("offline.shell_script"),
    )
    return account_copy(Response(html, mimetype="text/html"))


@bp.get("/app/map.js")
@login_required
def shell_script() -> Response:
    """The shell's map script (folium's, which other pages carry inline with their nonce). Its
    inner names change with each rendering; only the map's element is named for the shell."""
    return account_copy(Response(shell_map().script, mimetype="text/javascript"))


def account_copy(resp: Response) -> Response:
    """A part of the shell: kept by this account's service worker only, never by a shared
    cache, and asked for again on every use."""
    resp.headers["Cache-Control"] = f"private, {NO_CACHE}"
    resp.headers["Vary"] = "Cookie, Accept-Language"
    return resp


@bp.get("/api/session")
def session_info() -> Response:
    """Who is signed in and a CSRF token for this session, for pages opened from the service
    worker's cache; 401 when nobody is. Never kept by any cache."""
    if not current_user.is_authenticated:
        resp = jsonify(
            {"error": "unauthorized", "message": gettext("Sign in first."), "field": None}
        )
        resp.status_code = 401
    else:
        resp = jsonify(
            {
                "user": {
                    "id": current_user.id,
                    "username": current_user.username,
                    "display_name": current_user.display_name,
                    "role": current_user.role,
                    "role_label": label(current_user.role),
                },
                "csrf_token": generate_csrf(),
            }
        )
    resp.headers["Cache-Control"] = "no-store"
    return resp
