"""Pages of the MWCC desk and the hotline. A refused report comes back on the form in the page's
language: 400 naming the field (also a place in another district, named ``lon``), 422 for a
place outside the watch area. A stored report answers 303 to its receipt slip."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import Response, current_app, redirect, render_template, request, url_for
from flask_babel import gettext

from gis.errors import InvalidInput, OutsideWatchArea
from gis.incidents.desk import (
    DESK_CHANNELS,
    DESK_ROLES,
    desk_district,
    parse_desk_report,
    receipt_slip,
    record_desk_report,
)
from gis.parsing import THAI_TIME
from gis.types import Channel, IncidentCategory
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.desk import bp
from webapp.desk.schemas import CONSENT, FIELD_LABELS, desk_payload
from webapp.desk.slip import qr_svg, spelled
from webapp.errors import user_message
from webapp.i18n import STAFF_LANGUAGES
from webapp.notify.hooks import report_made
from webapp.public.schemas import FIELDS
from webapp.vocab import label, labels


def asked_language() -> str | None:
    """The ``?lang=`` of the request when it names a staff page's language: the form and the
    slip keep it, so that a page opened in a language answers in it."""
    lang = request.args.get("lang")
    return lang if lang in STAFF_LANGUAGES else None


@bp.after_request
def no_store(response: Response) -> Response:
    """Pages with a receipt code, a contact or a CSRF token stay out of every cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def render_form(status: int = 200, error: Exception | None = None):
    """The form, refilled after an error with what was typed except the contact (as the public
    form: it is never sent back)."""
    form = request.form
    values = {name: form.get(name, "") for name in FIELDS if name != "reporter_contact"}
    if not values.get("occurred_at"):
        values["occurred_at"] = dt.datetime.now(THAI_TIME).strftime("%Y-%m-%dT%H:%M")
    channel = form.get("channel") or request.args.get("channel") or Channel.MWCC_WALK_IN.value
    field = getattr(error, "field", None) or ("body" if error is not None else None)
    if isinstance(error, OutsideWatchArea):
        field = "lon"
    config = current_app.config
    page = render_template(
        "desk/new.html",
        values=values,
        channel=channel,
        channels=[(c.value, label(c)) for c in DESK_CHANNELS],
        idempotency_key=form.get("idempotency_key") or uuid.uuid4(),
        categories=labels(IncidentCategory),
        district=desk_district(get_session(), viewer()),
        error_field=field,
        error_label=FIELD_LABELS.get(field or "", field),
        error_message=user_message(error) if isinstance(error, InvalidInput) else None,
        outside=isinstance(error, OutsideWatchArea),
        consent_value=CONSENT,
        tile_url=config["TILE_URL"],
        tile_attribution=config["TILE_ATTRIBUTION"],
        lang=asked_language(),
    )
    return page, status


@bp.get("/desk/new")
@roles_required(*DESK_ROLES)
def form():
    return render_form()


@bp.post("/desk/new")
@roles_required(*DESK_ROLES)
def submit():
    session = get_session()
    try:
        desk = parse_desk_report(desk_payload(request.form), dt.datetime.now(dt.UTC))
        incident, _code = record_desk_report(
            session, desk, viewer(), current_app.config["ROUTING_MAX_DISTANCE_M"]
        )
    except InvalidInput as exc:
        session.rollback()
        return render_form(400, exc)
    except OutsideWatchArea as exc:
        session.rollback()
        return render_form(422, exc)
    report_made(session, incident)  # the coordinators are told in the same commit
    session.commit()  # before replying: a slip is printed for a stored report only
    return redirect(url_for("desk.slip", incident_id=incident.id, lang=asked_language()), 303)


@bp.get("/desk/receipts/<int:incident_id>")
@roles_required(*DESK_ROLES)
def slip(incident_id: int):
    found = receipt_slip(get_session(), incident_id, viewer())
    status_url = url_for("public.status", code=found.receipt_code, _external=True)
    return render_template(
        "desk/slip.html",
        lang=asked_language(),
        slip=found,
        status_url=status_url,
        qr=qr_svg(status_url, gettext("QR code of the report's status page")),
    )


@bp.get("/desk/receipts/<int:incident_id>/read-out")
@roles_required(*DESK_ROLES)
def read_out(incident_id: int):
    found = receipt_slip(get_session(), incident_id, viewer())
    return render_template(
        "desk/read_out.html",
        lang=asked_language(),
        slip=found,
        groups=spelled(found.receipt_code),
        status_url=url_for("public.status", code=found.receipt_code, _external=True),
    )
