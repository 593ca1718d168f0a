"""JSON of the dashboard, with the same filters as the page (see :mod:`webapp.dashboard.views`).

- ``GET /api/dashboard``: every number (:func:`gis.stats.dashboard.dashboard_json`).
- ``GET /api/dashboard/map``: the target districts of the filter as a FeatureCollection with
  their counts (the choropleth).
"""

from __future__ import annotations

from flask import Response, jsonify

from gis.geojson import GEOJSON
from gis.stats.counts import district_map as district_map_json
from gis.stats.dashboard import dashboard_json, dashboard_numbers
from gis.stats.params import READERS
from webapp.auth.session import roles_required, viewer
from webapp.dashboard import bp
from webapp.dashboard.views import current_filter, thai_now
from webapp.db import get_read_session


@bp.get("/api/dashboard")
@roles_required(*READERS)
def numbers():
    board = dashboard_numbers(get_read_session(), viewer(), current_filter(), thai_now())
    return jsonify(dashboard_json(board))


@bp.get("/api/dashboard/map")
@roles_required(*READERS)
def district_map():
    return Response(district_map_json(get_read_session(), current_filter()), mimetype=GEOJSON)
