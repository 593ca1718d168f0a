"""The layer script writes data as text: popups, legend and layer control escape everything.

``tests/browser/test_popups.py`` proves it in Chromium with hostile properties; these checks
keep the script free of the APIs that would turn data into markup.
"""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "webapp" / "static" / "js" / "layers.js"


def source() -> str:
    text = SCRIPT.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments
    return re.sub(r"//[^\n]*", "", text)


def test_script_never_writes_markup_from_strings():
    js = source()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "bindTooltip", "setContent("):  # fmt: skip
        assert sink not in js, sink
    assert "textContent" in js


def test_popups_are_built_as_dom_nodes():
    js = source()
    calls = re.findall(r"bindPopup\(([^)]*)", js)
    assert calls and all(call.strip().startswith("function") for call in calls)


def test_layer_names_are_text_and_the_attribution_is_escaped():
    js = source()
    # The layer list is our own DOM (Leaflet's layer control writes names as HTML): not used.
    assert "L.control.layers" not in js
    assert 'el("span", "bw-layer-title", spec.title)' in js
    # The attribution is the one HTML string: its URL and its words are escaped.
    assert "escapeHtml(options.aboutUrl)" in js
    assert 'escapeHtml(w.t("Data sources"))' in js
    escapes = dict(re.findall(r'"(.)": "(&[#\w]+;)"', js))
    assert {"&", "<", ">", '"', "'", "`"} <= set(escapes) | {'"'}
