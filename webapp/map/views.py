"""HTML of the map page and of the "about / data sources" page."""

from __future__ import annotations

from flask import current_app, render_template, request, url_for

from layers.mapbuild import build_map, render_parts
from layers.registry import visible_layers
from webapp.map import bp
from webapp.map.api import viewer_role


@bp.get("/")
def index():
    config = current_app.config
    m = build_map(
        visible_layers(viewer_role()),
        tile_url=config["TILE_URL"],
        tile_attribution=config["TILE_ATTRIBUTION"],
        max_zoom=int(config["TILE_MAX_ZOOM"]),
        api_url=url_for("map.list_layers"),
        about_url=url_for("map.about"),
        static_url=current_app.static_url_path or "/static",
    )
    return render_template("map.html", map=render_parts(m, nonce=request.csp_nonce))


@bp.get("/about")
def about():
    return render_template("about.html")
