"""Languages of the public pages (Flask-Babel): Thai, English, Lao and Khmer.

The locale is ``?lang=`` if it names a supported language, else the best match of the
``Accept-Language`` header, else Thai.

Catalogues: ``webapp/translations/<lang>/LC_MESSAGES/*.po``, one file per area of the app
(``messages.po`` for the public pages, ``review.po`` for triage, ...), are the only files kept in
git. A language's files are merged and compiled in memory when the app starts
(:func:`load_catalogues`, Babel's ``read_po`` and ``write_mo``): nothing compiled is committed or
written to disk, so a fresh checkout needs no extra set-up step and a read-only image works.
Fuzzy entries are left out, as ``pybabel compile`` does. To update an area's catalogue after
changing its strings (``scripts/catalogue.sh`` does these two steps)::

    .venv/bin/pybabel extract -F webapp/babel.cfg -k lazy_gettext -k N_ -k t -k tn:1,2 \
        --no-location -o /tmp/review.pot webapp/review webapp/templates/review
    .venv/bin/pybabel update -i /tmp/review.pot -l th -D review --no-fuzzy-matching \
        -d webapp/translations
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, get_date_format, tokenize_pattern
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, request
from flask_babel import Babel, Domain, get_locale

from gis.parsing import THAI_ZONE

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


def read_catalogues(directory: Path = TRANSLATIONS) -> dict[str, Catalog]:
    """Each language's ``<lang>/LC_MESSAGES/*.po`` under ``directory``, merged into one catalogue
    (files in name order; a message translated in two files keeps the later translation)."""
    merged: dict[str, Catalog] = {}
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        into = merged.setdefault(language, Catalog(locale=language))
        for message in catalog:
            if message.id and (message.string or message.id not in into):
                into[message.id] = message
    return merged


def load_catalogues(directory: Path = TRANSLATIONS) -> dict[str, Translations]:
    """Every language of :func:`read_catalogues`, compiled in memory."""
    catalogues: dict[str, Translations] = {}
    for language, catalog in read_catalogues(directory).items():
        compiled = BytesIO()
        write_mo(compiled, catalog)  # fuzzy entries left out
        compiled.seek(0)
        catalogues[language] = Translations(compiled)
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


#: Thai officials read years of the Buddhist era: 2026 CE is 2569 BE.
BUDDHIST_ERA_OFFSET = 543
BUDDHIST_ERA = "พ.ศ."


def thai_date(value: dt.date, format: str = "long") -> str:
    """``value`` as a Thai date with a Buddhist-era year ("29 กุมภาพันธ์ พ.ศ. 2567").

    Babel's Thai locale knows only the Gregorian calendar, so the locale's own pattern is used
    with its year field written as the Buddhist-era year and its era field as "พ.ศ.". The date
    itself is never rebuilt with another year (29 February would not exist in it).

    Args:
        value: a date (a datetime is taken as its date; convert it to Thai time first).
        format: a Babel date format name (``short``, ``medium``, ``long``, ``full``).
    """
    if isinstance(value, dt.datetime):
        value = value.date()
    year = value.year + BUDDHIST_ERA_OFFSET
    parts = []
    for kind, token in tokenize_pattern(get_date_format(format, locale="th").pattern):
        if kind == "chars":
            parts.append(str(token))
            continue
        char, count = token
        if char == "y":
            parts.append(f"{year % 100:02d}" if count == 2 else str(year))
        elif char == "G":
            parts.append(BUDDHIST_ERA)
        else:  # each other field formatted on its own by Babel
            parts.append(format_date(value, char * count, locale="th"))
    return "".join(parts)


def local_date(value: dt.date, format: str = "long") -> str:
    """A date in the request's language: Buddhist-era years in Thai, Babel's format otherwise."""
    locale = get_locale()
    if locale is not None and locale.language == "th":
        return thai_date(value, format)
    return format_date(value, format, locale=locale)


def init_app(app: Flask) -> None:
    """The app's language settings (Thai, in Thai time) and the ``localdate`` filter; before
    ``babel.init_app`` (:mod:`webapp.extensions`), which reads the settings."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", THAI_ZONE)
    app.add_template_filter(local_date, "localdate")
