"""``/review``: the coordinator's triage workspace; ``/review/incidents/<id>``: one incident whole,
for the reviewers of its district.

The queue lists the reports of the coordinator's district as cards beside a map of them
(``static/js/review-map.js``, the page's items embedded as JSON), with tabs counting each status
and the filters in the address (``status``, ``category``, ``since``, ``until``, ``district``,
``limit``, ``offset``). The incident page carries the same filters in its address, so that its
way back leads to the same view of the queue, and draws its place with Leaflet
(``static/js/incident-map.js``).

Every action is a POST form carrying the CSRF token and the queue's filters (``back``). After
an action the next new report of the queue with those filters opens (its incident page), or the
queue when none is left, with a message saying what was done; a refused action comes back to the
page it was sent from (``return_to=incident``: the incident page; never a URL taken from the
form) with the reason. Times are Thai time, vocabularies their labels.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from gis.errors import Conflict, InvalidInput
from gis.incidents.desk import taker_of
from gis.incidents.disclosure import reader_of, reads_text
from gis.incidents.photos import list_photos
from gis.incidents.review_queue import (
    DistrictChoice,
    QueueItem,
    count_by_status,
    duplicate_candidates,
    get_reviewable_incident,
    history_entries,
    incident_places,
    may_see_contact,
    next_new_incident,
    queue_items,
    review_queue,
    viewer_districts,
)
from gis.incidents.triage import take_action
from gis.models import Incident, User
from gis.types import Agency, Channel, IncidentCategory, IncidentStatus, Role
from layers.styles import INCIDENT_STATUS
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.errors import user_message
from webapp.notify.hooks import action_taken
from webapp.params import only
from webapp.review import bp, display
from webapp.review.api import REVIEWERS
from webapp.review.schemas import (
    PAGE_FILTERS,
    PAGE_PARAMS,
    QueueQuery,
    item_json,
    parse_action_form,
    parse_queue_args,
)
from webapp.vocab import labels


def page_query(
    session: Session, me: User, args: MultiDict[str, str]
) -> tuple[QueueQuery, list[DistrictChoice]]:
    """The review pages' filters of a query string, checked (400 naming a bad one), and the
    viewer's districts (the ``district`` filter's choices)."""
    only(args, PAGE_PARAMS)
    districts = viewer_districts(session, me)
    return parse_queue_args(args, dates=True, districts=[d.id for d in districts]), districts


def trail_of(args: MultiDict[str, str]) -> dict[str, str]:
    """The filters a page keeps in the addresses it links to (checked by the caller)."""
    return {k: v for k, v in args.items() if k in PAGE_FILTERS and v}


def returned_filters(session: Session, me: User, back: str) -> tuple[dict[str, str], QueueQuery]:
    """The queue's filters sent back with an action form (``back``, a query string): only the
    filters, and none when they do not parse (the form is not trusted for more)."""
    args = MultiDict(parse_qs(back, max_num_fields=len(PAGE_FILTERS) + 1))
    trail = {k: v for k, v in trail_of(args).items() if len(args.getlist(k)) == 1}
    try:
        return trail, parse_queue_args(
            trail, dates=True, districts=[d.id for d in viewer_districts(session, me)]
        )
    except InvalidInput:
        return {}, QueueQuery()


@bp.get("/review")
@roles_required(Role.COORDINATOR)
def queue_page():
    session, me = get_session(), viewer()
    query, districts = page_query(session, me, request.args)
    page = review_queue(session, me, **query.kwargs())
    trail = trail_of(request.args)
    return render_template(
        "review/queue.html",
        page=page,
        counts=count_by_status(session, me, **query.choosing()),
        query=query,
        trail=trail,
        back=urlencode(trail),
        districts=districts if len(districts) > 1 else [],
        categories=labels(IncidentCategory),
        channels=labels(Channel),
        statuses=list(IncidentStatus),
        agencies=labels(Agency),
        review_map=review_map(page.items, trail),
        display=display,
    )


def review_map(items: list[QueueItem], trail: dict[str, str]) -> dict[str, Any]:
    """What the queue's map draws (static/js/review-map.js): the page's items, their incident
    pages, the status colours and the labels of categories and statuses."""
    colours = {status.value: colour for status, (colour, _) in INCIDENT_STATUS.items()}
    return {
        "items": [
            {**item_json(i), "url": url_for("review.incident_page", incident_id=i.id, **trail)}
            for i in items
        ],
        "colours": colours,
        "categories": dict(labels(IncidentCategory)),
        "statuses": dict(labels(IncidentStatus)),
    }


@bp.post("/review/incidents/<int:incident_id>/actions")
@roles_required(Role.COORDINATOR)
def act_from_page(incident_id: int):
    session, me = get_session(), viewer()
    trail, query = returned_filters(session, me, request.form.get("back", ""))
    try:
        incident, event = take_action(session, incident_id, parse_action_form(request.form), me)
    except (InvalidInput, Conflict) as exc:
        message = user_message(exc)
        flash(gettext("Report #%(id)s: %(message)s", id=incident_id, message=message), "error")
        if request.form.get("return_to") == "incident":
            return redirect(url_for("review.incident_page", incident_id=incident_id, **trail), 303)
        return redirect(url_for("review.queue_page", **trail), 303)
    action_taken(session, incident, event, me)  # the reporter is told in the same commit
    session.commit()
    flash(display.done_message(incident, event.action), "done")
    following = next_new_incident(session, me, skip=incident_id, **query.choosing())
    return next_report(following, trail)


def next_report(following: int | None, trail: dict[str, str]) -> Response:
    """A 303 to the next new report's page, or to the queue when no new report is left."""
    if following is None:
        flash(gettext("No new report is left in the queue."), "info")
        return redirect(url_for("review.queue_page", **trail), 303)
    return redirect(url_for("review.incident_page", incident_id=following, **trail), 303)


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
        "taker": taker_of(session, incident),
        "can_act": me.role == Role.COORDINATOR,
        "agencies": labels(Agency),
        "tile_url": current_app.config["TILE_URL"],
        "tile_attribution": current_app.config["TILE_ATTRIBUTION"],
        "display": display,
    }


@bp.get("/review/incidents/<int:incident_id>")
@roles_required(*REVIEWERS)
def incident_page(incident_id: int):
    session, me = get_session(), viewer()
    incident = get_reviewable_incident(session, incident_id, me)
    page_query(session, me, request.args)
    trail = trail_of(request.args)
    return render_template(
        "review/incident.html",
        trail=trail,
        back=urlencode(trail),
        **incident_context(session, incident, me),
    )
