"""The desk form as the report object :func:`gis.incidents.desk.parse_desk_report` checks: the
public form's fields (:func:`webapp.public.schemas.report_payload`) plus the channel and the
consent to status updates."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext
from werkzeug.datastructures import MultiDict

from gis.errors import InvalidInput
from gis.text import N_
from webapp.public.schemas import FIELD_LABELS as PUBLIC_LABELS
from webapp.public.schemas import report_payload

#: The desk's fields beyond the public form's.
DESK_FIELDS = ("channel", "updates_consent")
#: The checkbox's value when ticked.
CONSENT = "yes"

FIELD_LABELS = {
    **PUBLIC_LABELS,
    "reporter_contact": lazy_gettext("The citizen's contact (optional)"),
    "channel": lazy_gettext("How the report came in"),
    "updates_consent": lazy_gettext("Send status updates"),
}


def desk_payload(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as a desk report object; any other field is refused, naming it.

    Raises:
        InvalidInput: an unknown field, a field given twice, a coordinate that is not a number,
            a consent box with another value than :data:`CONSENT`.
    """
    public = MultiDict([(k, v) for k, v in form.items(multi=True) if k not in DESK_FIELDS])
    payload = report_payload(public)
    for name in DESK_FIELDS:
        if len(form.getlist(name)) > 1:
            raise InvalidInput(N_("{field!r} is given more than once"), field=name)
    consent = form.get("updates_consent")
    if consent not in (None, CONSENT):
        raise InvalidInput(N_("{field} must be true or false"), field="updates_consent")
    payload["channel"] = form.get("channel") or None
    payload["updates_consent"] = consent == CONSENT
    return payload
