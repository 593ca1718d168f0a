"""The installable, offline-first field app: the web app manifest, the service worker, the app
shell (the map page without per-request secrets) and the session the shell asks for.

The service worker (``/sw.js``) is generated at set-up by ``scripts/build-sw.js`` with Workbox's
``generateSW`` from the rules of ``static/js/sw-routes.js``; see docs/offline.md.
"""

from flask import Blueprint

bp = Blueprint("offline", __name__)

from webapp.offline import views  # noqa: E402,F401
