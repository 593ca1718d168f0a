"""Our own folium elements, in the folium plugin shape (one Jinja macro, an options dict, assets).

The JavaScript lives in ``webapp/static/js/layers.js``; the element only hands it the options.
folium's ``tojavascript`` filter writes the options as JSON with ``<``, ``>``, ``&`` and ``'``
escaped, so no text in them can close the page's ``<script>`` element.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from folium.elements import JSCSSMixin
from folium.template import Template

from layers import assets
from layers.spec import ENGLISH, LayerSpec, Words


def layer_options(spec: LayerSpec, api_url: str, words: Words = ENGLISH) -> dict[str, Any]:
    """What the browser needs to know about one layer (never its data).

    Args:
        spec: the layer.
        api_url: URL of the layer API (``/api/layers``); the layer loads from
            ``<api_url>/<name>``.
        words: the page's language: title, legend, popup and filter texts and vocabulary
            labels are handed over in it.

    Returns:
        Plain, JSON-serialisable options.
    """
    return {
        "name": spec.name,
        "title": words.text(spec.title),
        "url": f"{api_url.rstrip('/')}/{spec.name}",
        "geometry": spec.geometry,
        "loading": spec.loading,
        "min_zoom": spec.min_zoom,
        "max_zoom": spec.max_zoom,
        "show": spec.show,
        "style": words.style(spec.style),
        "popup_fields": [field.to_options(words) for field in spec.popup_fields],
        "cluster": spec.cluster,
        "filters": [field.to_options(words) for field in spec.filters],
    }


class LayerLoader(JSCSSMixin):
    """Loads our layers from the layer API as the map moves; adds the layer list and the legend.

    Layers with ``loading="bbox"`` are fetched again for the visible box (padded a little) after
    each pan or zoom that leaves the box already loaded, with ``bbox`` and ``zoom`` parameters so
    that the server simplifies for the screen; ``loading="once"`` layers are fetched whole the
    first time they are shown. Popups are built from the features' properties as DOM text.
    Layers with ``cluster`` are drawn in a Leaflet.markercluster group (its assets are added to
    the page only then); layers with ``filters`` get a filter form that reloads them. The layer
    list and the legend are two panels, each opened by its button on the map.

    Args:
        specs: the layers, bottom first.
        api_url: URL of the layer API.
        about_url: URL of the "about / data sources" page, linked from the map's attribution.
        static_url: URL prefix of the app's static folder, or a function from a path under
            it to the file's URL (:data:`layers.assets.StaticUrl`).
        bounds: ``[[south, west], [north, east]]`` to show when the map opens, fitted without
            animation before the first load (folium's ``fit_bounds`` animates from the initial
            view, and the layers would load twice).
        link_view: open at the view named by the address's ``#map=zoom/lat/lon`` when there is
            one (instead of ``bounds``), and keep it up to date as the map moves.
        words: the page's language for the layers' texts (:class:`layers.spec.Words`).
        panel: ``id`` of the page's element beside the map that holds the layer list and the
            legend; ``None``: they open over the map.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            borderwatch.addLayers({{ this._parent.get_name() }}, {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    default_js = assets.scripts(["borderwatch_layers"])
    default_css = assets.stylesheets(["borderwatch_map_css"])

    def __init__(
        self,
        specs: Sequence[LayerSpec],
        *,
        api_url: str = "/api/layers",
        about_url: str = "/about",
        static_url: assets.StaticUrl = "/static",
        bounds: list[list[float]] | None = None,
        link_view: bool = False,
        words: Words = ENGLISH,
        panel: str | None = None,
    ) -> None:
        super().__init__()
        self._name = "LayerLoader"
        if any(spec.cluster for spec in specs):
            # Leaflet.markercluster, only on maps with a clustered layer (before our script)
            self.default_js = [*assets.scripts(["markerclusterjs"]), *self.default_js]
            self.default_css = [
                *assets.stylesheets(["markerclustercss", "markerclusterdefaultcss"]),
                *self.default_css,
            ]
        assets.localise(self, static_url)
        self.options = {
            "about_url": about_url,
            "bounds": bounds,
            "link_view": link_view,
            "panel": panel,
            "layers": [layer_options(spec, api_url, words) for spec in specs],
        }
