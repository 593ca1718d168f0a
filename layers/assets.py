"""Every script and stylesheet the map loads, mapped to the app's own copies.

folium and its plugins name their assets (``leaflet``, ``markerclusterjs``, …) and point them at
public CDNs. :func:`localise` swaps each for the copy that ``scripts/vendor-assets.sh`` installs
under ``static/vendor/`` (from the npm registry, versions pinned in ``package-lock.json``) or for
our own files under ``static/js`` and ``static/css``; an asset with no local copy is an error, so
no CDN URL can reach a page unnoticed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from folium.elements import JSCSSMixin

#: folium asset name -> path under the app's static folder.
SCRIPTS: dict[str, str] = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "markerclusterjs": "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "borderwatch_layers": "js/layers.js",
}
STYLESHEETS: dict[str, str] = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "markerclustercss": "vendor/leaflet.markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "vendor/leaflet.markercluster/MarkerCluster.Default.css",
    "borderwatch_map_css": "css/map.css",
}


#: Where the static files are: the folder's URL prefix, or a function from a path under it to the
#: file's URL (the app's adds the file's fingerprint, ``webapp.static_files``).
StaticUrl = str | Callable[[str], str]


def _links(
    names: Sequence[str], table: dict[str, str], static_url: StaticUrl
) -> list[tuple[str, str]]:
    missing = [name for name in names if name not in table]
    if missing:
        raise ValueError(
            f"no local copy of map asset(s) {', '.join(missing)}: add to layers/assets"
        )
    if callable(static_url):
        return [(name, static_url(table[name])) for name in names]
    base = static_url.rstrip("/")
    return [(name, f"{base}/{table[name]}") for name in names]


def scripts(names: Sequence[str], static_url: StaticUrl = "/static") -> list[tuple[str, str]]:
    """``(name, url)`` pairs of the local copies of the named scripts, as folium lists them.

    Args:
        names: asset names (keys of :data:`SCRIPTS`).
        static_url: URL prefix of the app's static folder, or a function from a path under
            it to the file's URL.

    Returns:
        The pairs, in the order given.

    Raises:
        ValueError: an asset has no local copy.
    """
    return _links(names, SCRIPTS, static_url)


def stylesheets(names: Sequence[str], static_url: StaticUrl = "/static") -> list[tuple[str, str]]:
    """``(name, url)`` pairs of the local copies of the named stylesheets.

    Args:
        names: asset names (keys of :data:`STYLESHEETS`).
        static_url: URL prefix of the app's static folder, or a function from a path under
            it to the file's URL.

    Returns:
        The pairs, in the order given.

    Raises:
        ValueError: an asset has no local copy.
    """
    return _links(names, STYLESHEETS, static_url)


def localise(element: JSCSSMixin, static_url: StaticUrl = "/static") -> None:
    """Point a folium element's assets at the app's copies (on the instance, not the class).

    Args:
        element: a folium map or plugin.
        static_url: URL prefix of the app's static folder, or a function from a path under
            it to the file's URL.

    Raises:
        ValueError: one of the element's assets has no local copy.
    """
    element.default_js = scripts([name for name, _ in element.default_js], static_url)
    element.default_css = stylesheets([name for name, _ in element.default_css], static_url)
