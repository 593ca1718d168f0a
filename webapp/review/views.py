"""``/review``: the coordinator's queue as a page, with a small form per allowed action;
``/review/incidents/<id>``: one incident whole, for the reviewers of its district.

The queue works without script: filters are a GET form, each action a POST form carrying the
CSRF token that redirects back to the queue with the same filters, or to the incident's page when
the form was sent from there (``return_to=incident``; never a URL taken from the form). Above the
list, ``static/js/review-map.js`` maps the page's items (embedded as JSON). The incident page
draws its place with Leaflet (``static/js/incident-map.js``); times are shown in Thai time.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from flask import current_app, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from gis.errors import Conflict, InvalidInput
from gis.incidents.disclosure import reader_of, reads_text
from gis.incidents.photos import list_photos
from gis.incidents.review_queue import (
    QueueItem,
    duplicate_candidates,
    get_reviewable_incident,
    history_entries,
    incident_places,
    may_see_contact,
    queue_items,
    review_queue,
)
from gis.incidents.triage import take_action
from gis.models import Incident, User
from gis.parsing import THAI_TIME
from gis.types import Agency, IncidentCategory, IncidentStatus, Role
from layers.styles import INCIDENT_STATUS
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.params import only
from webapp.review import bp
from webapp.review.api import REVIEWERS
from webapp.review.schemas import QUEUE_PARAMS, item_json, parse_action_form, parse_queue_args


def back_to_queue(query_string: str) -> Response:
    """A 303 to the queue keeping only its own filters (never a URL taken from the form)."""
    args = parse_qs(query_string, max_num_fields=len(QUEUE_PARAMS) + 1)
    kept = {k: v[0] for k, v in args.items() if k in QUEUE_PARAMS and v}
    return redirect(url_for("review.queue_page", **kept), 303)


@bp.get("/review")
@roles_required(Role.COORDINATOR)
def queue_page():
    only(request.args, QUEUE_PARAMS)
    query = parse_queue_args(request.args, dates=True)
    page = review_queue(get_session(), viewer(), **query.kwargs())
    return render_template(
        "review/queue.html",
        page=page,
        query=query,
        filters=request.args.to_dict(),
        statuses=list(IncidentStatus),
        categories=list(IncidentCategory),
        agencies=list(Agency),
        review_map=review_map(page.items),
    )


def review_map(items: list[QueueItem]) -> dict[str, Any]:
    """What the queue's map draws (static/js/review-map.js): the page's items, status colours."""
    colours = {status.value: colour for status, (colour, _) in INCIDENT_STATUS.items()}
    return {"items": [item_json(i) for i in items], "colours": colours}


@bp.post("/review/incidents/<int:incident_id>/actions")
@roles_required(Role.COORDINATOR)
def act_from_page(incident_id: int):
    session = get_session()
    try:
        _, event = take_action(session, incident_id, parse_action_form(request.form), viewer())
    except (InvalidInput, Conflict) as exc:
        flash(f"Incident {incident_id}: {user_message(exc)}", "error")
    else:
        session.commit()
        done = event.action.replace("_", " ")
        flash(f"Incident {incident_id}: {done}, now {event.to_status}.", "done")
    if request.form.get("return_to") == "incident":
        return redirect(url_for("review.incident_page", incident_id=incident_id), 303)
    return back_to_queue(request.form.get("back", ""))


def incident_context(session: Session, incident: Incident, me: User) -> dict[str, Any]:
    """What the incident page shows; the contact only to
    :func:`gis.incidents.review_queue.may_see_contact`, the description only where
    :mod:`gis.incidents.disclosure` lets ``me`` read it."""
    contact_visible = may_see_contact(session, incident, me)
    reads_description = reads_text(reader_of(session, me), incident)
    return {
        "incident": incident,
        "description": incident.description if reads_description else None,
        "description_withheld": not reads_description,
        "item": queue_items(session, [incident.id])[incident.id],
        "places": incident_places(session, incident),
        "history": history_entries(session, incident, me),
        "duplicates": duplicate_candidates(session, incident.id),
        "photos": list_photos(session, incident.id),
        "contact_visible": contact_visible,
        "contact": incident.reporter_contact if contact_visible else None,
        "can_act": me.role == Role.COORDINATOR,
        "agencies": list(Agency),
        "tz": THAI_TIME,  # times on the incident page are Thai time
        "tile_url": current_app.config["TILE_URL"],
        "tile_attribution": current_app.config["TILE_ATTRIBUTION"],
    }


@bp.get("/review/incidents/<int:incident_id>")
@roles_required(*REVIEWERS)
def incident_page(incident_id: int):
    session, me = get_session(), viewer()
    incident = get_reviewable_incident(session, incident_id, me)
    return render_template("review/incident.html", **incident_context(session, incident, me))
