"""``/review``: the coordinator's queue as a page, with a small form per allowed action.

No script: filters are a GET form, each action a POST form carrying the CSRF token that
redirects back to the queue with the same filters.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gis.errors import Conflict, InvalidInput
from gis.queue import review_queue
from gis.types import Agency, IncidentCategory, IncidentStatus, Role
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.params import only
from webapp.review import bp
from webapp.review.actions import take_action
from webapp.review.schemas import QUEUE_PARAMS, parse_action_form, parse_queue_args


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
    )


@bp.post("/review/incidents/<int:incident_id>/actions")
@roles_required(Role.COORDINATOR)
def act_from_page(incident_id: int):
    session = get_session()
    try:
        _, event = take_action(session, incident_id, parse_action_form(request.form), viewer())
    except (InvalidInput, Conflict) as exc:
        flash(f"Incident {incident_id}: {exc.message}", "error")
    else:
        session.commit()
        done = event.action.replace("_", " ")
        flash(f"Incident {incident_id}: {done}, now {event.to_status}.", "done")
    return back_to_queue(request.form.get("back", ""))
