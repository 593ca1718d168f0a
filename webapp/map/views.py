"""HTML of the map page and of the "about / data sources" page."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user

from gis.incidents.photos import MAX_PHOTO_BYTES
from gis.incidents.reports import MAX_DESCRIPTION
from gis.types import IncidentCategory
from layers.mapbuild import MapParts, build_map, render_parts
from layers.registry import visible_layers
from layers.spec import Words
from webapp.incidents.api import REPORTERS
from webapp.map import bp
from webapp.map.api import viewer_role
from webapp.static_files import asset_url
from webapp.vocab import label, labels

#: The worst accuracy (metres) of the phone's location that "Use my location" takes without
#: asking: a fix worse than this is used only when the reporter confirms it.
MAX_FIX_ACCURACY_M = 100
#: Photo types the pin-drop form offers (the photo API judges the content, gis.incidents.photos).
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def pindrop_config() -> dict[str, Any] | None:
    """What static/js/pindrop.js needs, for accounts that may report; ``None`` for the others.

    ``user`` namespaces the browser's outbox of unsent reports, so that another account on the
    same phone never sends them; ``categories`` are the form's choices, ``[value, label]`` in
    the request's language (templates/pindrop.html draws them, the script names reports by
    them).
    """
    if not current_user.is_authenticated or current_user.role not in REPORTERS:
        return None
    return {
        "user": current_user.id,
        "incidentsUrl": url_for("incidents.create"),
        "loginUrl": url_for("auth.login", next=url_for("map.index")),
        "maxPhotoBytes": MAX_PHOTO_BYTES,
        "maxDescription": MAX_DESCRIPTION,
        "photoTypes": list(PHOTO_TYPES),
        "categories": labels(IncidentCategory),
        "maxAccuracyM": MAX_FIX_ACCURACY_M,
    }


#: The id of the map page's panel beside the map (templates/map.html): layer list and legend.
MAP_PANEL = "map-panel"


def page_words() -> Words:
    """The layers' texts in the request's language: marked texts through the catalogues,
    vocabulary values as :mod:`webapp.vocab` labels them; places by their Thai names on Thai
    pages."""
    locale = get_locale()
    return Words(text=gettext, label=label, thai=locale is not None and locale.language == "th")


def viewer_map(map_id: str | None = None, **options: Any) -> MapParts:
    """The map of the layers the viewer may see, with the app's basemap and URLs, rendered for
    a page of this request (its CSP nonce) in its language; ``options`` go to
    :func:`layers.mapbuild.build_map`. With ``map_id`` (the offline shell, webapp.offline) the
    map's element has that fixed name and no inline script is left in the header: the page
    holds no nonce and loads the map's script as a file."""
    config = current_app.config
    m = build_map(
        visible_layers(viewer_role()),
        tile_url=config["TILE_URL"],
        tile_attribution=config["TILE_ATTRIBUTION"],
        max_zoom=int(config["TILE_MAX_ZOOM"]),
        api_url=url_for("map.list_layers"),
        about_url=url_for("map.about"),
        static_url=asset_url,
        words=page_words(),
        **options,
    )
    if map_id is not None:
        return render_parts(m, map_id=map_id)
    return render_parts(m, nonce=request.csp_nonce)


@bp.get("/")
def index():
    page = render_template(
        "map.html",
        map=viewer_map(link_view=True, panel=MAP_PANEL),
        panel=MAP_PANEL,
        pindrop=pindrop_config(),
    )
    # The page carries the session's CSRF token (and the account's id): no shared cache keeps it.
    return page, {"Cache-Control": "no-store"}


@bp.get("/about")
def about():
    return render_template("about.html")
