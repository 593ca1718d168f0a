"""JSON API of reference editing (issue 22; docs/api.md lists the routes and their answers).

Coordinators edit their own district's checkpoints, coordination centre, natural crossings and
border stretches, administrators every district's; other roles are refused (403), the public
asked to sign in (401). Every invalid input is a 422 naming its field; a change made on an
older version of a feature a 409 naming ``base_version`` and the ``current_version``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from flask_babel import get_locale

from gis.accounts.scope import scope_district_ids
from gis.errors import (
    BorderwatchError,
    Conflict,
    Forbidden,
    InvalidGeometry,
    InvalidInput,
    NotFound,
    OutsideWatchArea,
)
from gis.models import District
from gis.parsing import parse_choice, refuse_unknown
from gis.reference.derived import derived_progress
from gis.reference.districts import find_district
from gis.reference.editing.changes import (
    Editor,
    Reviewers,
    StaleVersion,
    accept,
    parse_change,
    parse_reviewers,
    propose,
    reject,
    restore,
    review_district_ids,
)
from gis.reference.editing.reading import (
    change_json,
    editable_features,
    feature_district,
    feature_json,
    list_changes,
    parse_types,
    versions_json,
)
from gis.text import N_
from gis.types import ChangeStatus, ReferenceFeature, Role
from webapp.auth.session import roles_required, viewer
from webapp.db import get_session
from webapp.errors import STATUS, answer_message, error_response
from webapp.incidents.schemas import json_body
from webapp.params import only
from webapp.reference import bp

#: Who edits the reference data.
EDITORS = (Role.COORDINATOR, Role.ADMINISTRATOR)
PRIVATE = {"Cache-Control": "private, no-store"}
#: Invalid inputs answer 422 here (the editor's form shows the field), as the contract says.
UNPROCESSABLE = (InvalidInput, InvalidGeometry, OutsideWatchArea)


@bp.errorhandler(BorderwatchError)
def reference_error(exc: BorderwatchError):
    """The domain's errors of these routes: 422 for invalid input, 409 with
    ``current_version`` for a stale version, as elsewhere for the others."""
    extra: dict[str, Any] = {}
    if isinstance(exc, StaleVersion):
        extra["current_version"] = exc.current_version
    elif isinstance(exc, Conflict) and exc.current is not None:
        extra["current"] = exc.current
    if isinstance(exc, UNPROCESSABLE):
        status = 422
    else:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return error_response(status, exc.code, answer_message(exc), exc.field, **extra)


def thai() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "th"


def editor() -> Editor:
    user = viewer()
    return Editor(user.id, user.role, scope_district_ids(get_session(), user))


def reviewers() -> Reviewers:
    return parse_reviewers(current_app.config.get("REFERENCE_REVIEWERS"))


def feature_type(name: str) -> ReferenceFeature:
    try:
        return ReferenceFeature(name)
    except ValueError:
        raise NotFound(N_("There is nothing at this address."), field="feature_type") from None


def district_param(who: Editor, allowed: frozenset[int] | None) -> frozenset[int] | None:
    """The ``district`` parameter (a P-code) within ``allowed``, or ``allowed`` when absent.

    Raises:
        InvalidInput: (``district``) no such district; Forbidden: outside the caller's scope.
    """
    ref = request.args.get("district")
    if not ref:
        return allowed
    try:
        district: District = find_district(get_session(), ref.strip())
    except NotFound as exc:
        raise InvalidInput(exc.template, **{**exc.values, "field": "district"}) from exc
    if allowed is not None and district.id not in allowed:
        raise Forbidden(N_("this feature belongs to another district"), field="district")
    return frozenset({district.id})


def check_reads(who: Editor, kind: ReferenceFeature, feature_id: int) -> None:
    """The caller may read this feature's history: a feature of its districts, or of those
    whose changes it reviews (the province's, with ``province`` reviewers).

    Raises:
        NotFound: no such feature; Forbidden: another district's.
    """
    session = get_session()
    district_id = feature_district(session, kind, feature_id)
    readable = review_district_ids(session, who, reviewers())
    if readable is not None and district_id not in readable:
        raise Forbidden(N_("this feature belongs to another district"), field="feature_id")


def change_answer(change: Any) -> dict[str, Any]:
    session = get_session()
    body: dict[str, Any] = {"change": change_json(session, change, thai()), "feature": None}
    if change.status is ChangeStatus.ACCEPTED and change.feature_id is not None:
        body["feature"] = feature_json(session, change.feature_type, change.feature_id, thai())
    return body


@bp.get("/api/reference/editable")
@roles_required(*EDITORS)
def editable():
    only(request.args, ("district", "types", "retired"))
    who = editor()
    districts = district_param(who, who.district_ids)
    retired = request.args.get("retired", "0")
    if retired not in ("0", "1"):
        raise InvalidInput(N_("{field} must be one of {known}"), field="retired", known="0, 1")
    collection = editable_features(
        get_session(),
        districts,
        parse_types(request.args.get("types")),
        retired=retired == "1",
        thai=thai(),
    )
    return jsonify(collection), 200, PRIVATE


@bp.post("/api/reference/changes")
@roles_required(*EDITORS)
def create_change():
    session = get_session()
    change = propose(session, editor(), parse_change(json_body(request)))
    body = change_answer(change)
    session.commit()
    return jsonify(body), 201


@bp.get("/api/reference/changes")
@roles_required(*EDITORS)
def changes():
    only(request.args, ("status", "district"))
    session = get_session()
    who = editor()
    status = request.args.get("status")
    wanted = parse_choice(status, "status", ChangeStatus) if status else None
    districts = district_param(who, review_district_ids(session, who, reviewers()))
    rows = list_changes(session, districts, wanted)
    return jsonify(changes=[change_json(session, c, thai()) for c in rows]), 200, PRIVATE


@bp.post("/api/reference/changes/<int:change_id>/accept")
@roles_required(*EDITORS)
def accept_change(change_id: int):
    session = get_session()
    body = json_body(request)
    refuse_unknown(body.keys(), ("note",))
    change, version = accept(session, editor(), change_id, body.get("note"), reviewers())
    answer = change_answer(change)
    answer["version"] = version.id
    session.commit()
    return jsonify(answer), 200


@bp.post("/api/reference/changes/<int:change_id>/reject")
@roles_required(*EDITORS)
def reject_change(change_id: int):
    session = get_session()
    body = json_body(request)
    refuse_unknown(body.keys(), ("note",))
    change = reject(session, editor(), change_id, body.get("note"), reviewers())
    answer = {"change": change_json(session, change, thai())}
    session.commit()
    return jsonify(answer), 200


@bp.get("/api/reference/features/<kind>/<int:feature_id>/versions")
@roles_required(*EDITORS)
def versions(kind: str, feature_id: int):
    only(request.args, ())
    found = feature_type(kind)
    check_reads(editor(), found, feature_id)
    return jsonify(versions=versions_json(get_session(), found, feature_id)), 200, PRIVATE


@bp.post("/api/reference/features/<kind>/<int:feature_id>/restore")
@roles_required(*EDITORS)
def restore_version(kind: str, feature_id: int):
    session = get_session()
    change = restore(session, editor(), feature_type(kind), feature_id, json_body(request))
    body = change_answer(change)
    session.commit()
    return jsonify(body), 201


@bp.get("/api/reference/derived")
@roles_required(*EDITORS)
def derived():
    only(request.args, ())
    progress = derived_progress(get_session())
    updated = progress.updated_at.isoformat() if progress.updated_at else None
    return (
        jsonify(
            status=progress.status,
            done=progress.done,
            total=progress.total,
            reference_version=progress.reference_version,
            updated_at=updated,
        ),
        200,
        PRIVATE,
    )
