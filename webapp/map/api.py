"""JSON layer API: the list of map layers and each layer as GeoJSON for a bounding box."""

from __future__ import annotations

from flask import Response, jsonify, request, url_for
from flask_login import current_user

from gis.types import Role
from layers.registry import get_layer, visible_layers
from layers.spec import ZOOM_RANGE
from webapp.db import get_session
from webapp.map import bp
from webapp.params import only, parse_bbox, parse_int

GEOJSON = "application/geo+json"


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
        }
        for spec in visible_layers(viewer_role())
    ]
    return jsonify(layers=layers)


@bp.get("/api/layers/<name>")
def layer(name: str):
    spec = get_layer(name, viewer_role())
    only(request.args, ("bbox", "zoom"))
    bbox = parse_bbox(request.args)
    zoom = parse_int(request.args, "zoom", None, *ZOOM_RANGE)
    return Response(spec.source(get_session(), bbox, zoom), mimetype=GEOJSON)
