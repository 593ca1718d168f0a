"""``/my-reports``: the reports the signed-in officer, volunteer or coordinator made, newest
first, 50 a page, with tabs by status (``?status=``, ``?page=``).

The page lists what the server stored (:func:`gis.incidents.mine.my_reports`); the reports
still waiting in this browser's outbox are drawn above them by ``static/js/my-reports.js`` from
the same localStorage outbox the map's pin drop keeps (``static/js/outbox.js``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import g, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gis.incidents.mine import my_reports as reports_of
from gis.parsing import parse_choice
from gis.types import IncidentCategory, IncidentStatus
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.incidents import bp
from webapp.incidents.api import REPORTERS
from webapp.params import only, parse_int
from webapp.vocab import labels

#: The page's query parameters (``lang`` is the language switch's, read by webapp.i18n).
PARAMS = ("status", "page", "lang")
MAX_PAGE = 100_000

#: The last change of a report in words, by the action of its latest audit event; a status
#: change reads as its new status (``Status changed to …``).
CHANGES = {
    "created": _l("Report sent"),
    "edited": _l("Details corrected"),
    "photo_added": _l("Photo added"),
}


@bp.get("/my-reports")
@roles_required(*REPORTERS)
def my_reports():
    only(request.args, PARAMS)
    raw = request.args.get("status") or None
    status = None if raw is None else parse_choice(raw, "status", IncidentStatus)
    page = parse_int(request.args, "page", 1, 1, MAX_PAGE) or 1
    found = reports_of(get_session(), viewer(), status=status, page=page)
    # The account's service worker keeps the page for offline use (webapp/offline): it holds
    # no per-request secret (no CSRF token, no nonce) and says when it was made.
    g.bw_shell = True
    html = render_template(
        "incidents/my_reports.html",
        found=found,
        status=status,
        changes=CHANGES,
        outbox=outbox_config(),
        made_at=dt.datetime.now(dt.UTC),
    )
    # The page names the account's reports: no shared cache keeps it.
    return html, {"Cache-Control": "private, no-cache"}


def outbox_config() -> dict[str, Any]:
    """What static/js/my-reports.js needs to list the outbox's reports: the account (the
    outbox's key), the categories' labels and the map, which sends them."""
    return {
        "user": current_user.id,
        "categories": labels(IncidentCategory),
        "mapUrl": url_for("map.index"),
    }
