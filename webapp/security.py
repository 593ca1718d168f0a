"""Security headers on every response (flask-talisman), secure cookies, and the proxy in front.

The Content-Security-Policy lets the page run only the app's own scripts: files under
``/static`` and inline ``<script>`` elements that carry the request's nonce
(``{{ csp_nonce() }}`` in templates; folium's map script gets it in
:func:`layers.mapbuild.render_parts`). ``script-src`` has no ``'unsafe-inline'`` and no
``'unsafe-eval'``. Styles may be inline (folium writes the map's size as a ``<style>`` element and
Leaflet positions everything with style attributes); no data ever reaches a style. Images may come
from the configured basemap host; nothing else leaves the app's origin.

Cookies are ``Secure`` unless ``SESSION_COOKIE_SECURE`` is false: plain-HTTP local runs
(``make run`` on 127.0.0.1) turn it off in ``var/local.env``, deployments keep it on.
Behind a reverse proxy, ``PROXY_COUNT`` (the number of proxies that set ``X-Forwarded-*``) makes
the app see the client's address and scheme (Werkzeug's ProxyFix), which the per-IP rate limits
need; with the default 0 the headers are ignored, so that clients cannot forge them. A request
that carries ``X-Forwarded-For`` while ``PROXY_COUNT`` is 0 is logged once as a warning: behind a
proxy, every client then has the proxy's address, and one client's attempts close the
per-address limits (sign-in, the public form) for everyone.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_talisman import Talisman
from werkzeug.middleware.proxy_fix import ProxyFix

#: Referrer sent with requests: our own pages only, so a receipt code in a URL never leaks.
REFERRER_POLICY = "same-origin"
#: ``app.extensions`` key: the untrusted ``X-Forwarded-For`` warning was logged.
FORWARDED_WARNED = "borderwatch.forwarded_warned"

log = logging.getLogger(__name__)


def tile_origin(tile_url: str) -> str | None:
    """The origin (``scheme://host[:port]``) of a basemap URL template, for ``img-src``.

    A ``{s}`` subdomain placeholder becomes a ``*.`` wildcard. An empty or relative URL (tiles
    served by the app itself) needs no entry and gives ``None``.

    >>> tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    """
    parts = urlsplit(tile_url.strip())
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if "{" in host or "}" in host:
        raise ValueError(f"TILE_URL: cannot build a CSP source from the host {host!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str) -> dict[str, str | list[str]]:
    """The CSP directives (the script nonce is added by flask-talisman per request)."""
    images = ["'self'", "data:", "blob:"]
    origin = tile_origin(tile_url)
    if origin:
        images.append(origin)
    return {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "worker-src": "'self'",
        "manifest-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def init_app(app: Flask) -> None:
    """Install the headers, cookie flags and (when configured) ProxyFix on ``app``."""
    secure = bool(app.config["SESSION_COOKIE_SECURE"])
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    # One Talisman per app: its options live on the instance.
    Talisman(
        app,
        force_https=False,  # TLS ends at the proxy; HSTS is sent on HTTPS requests
        frame_options="DENY",
        content_security_policy=content_security_policy(app.config["TILE_URL"]),
        content_security_policy_nonce_in=["script-src"],
        referrer_policy=REFERRER_POLICY,
        permissions_policy={
            "geolocation": "(self)",
            "camera": "()",
            "microphone": "()",
            "browsing-topics": "()",
        },
        session_cookie_secure=secure,
        session_cookie_http_only=True,
        session_cookie_samesite="Lax",
    )
    proxies = int(app.config["PROXY_COUNT"])
    if proxies < 0:
        raise ValueError("PROXY_COUNT must be 0 or more")
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    else:
        app.before_request(warn_of_untrusted_forwarding)


def warn_of_untrusted_forwarding() -> None:
    """Log once per app that requests carry ``X-Forwarded-For`` which ``PROXY_COUNT=0`` ignores.

    Neither the header's value nor the client's address is logged.
    """
    if "X-Forwarded-For" not in request.headers or current_app.extensions.get(FORWARDED_WARNED):
        return
    current_app.extensions[FORWARDED_WARNED] = True
    log.warning(
        "requests carry X-Forwarded-For but PROXY_COUNT is 0, so the header is ignored: behind "
        "a proxy every client has the proxy's address, and one client's attempts use up the "
        "per-address limits (sign-in, public reports) for all. Set PROXY_COUNT to the number of "
        "proxies in front of the app."
    )
