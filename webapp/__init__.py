"""borderwatch web application: the Flask app factory."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask

from webapp import config, db, errors, i18n, limits, nav, security, static_files, vocab
from webapp.extensions import babel, compress, csrf, login_manager


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app.

    Configuration comes from ``webapp.config.DEFAULTS``, then the environment (``DATABASE_URL``,
    ``SECRET_KEY``, ``TILE_URL``, … and any ``BORDERWATCH_*`` variable), then ``test_config``.
    Outside tests the app refuses to start without ``DATABASE_URL`` and ``SECRET_KEY``.
    """
    app = Flask(__name__)
    app.config.update(config.DEFAULTS)
    if test_config is None or not test_config.get("TESTING"):
        config.load_local_env()
    app.config.update(config.from_environment())
    app.config.from_prefixed_env("BORDERWATCH")
    if test_config:
        app.config.update(test_config)
    missing = [k for k in ("DATABASE_URL", "SECRET_KEY") if not app.config.get(k)]
    if missing and not app.testing:
        raise RuntimeError(
            f"borderwatch needs {' and '.join(missing)} in the environment "
            "(for local runs `make up` writes them to var/local.env)"
        )
    if not app.config.get("SECRET_KEY"):  # tests only: a fresh random key
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    security.init_app(app)  # CSP and other headers (flask-talisman), cookie flags, ProxyFix
    db.init_app(app)
    errors.init_app(app)
    compress.init_app(app)
    # after flask-compress: static files buffered before it compresses them; fingerprinted
    # URLs, kept for a year
    static_files.init_app(app)

    from webapp import auth, line, public
    from webapp.admin import bp as admin_bp
    from webapp.apidoc import bp as openapi_bp
    from webapp.cooperation import bp as cooperation_bp
    from webapp.dashboard import bp as dashboard_bp
    from webapp.desk import bp as desk_bp
    from webapp.export import bp as export_bp
    from webapp.export.ogcapi import without_trailing_slash
    from webapp.health import bp as health_bp
    from webapp.help import bp as help_bp
    from webapp.hotspots import bp as hotspots_bp
    from webapp.incidents import bp as incidents_bp
    from webapp.map import bp as map_bp
    from webapp.notify import bp as notify_bp
    from webapp.offline import bp as offline_bp
    from webapp.patrols import bp as patrols_bp
    from webapp.reference import bp as reference_bp
    from webapp.review import bp as review_bp

    auth.init_app(app)  # the CSRF settings and the form check before the CSRF check, /login
    login_manager.init_app(app)  # the signed-in account (webapp.auth.session)
    csrf.init_app(app)  # CSRF protection for every state-changing request
    i18n.init_app(app)  # Thai by default, in Thai time; date filters, the scripts' catalogue
    vocab.init_app(app)  # the label filter: vocabularies in the request's language
    nav.init_app(app)  # the header's pages for each role
    babel.init_app(app, locale_selector=i18n.select_locale)  # languages (Flask-Babel)
    public.init_app(app)  # the public report, /report
    line.init_app(app)  # the LINE official account's webhook, /line/webhook
    app.register_blueprint(admin_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(incidents_bp)
    app.register_blueprint(map_bp)
    app.register_blueprint(offline_bp)  # manifest, service worker, the offline shell
    app.register_blueprint(review_bp)
    app.register_blueprint(desk_bp)  # the MWCC desk and the hotline, /desk
    app.register_blueprint(hotspots_bp)
    app.register_blueprint(patrols_bp)
    app.register_blueprint(cooperation_bp)
    app.register_blueprint(dashboard_bp)  # the statistics dashboard, /dashboard
    app.register_blueprint(export_bp)
    app.wsgi_app = without_trailing_slash(app.wsgi_app)  # type: ignore[method-assign]
    app.register_blueprint(openapi_bp)
    app.register_blueprint(help_bp)  # the role guides of docs/guide/, /help
    app.register_blueprint(notify_bp)  # the bell, notification settings, deliveries
    app.register_blueprint(reference_bp)  # reference editing: proposals, review, history
    # rate limits (sign-in, public reports, photo uploads) on the views registered above,
    # counters shared by all workers
    limits.init_app(app)

    from webapp.cli import register

    register(app)
    return app
