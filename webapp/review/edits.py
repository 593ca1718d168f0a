"""``PATCH /api/incidents/<id>``: a coordinator corrects an incident of their district.

The body is a JSON object with any of ``category``, ``severity``, ``occurred_at``,
``description`` and an optional ``note`` (:mod:`gis.incidents.edits`). The answer is
``{"incident": …, "event": …}``; ``event`` is ``null`` when nothing changed. Out of scope: 404;
another role: 403; a final status: 409 naming it.
"""

from __future__ import annotations

import datetime as dt

from flask import jsonify, request

from gis.incidents.disclosure import reader_of
from gis.incidents.edits import edit_incident, parse_edit
from gis.incidents.review_queue import get_reviewable_incident, history_entry
from gis.reference.districts import district_ref
from gis.types import Role
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.incidents.schemas import incident_json, json_body
from webapp.review import bp
from webapp.review.schemas import event_json


@bp.patch("/api/incidents/<int:incident_id>")
@roles_required(Role.COORDINATOR)
def edit(incident_id: int):
    session, actor = get_session(), viewer()
    get_reviewable_incident(session, incident_id, actor)  # out of scope: 404 before parsing
    data = parse_edit(json_body(request), dt.datetime.now(dt.UTC))
    incident, event_id = edit_incident(session, incident_id, data, actor.id)
    district = district_ref(session, incident.district_id)
    body = {
        "incident": incident_json(incident, district, reader_of(session, actor)),
        "event": None if event_id is None else event_json(history_entry(session, event_id)),
    }
    session.commit()  # before replying: an acknowledged edit is stored
    return jsonify(body)
