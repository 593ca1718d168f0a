"""JSON layer API: the list of map layers and each layer as GeoJSON for a bounding box."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from gis.geojson import GEOJSON
from gis.types import Role
from layers.registry import get_layer, visible_layers
from layers.spec import ZOOM_RANGE, LayerQuery, ViewerSource
from webapp.auth.session import viewer
from webapp.db import get_read_session
from webapp.map import bp
from webapp.params import only, parse_bbox, parse_int

#: Seconds a browser may reuse a reference layer's answer without asking again.
REFERENCE_MAX_AGE = 300


def viewer_role() -> Role | None:
    """The role of the signed-in account making the request; ``None`` for the public."""
    return Role(current_user.role) if current_user.is_authenticated else None


@bp.get("/api/layers")
def list_layers():
    only(request.args, ())
    layers = [
        {
            "name": spec.name,
            "title": spec.title,
            "geometry": spec.geometry,
            "min_zoom": spec.min_zoom,
            "max_zoom": spec.max_zoom,
            "url": url_for("map.layer", name=spec.name),
            "filters": [f.param for f in spec.filters],
        }
        for spec in visible_layers(viewer_role())
    ]
    return jsonify(layers=layers)


@bp.get("/api/layers/<name>")
def layer(name: str):
    spec = get_layer(name, viewer_role())
    only(request.args, spec.params)
    query = LayerQuery(
        bbox=parse_bbox(request.args),
        zoom=parse_int(request.args, "zoom", None, *ZOOM_RANGE),
        viewer=viewer() if current_user.is_authenticated else None,
        params={f.param: request.args[f.param] for f in spec.filters if f.param in request.args},
    )
    response = Response(spec.fetch(get_read_session(), query), mimetype=GEOJSON)
    if isinstance(spec.source, ViewerSource) and not spec.source.public:
        # an answer for one account: never kept by shared caches
        response.headers["Cache-Control"] = "private, no-store"
        response.vary.add("Cookie")
    else:
        # reference data, the same for everyone who may see the layer, changed by imports and
        # demarcation flags: the browser reuses it for a few minutes (a reload of the map, a
        # return to a view), so that the incidents' requests do not queue behind it; private,
        # as some layers are not for the public
        response.headers["Cache-Control"] = f"private, max-age={REFERENCE_MAX_AGE}"
        if isinstance(spec.source, ViewerSource):
            # public reference data that tells accounts more (a flagged stretch's source):
            # not reused across a sign-in or a sign-out
            response.vary.add("Cookie")
    return response
