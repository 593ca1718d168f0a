"""What a Thai page shows in English: the words people read on it (its text and the attributes
read aloud or shown: title, alt, placeholder, aria-label, data-confirm), tags stripped, outside
the names that are the same in Thai (formats, acronyms, the project's name) and the values a
test puts on the page (user names, codes)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

#: Words that are names, the same on a Thai page.
NAMES = frozenset({
    "NTS", "Mekong", "Watch", "MWCC", "API", "OGC", "GeoJSON", "GeoPackage", "CSV", "QGIS",
    "GIS", "GDAL", "TH", "JSON", "URL", "ID", "PNG", "JPEG", "WebP", "MB", "Features", "English",
    "borderwatch", "Gi", "Lao", "PDR", "Leaflet", "OpenStreetMap", "KML", "Shapefile", "FlatGeobuf",
    "GeoParquet", "Google", "Earth", "Excel", "zip",
})  # fmt: skip
_HIDDEN = re.compile(r"<(script|style|code)\b[^>]*>.*?</\1>|<!--.*?-->", re.S | re.I)
_READ = re.compile(
    r"""\b(?:title|alt|placeholder|aria-label|data-confirm|data-label)\s*=\s*"([^"]*)\"""", re.I
)
_TAG = re.compile(r"<[^>]*>", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def read_text(page: str) -> str:
    """The text people read on ``page`` (an HTML document): text between tags outside scripts,
    styles and code (commands, user names), and the attributes people read."""
    shown = _HIDDEN.sub(" ", page)
    attributes = " ".join(_READ.findall(shown))
    return html.unescape(_TAG.sub(" ", shown) + " " + attributes)


def english_words(page: str, names: Iterable[str] = ()) -> list[str]:
    """The English words of ``page`` (HTML) that are not names (:data:`NAMES` and ``names``)."""
    return english_in(read_text(page), names)


def english_in(text: str, names: Iterable[str] = ()) -> list[str]:
    """The English words of plain ``text`` (what a browser shows) that are not names."""
    allowed = NAMES | set(names)
    return sorted({w for w in _WORD.findall(text) if w not in allowed})
