"""Pages of the public report. Errors are shown on the form in the reporter's language: 400
naming the field, 422 for a place outside the watch area; an unknown or malformed receipt code
gets one and the same 404 page."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Response, current_app, render_template, request
from flask_babel import get_locale

from gis.errors import InvalidInput, NotFound, OutsideWatchArea
from gis.incidents.public import create_public_report, report_status
from gis.incidents.reports import parse_incident
from gis.parsing import THAI_TIME
from gis.text import N_
from gis.types import Channel, IncidentCategory
from webapp.db import get_session
from webapp.notify.hooks import report_made
from webapp.public import bp
from webapp.public.schemas import FIELD_LABELS, FIELDS, report_payload
from webapp.vocab import label, labels

#: The map's first view: the watch area along the Mekong and the Cambodian border.
MAP_CENTRE = (15.5, 103.5)

#: The category labels of :mod:`webapp.vocab` that these pages show, named again so that
#: ``scripts/catalogue.sh messages ...`` keeps them in the public pages' catalogue, the one with
#: Lao and Khmer (a test checks that they are the vocabulary's labels).
PUBLIC_LABELS = (
    N_("Drug trafficking"),
    N_("Human trafficking"),
    N_("Illegal entry"),
    N_("Smuggling of goods"),
    N_("Vehicle theft or stolen goods across the border"),
    N_("Online fraud"),
    N_("Other"),
)


def render_form(status: int = 200, error_field: str | None = None, outside: bool = False):
    """The form, refilled after an error with what was typed except the contact, which is never
    sent back (a shared phone or a proxy cache would keep it)."""
    values = {name: request.form.get(name, "") for name in FIELDS if name != "reporter_contact"}
    if not values.get("occurred_at"):
        values["occurred_at"] = dt.datetime.now(THAI_TIME).strftime("%Y-%m-%dT%H:%M")
    config = current_app.config
    page = render_template(
        "public/report.html",
        values=values,
        idempotency_key=request.form.get("idempotency_key") or uuid.uuid4(),
        categories=labels(IncidentCategory),
        error_field=error_field,
        error_label=FIELD_LABELS.get(error_field or "", error_field),
        outside=outside,
        tile_url=config["TILE_URL"],
        tile_attribution=config["TILE_ATTRIBUTION"],
        centre=MAP_CENTRE,
    )
    return page, status


@bp.context_processor
def language() -> dict[str, str]:
    """``lang``: the page's language code (``<html lang>``, links that keep the language)."""
    return {"lang": str(get_locale())}


@bp.after_request
def no_store(response: Response) -> Response:
    """Pages with a receipt code or a CSRF token stay out of shared caches and a shared phone's
    history cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/report")
def form():
    return render_form()


@bp.post("/report")
def submit():
    session = get_session()
    try:
        data = parse_incident(
            report_payload(request.form), dt.datetime.now(dt.UTC), channel=Channel.ONLINE_PUBLIC
        )
        incident, code = create_public_report(
            session, data, current_app.config["ROUTING_MAX_DISTANCE_M"]
        )
    except InvalidInput as exc:
        return render_form(400, error_field=exc.field or "body")
    except OutsideWatchArea:
        return render_form(422, error_field="lon", outside=True)
    report_made(session, incident)  # the coordinators are told in the same commit
    session.commit()  # before replying: a receipt is given for a stored report only
    return render_template("public/receipt.html", code=code), 201


@bp.get("/report/<code>")
def status(code: str):
    try:
        report = report_status(get_session(), code)
    except NotFound:
        return render_template("public/not_found.html"), 404
    return render_template(
        "public/status.html",
        code=code,
        report=report,
        category=label(report.category),
    )
