"""JSON API of triage.

``GET /api/review/incidents`` lists the queue of the viewer's districts (coordinators, HQ
analysts, administrators). ``POST /api/incidents/<id>/actions`` applies an action (coordinators,
within their district; 409 naming the current status for a transition the state machine does not
allow). ``GET /api/incidents/<id>/history`` shows the audit trail to whoever may see the incident;
``GET /api/incidents/<id>/duplicates`` the possible duplicates. Out of scope is 404 throughout.

``GET /api/review/incidents/<id>`` is one incident as a reviewer sees it: the incident's JSON with
the names of its places and its allowed actions, and ``reporter_contact`` only for the viewers of
:func:`gis.incidents.review_queue.may_see_contact` (coordinators of the district and HQ analysts;
the member is absent for everyone else, ``null`` when the reporter left no contact). A reporter
without the district in scope reads the history without notes
(:func:`gis.incidents.review_queue.sees_internal_notes`).
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import login_required

from gis.incidents.disclosure import reader_of
from gis.incidents.reports import get_visible_incident
from gis.incidents.review_queue import (
    duplicate_candidates,
    get_reviewable_incident,
    history_entries,
    incident_places,
    may_see_contact,
    review_queue,
)
from gis.incidents.triage import take_action
from gis.reference.districts import district_ref
from gis.types import Role
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.incidents.schemas import incident_json, json_body
from webapp.notify.hooks import action_taken
from webapp.params import only
from webapp.review import bp
from webapp.review.schemas import (
    QUEUE_PARAMS,
    duplicate_json,
    event_json,
    item_json,
    parse_action_json,
    parse_queue_args,
    places_json,
)

REVIEWERS = (Role.COORDINATOR, Role.HQ_ANALYST, Role.ADMINISTRATOR)


@bp.get("/api/review/incidents")
@roles_required(*REVIEWERS)
def queue():
    only(request.args, QUEUE_PARAMS)
    query = parse_queue_args(request.args)
    page = review_queue(get_session(), viewer(), **query.kwargs())
    return jsonify(items=[item_json(i) for i in page.items], total=page.total)


@bp.get("/api/review/incidents/<int:incident_id>")
@roles_required(*REVIEWERS)
def incident(incident_id: int):
    session, me = get_session(), viewer()
    row = get_reviewable_incident(session, incident_id, me)
    body = incident_json(row, district_ref(session, row.district_id), reader_of(session, me))
    body.update(places_json(row, incident_places(session, row)))
    if may_see_contact(session, row, me):
        body["reporter_contact"] = row.reporter_contact
    return jsonify(body)


@bp.post("/api/incidents/<int:incident_id>/actions")
@roles_required(Role.COORDINATOR)
def act(incident_id: int):
    session, actor = get_session(), viewer()
    get_reviewable_incident(session, incident_id, actor)  # out of scope: 404 before parsing
    data = parse_action_json(json_body(request))
    incident, event = take_action(session, incident_id, data, actor)
    action_taken(session, incident, event, actor)  # the reporter is told in the same commit
    district = district_ref(session, incident.district_id)
    body = {
        "incident": incident_json(incident, district, reader_of(session, actor)),
        "event": event_json(event),
    }
    session.commit()  # before replying: an acknowledged action is stored
    return jsonify(body)


@bp.get("/api/incidents/<int:incident_id>/history")
@login_required
def history(incident_id: int):
    session = get_session()
    incident = get_visible_incident(session, incident_id, viewer())
    return jsonify(events=[event_json(e) for e in history_entries(session, incident, viewer())])


@bp.get("/api/incidents/<int:incident_id>/duplicates")
@roles_required(*REVIEWERS)
def duplicates(incident_id: int):
    session = get_session()
    incident = get_reviewable_incident(session, incident_id, viewer())
    return jsonify(items=[duplicate_json(c) for c in duplicate_candidates(session, incident.id)])
