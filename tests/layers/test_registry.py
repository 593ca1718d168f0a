"""Layer specs are valid data: names, zoom ranges, sources, popups and roles."""

from __future__ import annotations

import inspect

import pytest

from gis.errors import NotFound
from gis.reference import layers as reference
from gis.types import Role
from layers.registry import BORDER_STRETCHES, REFERENCE_LAYERS, get_layer, visible_layers
from layers.spec import LayerSpec, PopupField

#: The properties each reference source promises (its docstring lists them; the API tests check
#: the real answers against this table).
PROPERTIES = {
    "districts": {
        "province", "province_th", "district", "district_th", "target", "target_no",
        "parallel_areas", "border_neighbour",
    },
    "parallel_areas": {"name", "province", "country", "level", "districts"},
    "border": {
        "segment_no", "neighbour", "kind", "demarcation", "district", "province", "length_km",
    },
    "mekong": {"name", "variant", "section", "forms_boundary", "length_km"},
    "checkpoints": {
        "name", "name_th", "kind", "status", "status_note", "counterpart", "precision",
        "approximate", "district", "hours", "days", "crossing_rules",
    },
    "coordination_centres": {
        "name", "name_th", "district", "location_approximate", "precision", "address", "phone",
    },
    "natural_crossings": {
        "name", "risk_level", "district", "is_demo", "season", "crosses", "note", "precision",
    },
}  # fmt: skip


def _spec(**overrides) -> LayerSpec:
    values = {
        "name": "demo_layer",
        "title": "Demo",
        "source": reference.districts,
        "style": {"base": {}, "rules": []},
        "popup_fields": (PopupField("name", "Name"),),
    }
    return LayerSpec(**{**values, **overrides})


def test_registry_has_every_reference_layer_once_in_drawing_order():
    names = [spec.name for spec in REFERENCE_LAYERS]
    assert sorted(names) == sorted(PROPERTIES)
    assert len(set(names)) == len(names)
    family = {"polygon": 0, "line": 1, "point": 2}
    order = [family[spec.geometry] for spec in REFERENCE_LAYERS]
    assert order == sorted(order), "polygons first, points last"


@pytest.mark.parametrize("spec", REFERENCE_LAYERS, ids=lambda s: s.name)
def test_spec_source_popup_and_style_refer_to_real_properties(spec):
    assert spec.source is getattr(reference, spec.name)
    assert inspect.signature(spec.source).parameters.keys() == {"session", "bbox", "zoom"}
    known = PROPERTIES[spec.name]
    assert {field.property for field in spec.popup_fields} <= known
    assert {rule["property"] for rule in spec.style["rules"]} <= known
    assert 0 <= spec.min_zoom <= spec.max_zoom <= 22
    assert spec.title and spec.roles is None  # reference layers are public


def test_spec_rejects_bad_names_zoom_ranges_and_empty_popups():
    with pytest.raises(ValueError, match="name"):
        _spec(name="Bad Name")
    with pytest.raises(ValueError, match="zoom"):
        _spec(min_zoom=12, max_zoom=5)
    with pytest.raises(ValueError, match="zoom"):
        _spec(max_zoom=30)
    with pytest.raises(ValueError, match="popup"):
        _spec(popup_fields=())


def test_spec_is_frozen():
    spec = _spec()
    with pytest.raises(AttributeError):
        spec.title = "changed"  # type: ignore[misc]


def test_roles_restrict_a_layer_and_hide_it_from_the_public():
    restricted = _spec(roles=frozenset({Role.HQ_ANALYST}))
    assert restricted.visible_to(Role.HQ_ANALYST)
    assert not restricted.visible_to(Role.VOLUNTEER)
    assert not restricted.visible_to(None)
    assert _spec().visible_to(None)


def test_get_layer_finds_known_layers_and_raises_not_found_for_others():
    assert get_layer("districts", None).name == "districts"
    with pytest.raises(NotFound) as info:
        get_layer("no_such_layer", None)
    assert info.value.field == "name"
    public = [*REFERENCE_LAYERS, BORDER_STRETCHES]
    assert [s.name for s in visible_layers(None)] == [s.name for s in public]


def test_approximate_checkpoints_say_so_in_their_popup():
    field = next(
        f for f in get_layer("checkpoints", None).popup_fields if f.property == "approximate"
    )
    text = dict(field.values)[True]
    assert "approximate" in text.lower()
    demo = next(
        f for f in get_layer("natural_crossings", None).popup_fields if f.property == "is_demo"
    )
    assert "demo" in dict(demo.values)[True].lower()
