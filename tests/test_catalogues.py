"""Every word people read goes through the catalogues, and every message has its Thai.

1. Every message the code marks (Python ``gettext``/``lazy_gettext``/``N_``, Jinja ``_()``, the
   scripts' ``bw.t``/``bw.tn``) has a Thai translation in the merged catalogue: none empty, none
   fuzzy (a fuzzy entry is left out when the catalogue is compiled, so the page would be English).
2. A scan of the templates and of ``webapp/static/js`` finds no English text shown to people
   outside the catalogues: text between tags and the attributes people read (title, alt,
   placeholder, aria-label, data-confirm, a button's value) in templates, and string literals in
   scripts that are words rather than code (class names, events, URLs).
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po

from webapp.i18n import TRANSLATIONS, read_catalogues

ROOT = Path(__file__).resolve().parent.parent
WEBAPP = ROOT / "webapp"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_pgettext": ((1, "c"), 2),
    "N_": None,
    "t": None,
    "tn": (1, 2),
}
METHODS = [
    ("**/static/vendor/**", "ignore"),
    ("**.py", "python"),
    ("**.html", "jinja2"),
    ("**/static/js/**.js", "javascript"),
]
OPTIONS = {"**/static/js/**.js": {"parse_template_string": "true"}}

#: Words that are names, not English: the same in a Thai text.
NAMES = {
    "API", "OGC", "GeoJSON", "GeoPackage", "CSV", "QGIS", "JSON", "URL", "PNG", "JPEG", "WebP",
    "MB", "KB", "ID", "NTS", "Mekong", "Watch", "MWCC", "LINE", "OpenStreetMap", "Leaflet",
    "Lao", "PDR", "Gi", "DBSCAN", "UTC", "WGS", "EPSG", "km", "QR", "HTTP", "HTTPS", "PDF",
    "borderwatch", "OSM", "HDX", "OCHA", "CC", "BY", "IGO", "ODbL", "GADM", "geoBoundaries",
    "Natural", "Earth", "SQL", "PostGIS", "FlatGeobuf", "KML", "Shapefile", "GeoParquet",
}  # fmt: skip


def marked_messages() -> dict[tuple[str | None, str], str]:
    """(context, message id) -> where, for every message the code marks."""
    found: dict[tuple[str | None, str], str] = {}
    for folder in (WEBAPP, ROOT / "layers", ROOT / "gis"):
        for filename, _, message, _, context in extract_from_dir(
            folder, METHODS, options_map=OPTIONS, keywords=KEYWORDS, comment_tags=()
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            if msgid:
                found.setdefault((context, msgid), f"{folder.name}/{filename}")
    return found


def test_every_marked_message_has_its_thai():
    thai = read_catalogues()["th"]
    missing = []
    for (context, msgid), where in sorted(marked_messages().items(), key=str):
        entry = thai.get(msgid, context=context)
        string = entry.string if entry is not None else None
        if isinstance(string, tuple | list):
            string = string[0] if all(string) else ""
        if entry is None or not string or entry.fuzzy:
            missing.append(f"{where}: {msgid!r}")
    assert not missing, f"{len(missing)} messages without Thai:\n" + "\n".join(missing)


def test_no_catalogue_entry_is_fuzzy_or_empty():
    bad = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy or not all(strings):
                bad.append(f"{po.relative_to(ROOT)}: {message.id!r}")
    assert not bad, "\n".join(bad)


# -- the scan for English outside the catalogues ------------------------------------------------

_JINJA = re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.S)
#: Blocks whose content is a class name for the layout, not text.
_CLASS_BLOCKS = re.compile(r"\{%-?\s*block\s+(\w*class)\s*-?%\}.*?\{%-?\s*endblock\b[^%]*%\}", re.S)
_SKIPPED_ELEMENTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)
_READ_ATTRIBUTES = re.compile(
    r"""\b(?:title|alt|placeholder|aria-label|data-confirm|aria-description)\s*=\s*"([^"]*)\"""",
    re.I,
)
_BUTTON_VALUE = re.compile(r"""<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)\"""", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def english_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text) if w not in NAMES]


def template_english(source: str) -> list[str]:
    """English words people would read in a template (Jinja replaced by a blank)."""
    without_jinja = _JINJA.sub(" ", _CLASS_BLOCKS.sub(" ", source))
    found = []
    for value in _READ_ATTRIBUTES.findall(without_jinja) + _BUTTON_VALUE.findall(without_jinja):
        found += english_words(value)
    text = _TAG.sub(" ", _SKIPPED_ELEMENTS.sub(" ", without_jinja))
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    return found + english_words(text)


def test_a_message_in_two_catalogues_reads_the_same_in_both():
    """The areas' catalogues are merged into one per language: a message (with its context)
    translated differently in two of them would read as whichever file the merge takes. A word
    that means two things ("Report": the button, the document) takes a context instead."""
    seen: dict[tuple[str, str | None, str], dict[str, object]] = {}
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        for message in catalog:
            if not message.id or not message.string:
                continue
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            string = message.string if isinstance(message.string, str) else tuple(message.string)
            seen.setdefault((po.parts[-3], message.context, msgid), {})[po.stem] = string
    conflicts = [f"{key}: {areas}" for key, areas in seen.items() if len(set(areas.values())) > 1]
    assert not conflicts, "translated differently in two catalogues:\n" + "\n".join(conflicts)


def test_the_merged_catalogue_keeps_a_context_apart():
    thai = read_catalogues()["th"]
    assert thai.get("Report", context="button").string == "แจ้งเหตุ"  # the pin drop's button
    assert thai.get("Report").string == "รายงาน"


def test_templates_show_no_english_outside_the_catalogues():
    offenders = {}
    for template in sorted((WEBAPP / "templates").rglob("*.html")):
        words = template_english(template.read_text(encoding="utf-8"))
        if words:
            offenders[str(template.relative_to(ROOT))] = sorted(set(words))[:12]
    assert not offenders, "English in templates outside _():\n" + "\n".join(
        f"{name}: {words}" for name, words in offenders.items()
    )


def js_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string literal of a script; a template literal's ``${...}`` parts
    are left out. Comments and regular expression literals are skipped."""
    found: list[tuple[int, str]] = []
    i, n, line = 0, len(source), 1
    previous = ""  # the last significant character, to tell a regex from a division
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
        if source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
            continue
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            line += source.count("\n", i, end)
            i = end + 2
            continue
        if c in "'\"`":
            j, text, depth = i + 1, [], 0
            while j < n:
                d = source[j]
                if d == "\\":
                    text.append(source[j : j + 2])
                    j += 2
                    continue
                if c == "`" and source.startswith("${", j):
                    depth, j = 1, j + 2
                    while j < n and depth:
                        depth += {"{": 1, "}": -1}.get(source[j], 0)
                        j += 1
                    text.append(" ")
                    continue
                if d == c:
                    break
                text.append(d)
                j += 1
            found.append((line, "".join(text)))
            line += source.count("\n", i, j)
            i, previous = j + 1, c
            continue
        if c == "/" and previous in "(,=:[!&|?{};+-*%<>~^":
            j = i + 1
            in_class = False
            while j < n and (source[j] != "/" or in_class):
                if source[j] == "\\":
                    j += 1
                elif source[j] == "[":
                    in_class = True
                elif source[j] == "]":
                    in_class = False
                j += 1
            i, previous = j + 1, "/"
            continue
        if not c.isspace():
            previous = c
        i += 1
    return found


#: Literals that are words for the machine, not for people: keys, events, formats.
_MACHINE_WORDS = {
    "Enter", "Escape", "Tab", "Backspace", "Delete", "Content-Type", "Accept", "use strict",
    "Feature", "FeatureCollection", "Point", "MultiPoint", "LineString", "MultiLineString",
    "Polygon", "MultiPolygon", "GeometryCollection", "Leaflet", "layeradd layerremove",
}  # fmt: skip
#: A class list or an event list: lowercase tokens joined by - : or _ (at least one of them).
_CODE_TOKENS = re.compile(r"(?:[a-z0-9]+(?:[-:_][a-z0-9]*)*-?\s*)+")


def looks_like_words(text: str) -> bool:
    """A literal people would read: two English words with a space, or one capitalised word."""
    if text in _MACHINE_WORDS or re.search(r"[<>{}=/#]|^\W*$|https?:", text):
        return False
    if _CODE_TOKENS.fullmatch(text.strip()) and re.search(r"[-:_]", text):
        return False
    words = english_words(text)
    if len(words) >= 2 and re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", text):
        return True
    return bool(re.fullmatch(r"[A-Z][a-z]{2,}[.!…:]?", text.strip()))


def test_scripts_show_no_english_outside_the_catalogues():
    offenders = []
    for script in sorted((WEBAPP / "static" / "js").glob("*.js")):
        source = script.read_text(encoding="utf-8")
        with script.open("rb") as handle:
            messages = set()
            for _, message, _, _ in extract(
                "javascript",
                handle,
                keywords={"t": None, "tn": (1, 2)},
                options={"parse_template_string": "true"},
            ):
                messages.update(message if isinstance(message, tuple) else (message,))
        lines = source.splitlines()
        for line, text in js_literals(source):
            if text in messages or "i18n-ignore" in lines[line - 1]:
                continue
            if looks_like_words(text):
                offenders.append(f"{script.name}:{line}: {text!r}")
    assert not offenders, "English in scripts outside bw.t:\n" + "\n".join(offenders)


def test_the_scan_finds_english_where_it_is():
    """The scan itself: it sees English text, attributes and script words, and not code."""
    assert template_english('<p>{{ _("Fine") }}</p><button title="Close it">x</button>') == [
        "Close",
        "it",
    ]
    assert template_english("<h1>Review queue</h1>") == ["Review", "queue"]
    assert template_english("{% block main_class %}bw-main-full{% endblock %}") == []
    assert template_english('<script>const a = "Not shown";</script><p>{{ n }} API</p>') == []
    literals = js_literals('el.textContent = "Send report"; // "not this"\nx = a / 2; y = /"re"/;')
    assert literals == [(1, "Send report")]
    assert looks_like_words("Send report") and looks_like_words("Retry")
    assert not looks_like_words("bw-pd-hint") and not looks_like_words("click")
    assert not looks_like_words("bw-btn bw-btn-quiet") and not looks_like_words("bw:a bw:b")
    assert looks_like_words("send the report")
    assert not looks_like_words("/api/incidents") and not looks_like_words("Escape")
