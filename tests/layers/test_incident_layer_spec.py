"""The incidents layer's definition: signed-in roles only, a viewer's source, filters, clusters."""

from __future__ import annotations

import pytest

from gis.errors import NotFound
from gis.incidents.map_layer import FILTER_PARAMS
from gis.reference import layers as reference
from gis.types import BBox, IncidentCategory, IncidentStatus, Role
from layers.elements import LayerLoader, layer_options
from layers.mapbuild import build_map, render_parts
from layers.registry import (
    INCIDENTS,
    LAYERS,
    PUBLIC_LAYERS,
    REFERENCE_LAYERS,
    get_layer,
    visible_layers,
)
from layers.spec import FilterField, LayerQuery, LayerSpec, PopupField, ViewerSource

#: What a feature of the incidents layer carries (gis.incidents.map_layer.incidents_geojson).
PROPERTIES = {
    "id", "category", "status", "severity", "occurred_at", "district", "district_th", "province",
    "province_th", "description", "description_truncated",
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


def test_the_public_neither_lists_nor_gets_the_incidents_layer():
    assert INCIDENTS not in visible_layers(None)
    assert visible_layers(None) == PUBLIC_LAYERS
    with pytest.raises(NotFound):
        get_layer("incidents", None)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_signed_in_role_has_the_incidents_layer_on_top(role):
    assert visible_layers(role)[-1] is INCIDENTS
    assert get_layer("incidents", role) is INCIDENTS
    assert LAYERS[-1] is INCIDENTS


def test_the_incidents_spec_refers_to_real_properties_and_filters():
    assert isinstance(INCIDENTS.source, ViewerSource)
    assert INCIDENTS.cluster and INCIDENTS.geometry == "point"
    assert {f.property for f in INCIDENTS.popup_fields} <= PROPERTIES
    assert {f.thai_property for f in INCIDENTS.popup_fields} - {None} <= PROPERTIES
    assert {rule["property"] for rule in INCIDENTS.style["rules"]} == {"status"}
    assert {rule["equals"] for rule in INCIDENTS.style["rules"]} == {
        s.value for s in IncidentStatus
    }
    assert tuple(f.param for f in INCIDENTS.filters) == FILTER_PARAMS
    assert INCIDENTS.params == ("bbox", "zoom", *FILTER_PARAMS)
    offered = {f.param: f.to_options()["choices"] for f in INCIDENTS.filters}
    choices = {param: {c[0] for c in pairs} for param, pairs in offered.items()}
    assert choices["category"] == {c.value for c in IncidentCategory}
    assert choices["status"] == {s.value for s in IncidentStatus}
    assert all(not offered[field.param] for field in INCIDENTS.filters if field.kind == "date")


def test_the_incidents_source_refuses_a_request_without_viewer():
    with pytest.raises(NotFound):
        INCIDENTS.fetch(None, LayerQuery(None, None, None, {}))  # type: ignore[arg-type]


def test_fetch_calls_either_kind_of_source_with_what_it_takes():
    calls: list[tuple] = []
    plain = _spec(source=lambda s, bbox, zoom: calls.append(("plain", bbox, zoom)) or "{}")
    viewer = _spec(
        source=ViewerSource(lambda s, q: calls.append(("viewer", q)) or "[]"),
        roles=frozenset({Role.OFFICER}),
        filters=(FilterField("kind", "Kind", "choice", (("a", "A"),)),),
    )
    box = BBox(1, 2, 3, 4)
    query = LayerQuery(box, 7, None, {"kind": "a"})
    assert plain.fetch(None, query) == "{}"  # type: ignore[arg-type]
    assert viewer.fetch(None, query) == "[]"  # type: ignore[arg-type]
    assert calls == [("plain", box, 7), ("viewer", query)]
    assert plain.params == ("bbox", "zoom") and viewer.params == ("bbox", "zoom", "kind")


def test_spec_rejects_filters_clusters_and_public_viewer_layers_where_they_do_not_fit():
    viewer_source = ViewerSource(lambda s, q: "")
    field = FilterField("kind", "Kind", "date")
    with pytest.raises(ValueError, match="ViewerSource"):
        _spec(filters=(field,))
    with pytest.raises(ValueError, match="cluster"):
        _spec(cluster=True, geometry="polygon")
    with pytest.raises(ValueError, match="roles"):
        _spec(source=viewer_source)
    with pytest.raises(ValueError, match="bbox"):
        _spec(
            source=viewer_source,
            roles=frozenset({Role.OFFICER}),
            filters=(FilterField("bbox", "Box", "date"),),
        )


def test_layer_options_hand_the_browser_clusters_and_filter_fields():
    options = layer_options(INCIDENTS, "/api/layers")
    assert options["url"] == "/api/layers/incidents"
    assert options["cluster"] is True
    assert [f["param"] for f in options["filters"]] == list(FILTER_PARAMS)
    assert options["filters"][0]["choices"][0] == ["drug_trafficking", "drug trafficking"]
    assert layer_options(REFERENCE_LAYERS[0], "/api/layers")["filters"] == []


def test_cluster_assets_are_local_and_only_on_maps_with_a_clustered_layer():
    with_incidents = LayerLoader(LAYERS, static_url="/static")
    js = dict(with_incidents.default_js)
    css = dict(with_incidents.default_css)
    assert js["markerclusterjs"] == "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"
    assert list(js) == ["markerclusterjs", "borderwatch_layers"]  # the plugin before our script
    assert {"markerclustercss", "markerclusterdefaultcss"} <= set(css)
    public = LayerLoader(REFERENCE_LAYERS, static_url="/static")
    assert "markerclusterjs" not in dict(public.default_js)


def test_the_signed_in_map_page_references_no_other_host():
    m = build_map(LAYERS, tile_url="", tile_attribution="", max_zoom=18)
    parts = render_parts(m)
    page = parts.header + parts.html + parts.script
    assert "leaflet.markercluster.js" in page
    assert "http://" not in page and "https://" not in page and "//cdn" not in page


def test_a_place_is_named_in_thai_on_a_thai_page():
    from layers.spec import Words

    fields = {f.property: f for f in INCIDENTS.popup_fields}
    thai = fields["district"].to_options(Words(thai=True))
    assert (thai["property"], thai["fallback"]) == ("district_th", "district")
    english = fields["province"].to_options(Words())
    assert (english["property"], english["fallback"]) == ("province", None)
    assert fields["category"].to_options(Words(thai=True))["fallback"] is None
