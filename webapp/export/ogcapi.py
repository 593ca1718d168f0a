"""OGC API - Features Part 1 (Core, GeoJSON, OpenAPI 3.0) under ``/ogcapi``.

The same collections, scope and projection as the exports (:mod:`gis.export.collections`), for
GIS clients (QGIS, GDAL's OAPIF driver) and scripts with a personal API token:

- ``/ogcapi`` landing page, ``/ogcapi/conformance``, ``/ogcapi/api`` (OpenAPI 3.0 JSON);
- ``/ogcapi/collections`` and ``/ogcapi/collections/{id}``: the collections the caller may read;
- ``/ogcapi/collections/{id}/items``: ``bbox``, ``datetime``, ``limit`` (default 100, at most
  10,000; more is a 400), the collection's own filters (``category``, ``status``, ``district``,
  ``run``), and ``cursor``, the opaque keyset cursor of the ``next`` link (features in id order,
  ``WHERE id > last``: every page costs the same, unlike ``OFFSET``); ``numberReturned`` always,
  ``numberMatched`` on the first page (one ``count(*)``, not repeated on every page);
- ``/ogcapi/collections/{id}/items/{fid}``: one feature.

Answers are ``application/geo+json`` (features) or ``application/json``; bad parameters are 400
and unknown collections or features 404, as JSON naming the parameter. Every items request is
audited like an export (format ``ogcapi``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Response, request, stream_with_context, url_for

from gis import export
from gis.errors import InvalidInput, NotFound
from gis.export import params as export_params
from gis.export.collections import COLLECTIONS
from webapp.db import get_session
from webapp.export import bp
from webapp.export.api import audited, resolve
from webapp.export.auth import signed_in, viewer_access
from webapp.params import only, parse_bbox, parse_int

DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000
#: The service area (the Thai border districts and their parallel areas), lon/lat.
EXTENT = [97.3, 5.6, 107.7, 20.6]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
ITEM_PARAMS = ("bbox", "datetime", "limit", "cursor", "f")


def json_response(doc: Any, mimetype: str = "application/json") -> Response:
    return Response(orjson.dumps(doc), mimetype=mimetype)


def absolute(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def link(href: str, rel: str, kind: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": kind}
    if title:
        out["title"] = title
    return out


def check_f(value: str | None) -> None:
    if value not in (None, "", "json", "geojson"):
        raise InvalidInput("f must be json or geojson", field="f")


@bp.get("/ogcapi")
@signed_in
def landing() -> Response:
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    return json_response(
        {
            "title": "borderwatch OGC API - Features",
            "description": "Incidents, hotspots, patrol plans and the reference layers of the "
            "NTS-Mekong Watch border districts, in the caller's scope.",
            "links": [
                link(absolute("export.landing"), "self", "application/json", "This page"),
                link(absolute("export.openapi"), "service-desc", OPENAPI, "OpenAPI 3.0"),
                link(absolute("export.conformance"), "conformance", "application/json"),
                link(absolute("export.collections"), "data", "application/json"),
            ],
        }
    )


@bp.get("/ogcapi/conformance")
@signed_in
def conformance() -> Response:
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    return json_response({"conformsTo": CONFORMANCE})


def collection_doc(collection: export.Collection) -> dict[str, Any]:
    items = absolute("export.items", cid=collection.name)
    return {
        "id": collection.name,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [EXTENT], "crs": CRS84}},
        "links": [
            link(absolute("export.collection", cid=collection.name), "self", "application/json"),
            link(items, "items", GEOJSON, f"{collection.title} (GeoJSON)"),
        ],
    }


@bp.get("/ogcapi/collections")
@signed_in
def collections() -> Response:
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    access = viewer_access()
    readable = [c for c in COLLECTIONS.values() if export.may_read(c, access)]
    return json_response(
        {
            "links": [link(absolute("export.collections"), "self", "application/json")],
            "collections": [collection_doc(c) for c in readable],
        }
    )


@bp.get("/ogcapi/collections/<cid>")
@signed_in
def collection(cid: str) -> Response:
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    return json_response(collection_doc(resolve(cid, viewer_access())))


def next_link(cid: str, counter: export.Counter) -> str:
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    args["cursor"] = export_params.encode_cursor(counter.last_fid or 0)
    href = absolute("export.items", cid=cid) + "?" + urlencode(args)
    return orjson.dumps(link(href, "next", GEOJSON, "Next page")).decode()


@bp.get("/ogcapi/collections/<cid>/items")
@signed_in
def items(cid: str) -> Response:
    access = viewer_access()
    coll = resolve(cid, access)
    only(request.args, (*ITEM_PARAMS, *coll.filters - {"datetime"}))
    check_f(request.args.get("f"))
    limit = parse_int(request.args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT
    cursor = request.args.get("cursor")
    filters = export_params.parse_filters(coll, request.args, parse_bbox(request.args))
    after = export_params.decode_cursor(cursor) if cursor else None
    page = replace(filters, after=after, limit=limit)
    session = get_session()
    matched = None if cursor else export.count(session, coll, access, filters)
    audit_id = export.start_audit(session, coll.name, "ogcapi", access, page)
    session.commit()
    counter = export.Counter()
    self_href = request.url
    foreign: dict[str, Any] = {
        "numberReturned": lambda c: str(c.n),
        "timeStamp": orjson.dumps(dt.datetime.now(dt.UTC).isoformat(timespec="seconds")).decode(),
        "links": lambda c: (
            "["
            + ",".join(
                [orjson.dumps(link(self_href, "self", GEOJSON)).decode()]
                + ([next_link(coll.name, c)] if c.more else [])
            )
            + "]"
        ),
    }
    if matched is not None:
        foreign["numberMatched"] = str(matched)
    chunks = export.geojson_chunks(session, coll, access, page, counter, foreign=foreign)
    body = audited(chunks, counter, audit_id, lambda: None, session)
    return Response(stream_with_context(body), mimetype=GEOJSON)


@bp.get("/ogcapi/collections/<cid>/items/<fid>")
@signed_in
def item(cid: str, fid: str) -> Response:
    access = viewer_access()
    coll = resolve(cid, access)
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    if not fid.isdigit() or len(fid) > 18:
        raise NotFound(f"no feature {fid[:40]!r} in {cid}", field="featureId")
    one = export.Filters(after=int(fid) - 1, limit=1)
    session = get_session()
    audit_id = export.start_audit(session, coll.name, "ogcapi", access, one)
    counter = export.Counter()
    text = b"".join(export.geojson_chunks(session, coll, access, one, counter))
    doc = orjson.loads(text)
    found = [f for f in doc["features"] if f["id"] == int(fid)]
    export.finish_audit(session, audit_id, "completed", len(found))
    session.commit()
    if not found:
        raise NotFound(f"no feature {fid} in {cid}", field="featureId")
    feature = found[0]
    feature["links"] = [
        link(request.base_url, "self", GEOJSON),
        link(absolute("export.collection", cid=cid), "collection", "application/json"),
    ]
    return json_response(feature, GEOJSON)


from webapp.export import openapi as _openapi  # noqa: E402,F401  (registers /ogcapi/api)
