"""The folium map shell of the map page: basemap, controls, and the layer loader.

No feature is embedded: :class:`layers.elements.LayerLoader` fetches the layers from the layer
API in the browser. Every script and stylesheet is the app's own copy (:mod:`layers.assets`);
folium's jQuery, Bootstrap and Font Awesome are not loaded at all. This is the one place where
(lon, lat) becomes folium's [lat, lon].
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import Figure

from gis.types import BBox
from layers import assets
from layers.elements import LayerLoader
from layers.spec import ENGLISH, LayerSpec, Words

#: What the map shows when it opens: the districts of the border provinces and the parallel
#: areas across the border (lon/lat, EPSG:4326).
WATCH_AREA = BBox(99.2, 10.8, 107.2, 20.9)

#: folium's viewport tag, which forbids zooming the page (people with low vision need it).
_FIXED_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*user-scalable=no[^>]*>')
#: The page may be zoomed.
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


@dataclass(frozen=True, slots=True)
class MapParts:
    """The pieces of a rendered map that a page template places (folium's Flask recipe).

    Attributes:
        header: links, styles and meta tags for ``<head>``.
        html: the map's ``<div>``.
        script: the JavaScript that builds the map, for a ``<script>`` at the end of ``<body>``.
    """

    header: str
    html: str
    script: str


def latlon_bounds(bbox: BBox) -> list[list[float]]:
    """A lon/lat box as Leaflet bounds: ``[[south, west], [north, east]]``.

    Args:
        bbox: box in EPSG:4326 (lon, lat) order.

    Returns:
        The corners in [lat, lon] order.
    """
    return [[bbox.miny, bbox.minx], [bbox.maxy, bbox.maxx]]


def build_map(
    specs: Sequence[LayerSpec],
    *,
    tile_url: str,
    tile_attribution: str,
    max_zoom: int,
    api_url: str = "/api/layers",
    about_url: str = "/about",
    static_url: assets.StaticUrl = "/static",
    extent: BBox = WATCH_AREA,
    link_view: bool = False,
    words: Words = ENGLISH,
    panel: str | None = None,
) -> folium.Map:
    """The map shell: basemap (if any), scale bar, the layers' loader, control and legend.

    Args:
        specs: the layers the viewer may see, bottom first.
        tile_url: basemap URL template (``{z}/{x}/{y}``); empty for no basemap.
        tile_attribution: the basemap's attribution (HTML, from configuration).
        max_zoom: highest zoom level of the map.
        api_url: URL of the layer API.
        about_url: URL of the "about / data sources" page.
        static_url: URL prefix of the app's static folder, or a function from a path under
            it to the file's URL (:data:`layers.assets.StaticUrl`).
        extent: area shown when the map opens.
        link_view: the page's address names the view (``#map=zoom/lat/lon``): opened at, and
            kept up to date.
        words: the page's language for the layers' texts (:class:`layers.spec.Words`).
        panel: ``id`` of the page's element beside the map for the layer list and the legend
            (``None``: over the map).

    Returns:
        The folium map, ready for :func:`render_parts`.
    """
    bounds = latlon_bounds(extent)
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = folium.Map(
        location=centre,
        zoom_start=6,
        tiles=None,
        control_scale=True,
        position="absolute",
        zoom_snap=0.5,
        font_size="0.875rem",
    )
    # Only Leaflet itself: folium's jQuery, Bootstrap and icon fonts are not used here.
    m.default_js = assets.scripts(["leaflet"], static_url)
    m.default_css = assets.stylesheets(["leaflet_css"], static_url)
    # Without the map's own maxZoom, layers without a zoom range (e.g. clusters) misbehave.
    m.options["max_zoom"] = max_zoom
    if tile_url:
        folium.TileLayer(
            tiles=tile_url,
            attr=tile_attribution,
            max_zoom=max_zoom,
            name="Basemap",
            control=False,
        ).add_to(m)
    LayerLoader(
        specs,
        api_url=api_url,
        about_url=about_url,
        static_url=static_url,
        bounds=bounds,
        link_view=link_view,
        words=words,
        panel=panel,
    ).add_to(m)
    return m


def with_nonce(html: str, nonce: str) -> str:
    """``html`` with the Content-Security-Policy ``nonce`` on each inline ``<script>`` element.

    folium's header carries a small inline script (``L_NO_TOUCH``); under the app's CSP it runs
    only with the request's nonce. Scripts with ``src`` are the app's own files and need none.
    """
    if not nonce.replace("-", "").replace("_", "").isalnum():
        raise ValueError("a CSP nonce is letters, digits, - and _")
    return html.replace("<script>", f'<script nonce="{nonce}">')


#: An inline script of folium's header (``L_NO_TOUCH`` and the like: Leaflet's defaults).
_INLINE_SCRIPT = re.compile(r"<script>.*?</script>", re.S)
#: How a map's element may be named (:func:`render_parts`'s ``map_id``).
_MAP_ID = re.compile(r"[a-z0-9_]{1,40}")


def render_parts(m: folium.Map, nonce: str = "", map_id: str | None = None) -> MapParts:
    """Render a map into the header, body and script parts of a page.

    folium's viewport tag forbids zooming the page; the header has one that allows it.

    Args:
        m: a map from :func:`build_map`.
        nonce: the request's CSP nonce, put on the header's inline scripts (the page template
            puts it on the ``<script>`` element around :attr:`MapParts.script`).
        map_id: a fixed name for the map's element instead of folium's random one, so that
            parts rendered by two requests fit together (the offline shell loads its script as
            a file); the header's inline scripts, which only restate Leaflet's defaults, are
            then left out, so that the page needs no nonce.

    Returns:
        The three parts as HTML/JavaScript text.
    """
    if map_id is not None:
        if not _MAP_ID.fullmatch(map_id):
            raise ValueError("a map id is lower-case letters, digits and _")
        m._id = map_id
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError("the map is not inside a folium Figure")
    root.render()
    header = _FIXED_VIEWPORT.sub(VIEWPORT, root.header.render())
    if map_id is not None:
        header = _INLINE_SCRIPT.sub("", header)
    return MapParts(
        header=with_nonce(header, nonce) if nonce else header,
        html=root.html.render(),
        script=root.script.render(),
    )
