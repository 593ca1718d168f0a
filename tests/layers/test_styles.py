"""Style rules: targets highlighted, border by kind, approximate and demo features distinct."""

from __future__ import annotations

import re

import pytest

from layers import styles
from layers.registry import REFERENCE_LAYERS

HEX = re.compile(r"^#[0-9a-f]{6}$")


def test_target_districts_are_highlighted():
    style = styles.districts()
    target = styles.resolve(style, {"target": True})
    other = styles.resolve(style, {"target": False})
    assert target["fillColor"] == styles.TARGET != other["fillColor"]
    assert target["fillOpacity"] > other["fillOpacity"]
    assert target["weight"] > other["weight"]


def test_border_is_styled_by_kind():
    style = styles.border()
    river = styles.resolve(style, {"kind": "mekong_river", "demarcation": "unknown"})
    land = styles.resolve(style, {"kind": "land_or_other_river", "demarcation": "unknown"})
    unmarked = styles.resolve(style, {"kind": "land_or_other_river", "demarcation": "unmarked"})
    assert river["color"] == styles.BORDER_MEKONG and land["color"] == styles.BORDER_LAND
    assert "dashArray" not in land and unmarked["dashArray"]


def test_approximate_checkpoints_are_drawn_differently_from_exact_ones():
    style = styles.checkpoints()
    kind = "permanent_crossing"
    approximate = styles.resolve(style, {"kind": kind, "approximate": True})
    exact = styles.resolve(style, {"kind": kind, "approximate": False})
    assert approximate["fillColor"] == exact["fillColor"] == styles.CHECKPOINT[kind]
    assert approximate.get("dashArray") and not exact.get("dashArray")
    assert approximate["fillOpacity"] < exact["fillOpacity"]


def test_checkpoint_kinds_have_distinct_colours():
    style = styles.checkpoints()
    colours = {
        styles.resolve(style, {"kind": kind.value, "approximate": False})["fillColor"]
        for kind in styles.CHECKPOINT
    }
    assert len(colours) == len(styles.CHECKPOINT) == 4


def test_demo_crossings_are_marked():
    style = styles.natural_crossings()
    demo = styles.resolve(style, {"risk_level": "high", "is_demo": True})
    real = styles.resolve(style, {"risk_level": "high", "is_demo": False})
    assert demo.get("dashArray") and not real.get("dashArray")
    labels = [r.get("label", "") for r in style["rules"]]
    assert any("DEMO" in label for label in labels)


def test_resolve_compares_like_javascript_strict_equality():
    style = {
        "base": {"color": "#000000"},
        "rules": [styles.rule("flag", True, {"color": "#ffffff"})],
    }
    assert styles.resolve(style, {"flag": True})["color"] == "#ffffff"
    assert styles.resolve(style, {"flag": 1})["color"] == "#000000"
    assert styles.resolve(style, {})["color"] == "#000000"


def test_later_rules_win():
    style = {
        "base": {"weight": 1},
        "rules": [styles.rule("a", 1, {"weight": 2}), styles.rule("b", 1, {"weight": 3})],
    }
    assert styles.resolve(style, {"a": 1, "b": 1})["weight"] == 3


@pytest.mark.parametrize("spec", REFERENCE_LAYERS, ids=lambda s: s.name)
def test_styles_are_plain_leaflet_options_with_valid_colours(spec):
    allowed = {"color", "weight", "opacity", "fillColor", "fillOpacity", "dashArray", "radius"}
    options = [spec.style["base"], *(rule["style"] for rule in spec.style["rules"])]
    for option in options:
        assert set(option) <= allowed
        for key in ("color", "fillColor"):
            if key in option:
                assert HEX.match(option[key]), option[key]
    labels = [spec.style.get("label")] + [r.get("label") for r in spec.style["rules"]]
    labels = [label for label in labels if label]
    assert labels, "every layer has at least one legend entry"
    assert len(labels) == len(set(labels))
