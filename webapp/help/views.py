"""The help pages: a guide of ``docs/guide/<lang>/`` rendered in the shared layout."""

from __future__ import annotations

from flask import abort, render_template, send_file, url_for
from flask_babel import get_locale

from webapp.help import bp, guide

#: The guides' language when the reader's has none.
FALLBACK = "en"


def _page_url(name: str) -> str:
    return url_for("help.index") if name == guide.INDEX else url_for("help.page", name=name)


def _screenshot_url(name: str) -> str | None:
    if guide.screenshot_file(name) is None:
        return None
    return url_for("help.screenshot", name=name)


def _language() -> str:
    locale = str(get_locale() or "")
    return locale if locale in guide.guide_languages() else FALLBACK


def _show(name: str):
    found = guide.read_guide(_language(), name, _page_url, _screenshot_url)
    if found is None:
        abort(404)
    return render_template("help/page.html", guide=found, index=name == guide.INDEX)


@bp.get("/help")
def index():
    return _show(guide.INDEX)


@bp.get("/help/<name>")
def page(name: str):
    if name == guide.INDEX:
        abort(404)  # the list of guides is /help
    return _show(name)


@bp.get("/help/screenshots/<name>.png")
def screenshot(name: str):
    path = guide.screenshot_file(name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/png", max_age=3600)
