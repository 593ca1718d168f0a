"""What a receipt slip shows beyond the slip's data: the QR code of the public status page,
drawn as inline SVG on the server by segno (no script, nothing for the CSP to allow), and the
receipt code spelled out symbol by symbol for the telephone, in the page's language."""

from __future__ import annotations

from dataclasses import dataclass

import segno
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

#: How each symbol of a receipt code (Crockford's base32) is said on the telephone.
SPOKEN = {
    "0": _l("zero"),
    "1": _l("one"),
    "2": _l("two"),
    "3": _l("three"),
    "4": _l("four"),
    "5": _l("five"),
    "6": _l("six"),
    "7": _l("seven"),
    "8": _l("eight"),
    "9": _l("nine"),
    "A": _l("A as in Alfa"),
    "B": _l("B as in Bravo"),
    "C": _l("C as in Charlie"),
    "D": _l("D as in Delta"),
    "E": _l("E as in Echo"),
    "F": _l("F as in Foxtrot"),
    "G": _l("G as in Golf"),
    "H": _l("H as in Hotel"),
    "J": _l("J as in Juliett"),
    "K": _l("K as in Kilo"),
    "M": _l("M as in Mike"),
    "N": _l("N as in November"),
    "P": _l("P as in Papa"),
    "Q": _l("Q as in Quebec"),
    "R": _l("R as in Romeo"),
    "S": _l("S as in Sierra"),
    "T": _l("T as in Tango"),
    "V": _l("V as in Victor"),
    "W": _l("W as in Whiskey"),
    "X": _l("X as in X-ray"),
    "Y": _l("Y as in Yankee"),
    "Z": _l("Z as in Zulu"),
}


@dataclass(frozen=True, slots=True)
class Symbol:
    """One symbol of a code and how it is said."""

    symbol: str
    spoken: str


def spelled(code: str) -> list[list[Symbol]]:
    """The code's groups (``7KQ2M-…``), each a list of its symbols and how they are said."""
    return [[Symbol(s, str(SPOKEN.get(s, s))) for s in group] for group in code.split("-") if group]


def qr_svg(text: str, label: str) -> Markup:
    """``text`` as a QR code (error correction M), inline SVG with ``label`` as its name; sized
    by its ``viewBox`` alone, so that the stylesheet gives it its width on screen and paper."""
    svg = segno.make(text, error="m").svg_inline(
        scale=4, border=4, omitsize=True, title=label, svgclass="bw-qr", lineclass=None
    )
    named = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return Markup(named)  # noqa: S704 # nosec B704 - segno's SVG escapes the title; label escaped
