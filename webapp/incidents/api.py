"""JSON API of incident reports.

``POST /api/incidents`` is for signed-in officers, volunteers and coordinators (the officer
app's pin drop); ``GET /api/incidents/<id>`` answers only for incidents in the viewer's scope
(or reported by the viewer), and 404 otherwise. What the viewer reads of an incident (the text
of unchecked reports, the idempotency key) is :mod:`gis.incidents.disclosure`'s.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, jsonify, request, url_for
from flask_login import current_user, login_required

from gis.incidents.disclosure import reader_of
from gis.incidents.photos import list_photos
from gis.incidents.reports import get_visible_incident, parse_incident, store_report
from gis.reference.districts import district_ref
from gis.types import Channel, Role
from webapp.auth.session import roles_required, signed_in_account, viewer
from webapp.db import get_session
from webapp.incidents import bp
from webapp.incidents.photos import photo_json
from webapp.incidents.schemas import incident_json, json_body
from webapp.notify.hooks import report_made

REPORTERS = (Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR)


@bp.post("/api/incidents")
@roles_required(*REPORTERS)
def create():
    now = dt.datetime.now(dt.UTC)
    data = parse_incident(
        json_body(request), now, channel=Channel.OFFICER_APP, reporter_id=current_user.id
    )
    session = get_session()
    stored = store_report(session, data, current_app.config["ROUTING_MAX_DISTANCE_M"])
    report_made(session, stored.incident, stored.coordinators)  # told in the same commit
    reader = reader_of(session, signed_in_account())
    body = incident_json(stored.incident, stored.district, reader)
    session.commit()  # before replying: an acknowledged report is stored
    if not stored.created:
        return jsonify(body), 200
    location = url_for("incidents.show", incident_id=stored.incident.id)
    return jsonify(body), 201, {"Location": location}


@bp.get("/api/incidents/<int:incident_id>")
@login_required
def show(incident_id: int):
    session, me = get_session(), viewer()
    incident = get_visible_incident(session, incident_id, me)
    photos = [photo_json(p) for p in list_photos(session, incident.id)]
    district = district_ref(session, incident.district_id)
    return jsonify(incident_json(incident, district, reader_of(session, me), photos))
