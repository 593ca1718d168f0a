"""The Flask extensions of the app, created once and bound to each app by ``create_app``.

- ``login_manager`` (flask-login): the signed-in account; its user loader and unauthorised
  handler are in :mod:`webapp.auth.session`.
- ``csrf`` (Flask-WTF): CSRF protection of every POST, PUT, PATCH and DELETE.
- ``babel`` (Flask-Babel): the request's language, with the catalogues of :mod:`webapp.i18n`
  compiled in memory when this module is first imported.
- ``compress`` (flask-compress): gzip and brotli answers.

Two extensions are built by their own ``init_app`` for each app instead, because they keep the
app's options on the extension object, so one object bound to two apps (the test suite builds
many) would serve the second app's options to both: flask-talisman in :mod:`webapp.security`
(the CSP names the app's ``TILE_URL``) and flask-limiter in :mod:`webapp.limits` (storage,
strategy and the limits put on the sign-in and report views).
"""

from __future__ import annotations

from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from webapp.i18n import CatalogueBabel, CatalogueDomain, load_catalogues

login_manager = LoginManager()
login_manager.login_message = None  # no flash: it would outlive the session that sign-in clears
csrf = CSRFProtect()
babel = CatalogueBabel(CatalogueDomain(load_catalogues()))
compress = Compress()
