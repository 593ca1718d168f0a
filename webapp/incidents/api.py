"""JSON API of incident reports.

Authentication does not exist yet: :func:`current_reporter_id` is the one place where the
logged-in account will plug in (and ``GET`` will then check the incident is in the viewer's scope).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, request, url_for

from gis.districts import district_ref
from gis.incidents import create_incident, get_incident, parse_incident
from gis.types import Channel
from webapp.db import get_session
from webapp.incidents import bp
from webapp.incidents.schemas import incident_json, json_body


def current_reporter_id() -> int | None:
    """The id of the account making the request; ``None`` (anonymous) until auth exists."""
    return None


@bp.post("/api/incidents")
def create():
    now = dt.datetime.now(dt.UTC)
    data = parse_incident(
        json_body(request), now, channel=Channel.OFFICER_APP, reporter_id=current_reporter_id()
    )
    session = get_session()
    incident, created = create_incident(session, data, current_app.config["ROUTING_MAX_DISTANCE_M"])
    body = incident_json(incident, district_ref(session, incident.district_id))
    session.commit()  # before replying: an acknowledged report is stored
    if not created:
        return jsonify(body), 200
    return jsonify(body), 201, {"Location": url_for("incidents.show", incident_id=incident.id)}


@bp.get("/api/incidents/<int:incident_id>")
def show(incident_id: int):
    session = get_session()
    incident = get_incident(session, incident_id)
    return jsonify(incident_json(incident, district_ref(session, incident.district_id)))
