"""The editable features, the changes and the versions, as the reference editing API answers
them (docs/api.md). Labels are the features' names in the reader's language (``thai``)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gis.errors import InvalidInput
from gis.models import (
    BorderSegment,
    District,
    ReferenceChange,
    ReferenceVersion,
    User,
)
from gis.reference.editing.features import DIGITS, MODELS, find_row, state_of
from gis.text import N_
from gis.types import ChangeStatus, ReferenceFeature

#: The feature types ``GET /api/reference/editable`` lists; ``segment`` adds the border
#: segments a stretch is flagged on.
LISTED = (*(t.value for t in ReferenceFeature), "segment")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def label_of(feature_type: ReferenceFeature, attributes: dict[str, Any], thai: bool) -> str:
    """A feature's name for people: the Thai name on Thai pages when it has one; a stretch by
    its segment and fractions."""
    if feature_type is ReferenceFeature.STRETCH:
        return "#{} {:.0%}-{:.0%}".format(
            attributes.get("segment_no", attributes.get("segment_id")),
            attributes.get("from_fraction", 0.0),
            attributes.get("to_fraction", 0.0),
        )
    if thai and attributes.get("name_th"):
        return str(attributes["name_th"])
    return str(attributes.get("name") or "")


def parse_types(raw: str | None) -> tuple[str, ...]:
    """The ``types`` parameter: feature types separated by commas (all four by default).

    Raises:
        InvalidInput: (``types``) an unknown type.
    """
    if raw is None or not raw.strip():
        return tuple(t.value for t in ReferenceFeature)
    types = tuple(part.strip() for part in raw.split(","))
    for part in types:
        if part not in LISTED:
            raise InvalidInput(
                N_("{field} must be one or more of {known}, separated by commas"),
                field="types",
                known=", ".join(LISTED),
            )
    return types


def _open_changes(session: Session) -> dict[tuple[str, int], int]:
    rows = session.execute(
        select(
            ReferenceChange.feature_type, ReferenceChange.feature_id, func.max(ReferenceChange.id)
        )
        .where(
            ReferenceChange.status == ChangeStatus.PROPOSED, ReferenceChange.feature_id.is_not(None)
        )
        .group_by(ReferenceChange.feature_type, ReferenceChange.feature_id)
    ).all()
    return {(str(t.value if hasattr(t, "value") else t), int(i or 0)): int(c) for t, i, c in rows}


def editable_features(
    session: Session,
    district_ids: Collection[int] | None,
    types: Collection[str],
    *,
    retired: bool = False,
    thai: bool = False,
    only: int | None = None,
) -> dict[str, Any]:
    """The features of ``types`` in ``district_ids`` (``None``: every district) as a GeoJSON
    FeatureCollection, each with its version, district, label, precision, open proposal and
    attributes (docs/api.md, ``GET /api/reference/editable``); ``only``: the one with this id."""
    pending = _open_changes(session)
    features: list[dict[str, Any]] = []
    pcodes = dict(session.execute(select(District.id, District.pcode)).all())
    segment_nos = _segment_nos(session)
    for name in types:
        if name == "segment":
            features.extend(_segments(session, district_ids, pcodes))
            continue
        kind = ReferenceFeature(name)
        model: Any = MODELS[kind]
        stmt = select(model).order_by(model.id)
        if district_ids is not None:
            stmt = stmt.where(model.district_id.in_(list(district_ids)))
        if not retired:
            stmt = stmt.where(model.retired_at.is_(None))
        if only is not None:
            stmt = stmt.where(model.id == only)
        for row in session.execute(stmt).scalars():
            state = state_of(session, kind, row)
            attributes = state["attributes"]
            named = {**attributes, "segment_no": segment_nos.get(attributes.get("segment_id") or 0)}
            features.append(
                {
                    "type": "Feature",
                    "id": f"{kind.value}:{row.id}",
                    "geometry": state["geometry"],
                    "properties": {
                        "feature_type": kind.value,
                        "feature_id": row.id,
                        "version": row.version,
                        "district": pcodes.get(row.district_id),
                        "label": label_of(kind, named, thai),
                        "precision": attributes.get("precision"),
                        "retired": state["retired"],
                        "pending_change": pending.get((kind.value, row.id)),
                        **attributes,
                        **_segment_of(kind, named),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def feature_json(
    session: Session, feature_type: ReferenceFeature, feature_id: int, thai: bool = False
) -> dict[str, Any] | None:
    """One feature as ``GET /api/reference/editable`` lists it (retired ones too)."""
    found = editable_features(
        session, None, [feature_type.value], retired=True, thai=thai, only=feature_id
    )["features"]
    return found[0] if found else None


def _segment_of(feature_type: ReferenceFeature, named: dict[str, Any]) -> dict[str, Any]:
    """A stretch's border segment by the number people read (``segment_no``), for the pages
    that name the stretch in words; nothing for other types."""
    if feature_type is not ReferenceFeature.STRETCH:
        return {}
    return {"segment_no": named.get("segment_no")}


def _segment_nos(session: Session) -> dict[int, int]:
    return dict(session.execute(select(BorderSegment.id, BorderSegment.segment_no)).all())


def _segments(
    session: Session, district_ids: Collection[int] | None, pcodes: dict[int, str]
) -> list[dict[str, Any]]:
    stmt = select(
        BorderSegment.id,
        BorderSegment.segment_no,
        BorderSegment.demarcation,
        BorderSegment.district_id,
        func.ST_AsGeoJSON(BorderSegment.geom, DIGITS),
    ).order_by(BorderSegment.segment_no)
    if district_ids is not None:
        stmt = stmt.where(BorderSegment.district_id.in_(list(district_ids)))
    return [
        {
            "type": "Feature",
            "id": f"segment:{sid}",
            "geometry": json.loads(geom),
            "properties": {
                "feature_type": "segment",
                "feature_id": sid,
                "segment_no": no,
                "demarcation": demarcation.value if hasattr(demarcation, "value") else demarcation,
                "district": pcodes.get(district_id),
            },
        }
        for sid, no, demarcation, district_id, geom in session.execute(stmt).all()
    ]


def _person(session: Session, user_id: int | None) -> dict[str, Any] | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None:
        return None
    return {"role": user.role.value, "name": user.display_name}


def _shown_state(state: dict[str, Any] | None, with_version: bool) -> dict[str, Any] | None:
    if state is None:
        return None
    shown = {
        "geometry": state.get("geometry"),
        "attributes": state.get("attributes"),
        "retired": bool(state.get("retired")),
    }
    if with_version:
        shown["version"] = state.get("version")
    return shown


def change_json(session: Session, change: ReferenceChange, thai: bool = False) -> dict[str, Any]:
    """One change as the API answers it."""
    attributes = dict((change.after or {}).get("attributes") or {})
    if change.feature_type is ReferenceFeature.STRETCH:
        attributes["segment_no"] = _segment_nos(session).get(attributes.get("segment_id") or 0)
    return {
        "id": change.id,
        "feature_type": change.feature_type.value,
        "feature_id": change.feature_id,
        "action": change.action.value,
        "status": change.status.value,
        "district": session.execute(
            select(District.pcode).where(District.id == change.district_id)
        ).scalar(),
        "label": label_of(change.feature_type, attributes, thai),
        **_segment_of(change.feature_type, attributes),
        "proposed_by": _person(session, change.proposed_by_id),
        "proposed_at": _iso(change.proposed_at),
        "reason": change.reason,
        "accuracy_m": change.accuracy_m,
        "base_version": change.base_version,
        "restore_of": change.restore_of,
        "before": _shown_state(change.before, True),
        "after": _shown_state(change.after, False),
        "reviewed_by": _person(session, change.reviewed_by_id),
        "reviewed_at": _iso(change.reviewed_at),
        "review_note": change.review_note,
    }


def list_changes(
    session: Session,
    district_ids: Collection[int] | None,
    status: ChangeStatus | None = None,
) -> list[ReferenceChange]:
    """The changes of ``district_ids`` (``None``: all), newest first, of one status if given."""
    stmt = select(ReferenceChange).order_by(ReferenceChange.id.desc())
    if district_ids is not None:
        stmt = stmt.where(ReferenceChange.district_id.in_(list(district_ids)))
    if status is not None:
        stmt = stmt.where(ReferenceChange.status == status)
    return list(session.execute(stmt).scalars())


def feature_district(
    session: Session, feature_type: ReferenceFeature, feature_id: int
) -> int | None:
    """The district of a feature.

    Raises:
        NotFound: (``feature_id``) no such feature.
    """
    return find_row(session, feature_type, feature_id).district_id


def versions_json(
    session: Session, feature_type: ReferenceFeature, feature_id: int
) -> list[dict[str, Any]]:
    """The versions of a feature, newest first (``version`` is the reference data's version
    number, ``feature_version`` the feature's own)."""
    reviewer = aliased(ReferenceChange)
    rows = session.execute(
        select(ReferenceVersion, reviewer.reviewed_by_id)
        .outerjoin(reviewer, reviewer.id == ReferenceVersion.change_id)
        .where(
            ReferenceVersion.feature_type == feature_type,
            ReferenceVersion.feature_id == feature_id,
        )
        .order_by(ReferenceVersion.id.desc())
    ).all()
    return [
        {
            "version": v.id,
            "feature_version": v.feature_version,
            "at": _iso(v.at),
            "actor": _person(session, v.actor_id),
            "accepted_by": _person(session, reviewed_by),
            "reason": v.reason,
            "action": v.action.value,
            "before": _shown_state(v.before, True),
            "after": _shown_state(v.after, True),
        }
        for v, reviewed_by in rows
    ]
