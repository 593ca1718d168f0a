"""The four kinds of editable reference feature: their tables, attributes, checks of attribute
values, and their state as JSON (``{"geometry", "attributes", "version", "retired"}``), read from
a row and written back to it.

The precision of a seeded checkpoint is the seed's own value (``wikipedia``, ``approx-village``,
..., seeds/data/README.md); it reads as one of the three :class:`~gis.types.Precision` values
(:func:`precision_of`) and is replaced by one when a district sets it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gis.db import SRID
from gis.errors import InvalidInput, NotFound
from gis.models import BorderStretch, Checkpoint, CoordinationCentre, NaturalCrossing
from gis.parsing import parse_choice, parse_integer, parse_number, parse_text
from gis.text import N_
from gis.types import (
    CheckpointKind,
    CheckpointStatus,
    CrossingSeason,
    CrossingUse,
    Demarcation,
    Precision,
    ReferenceFeature,
    RiskLevel,
)

Model = type[Checkpoint] | type[CoordinationCentre] | type[NaturalCrossing] | type[BorderStretch]

MODELS: dict[ReferenceFeature, Model] = {
    ReferenceFeature.CHECKPOINT: Checkpoint,
    ReferenceFeature.CENTRE: CoordinationCentre,
    ReferenceFeature.CROSSING: NaturalCrossing,
    ReferenceFeature.STRETCH: BorderStretch,
}

#: Decimal digits of the coordinates kept in a state's GeoJSON (about 1 cm).
DIGITS = 7


@dataclass(frozen=True, slots=True)
class Text:
    """A text attribute of at most ``limit`` characters (``required``: never empty)."""

    limit: int
    required: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """An attribute whose value is one code of ``vocabulary`` (``required``: never empty)."""

    vocabulary: Any
    required: bool = True


@dataclass(frozen=True, slots=True)
class Choices:
    """A list of codes of ``vocabulary`` (each once)."""

    vocabulary: Any


Attribute = Text | Choice | Choices

#: The attributes a district edits, per kind of feature (a stretch's place is its segment and
#: fractions, set from two clicked points: :mod:`gis.reference.editing.checks`).
ATTRIBUTES: dict[ReferenceFeature, dict[str, Attribute]] = {
    ReferenceFeature.CHECKPOINT: {
        "name": Text(160, required=True),
        "name_th": Text(160),
        "kind": Choice(CheckpointKind),
        "status": Choice(CheckpointStatus),
        "hours": Text(80),
        "days": Text(80),
        "counterpart": Text(500),
        "crossing_rules": Text(1000),
        "status_note": Text(1000),
        "precision": Choice(Precision),
    },
    ReferenceFeature.CENTRE: {
        "name": Text(160, required=True),
        "name_th": Text(160),
        "address": Text(500),
        "phone": Text(40),
        "precision": Choice(Precision),
    },
    ReferenceFeature.CROSSING: {
        "name": Text(160, required=True),
        "risk_level": Choice(RiskLevel),
        "season": Choice(CrossingSeason, required=False),
        "crosses": Choices(CrossingUse),
        "note": Text(1000),
        "precision": Choice(Precision),
    },
    ReferenceFeature.STRETCH: {
        "demarcation": Choice(Demarcation),
        "source": Text(1000, required=True),
        "precision": Choice(Precision),
    },
}

#: Where a stretch lies on its segment: set by the server, kept in its state.
STRETCH_PLACE = ("segment_id", "from_fraction", "to_fraction")


def precision_of(stored: str | None) -> str:
    """A stored precision as one of the :class:`~gis.types.Precision` values: a checkpoint's
    Wikipedia coordinate (about 100 m) reads ``imagery``, the seed's village, sub-district, town
    and border-end points ``approximate``."""
    if stored in {p.value for p in Precision}:
        return str(stored)
    if stored == "wikipedia":
        return Precision.IMAGERY.value
    return Precision.APPROXIMATE.value


def parse_attribute(name: str, spec: Attribute, value: Any) -> Any:
    """One attribute's value, checked (``None`` clears an optional one).

    Raises:
        InvalidInput: (``name``) not a value of this attribute.
    """
    if isinstance(spec, Text):
        text = parse_text(value, name, spec.limit)
        if text is None and spec.required:
            raise InvalidInput(N_("{field} must not be empty"), field=name)
        return text.strip() if text is not None else None
    if isinstance(spec, Choice):
        if value is None and not spec.required:
            return None
        return parse_choice(value, name, spec.vocabulary).value
    if not isinstance(value, list):
        raise InvalidInput(N_("{field} must be a list"), field=name)
    codes = [parse_choice(v, name, spec.vocabulary).value for v in value]
    if len(set(codes)) != len(codes):
        raise InvalidInput(N_("{field} names a value twice"), field=name)
    return codes


def parse_attributes(feature_type: ReferenceFeature, raw: Any) -> dict[str, Any]:
    """The changed attributes of a change, each checked.

    Raises:
        InvalidInput: (``attributes``) not an object; (the attribute's name) unknown or a bad
            value.
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidInput(N_("{field} must be an object"), field="attributes")
    specs = ATTRIBUTES[feature_type]
    values: dict[str, Any] = {}
    for name, value in raw.items():
        spec = specs.get(name)
        if spec is None:
            raise InvalidInput(N_("{field} is not an attribute of this feature"), field=name)
        values[name] = parse_attribute(name, spec, value)
    return values


def require_attributes(feature_type: ReferenceFeature, values: Mapping[str, Any]) -> None:
    """A new feature's required attributes are all given.

    Raises:
        InvalidInput: (the attribute's name) missing.
    """
    for name, spec in ATTRIBUTES[feature_type].items():
        required = isinstance(spec, Text | Choice) and spec.required
        if required and values.get(name) is None and name != "precision":
            raise InvalidInput(N_("{field} is missing"), field=name)


# --------------------------------------------------------------------------- states


def _columns(feature_type: ReferenceFeature) -> tuple[str, ...]:
    names = tuple(ATTRIBUTES[feature_type])
    if feature_type is ReferenceFeature.STRETCH:
        names = STRETCH_PLACE + names
    return names


def find_row(
    session: Session, feature_type: ReferenceFeature, feature_id: int, *, lock: bool = False
) -> Any:
    """The feature's row (locked ``FOR UPDATE`` when ``lock``).

    Raises:
        NotFound: (``feature_id``) no such feature.
    """
    model = MODELS[feature_type]
    stmt = select(model).where(model.id == feature_id)
    if lock:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar_one_or_none()
    if row is None:
        raise NotFound(
            N_("there is no {kind} with id {id}"),
            field="feature_id",
            kind=feature_type,
            id=feature_id,
        )
    return row


def state_of(session: Session, feature_type: ReferenceFeature, row: Any) -> dict[str, Any]:
    """The feature's state as JSON: ``geometry`` (GeoJSON), ``attributes``, ``version``,
    ``retired``."""
    model = MODELS[feature_type]
    geometry = session.execute(
        select(func.ST_AsGeoJSON(model.geom, DIGITS)).where(model.id == row.id)
    ).scalar_one()
    attributes: dict[str, Any] = {}
    for name in _columns(feature_type):
        value = getattr(row, name)
        if name == "precision":
            value = precision_of(value)
        elif hasattr(value, "value"):
            value = value.value
        elif isinstance(value, list):
            value = list(value)
        attributes[name] = value
    return {
        "geometry": json.loads(geometry),
        "attributes": attributes,
        "version": row.version,
        "retired": row.retired_at is not None,
    }


def changed_attributes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, Any]:
    """The attributes of ``after`` that differ from ``before``."""
    if before is None:
        return dict(after)
    return {k: v for k, v in after.items() if before.get(k) != v}


def _precision_columns(feature_type: ReferenceFeature, precision: str) -> dict[str, Any]:
    approximate = precision == Precision.APPROXIMATE.value
    if feature_type is ReferenceFeature.CHECKPOINT:
        return {"precision": precision, "approximate": approximate}
    if feature_type is ReferenceFeature.CENTRE:
        return {"precision": precision, "location_approximate": approximate}
    return {"precision": precision}


def column_values(feature_type: ReferenceFeature, attributes: Mapping[str, Any]) -> dict[str, Any]:
    """Column values of a row for ``attributes`` (the precision's companions included)."""
    values: dict[str, Any] = {}
    for name, value in attributes.items():
        if name == "precision":
            values.update(_precision_columns(feature_type, value))
        else:
            values[name] = value
    return values


def geometry_value(feature_type: ReferenceFeature, geometry: Mapping[str, Any]) -> Any:
    """SQL expression of a checked GeoJSON geometry in the feature's column type."""
    geom = func.ST_SetSRID(func.ST_GeomFromGeoJSON(json.dumps(geometry)), SRID)
    if feature_type is ReferenceFeature.CROSSING:
        return func.ST_Multi(geom)
    return geom


def write_state(
    session: Session,
    feature_type: ReferenceFeature,
    row: Any,
    after: Mapping[str, Any],
    at: dt.datetime,
) -> None:
    """Bring the row to the state ``after`` (changed attributes, geometry, retired or not) and
    one version on; flushed."""
    model = MODELS[feature_type]
    now = state_of(session, feature_type, row)
    values = column_values(
        feature_type, changed_attributes(now["attributes"], after.get("attributes") or {})
    )
    geometry = after.get("geometry")
    if geometry is not None and geometry != now["geometry"]:
        values["geom"] = geometry_value(feature_type, geometry)
    retired = bool(after.get("retired"))
    if retired != now["retired"]:
        values["retired_at"] = at if retired else None
    if feature_type is ReferenceFeature.CENTRE:
        values["updated_at"] = at
    values["version"] = row.version + 1
    session.execute(
        update(model)
        .where(model.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(row)


def check_feature_id(value: Any) -> int | None:
    """A change's ``feature_id``: a positive integer, or ``None`` for a new feature.

    Raises:
        InvalidInput: (``feature_id``) anything else.
    """
    if value is None:
        return None
    return parse_integer(value, "feature_id", 1, 2**31 - 1)


def check_accuracy(value: Any) -> float | None:
    """The phone's accuracy in metres ("I am here"), or ``None``.

    Raises:
        InvalidInput: (``accuracy_m``) not a number from 0 to 10,000.
    """
    if value is None:
        return None
    return parse_number(value, "accuracy_m", 0.0, 10_000.0)
