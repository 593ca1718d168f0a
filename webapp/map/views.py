"""HTML of the map page and of the "about / data sources" page."""

from __future__ import annotations

from flask import Response, current_app, render_template, request, url_for

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
    return render_template("map.html", map=render_parts(m))


@bp.get("/about")
def about():
    return render_template("about.html")


@bp.after_app_request
def buffer_static_files(response: Response) -> Response:
    """Read a static file into memory before flask-compress sees the response.

    flask-compress compresses a streamed response (``send_file``) through a generator and never
    closes the file it streams from, leaking a file handle per request (a ResourceWarning). The
    map's static files are small: buffered, they are compressed whole and the file is closed.
    Registered after flask-compress, so Flask runs it first.
    """
    if request.endpoint == "static" and response.is_streamed and response.status_code == 200:
        source = response.response
        response.direct_passthrough = False
        response.set_data(b"".join(response.iter_encoded()))
        close = getattr(source, "close", None)
        if close is not None:
            close()
    return response
