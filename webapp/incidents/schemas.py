"""Reading a report's JSON body and writing an incident as JSON.

The body is decoded here with :func:`json.loads` (not ``request.get_json``): a wrong content type,
an oversized or malformed body, a member given twice or a body that is not an object is refused
with ``InvalidInput(field="body")`` (or naming the member). ``NaN`` and ``Infinity`` decode to
floats on purpose, so that :func:`gis.incidents.reports.parse_incident` refuses them naming their
field.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flask import Request
from geoalchemy2.shape import to_shape
from sqlalchemy import Row

from gis.errors import InvalidInput
from gis.incidents.disclosure import Reader, description_for, owns
from gis.models import Incident
from gis.text import N_
from gis.types import DistrictRef

#: Largest report body accepted (bytes): a 5,000-character Thai description is about 15 KB.
MAX_BODY_BYTES = 64 * 1024


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose members are named once each."""
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            shown = key[:80]
            raise InvalidInput(N_("{field!r} is given more than once"), field=shown)
        obj[key] = value
    return obj


def json_body(request: Request) -> dict[str, Any]:
    """The request's body as a JSON object.

    Raises:
        InvalidInput: ``field="body"`` for a content type other than ``application/json``, a body
            over :data:`MAX_BODY_BYTES`, malformed JSON or JSON that is not an object; the member
            for a member given twice.
    """
    if request.mimetype != "application/json":
        raise InvalidInput(
            N_("the body must be JSON (Content-Type: application/json)"), field="body"
        )
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise InvalidInput(
            N_("the body is larger than {kib} KiB"), field="body", kib=MAX_BODY_BYTES // 1024
        )
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInput(
            N_("the body is larger than {kib} KiB"), field="body", kib=MAX_BODY_BYTES // 1024
        )
    try:
        doc = json.loads(raw, object_pairs_hook=_object)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        if isinstance(exc, json.JSONDecodeError):
            raise InvalidInput(
                N_("the body is not valid JSON: {detail}"), field="body", detail=exc.msg
            ) from None
        raise InvalidInput(N_("the body is not valid JSON"), field="body") from None
    if not isinstance(doc, dict):
        raise InvalidInput(N_("the body must be a JSON object"), field="body")
    return doc


def _metres(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def incident_json(
    incident: Incident | Row[Any],
    district: DistrictRef,
    reader: Reader,
    photos: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The incident as the API shows it to ``reader`` (the reporter or the district's staff).

    ``incident`` is an ``Incident`` or a row of its columns
    (:func:`gis.incidents.reports.store_report`).

    The reporter's identity and contact are left out. What ``reader`` may read of the rest is
    :mod:`gis.incidents.disclosure`'s: ``description`` is ``null`` where the text is withheld,
    and ``idempotency_key`` is there for the report's own reporter only. ``photos`` are the
    incident's photos as :func:`webapp.incidents.photos.photo_json` lists them (none for a
    report just made).
    """
    where = to_shape(incident.geom)
    key = {"idempotency_key": str(incident.idempotency_key)} if owns(reader, incident) else {}
    return {
        "id": incident.id,
        **key,
        "category": incident.category.value,
        "status": incident.status.value,
        "channel": incident.channel.value,
        "severity": incident.severity,
        "occurred_at": incident.occurred_at.isoformat(),
        "reported_at": incident.reported_at.isoformat(),
        "description": description_for(reader, incident),
        "lon": where.x,
        "lat": where.y,
        "location_accuracy_m": incident.location_accuracy_m,
        "district": {
            "id": district.id,
            "name": district.name,
            "name_th": district.name_th,
            "province": district.province,
            "province_th": district.province_th,
        },
        "parallel_area_id": incident.parallel_area_id,
        "border_distance_m": _metres(incident.border_distance_m),
        "nearest_checkpoint": {
            "id": incident.nearest_checkpoint_id,
            "distance_m": _metres(incident.nearest_checkpoint_m),
        },
        "nearest_crossing": {
            "id": incident.nearest_crossing_id,
            "distance_m": _metres(incident.nearest_crossing_m),
        },
        "photos": list(photos),
    }
