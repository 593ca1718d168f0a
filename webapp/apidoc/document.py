"""``GET /api/openapi.json``: the OpenAPI 3.0 description of borderwatch's JSON API.

One entry per route and method under ``/api/`` (a test checks that the app and this description
list the same operations), with its parameters, request body and answers. Every error answer is
the same document, :data:`ERROR`: ``{"error", "message", "field"}``. The schemas of successful
answers say what clients may rely on (their required members); answers may carry more.

Sign-in is a session cookie from ``/login``; state-changing requests also send the page's CSRF
token as ``X-CSRFToken``. The OGC API - Features service (``/ogcapi``, bearer tokens) has its own
description at ``/ogcapi/api``.

Schemathesis fuzzes the API from this description in the test suite (``tests/test_api_fuzz.py``)
and at length with ``make fuzz``.
"""

from __future__ import annotations

from typing import Any

from gis.geojson import GEOJSON
from gis.incidents.reports import MAX_DESCRIPTION
from gis.incidents.review import ACTIONS
from gis.types import Channel, IncidentCategory, IncidentStatus

Schema = dict[str, Any]

ERROR: Schema = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "machine-readable code"},
        "message": {"type": "string", "description": "what went wrong, for people"},
        "field": {
            "type": "string",
            "nullable": True,
            "description": "the parameter or member at fault",
        },
    },
}
OBJECT: Schema = {"type": "object"}
FEATURE_COLLECTION: Schema = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
    },
}
FEATURE: Schema = {
    "type": "object",
    "required": ["type"],
    "properties": {"type": {"enum": ["Feature"]}},
}
CATEGORY: Schema = {"type": "string", "enum": [c.value for c in IncidentCategory]}
STATUS: Schema = {"type": "string", "enum": [s.value for s in IncidentStatus]}
CHANNEL: Schema = {"type": "string", "enum": [c.value for c in Channel]}
INCIDENT: Schema = {
    "type": "object",
    "required": ["id", "category", "status", "lon", "lat"],
    "properties": {
        "id": {"type": "integer"},
        "category": CATEGORY,
        "status": STATUS,
        "lon": {"type": "number"},
        "lat": {"type": "number"},
    },
}
REPORT: Schema = {
    "type": "object",
    "required": ["lon", "lat", "category", "occurred_at", "idempotency_key"],
    "additionalProperties": False,
    "properties": {
        "lon": {"type": "number", "minimum": -180, "maximum": 180},
        "lat": {"type": "number", "minimum": -90, "maximum": 90},
        "category": CATEGORY,
        "occurred_at": {"type": "string", "format": "date-time"},
        "idempotency_key": {"type": "string", "format": "uuid"},
        "severity": {"type": "integer", "nullable": True, "minimum": 1, "maximum": 5},
        "description": {"type": "string", "nullable": True, "maxLength": MAX_DESCRIPTION},
    },
}
ACTION: Schema = {
    "type": "object",
    "required": ["action"],
    "properties": {
        "action": {"type": "string", "enum": list(ACTIONS)},
        "note": {"type": "string", "nullable": True},
        "duplicate_of": {"type": "integer", "nullable": True},
        "agency": {"type": "string", "nullable": True},
    },
}


def _param(name: str, where: str, schema: Schema, description: str = "") -> Schema:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "schema": schema,
        "description": description,
    }


def path_id(name: str) -> Schema:
    return _param(name, "path", {"type": "integer", "minimum": 0})


def query(name: str, schema: Schema | None = None, description: str = "") -> Schema:
    """An optional query parameter; given empty (``?limit=``), it counts as not given, as HTML
    filter forms send it (webapp.params)."""
    return _param(name, "query", schema or {"type": "string"}, description) | {
        "allowEmptyValue": True
    }


BBOX = query("bbox", {"type": "string"}, "minx,miny,maxx,maxy in longitude/latitude")
ZOOM = query(
    "zoom",
    {"type": "integer", "minimum": 0, "maximum": 22},
    "the map's zoom level (11 when absent); a reference layer above 11 needs a bbox",
)
DAY_OR_TIME = {"type": "string", "description": "a day (YYYY-MM-DD, Thai time) or RFC 3339"}


def answer(description: str, schema: Schema | None = None, media: str = "application/json"):
    content = {media: {"schema": schema}} if schema is not None else {}
    return {"description": description, **({"content": content} if content else {})}


def errors(*codes: int) -> dict[str, Any]:
    meaning = {
        400: "bad input: the field is named",
        401: "not signed in",
        403: "signed in, but the role or the scope does not allow it",
        404: "no such object in the viewer's scope",
        409: "conflicts with the object's current state",
        413: "too large",
        422: "well-formed but refused (e.g. outside the watch area)",
        429: "too many requests",
    }
    return {str(c): {"$ref": f"#/components/responses/Error{c}"} for c in codes if c in meaning} | {
        "503": {"$ref": "#/components/responses/Unavailable"},
    }


def op(
    summary: str,
    ok: dict[str, Any],
    *,
    params: list[Schema] | None = None,
    body: Schema | None = None,
    body_media: str = "application/json",
    errs: tuple[int, ...] = (400, 401, 403, 404),
    csrf: bool = False,
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary,
        "parameters": list(params or []),
        "responses": {**ok, **errors(*errs)},
    }
    if csrf:
        operation["parameters"].append(
            _param("X-CSRFToken", "header", {"type": "string"}, "the page's CSRF token")
        )
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {body_media: {"schema": body}}}
    return operation


EXPORT_FILE = {
    "200": {
        "description": "the file, streamed",
        "content": {
            GEOJSON: {},
            "text/csv": {},
            "application/geopackage+sqlite3": {},
            "application/zip": {},
            "application/vnd.google-earth.kml+xml": {},
            "application/flatgeobuf": {},
            "application/vnd.apache.parquet": {},
        },
    }
}
EXPORT_PATH = [
    _param("name", "path", {"type": "string"}),
    _param(
        "fmt",
        "path",
        {"type": "string", "enum": ["geojson", "csv", "gpkg", "shp", "kml", "fgb", "parquet"]},
    ),
]
EXPORT_FORM: Schema = {
    "type": "object",
    "required": ["csrf_token"],
    "additionalProperties": False,
    "properties": {
        "csrf_token": {"type": "string", "description": "the page's CSRF token"},
        "include_sensitive": {"type": "string", "enum": ["true", "false"]},
        "reason": {"type": "string", "maxLength": 500},
        **{
            name: {"type": "string"}
            for name in ("bbox", "datetime", "category", "status", "district", "run")
        },
    },
}
#: The dashboard's filters, the same on its numbers and its map.
DASHBOARD_PARAMS = [
    query("period", {"type": "string", "enum": ["week", "month"]}),
    query("day", {"type": "string", "format": "date"}),
    query("province", description="P-code or name"),
    query("district", description="P-code, DOPA code or name"),
    query("category", CATEGORY),
    query("channel"),
]

#: The kinds of reference feature in reference editing's paths.
KINDS: Schema = {"type": "string", "enum": ["checkpoint", "centre", "crossing", "stretch"]}

PATHS: dict[str, dict[str, Any]] = {
    "/api/openapi.json": {
        "get": op("This description", {"200": answer("OpenAPI 3.0", OBJECT)}, errs=())
    },
    "/api/layers": {
        "get": op("The map's layers the viewer may see", {"200": answer("layers", OBJECT)})
    },
    "/api/layers/{name}": {
        "get": op(
            "One layer's features in a box (incidents: points, or counted cells when crowded)",
            {"200": answer("features", FEATURE_COLLECTION, GEOJSON)},
            params=[
                _param("name", "path", {"type": "string"}),
                BBOX,
                ZOOM,
                query("category"),
                query("status"),
                query("since", DAY_OR_TIME),
                query("until", DAY_OR_TIME),
                query("run", {"type": "integer"}),
                query("size", {"type": "number"}),
            ],
        )
    },
    "/api/incidents": {
        "post": op(
            "Report an incident (officers, volunteers, coordinators); idempotent by key",
            {
                "201": answer("stored", INCIDENT),
                "200": answer("the same key was stored before: the stored report", INCIDENT),
            },
            body=REPORT,
            errs=(400, 401, 403, 409, 422),
            csrf=True,
        )
    },
    "/api/incidents/{incident_id}": {
        "get": op(
            "One incident in the viewer's scope",
            {"200": answer("the incident", INCIDENT)},
            params=[path_id("incident_id")],
        ),
        "patch": op(
            "Correct an incident (the district's coordinators), with a note; audited",
            {"200": answer("the corrected incident", INCIDENT)},
            params=[path_id("incident_id")],
            body=OBJECT,
            errs=(400, 401, 403, 404, 409),
            csrf=True,
        ),
    },
    "/api/incidents/{incident_id}/history": {
        "get": op(
            "The incident's audit events",
            {"200": answer("events", OBJECT)},
            params=[path_id("incident_id")],
        )
    },
    "/api/incidents/{incident_id}/duplicates": {
        "get": op(
            "Possible duplicates (within 500 m and 48 h)",
            {"200": answer("candidates", OBJECT)},
            params=[path_id("incident_id")],
        )
    },
    "/api/incidents/{incident_id}/actions": {
        "post": op(
            "Triage: verify, reject, mark duplicate, refer, close (the district's coordinators)",
            {"200": answer("the action taken", OBJECT)},
            params=[path_id("incident_id")],
            body=ACTION,
            errs=(400, 401, 403, 404, 409),
            csrf=True,
        )
    },
    "/api/incidents/{incident_id}/photos": {
        "post": op(
            "Add a photo (JPEG, PNG or WebP; EXIF removed)",
            {"201": answer("stored", OBJECT), "200": answer("the same photo again", OBJECT)},
            params=[path_id("incident_id")],
            body={
                "type": "object",
                "required": ["photo"],
                "properties": {"photo": {"type": "string", "format": "binary"}},
            },
            body_media="multipart/form-data",
            errs=(400, 401, 403, 404, 409, 413, 422),
            csrf=True,
        )
    },
    "/api/incidents/{incident_id}/photos/{photo_id}": {
        "get": op(
            "A photo of an incident in the viewer's scope",
            {"200": {"description": "the image", "content": {"image/*": {}}}},
            params=[path_id("incident_id"), path_id("photo_id")],
        )
    },
    "/api/review/incidents": {
        "get": op(
            "The review queue of the viewer's districts",
            {"200": answer("a page of the queue", OBJECT)},
            params=[
                query("status", STATUS),
                query("category", CATEGORY),
                query("since", DAY_OR_TIME),
                query("until", DAY_OR_TIME),
                query("channel", CHANNEL),
                query("limit", {"type": "integer", "minimum": 1}),
                query("offset", {"type": "integer", "minimum": 0}),
            ],
        )
    },
    "/api/review/incidents/{incident_id}": {
        "get": op(
            "An incident for its reviewers (with the reporter's contact where allowed)",
            {"200": answer("the incident", OBJECT)},
            params=[path_id("incident_id")],
        )
    },
    "/api/hotspots/runs": {
        "get": op(
            "Hotspot runs in the viewer's scope (latest=1: the latest finished one)",
            {"200": answer("runs", OBJECT)},
            params=[
                query("latest", {"type": "string", "enum": ["0", "1", "true", "false"]}),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
            ],
        ),
        "post": op(
            "Start a hotspot run (patrol planners, HQ); 202 and the run to poll",
            {"202": answer("queued", OBJECT)},
            body=OBJECT,
            errs=(400, 401, 403),
            csrf=True,
        ),
    },
    "/api/hotspots/runs/{run_id}": {
        "get": op(
            "A run's status, progress and parameters",
            {"200": answer("the run", OBJECT)},
            params=[path_id("run_id")],
        )
    },
    "/api/exports": {
        "get": op(
            "The signed-in account's own export jobs, newest first",
            {"200": answer("exports", OBJECT)},
            errs=(400, 401),
        ),
        "post": op(
            "Ask for an export as a job (collection, format, params: the download's filters, "
            "include_sensitive, reason, job): 202 and the job to poll; a small export that "
            "streams at once is a 303 to its download unless job is true",
            {
                "202": answer("the queued job", OBJECT),
                "303": {"description": "small enough to stream at once: see Location"},
            },
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        ),
    },
    "/api/exports/{export_id}": {
        "get": op(
            "One of the account's export jobs: status, features written and estimated, file",
            {"200": answer("the job", OBJECT)},
            params=[path_id("export_id")],
        )
    },
    "/api/exports/{export_id}/file": {
        "get": op(
            "The file of one of the account's finished export jobs (Range requests answered "
            "206); another account's is a 404",
            {
                "200": {"description": "the whole file"},
                "206": {"description": "the range asked for"},
            },
            params=[path_id("export_id")],
        )
    },
    "/api/session": {
        "get": op(
            "Who is signed in and a CSRF token for this session (for pages the service worker "
            "keeps); never cached",
            {"200": answer("the account and the token", OBJECT)},
            errs=(401,),
        )
    },
    "/api/notifications/unread": {
        "get": op(
            "The signed-in account's unread in-app notifications (the header's bell polls it)",
            {"200": answer("the unread count", OBJECT)},
            errs=(401,),
        )
    },
    "/api/dashboard": {
        "get": op(
            "Every number of the dashboard in the viewer's scope (HQ analysts, planners, "
            "coordinators)",
            {"200": answer("the dashboard's numbers", OBJECT)},
            params=DASHBOARD_PARAMS,
        )
    },
    "/api/dashboard/map": {
        "get": op(
            "The target districts of the filter with their reports in the period",
            {"200": answer("districts", FEATURE_COLLECTION, GEOJSON)},
            params=DASHBOARD_PARAMS,
        )
    },
    "/api/hotspots/emerging": {
        "get": op(
            "The new, consecutive and intensifying hot spots of the latest analysed run the "
            "viewer sees (or ?run=), in the viewer's districts",
            {"200": answer("the places and their run", OBJECT)},
            params=[query("run", {"type": "integer", "minimum": 1})],
        )
    },
    "/api/hotspots/runs/{run_id}/hotspots": {
        "get": op(
            "A run's hotspots, ranked",
            {"200": answer("hotspots", FEATURE_COLLECTION, GEOJSON)},
            params=[path_id("run_id"), BBOX],
        )
    },
    "/api/hotspots/{hotspot_id}/incidents": {
        "get": op(
            "The incidents of a hotspot the viewer may see",
            {"200": answer("incidents", FEATURE_COLLECTION, GEOJSON)},
            params=[path_id("hotspot_id")],
        )
    },
    "/api/border-segments/{segment_no}/demarcation": {
        "post": op(
            "Flag a border segment demarcated or unmarked (administrators); audited",
            {"200": answer("the segment", OBJECT)},
            params=[path_id("segment_no")],
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        )
    },
    "/api/patrols": {
        "get": op(
            "Patrol plans in the viewer's scope",
            {"200": answer("plans", OBJECT)},
            params=[
                query("district", description="P-code, DOPA code or name"),
                query("from", {"type": "string", "format": "date"}) | {"allowEmptyValue": True},
                query("to", {"type": "string", "format": "date"}) | {"allowEmptyValue": True},
            ],
        ),
        "post": op(
            "Make a patrol plan: stops ordered from the start and back",
            {"201": answer("the plan", OBJECT)},
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        ),
    },
    "/api/patrols/{plan_id}": {
        "get": op(
            "One plan: its route and stops",
            {"200": answer("the plan", FEATURE, GEOJSON)},
            params=[path_id("plan_id")],
        )
    },
    "/api/patrols/{plan_id}/stops/{seq}/outcome": {
        "post": op(
            "Record what the patrol found at a stop",
            {"201": answer("recorded", OBJECT), "200": answer("recorded before", OBJECT)},
            params=[path_id("plan_id"), path_id("seq")],
            body=OBJECT,
            errs=(400, 401, 403, 404, 409, 422),
            csrf=True,
        )
    },
    "/api/patrols/hotspots": {
        "get": op(
            "Hotspots of the latest run, ranked, for planning",
            {"200": answer("hotspots", OBJECT)},
            params=[query("district")],
        )
    },
    "/api/patrols/hotspots/{hotspot_id}/incidents": {
        "get": op(
            "The incidents of a hotspot the viewer may see",
            {"200": answer("incidents", OBJECT)},
            params=[path_id("hotspot_id")],
        )
    },
    "/api/patrols/profile": {
        "get": op(
            "Hour-of-day and day-of-week profile of hotspots' incidents",
            {"200": answer("profile", OBJECT)},
            params=[
                query("hotspots", description="hotspot ids, comma-separated"),
                query("window_hours", {"type": "integer", "minimum": 1, "maximum": 12}),
            ],
        )
    },
    "/api/cooperation/activities": {
        "get": op(
            "Cooperation activities in the viewer's scope, newest first",
            {"200": answer("activities", OBJECT)},
            params=[
                query("district", description="P-code, DOPA code or name"),
                query("from", {"type": "string", "format": "date"}),
                query("to", {"type": "string", "format": "date"}),
            ],
        ),
        "post": op(
            "Record an activity with the parallel areas (coordinators, officers); audited",
            {"201": answer("the activity", OBJECT)},
            body=OBJECT,
            errs=(400, 401, 403),
            csrf=True,
        ),
    },
    "/api/cooperation/activities/{activity_id}": {
        "get": op(
            "One activity with its agreements",
            {"200": answer("the activity", OBJECT)},
            params=[path_id("activity_id")],
        ),
        "put": op(
            "Replace an activity's values (coordinators, officers of its district); audited",
            {"200": answer("the activity", OBJECT)},
            params=[path_id("activity_id")],
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        ),
    },
    "/api/cooperation/activities/{activity_id}/actions": {
        "post": op(
            "Add an agreement or action item to an activity; audited",
            {"201": answer("the item", OBJECT)},
            params=[path_id("activity_id")],
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        )
    },
    "/api/cooperation/activities/{activity_id}/photos": {
        "post": op(
            "Add a photo of an activity (JPEG, PNG or WebP; EXIF removed); audited",
            {"201": answer("stored", OBJECT), "200": answer("the same photo again", OBJECT)},
            params=[path_id("activity_id")],
            body={
                "type": "object",
                "required": ["photo"],
                "properties": {"photo": {"type": "string", "format": "binary"}},
            },
            body_media="multipart/form-data",
            errs=(400, 401, 403, 404, 413, 422),
            csrf=True,
        )
    },
    "/api/cooperation/activities/{activity_id}/photos/{photo_id}": {
        "get": op(
            "A photo of an activity in the viewer's scope",
            {"200": {"description": "the image", "content": {"image/*": {}}}},
            params=[path_id("activity_id"), path_id("photo_id")],
        )
    },
    "/api/cooperation/activities/{activity_id}/minutes": {
        "post": op(
            "Add the minutes of an activity (a PDF; saved without its metadata); audited",
            {"201": answer("stored", OBJECT), "200": answer("the same file again", OBJECT)},
            params=[path_id("activity_id")],
            body={
                "type": "object",
                "required": ["minutes"],
                "properties": {"minutes": {"type": "string", "format": "binary"}},
            },
            body_media="multipart/form-data",
            errs=(400, 401, 403, 404, 413, 422),
            csrf=True,
        )
    },
    "/api/cooperation/spending/{line_id}/receipts": {
        "post": op(
            "Add the receipt of a spending line (a PDF or a photo; saved without metadata); "
            "audited",
            {"201": answer("stored", OBJECT), "200": answer("the same file again", OBJECT)},
            params=[path_id("line_id")],
            body={
                "type": "object",
                "required": ["receipt"],
                "properties": {"receipt": {"type": "string", "format": "binary"}},
            },
            body_media="multipart/form-data",
            errs=(400, 401, 403, 404, 413, 422),
            csrf=True,
        )
    },
    "/api/cooperation/attachments/{attachment_id}": {
        "get": op(
            "Minutes or a receipt in the viewer's scope",
            {
                "200": {
                    "description": "the file",
                    "content": {"application/pdf": {}, "image/*": {}},
                }
            },
            params=[path_id("attachment_id")],
        )
    },
    "/api/cooperation/actions": {
        "get": op(
            "Agreements and action items in the viewer's scope (overdue=1: the overdue ones)",
            {"200": answer("items", OBJECT)},
            params=[query("overdue", {"type": "string", "enum": ["0", "1", "true", "false"]})],
        )
    },
    "/api/reference/editable": {
        "get": op(
            "The reference features the caller may edit (coordinators: their district; "
            "administrators: all), with their version, precision and open proposal",
            {"200": answer("features", FEATURE_COLLECTION)},
            params=[
                query("district", description="P-code"),
                query("types", description="checkpoint,centre,crossing,stretch,segment"),
                query("retired", {"type": "string", "enum": ["0", "1"]}),
            ],
            errs=(401, 403, 422),
        )
    },
    "/api/reference/changes": {
        "get": op(
            "Changes to the reference data in the caller's districts, newest first",
            {"200": answer("changes", OBJECT)},
            params=[
                query("status", {"type": "string", "enum": ["proposed", "accepted", "rejected"]}),
                query("district", description="P-code"),
            ],
            errs=(401, 403, 422),
        ),
        "post": op(
            "Propose a change to a checkpoint, centre, natural crossing or border stretch "
            "(an administrator's is accepted at once)",
            {"201": answer("the change and the feature after it", OBJECT)},
            body=OBJECT,
            errs=(401, 403, 404, 409, 422),
            csrf=True,
        ),
    },
    "/api/reference/changes/{change_id}/accept": {
        "post": op(
            "Accept a proposed change: the feature changes and a version is written",
            {"200": answer("the change, the feature and the version", OBJECT)},
            params=[path_id("change_id")],
            body=OBJECT,
            errs=(401, 403, 404, 409, 422),
            csrf=True,
        )
    },
    "/api/reference/changes/{change_id}/reject": {
        "post": op(
            "Reject a proposed change, with a note",
            {"200": answer("the change", OBJECT)},
            params=[path_id("change_id")],
            body=OBJECT,
            errs=(401, 403, 404, 409, 422),
            csrf=True,
        )
    },
    "/api/reference/features/{kind}/{feature_id}/versions": {
        "get": op(
            "A reference feature's versions, newest first",
            {"200": answer("versions", OBJECT)},
            params=[_param("kind", "path", KINDS), path_id("feature_id")],
            errs=(401, 403, 404),
        )
    },
    "/api/reference/features/{kind}/{feature_id}/restore": {
        "post": op(
            "Restore the state of one of a feature's versions (a proposal for a coordinator)",
            {"201": answer("the change and the feature after it", OBJECT)},
            params=[_param("kind", "path", KINDS), path_id("feature_id")],
            body=OBJECT,
            errs=(401, 403, 404, 409, 422),
            csrf=True,
        )
    },
    "/api/reference/derived": {
        "get": op(
            "Progress of the recomputation of derived data after the latest accepted change",
            {"200": answer("status, done, total, reference_version", OBJECT)},
            errs=(401, 403),
        )
    },
    "/api/cooperation/about": {
        "get": op(
            "Agreements about an incident, hotspot, natural crossing or checkpoint, with their "
            "activities, in the viewer's scope",
            {"200": answer("items", OBJECT)},
            params=[
                query(
                    "link",
                    {
                        "type": "string",
                        "enum": [
                            "incident_id",
                            "hotspot_id",
                            "natural_crossing_id",
                            "checkpoint_id",
                        ],
                    },
                ),
                query("id", {"type": "integer", "minimum": 1}),
            ],
        )
    },
    "/api/cooperation/actions/{item_id}": {
        "put": op(
            "Replace an agreement's values (its status); audited",
            {"200": answer("the item", OBJECT)},
            params=[path_id("item_id")],
            body=OBJECT,
            errs=(400, 401, 403, 404),
            csrf=True,
        )
    },
    "/api/cooperation/allocations": {
        "post": op(
            "Allocate a budget to a district for a Thai fiscal year (administrators); audited",
            {"201": answer("the allocation", OBJECT)},
            body=OBJECT,
            errs=(400, 401, 403),
            csrf=True,
        )
    },
    "/api/cooperation/spending": {
        "post": op(
            "Record a spending line against an allocation (the district's coordinators); audited",
            {"201": answer("the line", OBJECT)},
            body=OBJECT,
            errs=(400, 401, 403),
            csrf=True,
        )
    },
    "/api/cooperation/budget": {
        "get": op(
            "Allocated and spent in a fiscal year per district, province and in all",
            {"200": answer("the sums", OBJECT)},
            params=[query("year", {"type": "integer", "minimum": 2560, "maximum": 2600})],
        )
    },
    "/api/export/{name}.{fmt}": {
        "get": op(
            "Export a collection (GeoJSON, CSV, GeoPackage) in the viewer's scope; audited. "
            "include_sensitive needs an API token (Authorization: Bearer); with a session "
            "cookie a sensitive export is a POST form",
            EXPORT_FILE,
            params=[
                *EXPORT_PATH,
                BBOX,
                query("datetime"),
                query("category"),
                query("status"),
                query("district"),
                query("run", {"type": "integer"}),
                query("include_sensitive"),
                query("reason"),
            ],
        ),
        "post": op(
            "Export a collection as GET does, from a form under CSRF protection (the export "
            "page): the way to ask for the sensitive fields with a session cookie",
            EXPORT_FILE,
            params=EXPORT_PATH,
            body=EXPORT_FORM,
            body_media="application/x-www-form-urlencoded",
        ),
    },
}


def _error_response(code: int, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.0.3 document."""
    responses = {
        f"Error{code}": _error_response(code, text)
        for code, text in {
            400: "bad input: the field is named",
            401: "not signed in",
            403: "not allowed for this role or scope",
            404: "no such object in the viewer's scope",
            409: "conflicts with the object's current state",
            413: "too large",
            422: "refused (e.g. outside the watch area)",
            429: "too many requests",
        }.items()
    }
    unavailable = _error_response(503, "the database is briefly unavailable; retry")
    unavailable["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    responses["Unavailable"] = unavailable
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "borderwatch API",
            "version": "1",
            "description": __doc__.split("\n\n", 1)[1].split("\n\nSchemathesis")[0],
        },
        "paths": PATHS,
        "components": {"responses": responses},
    }
