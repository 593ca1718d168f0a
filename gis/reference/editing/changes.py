"""Changes to the reference features: proposed, accepted, rejected, restored.

A coordinator proposes a change to a feature of their district; an administrator's own change
is accepted at once. A proposal is accepted by an administrator, or, when the reviewers are
``province`` (``REFERENCE_REVIEWERS``), also by another coordinator of the same province (never
by its own author). Every change names the version of the feature it was made on
(``base_version``): the feature's row is locked and a change made on an older version is refused
(:class:`StaleVersion`, naming the current version), at proposal and at acceptance, so nothing is
silently overwritten. Every accepted change writes a :class:`~gis.models.ReferenceVersion` and
defers the recomputation of what derives from the reference data
(:func:`gis.reference.derived.schedule`) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.errors import Conflict, Forbidden, InvalidInput, NotFound
from gis.models import (
    BorderSegment,
    BorderStretch,
    District,
    NaturalCrossing,
    ReferenceChange,
    ReferenceVersion,
)
from gis.parsing import parse_choice, parse_integer, parse_text, refuse_unknown
from gis.reference.derived import schedule
from gis.reference.editing.checks import check_crossing, check_point, snap_stretch
from gis.reference.editing.features import (
    ATTRIBUTES,
    MODELS,
    check_accuracy,
    check_feature_id,
    column_values,
    find_row,
    geometry_value,
    parse_attributes,
    require_attributes,
    state_of,
    write_state,
)
from gis.text import N_
from gis.types import (
    ChangeAction,
    ChangeStatus,
    Precision,
    ReferenceFeature,
    RiskLevel,
    Role,
    StrEnum,
)

#: Length of a change's reason and a reviewer's note (characters).
REASON_MIN, REASON_MAX = 3, 500
#: The fields of ``POST /api/reference/changes``.
CHANGE_FIELDS = (
    "feature_type",
    "feature_id",
    "action",
    "base_version",
    "geometry",
    "attributes",
    "reason",
    "accuracy_m",
)
#: What a new stretch's ``attributes`` give besides its attributes: where it lies.
STRETCH_POINTS = ("segment_id", "from_point", "to_point")
#: The reason of a feature's first version, its state as imported (data, not shown as words: the
#: action ``imported`` is).
IMPORTED_REASON = "imported reference data"
#: Where features made on the map come from (``natural_crossing.source``).
EDITED_SOURCE = "drawn on the map by the district (reference editing)"


class Reviewers(StrEnum):
    """Who accepts a coordinator's proposal (``REFERENCE_REVIEWERS``)."""

    ADMIN = "admin"
    PROVINCE = "province"


class StaleVersion(Conflict):
    """A change made on another version of the feature than its current one (HTTP 409)."""

    def __init__(self, current_version: int) -> None:
        super().__init__(
            N_("the feature was changed meanwhile: it is at version {current_version} now"),
            field="base_version",
            current_version=current_version,
        )
        self.current_version = current_version


@dataclass(frozen=True, slots=True)
class Editor:
    """Who edits: the account, its role, and the districts it may edit (``None``: all)."""

    id: int
    role: Role
    district_ids: frozenset[int] | None

    @property
    def is_administrator(self) -> bool:
        return self.role is Role.ADMINISTRATOR


@dataclass(frozen=True)
class ChangeRequest:
    """A checked ``POST /api/reference/changes`` body."""

    feature_type: ReferenceFeature
    feature_id: int | None
    action: ChangeAction
    base_version: int | None
    geometry: Mapping[str, Any] | None
    attributes: dict[str, Any]
    reason: str
    accuracy_m: float | None = None
    #: A new stretch's segment and clicked points.
    place: dict[str, Any] = field(default_factory=dict)


def parse_reviewers(value: Any) -> Reviewers:
    """The ``REFERENCE_REVIEWERS`` setting.

    Raises:
        InvalidInput: (``REFERENCE_REVIEWERS``) neither ``admin`` nor ``province``.
    """
    return parse_choice(value or Reviewers.ADMIN.value, "REFERENCE_REVIEWERS", Reviewers)


def parse_reason(value: Any, name: str = "reason") -> str:
    """Why: text of :data:`REASON_MIN` to :data:`REASON_MAX` characters.

    Raises:
        InvalidInput: (``name``) missing, too short or too long.
    """
    text = parse_text(value, name, REASON_MAX)
    if text is None or len(text.strip()) < REASON_MIN:
        raise InvalidInput(
            N_("{field} must be at least {least} characters"), field=name, least=REASON_MIN
        )
    return text.strip()


def parse_version(value: Any, name: str = "base_version") -> int:
    """A version number.

    Raises:
        InvalidInput: (``name``) not a positive whole number.
    """
    if value is None:
        raise InvalidInput(N_("{field} is missing"), field=name)
    return parse_integer(value, name, 1, 2**31 - 1)


def parse_change(body: Mapping[str, Any]) -> ChangeRequest:
    """Check the body of a change (see docs/api.md).

    Raises:
        InvalidInput: naming the first member that is unknown, missing or not valid.
    """
    refuse_unknown(body.keys(), CHANGE_FIELDS)
    feature_type = parse_choice(body.get("feature_type"), "feature_type", ReferenceFeature)
    action = parse_choice(body.get("action"), "action", ChangeAction)
    if action is ChangeAction.RESTORE:
        raise InvalidInput(N_("{field}: restore a version through its own address"), field="action")
    feature_id = check_feature_id(body.get("feature_id"))
    creatable = (ReferenceFeature.CROSSING, ReferenceFeature.STRETCH)
    if action is ChangeAction.CREATE:
        if feature_type not in creatable:
            raise InvalidInput(
                N_("only natural crossings and border stretches are added on the map"),
                field="feature_type",
            )
        if feature_id is not None or body.get("base_version") is not None:
            raise InvalidInput(N_("a new feature has no {field}"), field="feature_id")
        base_version = None
    else:
        if feature_id is None:
            raise InvalidInput(N_("{field} is missing"), field="feature_id")
        base_version = parse_version(body.get("base_version"))
    geometry = body.get("geometry")
    if geometry is not None and not isinstance(geometry, Mapping):
        raise InvalidInput(N_("{field} must be a GeoJSON geometry"), field="geometry")
    raw = body.get("attributes")
    place: dict[str, Any] = {}
    if feature_type is ReferenceFeature.STRETCH and isinstance(raw, Mapping):
        place = {k: raw[k] for k in STRETCH_POINTS if k in raw}
        raw = {k: v for k, v in raw.items() if k not in STRETCH_POINTS}
        if place and action is not ChangeAction.CREATE:
            raise InvalidInput(
                N_("{field}: a stretch's place is set when it is flagged"),
                field=next(iter(place)),
            )
    attributes = parse_attributes(feature_type, raw)
    if action is ChangeAction.RETIRE and (attributes or geometry is not None):
        raise InvalidInput(N_("retiring a feature changes nothing else"), field="attributes")
    return ChangeRequest(
        feature_type=feature_type,
        feature_id=feature_id,
        action=action,
        base_version=base_version,
        geometry=geometry,
        attributes=attributes,
        reason=parse_reason(body.get("reason")),
        accuracy_m=check_accuracy(body.get("accuracy_m")),
        place=place,
    )


# --------------------------------------------------------------------------- scope


def check_scope(editor: Editor, district_id: int | None) -> None:
    """The editor may change features of ``district_id``.

    Raises:
        Forbidden: another district's feature (or one of no district, for a coordinator).
    """
    if editor.role not in (Role.ADMINISTRATOR, Role.COORDINATOR):
        raise Forbidden(N_("only coordinators and administrators edit the reference data"))
    if editor.district_ids is None:
        return
    if district_id is None or district_id not in editor.district_ids:
        raise Forbidden(N_("this feature belongs to another district"), field="feature_id")


def _province_of(session: Session, district_id: int) -> int | None:
    return session.execute(select(District.province_id).where(District.id == district_id)).scalar()


def check_reviewer(
    session: Session, editor: Editor, change: ReferenceChange, reviewers: Reviewers
) -> None:
    """The editor may accept or reject ``change``: an administrator; with ``province``
    reviewers also another coordinator of the province of the change's district.

    Raises:
        Forbidden: anyone else, and the change's own author.
    """
    if editor.is_administrator:
        return
    if editor.id == change.proposed_by_id:
        raise Forbidden(N_("a change is reviewed by someone other than its author"))
    if reviewers is Reviewers.PROVINCE and editor.role is Role.COORDINATOR:
        province = _province_of(session, change.district_id)
        own = {_province_of(session, d) for d in editor.district_ids or ()}
        if province is not None and province in own:
            return
    raise Forbidden(N_("you may not review changes of this district"))


def review_district_ids(
    session: Session, editor: Editor, reviewers: Reviewers
) -> frozenset[int] | None:
    """The districts whose changes the editor lists: its own; with ``province`` reviewers a
    coordinator's whole province; ``None`` (all) for national accounts."""
    if editor.district_ids is None:
        return None
    if reviewers is not Reviewers.PROVINCE or editor.role is not Role.COORDINATOR:
        return editor.district_ids
    provinces = {_province_of(session, d) for d in editor.district_ids}
    ids = session.execute(select(District.id).where(District.province_id.in_(provinces)))
    return frozenset(ids.scalars())


# --------------------------------------------------------------------------- proposing


def _require_current(row: Any, base_version: int | None) -> None:
    if base_version != row.version:
        raise StaleVersion(row.version)


def _updated_state(
    session: Session, request: ChangeRequest, row: Any, before: dict[str, Any]
) -> dict[str, Any]:
    kind = request.feature_type
    if before["retired"]:
        raise Conflict(
            N_("this feature is retired: restore a version of it first"),
            field="feature_id",
            current="retired",
        )
    if request.action is ChangeAction.RETIRE:
        return {**before, "retired": True}
    attributes = {**before["attributes"], **request.attributes}
    geometry = before["geometry"]
    if request.geometry is not None:
        if kind is ReferenceFeature.STRETCH:
            raise InvalidInput(
                N_("a stretch's place is set by the two points it was flagged between"),
                field="geometry",
            )
        if kind is ReferenceFeature.CROSSING:
            place = check_crossing(session, request.geometry, attributes["name"], row.id)
            if place.district_id != row.district_id:
                raise InvalidInput(
                    N_("the new place lies outside the feature's district"), field="geometry"
                )
            geometry = place.geometry
        else:
            geometry, _ = check_point(session, request.geometry, row.district_id)
    after = {"geometry": geometry, "attributes": attributes, "retired": False}
    if after["geometry"] == before["geometry"] and attributes == before["attributes"]:
        raise InvalidInput(N_("the change changes nothing"), field="attributes")
    return after


def _new_state(session: Session, request: ChangeRequest) -> tuple[int, dict[str, Any]]:
    attributes = dict(request.attributes)
    attributes.setdefault("precision", Precision.APPROXIMATE.value)
    if request.feature_type is ReferenceFeature.CROSSING:
        attributes.setdefault("risk_level", RiskLevel.MEDIUM.value)
        require_attributes(request.feature_type, attributes)
        if request.geometry is None:
            raise InvalidInput(N_("{field} is missing"), field="geometry")
        place = check_crossing(session, request.geometry, attributes["name"])
        for name in ATTRIBUTES[ReferenceFeature.CROSSING]:
            attributes.setdefault(name, [] if name == "crosses" else None)
        return place.district_id, {
            "geometry": place.geometry,
            "attributes": attributes,
            "retired": False,
        }
    if request.geometry is not None:
        raise InvalidInput(
            N_("a stretch's place is set by the two points it was flagged between"),
            field="geometry",
        )
    for name in STRETCH_POINTS:
        if name not in request.place:
            raise InvalidInput(N_("{field} is missing"), field=name)
    require_attributes(request.feature_type, attributes)
    stretch = snap_stretch(
        session,
        request.place["segment_id"],
        request.place["from_point"],
        request.place["to_point"],
    )
    if stretch.district_id is None:
        raise InvalidInput(N_("this border segment belongs to no district"), field="segment_id")
    return stretch.district_id, {
        "geometry": stretch.geometry,
        "attributes": {
            "segment_id": stretch.segment_id,
            "from_fraction": stretch.from_fraction,
            "to_fraction": stretch.to_fraction,
            **attributes,
        },
        "retired": False,
    }


def _segment_district(session: Session, segment_id: Any) -> int | None:
    if isinstance(segment_id, bool) or not isinstance(segment_id, int):
        raise InvalidInput(N_("{field} must be a whole number"), field="segment_id")
    segment = session.get(BorderSegment, segment_id)
    if segment is None:
        raise InvalidInput(N_("there is no border segment {id}"), field="segment_id", id=segment_id)
    return segment.district_id


def propose(
    session: Session, editor: Editor, request: ChangeRequest, *, now: dt.datetime | None = None
) -> ReferenceChange:
    """Record a change: a proposal, or, made by an administrator, accepted at once.

    Args:
        session: open session (the caller commits).
        editor: who makes it.
        request: the checked change (:func:`parse_change`).
        now: the time of the change (tests).

    Returns:
        The change (``accepted`` with ``feature_id`` set when accepted at once).

    Raises:
        Forbidden: the feature belongs to another district.
        NotFound: (``feature_id``) no such feature.
        StaleVersion: (``base_version``) the feature is at another version.
        InvalidInput, InvalidGeometry: naming the field that is not valid.
    """
    at = now or dt.datetime.now(dt.UTC)
    before: dict[str, Any] | None = None
    if request.action is ChangeAction.CREATE:
        if request.feature_type is ReferenceFeature.STRETCH:
            check_scope(editor, _segment_district(session, request.place.get("segment_id")))
        district_id, after = _new_state(session, request)
        check_scope(editor, district_id)
    else:
        assert request.feature_id is not None
        row = find_row(session, request.feature_type, request.feature_id, lock=True)
        check_scope(editor, row.district_id)
        _require_current(row, request.base_version)
        before = state_of(session, request.feature_type, row)
        district_id = row.district_id
        after = _updated_state(session, request, row, before)
    return _record(session, editor, request, district_id, before, after, at)


def _record(
    session: Session,
    editor: Editor,
    request: ChangeRequest,
    district_id: int,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    at: dt.datetime,
    restore_of: int | None = None,
) -> ReferenceChange:
    after.pop("version", None)
    change = ReferenceChange(
        feature_type=request.feature_type,
        feature_id=request.feature_id,
        action=request.action,
        status=ChangeStatus.PROPOSED,
        district_id=district_id,
        base_version=request.base_version,
        restore_of=restore_of,
        before=before,
        after=after,
        reason=request.reason,
        accuracy_m=request.accuracy_m,
        proposed_by_id=editor.id,
        proposed_at=at,
    )
    session.add(change)
    session.flush()
    if editor.is_administrator:
        _accept(session, change, editor, None, at)
    return change


# --------------------------------------------------------------------------- reviewing


def _locked_change(session: Session, change_id: int) -> ReferenceChange:
    change = session.execute(
        select(ReferenceChange).where(ReferenceChange.id == change_id).with_for_update()
    ).scalar_one_or_none()
    if change is None:
        raise NotFound(N_("there is no change {id}"), field="change", id=change_id)
    if change.status is not ChangeStatus.PROPOSED:
        raise Conflict(
            N_("this change was decided already ({status})"),
            field="status",
            status=change.status,
            current=change.status.value,
        )
    return change


def _create_row(session: Session, change: ReferenceChange) -> Any:
    kind = change.feature_type
    after = change.after
    attributes = dict(after["attributes"])
    if kind is ReferenceFeature.CROSSING:
        check_crossing(session, after["geometry"], attributes["name"])  # no duplicate since
        row: Any = NaturalCrossing(
            code=f"edit-{change.id}",
            district_id=change.district_id,
            source=EDITED_SOURCE,
            geom=geometry_value(kind, after["geometry"]),
            **column_values(kind, attributes),
        )
    else:
        cut = func.ST_LineSubstring(
            BorderSegment.geom, attributes["from_fraction"], attributes["to_fraction"]
        )
        row = BorderStretch(
            district_id=change.district_id,
            geom=select(cut).where(BorderSegment.id == attributes["segment_id"]).scalar_subquery(),
            **column_values(kind, attributes),
        )
    session.add(row)
    session.flush()
    session.refresh(row)
    return row


def _keep_imported_state(
    session: Session,
    kind: ReferenceFeature,
    feature_id: int,
    state: dict[str, Any],
    at: dt.datetime,
) -> None:
    """Before a feature's first change, its state as imported becomes its first version (so
    that it can be restored)."""
    known = session.execute(
        select(ReferenceVersion.id)
        .where(ReferenceVersion.feature_type == kind, ReferenceVersion.feature_id == feature_id)
        .limit(1)
    ).first()
    if known is None:
        session.add(
            ReferenceVersion(
                feature_type=kind,
                feature_id=feature_id,
                feature_version=state["version"],
                action=ChangeAction.IMPORTED,
                at=at,
                reason=IMPORTED_REASON,
                before=None,
                after=state,
            )
        )
        session.flush()


def _accept(
    session: Session, change: ReferenceChange, reviewer: Editor, note: str | None, at: dt.datetime
) -> ReferenceVersion:
    kind = change.feature_type
    if change.action is ChangeAction.CREATE:
        row = _create_row(session, change)
        before = None
        change.feature_id = row.id
    else:
        assert change.feature_id is not None
        row = find_row(session, kind, change.feature_id, lock=True)
        _require_current(row, change.base_version)
        before = state_of(session, kind, row)
        _keep_imported_state(session, kind, row.id, before, at)
        write_state(session, kind, row, change.after, at)
    after = state_of(session, kind, row)
    change.status = ChangeStatus.ACCEPTED
    change.reviewed_by_id = reviewer.id
    change.reviewed_at = at
    change.review_note = note
    version = ReferenceVersion(
        feature_type=kind,
        feature_id=row.id,
        feature_version=row.version,
        action=change.action,
        change_id=change.id,
        actor_id=change.proposed_by_id,
        at=at,
        reason=change.reason,
        before=before,
        after=after,
    )
    session.add(version)
    session.flush()
    schedule(
        session,
        version.id,
        kind.value,
        [s["geometry"] for s in (before, after) if s is not None],
        feature_id=row.id,
    )
    return version


def accept(
    session: Session,
    editor: Editor,
    change_id: int,
    note: Any,
    reviewers: Reviewers,
    *,
    now: dt.datetime | None = None,
) -> tuple[ReferenceChange, ReferenceVersion]:
    """Accept a proposal: the feature takes the proposed state and a version is written.

    Raises:
        NotFound: (``change``) no such change; Conflict: (``status``) decided already.
        Forbidden: the editor may not review it (:func:`check_reviewer`).
        StaleVersion: (``base_version``) the feature changed since the proposal.
        InvalidInput: (``note``) too long.
    """
    text = parse_text(note, "note", REASON_MAX)
    change = _locked_change(session, change_id)
    check_reviewer(session, editor, change, reviewers)
    version = _accept(session, change, editor, text, now or dt.datetime.now(dt.UTC))
    return change, version


def reject(
    session: Session,
    editor: Editor,
    change_id: int,
    note: Any,
    reviewers: Reviewers,
    *,
    now: dt.datetime | None = None,
) -> ReferenceChange:
    """Reject a proposal, saying why.

    Raises:
        InvalidInput: (``note``) missing or too short or long; and as :func:`accept`.
    """
    text = parse_reason(note, "note")
    change = _locked_change(session, change_id)
    check_reviewer(session, editor, change, reviewers)
    change.status = ChangeStatus.REJECTED
    change.reviewed_by_id = editor.id
    change.reviewed_at = now or dt.datetime.now(dt.UTC)
    change.review_note = text
    session.flush()
    return change


def restore(
    session: Session,
    editor: Editor,
    feature_type: ReferenceFeature,
    feature_id: int,
    body: Mapping[str, Any],
    *,
    now: dt.datetime | None = None,
) -> ReferenceChange:
    """Propose (or, for an administrator, make) the state a feature had at one of its versions
    (``body``: ``version``, ``base_version``, ``reason``); restoring writes a new version.

    Raises:
        NotFound: (``version``) not a version of this feature; and as :func:`propose`.
    """
    refuse_unknown(body.keys(), ("version", "base_version", "reason"))
    number = parse_version(body.get("version"), "version")
    base_version = parse_version(body.get("base_version"))
    reason = parse_reason(body.get("reason"))
    row = find_row(session, feature_type, feature_id, lock=True)
    check_scope(editor, row.district_id)
    version = session.get(ReferenceVersion, number)
    if version is None or version.feature_type != feature_type or version.feature_id != row.id:
        raise NotFound(N_("this feature has no version {number}"), field="version", number=number)
    _require_current(row, base_version)
    before = state_of(session, feature_type, row)
    after = {
        "geometry": version.after["geometry"],
        "attributes": version.after["attributes"],
        "retired": bool(version.after.get("retired")),
    }
    request = ChangeRequest(
        feature_type=feature_type,
        feature_id=row.id,
        action=ChangeAction.RESTORE,
        base_version=base_version,
        geometry=None,
        attributes={},
        reason=reason,
    )
    at = now or dt.datetime.now(dt.UTC)
    return _record(session, editor, request, row.district_id, before, after, at, number)


__all__ = [
    "MODELS",
    "ChangeRequest",
    "Editor",
    "Reviewers",
    "StaleVersion",
    "accept",
    "check_reviewer",
    "check_scope",
    "parse_change",
    "parse_reviewers",
    "propose",
    "reject",
    "restore",
    "review_district_ids",
]
