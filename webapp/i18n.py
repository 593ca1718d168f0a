"""Languages of the public pages (Flask-Babel): Thai, English, Lao and Khmer.

The locale is ``?lang=`` if it names a supported language, else the best match of the
``Accept-Language`` header, else Thai.

Catalogues: ``webapp/translations/<lang>/LC_MESSAGES/messages.po`` are the only files kept in
git. They are compiled in memory when the app starts (:func:`load_catalogues`, Babel's
``read_po`` and ``write_mo``): nothing compiled is committed or written to disk, so a fresh
checkout needs no extra set-up step and a read-only image works. Fuzzy entries are left out, as
``pybabel compile`` does. To update the catalogues after changing a string::

    .venv/bin/pybabel extract -F webapp/babel.cfg -k lazy_gettext --no-location \
        -o /tmp/messages.pot webapp
    .venv/bin/pybabel update -i /tmp/messages.pot -d webapp/translations
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import Babel, Domain, get_locale

#: Supported languages, the default first.
LANGUAGES = ("th", "en", "lo", "km")
DEFAULT_LANGUAGE = LANGUAGES[0]
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    """``?lang=``, then ``Accept-Language``, then Thai."""
    asked = request.args.get("lang", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT_LANGUAGE


def load_catalogues(directory: Path = TRANSLATIONS) -> dict[str, Translations]:
    """Every ``<lang>/LC_MESSAGES/messages.po`` under ``directory``, compiled in memory."""
    catalogues: dict[str, Translations] = {}
    for po in sorted(directory.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        compiled = BytesIO()
        write_mo(compiled, catalog)  # fuzzy entries left out
        compiled.seek(0)
        catalogues[po.parent.parent.name] = Translations(compiled)
    return catalogues


class CatalogueDomain(Domain):
    """The ``messages`` domain served from catalogues compiled at start-up."""

    def __init__(self, catalogues: dict[str, Translations]) -> None:
        super().__init__()
        self.catalogues = catalogues

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        return self.catalogues.get(str(locale), NullTranslations())


class CatalogueBabel(Babel):
    """Flask-Babel with its domain read from :class:`CatalogueDomain`."""

    def __init__(self, domain: CatalogueDomain) -> None:
        super().__init__()
        self._catalogue_domain = domain

    @property  # type: ignore[override]
    def domain_instance(self) -> Domain:
        return self._catalogue_domain


def init_app(app: Flask) -> None:
    """Bind Flask-Babel (``_()`` in templates, locale-aware date filters) to the app."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Bangkok")
    babel = CatalogueBabel(CatalogueDomain(load_catalogues()))
    babel.init_app(app, locale_selector=select_locale)
