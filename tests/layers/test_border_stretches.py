"""The flagged border stretches' spec and style: public, drawn by demarcation, legend entries."""

from __future__ import annotations

from gis.types import Demarcation, Role
from layers import styles
from layers.registry import BORDER_STRETCHES, get_layer, visible_layers
from layers.spec import ViewerSource


def test_every_role_and_the_public_see_the_stretches():
    assert get_layer("border_stretches", None) is BORDER_STRETCHES
    for role in (None, *Role):
        assert BORDER_STRETCHES in visible_layers(role)
    assert isinstance(BORDER_STRETCHES.source, ViewerSource) and BORDER_STRETCHES.source.public


def test_stretches_are_drawn_after_the_border_under_the_incidents():
    names = [spec.name for spec in visible_layers(Role.OFFICER)]
    assert names.index("border") < names.index("border_stretches") < names.index("incidents")


def test_unmarked_stretches_are_dashed_orange_and_differ_from_the_border_and_each_other():
    style = styles.border_stretches()
    drawn = {d: styles.resolve(style, {"demarcation": d.value}) for d in Demarcation}
    unmarked = drawn[Demarcation.UNMARKED]
    assert unmarked["color"] == styles.STRETCH_UNMARKED and unmarked["dashArray"]
    assert unmarked["color"] not in (styles.BORDER_LAND, styles.BORDER_MEKONG)
    assert unmarked["weight"] > styles.border()["base"]["weight"]
    looks = {(o["color"], o.get("dashArray")) for o in drawn.values()}
    assert len(looks) == len(Demarcation)
    labels = [r["label"] for r in style["rules"]]
    assert len(labels) == len(set(labels)) == len(Demarcation)


def test_the_popup_names_demarcation_source_district_and_day():
    fields = {f.property: f for f in BORDER_STRETCHES.popup_fields}
    assert BORDER_STRETCHES.popup_fields[0].property == "demarcation"
    assert fields["demarcation"].vocabulary is Demarcation
    assert {"source", "district", "changed_on"} <= set(fields)
    assert fields["district"].thai_property == "district_th"
