"""The reference editor's and reviewers' pages (issue 22), on the JSON of
:mod:`webapp.reference.api`.

``/reference/edit`` (coordinators for their district, administrators for any target district,
``?district=`` picks it): the district's checkpoints, coordination centre, natural crossings and
flagged border stretches on a map (static/js/reference-edit.js, Leaflet-Geoman), each feature's
form, "I am here", drawing a crossing and flagging a stretch. ``/reference/review``
(administrators; also the province's coordinators when ``REFERENCE_REVIEWERS=province``): the
proposals, old and new geometry on one map (the old dashed, the new solid), the table of
differences, accept or reject with a note, a feature's versions and "restore"
(static/js/reference-review.js). The pages carry no feature: the scripts read them from the API,
which checks every object's scope.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from gis.accounts.scope import scope_district_ids
from gis.models import District
from gis.types import (
    ChangeAction,
    ChangeStatus,
    CheckpointKind,
    CheckpointStatus,
    CrossingSeason,
    CrossingUse,
    Demarcation,
    Precision,
    ReferenceFeature,
    RiskLevel,
    Role,
)
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.reference import bp
from webapp.vocab import labels

#: Who opens the editor (the API checks each feature's district).
EDITORS = (Role.COORDINATOR, Role.ADMINISTRATOR)

#: The attributes' names as reviewers read them in the table of differences.
FIELD_NAMES = {
    "name": _l("Name in English"),
    "name_th": _l("Name in Thai"),
    "kind": _l("Kind of checkpoint"),
    "status": _l("Status"),
    "hours": _l("Opening hours"),
    "days": _l("Opening days"),
    "counterpart": _l("Counterpart across the border"),
    "crossing_rules": _l("Crossing rules"),
    "status_note": _l("Note on the status"),
    "address": _l("Address"),
    "phone": _l("Telephone"),
    "risk_level": _l("Risk level"),
    "season": _l("Season"),
    "crosses": _l("What crosses there"),
    "note": _l("Note"),
    "demarcation": _l("Demarcation"),
    "source": _l("Source of this knowledge"),
    "precision": _l("Precision of the position"),
    "segment_id": _l("Border segment"),
    "from_fraction": _l("Start on the segment"),
    "to_fraction": _l("End on the segment"),
    "geometry": _l("Position on the map"),
}

#: The vocabularies the scripts show, by the attribute (or purpose) that holds them.
VOCABULARIES = {
    "kind": CheckpointKind,
    "status": CheckpointStatus,
    "risk_level": RiskLevel,
    "season": CrossingSeason,
    "crosses": CrossingUse,
    "demarcation": Demarcation,
    "precision": Precision,
    "feature_type": ReferenceFeature,
    "action": ChangeAction,
    "change_status": ChangeStatus,
    "role": Role,
}


@bp.after_request
def no_store(response: Response) -> Response:
    """The pages hold a CSRF token: never cached."""
    if request.endpoint in {"reference.edit_page", "reference.review_page"}:
        response.headers["Cache-Control"] = "private, no-store"
    return response


def may_review() -> bool:
    """Whether the signed-in account reviews proposals: administrators, and coordinators when
    ``REFERENCE_REVIEWERS`` is ``province`` (the API refuses their own and other provinces')."""
    if current_user.role == Role.ADMINISTRATOR:
        return True
    reviewers = str(current_app.config.get("REFERENCE_REVIEWERS") or "admin")
    return current_user.role == Role.COORDINATOR and reviewers == "province"


def editable_districts() -> list[dict[str, str]]:
    """The target districts the account edits (its scope), by name in the page's language."""
    session = get_session()
    scope = scope_district_ids(session, viewer())
    q = select(District.pcode, District.name, District.name_th).where(District.target)
    if scope is not None:
        q = q.where(District.id.in_(sorted(scope)))
    locale = get_locale()
    thai = locale is None or locale.language == "th"
    rows = [
        {"pcode": pcode, "name": (name_th if thai and name_th else name)}
        for pcode, name, name_th in session.execute(q)
    ]
    return sorted(rows, key=lambda d: d["name"])


def script_config() -> dict[str, Any]:
    """What the pages' scripts need: the API's URLs, the account's role, the words of the
    vocabularies and of the attributes."""
    return {
        "role": current_user.role.value,
        "editableUrl": "/api/reference/editable",
        "changesUrl": "/api/reference/changes",
        "derivedUrl": "/api/reference/derived",
        "acceptUrl": "/api/reference/changes/{id}/accept",
        "rejectUrl": "/api/reference/changes/{id}/reject",
        "versionsUrl": "/api/reference/features/{type}/{id}/versions",
        "restoreUrl": "/api/reference/features/{type}/{id}/restore",
        "layerUrl": "/api/layers/{name}",
        "editUrl": url_for("reference.edit_page"),
        "vocab": {name: dict(labels(enum)) for name, enum in VOCABULARIES.items()},
        "fields": {name: str(text) for name, text in FIELD_NAMES.items()},
    }


@bp.get("/reference/edit")
@roles_required(*EDITORS)
def edit_page():
    districts = editable_districts()
    asked = request.args.get("district")
    chosen = asked if any(d["pcode"] == asked for d in districts) else None
    if chosen is None and districts:
        chosen = districts[0]["pcode"]
    vocab = {name: labels(enum) for name, enum in VOCABULARIES.items()}
    return render_template(
        "reference/edit.html",
        districts=districts,
        district=chosen,
        vocab=vocab,
        editor=script_config(),
        review_url=url_for("reference.review_page") if may_review() else None,
    )


@bp.get("/reference/review")
@roles_required(*EDITORS)
def review_page():
    if not may_review():
        abort(403)
    return render_template(
        "reference/review.html",
        districts=editable_districts(),
        review=script_config(),
    )
