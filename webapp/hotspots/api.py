"""JSON API of hotspot runs and of the border's demarcation flags.

- ``POST /api/hotspots/runs`` (patrol planners, HQ analysts): the run's parameters
  (:mod:`gis.hotspots.params`) → ``202`` with ``Location: /api/hotspots/runs/<id>``; the run is
  queued and executed by ``borderwatch worker``, never inside the request. A bad parameter is a
  400 naming it, districts outside the caller's scope a 403 naming ``districts``; nothing is
  stored then.
- ``GET /api/hotspots/runs`` (``?latest=1`` for the newest finished run, ``?limit=``): the runs
  the viewer sees (:func:`gis.hotspots.queries.visible_runs`), newest first.
- ``GET /api/hotspots/runs/<id>``: status (queued, running, done, failed), progress 0..1,
  parameters, counts, the Gi* note and the error.
- ``GET /api/hotspots/runs/<id>/hotspots``: the ranked hotspots as a GeoJSON FeatureCollection
  (properties in :mod:`gis.hotspots.queries`; ``?bbox=`` optional).
- ``GET /api/hotspots/<hotspot_id>/incidents``: the hotspot's incidents the viewer may see.
- ``GET /api/hotspots/emerging?run=<id>|latest``: the new, consecutive and intensifying hot spots
  of a run's emerging hot spot analysis in the viewer's districts (the latest analysed run by
  default; ``run`` null when there is none), for the planner.
- ``POST /api/border-segments/<segment_no>/demarcation`` (administrators): ``{"demarcation":
  "unmarked" | "demarcated" | "unknown", "note": "..."}``; audited, the corridor is rebuilt.
"""

from __future__ import annotations

from flask import Response, jsonify, request, url_for

from gis.errors import InvalidInput
from gis.geojson import GEOJSON
from gis.hotspots.queries import (
    MAX_RUNS,
    VIEW_ROLES,
    get_visible_run,
    hotspot_incidents_geojson,
    hotspots_geojson,
    list_runs,
    run_summary,
)
from gis.hotspots.runs import RUN_ROLES, start_run
from gis.hotspots.trends import emerging_places as trends_places
from gis.hotspots.trends import places_json, resolve_emerging_run
from gis.parsing import refuse_unknown
from gis.reference.corridor import set_demarcation
from gis.text import N_
from gis.types import Role
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.hotspots import bp
from webapp.incidents.schemas import json_body
from webapp.params import only, parse_bbox, parse_int


def _geojson(text: str) -> Response:
    response = Response(text, mimetype=GEOJSON)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/api/hotspots/runs")
@roles_required(*RUN_ROLES)
def create_run():
    only(request.args, ())
    session = get_session()
    run = start_run(session, json_body(request), viewer())
    session.commit()
    location = url_for("hotspots.get_run", run_id=run.id)
    response = jsonify(run_summary(run))
    response.status_code = 202
    response.headers["Location"] = location
    return response


@bp.get("/api/hotspots/runs")
@roles_required(*VIEW_ROLES)
def runs():
    only(request.args, ("latest", "limit"))
    latest = request.args.get("latest", "0")
    if latest not in ("0", "1", "true", "false"):
        raise InvalidInput(N_("latest must be 1 or 0"), field="latest")
    limit = parse_int(request.args, "limit", 20, 1, MAX_RUNS) or 20
    found = list_runs(get_session(), viewer(), latest=latest in ("1", "true"), limit=limit)
    return jsonify(runs=[run_summary(r) for r in found])


@bp.get("/api/hotspots/runs/<int:run_id>")
@roles_required(*VIEW_ROLES)
def get_run(run_id: int):
    only(request.args, ())
    return jsonify(run_summary(get_visible_run(get_session(), run_id, viewer())))


@bp.get("/api/hotspots/runs/<int:run_id>/hotspots")
@roles_required(*VIEW_ROLES)
def run_hotspots(run_id: int):
    only(request.args, ("bbox",))
    session = get_session()
    run = get_visible_run(session, run_id, viewer())
    return _geojson(hotspots_geojson(session, run, parse_bbox(request.args)))


@bp.get("/api/hotspots/emerging")
@roles_required(*VIEW_ROLES)
def emerging_places():
    only(request.args, ("run",))
    session, me = get_session(), viewer()
    run = resolve_emerging_run(session, me, request.args.get("run"))
    places = places_json(trends_places(session, me, run))
    return jsonify({"run": None if run is None else run_summary(run), "places": places})


@bp.get("/api/hotspots/<int:hotspot_id>/incidents")
@roles_required(*VIEW_ROLES)
def hotspot_incidents(hotspot_id: int):
    only(request.args, ())
    return _geojson(hotspot_incidents_geojson(get_session(), hotspot_id, viewer()))


@bp.post("/api/border-segments/<int:segment_no>/demarcation")
@roles_required(Role.ADMINISTRATOR)
def flag_segment(segment_no: int):
    only(request.args, ())
    body = json_body(request)
    refuse_unknown(body, ("demarcation", "note"))
    session = get_session()
    segment = set_demarcation(
        session, segment_no, body.get("demarcation", ""), viewer(), body.get("note")
    )
    session.commit()
    return jsonify(segment_no=segment.segment_no, demarcation=str(segment.demarcation))
