"""Languages of the pages (Flask-Babel): Thai first, English; Lao and Khmer on the public pages.

The locale of a request is, in this order: ``?lang=`` if it names a language of the page; the
signed-in account's own choice (``app_user.language``, set by the header's language switch); the
``bw_lang`` cookie the switch sets for anyone (the sign-in page before signing in); the best match
of ``Accept-Language``; else Thai. Staff pages speak Thai and English only; the public report
pages (blueprint ``public``) also Lao and Khmer.

Catalogues: ``webapp/translations/<lang>/LC_MESSAGES/*.po``, one file per area of the app
(``messages.po`` for the public pages, ``review.po`` for triage, ...), are the only files kept in
git. A language's files are merged and compiled in memory when the app starts
(:func:`load_catalogues`, Babel's ``read_po`` and ``write_mo``): nothing compiled is committed or
written to disk, so a fresh checkout needs no extra set-up step and a read-only image works.
Fuzzy entries are left out, as ``pybabel compile`` does. To update an area's catalogue after
changing its strings (``scripts/catalogue.sh`` does these two steps)::

    .venv/bin/pybabel extract -F webapp/babel.cfg -k lazy_gettext -k _l \
        -k lazy_pgettext:1c,2 -k N_ -k t -k tn:1,2 --no-location -o /tmp/review.pot \
        webapp/review webapp/templates/review
    .venv/bin/pybabel update -i /tmp/review.pot -l th -D review --no-fuzzy-matching \
        -d webapp/translations
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from io import BytesIO
from pathlib import Path

from babel.dates import format_date, get_date_format, tokenize_pattern
from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, Response, abort, g, has_request_context, request, session, url_for
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from gis.parsing import THAI_TIME, THAI_ZONE

#: Supported languages, the default first.
LANGUAGES = ("th", "en", "lo", "km")
#: Languages of the staff's pages (the public pages have all of :data:`LANGUAGES`).
STAFF_LANGUAGES = ("th", "en")
DEFAULT_LANGUAGE = LANGUAGES[0]
#: Names of the languages, each in itself (the language switches).
LANGUAGE_NAMES = {"th": "ไทย", "en": "English", "lo": "ລາວ", "km": "ខ្មែរ"}
#: The cookie that keeps the language switch's choice for a browser.
LANGUAGE_COOKIE = "bw_lang"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
#: The blueprints whose pages have all of :data:`LANGUAGES`.
PUBLIC_BLUEPRINTS = frozenset({"public"})


def page_languages() -> tuple[str, ...]:
    """The languages the current page is written in."""
    return LANGUAGES if request.blueprint in PUBLIC_BLUEPRINTS else STAFF_LANGUAGES


def account_language() -> str | None:
    """The signed-in account's chosen language, if any. The account is loaded here when the
    request has a session and has not loaded it yet; a database that does not answer leaves the
    choice to the browser (an error page must not fail for its language)."""
    account = g.get("_login_user")
    if account is None and "_user_id" in session:
        try:
            account = current_user._get_current_object()
        except SQLAlchemyError:
            return None
    return getattr(account, "language", None)


def select_locale() -> str:
    """``?lang=``, the account's choice, the ``bw_lang`` cookie, ``Accept-Language``, Thai."""
    offered = page_languages()
    asked = request.args.get("lang", "")
    if asked in offered:
        return asked
    chosen = account_language()
    if chosen in offered:
        return str(chosen)
    kept = request.cookies.get(LANGUAGE_COOKIE, "")
    if kept in offered:
        return kept
    return request.accept_languages.best_match(offered) or DEFAULT_LANGUAGE


def read_catalogues(directory: Path = TRANSLATIONS) -> dict[str, Catalog]:
    """Each language's ``<lang>/LC_MESSAGES/*.po`` under ``directory``, merged into one catalogue
    (files in name order; a message translated in two files keeps the later translation, which
    ``tests/test_catalogues.py`` requires to be the same in every file that has it)."""
    merged: dict[str, Catalog] = {}
    for po in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        language = po.parent.parent.name
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        into = merged.setdefault(language, Catalog(locale=language))
        for message in catalog:
            if not message.id:
                continue
            known = into.get(message.id, message.context)
            if known is not None and not message.string:
                continue
            if known is not None:  # Catalog's __setitem__ would keep the first translation
                into.delete(message.id, message.context)
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


def local_time(value: dt.datetime | None, format: str = "medium") -> str:
    """An instant in Thai time, in the request's language, the same way on every page and in
    static/js/i18n.js (``bw.formatDateTime``): "7 ธ.ค. 2569 14:05" on Thai pages (Buddhist-era
    year), "7 Dec 2026, 14:05" in English. ``format`` is the date's Babel format name; ``date``
    gives the day alone. A naive datetime is taken as UTC; ``None`` reads "–"."""
    if value is None:
        return "–"
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    here = value.astimezone(THAI_TIME)
    locale = get_locale()
    thai = locale is None or locale.language == "th"
    if format == "date":
        return thai_date(here, "medium") if thai else format_date(here, "d MMM y", locale="en")
    day = thai_date(here, format) if thai else format_date(here, "d MMM y", locale="en")
    return f"{day} {here:%H:%M}" if thai else f"{day}, {here:%H:%M}"


def init_app(app: Flask) -> None:
    """The app's language settings (Thai, in Thai time), the ``localdate`` and ``localtime``
    filters and the page's language for templates; before ``babel.init_app``
    (:mod:`webapp.extensions`), which reads the settings."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", THAI_ZONE)
    app.add_template_filter(local_date, "localdate")
    app.add_template_filter(local_time, "localtime")
    app.context_processor(page_language)
    app.add_url_rule("/i18n/<lang>.js", "script_catalogue", script_catalogue)
    app.add_template_global(script_catalogue_url)


# -- the scripts' catalogue -------------------------------------------------------------------

#: The page scripts whose ``bw.t`` / ``bw.tn`` messages go into :func:`script_catalogue`.
SCRIPTS = Path(__file__).resolve().parent / "static" / "js"
#: The scripts' message functions (static/js/i18n.js), as pybabel's keywords.
SCRIPT_KEYWORDS = {"t": None, "tn": (1, 2)}
_script_catalogues: dict[str, tuple[bytes, str]] = {}


def script_messages(folder: Path = SCRIPTS) -> set[str]:
    """The message ids the scripts under ``folder`` use (a plural's singular form)."""
    found: set[str] = set()
    for script in sorted(folder.glob("*.js")):
        with script.open("rb") as source:
            for _, message, _, _ in extract(
                "javascript",
                source,
                keywords=SCRIPT_KEYWORDS,
                options={"parse_template_string": "true"},
            ):
                found.add(message[0] if isinstance(message, tuple) else message)
    return found


def build_script_catalogue(language: str) -> tuple[bytes, str]:
    """``static/js/i18n.js``'s catalogue for ``language`` as a script, and its digest.

    The script sets ``bwCatalogue`` to ``{"language", "messages"}``: each message the scripts
    use, translated (a string, or a plural's forms as a list); untranslated ones are left out
    and read in English.
    """
    cached = _script_catalogues.get(language)
    if cached is not None:
        return cached
    catalog = read_catalogues().get(language)
    messages: dict[str, str | list[str]] = {}
    if catalog is not None:
        for msgid in sorted(script_messages()):
            entry = catalog.get(msgid)
            if entry is None or entry.fuzzy or not entry.string:
                continue
            if isinstance(entry.string, tuple | list):
                if all(entry.string):
                    messages[msgid] = list(entry.string)
            else:
                messages[msgid] = entry.string
    payload = json.dumps({"language": language, "messages": messages}, ensure_ascii=False)
    body = ("window.bwCatalogue = " + payload + ";\n").encode()
    built = (body, hashlib.sha256(body).hexdigest()[:12])
    _script_catalogues[language] = built
    return built


def script_catalogue(lang: str) -> Response:
    """``/i18n/<lang>.js``: the scripts' catalogue (cached for a year when asked for by its
    digest, like the fingerprinted static files)."""
    if lang not in LANGUAGES:
        abort(404)
    body, digest = build_script_catalogue(lang)
    response = Response(body, mimetype="text/javascript")
    if request.args.get("v") == digest:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    return response


def script_catalogue_url() -> str:
    """The URL of the current page's script catalogue, with its digest."""
    language = str(get_locale() or DEFAULT_LANGUAGE)
    return url_for("script_catalogue", lang=language, v=build_script_catalogue(language)[1])


def page_language() -> dict[str, object]:
    """``page_lang`` (``<html lang>``) and ``page_languages`` [(code, own name)] of the page."""
    if not has_request_context():
        return {"page_lang": DEFAULT_LANGUAGE, "page_languages": []}
    return {
        "page_lang": str(get_locale() or DEFAULT_LANGUAGE),
        "page_languages": [(code, LANGUAGE_NAMES[code]) for code in page_languages()],
    }
