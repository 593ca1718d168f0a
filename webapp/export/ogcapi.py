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
- ``/ogcapi/collections/{id}/items/{fid}``: one feature;
- ``/ogcapi/collections/{id}/queryables`` (Part 3): the properties the caller may read and filter
  on, as a JSON Schema, the same allow-list as the features.

Every path answers with or without a trailing slash (:func:`without_trailing_slash`: OWSLib asks
for ``/ogcapi/``), and errors under ``/ogcapi`` are JSON (:func:`webapp.errors.wants_json`).

Answers are ``application/geo+json`` (features) or ``application/json``; bad parameters are 400
and unknown collections or features 404, as JSON naming the parameter. Every items request is
audited like an export (format ``ogcapi``), through the same workflow
(:func:`gis.export.run_export`); ``HEAD`` makes the same checks and reads or audits nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

import orjson
from flask import Response, request, stream_with_context, url_for

from gis import export
from gis.errors import NotFound
from gis.export import params as export_params
from gis.export.collections import COLLECTIONS
from gis.export.crs import SUPPORTED, parse_crs
from gis.text import N_
from webapp.db import get_read_session, get_session
from webapp.export import bp
from webapp.export.auth import signed_in, viewer_access
from webapp.export.protocol import (
    DEFAULT_LIMIT,
    GEOJSON,
    MAX_LIMIT,
    OPENAPI,
    check_f,
    json_response,
)
from webapp.params import only, parse_bbox, parse_box, parse_int

#: The service area (the Thai border districts and their parallel areas), lon/lat.
EXTENT = [97.3, 5.6, 107.7, 20.6]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
#: The link relation of a collection's queryables (OGC API - Features Part 3).
QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"
SCHEMA = "application/schema+json"
#: A property's JSON Schema by its export type.
KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "text": {"type": "string"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "json": {"type": ["object", "array"]},
}
#: The collections' own filters (each refused by a collection that does not take it).
FILTERS = ("category", "status", "district", "run")
#: Part 3's filter and Part 2's coordinate reference systems.
FILTER_PARAMS = ("filter", "filter-lang", "filter-crs", "crs", "bbox-crs")
ITEM_PARAMS = ("bbox", "datetime", "limit", "cursor", "f", *FILTERS, *FILTER_PARAMS)


def absolute(endpoint: str, **values: Any) -> str:
    return url_for(endpoint, _external=True, **values)


def link(href: str, rel: str, kind: str, title: str | None = None) -> dict[str, str]:
    out = {"href": href, "rel": rel, "type": kind}
    if title:
        out["title"] = title
    return out


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
        "crs": [c.uri for c in SUPPORTED],
        "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [EXTENT], "crs": CRS84}},
        "links": [
            link(absolute("export.collection", cid=collection.name), "self", "application/json"),
            link(items, "items", GEOJSON, f"{collection.title} (GeoJSON)"),
            link(absolute("export.queryables", cid=collection.name), QUERYABLES_REL, SCHEMA),
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
    return json_response(collection_doc(export.find_collection(cid, viewer_access())))


@bp.get("/ogcapi/collections/<cid>/queryables")
@signed_in
def queryables(cid: str) -> Response:
    """The properties of ``cid``'s features the caller reads (the same allow-list as the
    features: a sensitive field only with the sensitive access), as a JSON Schema."""
    only(request.args, ("f",))
    check_f(request.args.get("f"))
    access = viewer_access()
    found = export.find_collection(cid, access)
    geometry = "geometry-" + found.geometry_type.lower().removeprefix("multi")
    properties: dict[str, Any] = {
        "geometry": {"format": geometry, "x-ogc-role": "primary-geometry"},
        "id": {"title": "id", "type": "integer", "x-ogc-role": "id"},
    }
    for fl in found.source(access).fields:
        properties[fl.name] = {"title": fl.name, **KIND_SCHEMAS[fl.kind.value]}
    body = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": absolute("export.queryables", cid=cid),
        "type": "object",
        "title": found.title,
        "properties": properties,
        "additionalProperties": False,
    }
    resp = json_response(body)
    resp.mimetype = SCHEMA
    return resp


def without_trailing_slash(wsgi_app: Any) -> Any:
    """WSGI middleware: ``/ogcapi/...`` asked with a trailing slash is the same resource as
    without (clients such as OWSLib add one to the landing page)."""

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/ogcapi") and len(path) > 1 and path.endswith("/"):
            environ["PATH_INFO"] = path.rstrip("/") or "/"
        return wsgi_app(environ, start_response)

    return app


def next_link(cid: str, counter: export.Counter) -> str:
    args = {k: v for k, v in request.args.items() if k != "cursor"}
    args["cursor"] = export_params.encode_cursor(counter.last_fid or 0)
    href = absolute("export.items", cid=cid) + "?" + urlencode(args)
    return orjson.dumps(link(href, "next", GEOJSON, "Next page")).decode()


@bp.get("/ogcapi/collections/<cid>/items")
@signed_in
def items(cid: str) -> Response:
    only(request.args, ITEM_PARAMS)
    check_f(request.args.get("f"))
    limit = parse_int(request.args, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT) or DEFAULT_LIMIT
    cursor = request.args.get("cursor") or None
    bbox_crs = parse_crs(request.args.get("bbox-crs"), "bbox-crs")
    bbox = parse_bbox(request.args) if bbox_crs.is_storage else parse_box(request.args)
    asked = export.ExportRequest(
        cid, export.Format.OGCAPI, request.args, bbox, limit, cursor,
        count=cursor is None,  # numberMatched on the first page only
    )  # fmt: skip
    crs_header = {"Content-Crs": f"<{parse_crs(request.args.get('crs'), 'crs').uri}>"}
    if request.method == "HEAD":  # the same checks, nothing read or audited
        export.check_export(get_session(), viewer_access(), asked)
        return Response(mimetype=GEOJSON, headers=crs_header)
    run = export.run_export(
        get_session(),
        viewer_access(),
        asked,
        members=page_members(cid),
        read_session=get_read_session(),
    )
    resp = Response(stream_with_context(run), mimetype=GEOJSON, headers=crs_header)
    resp.call_on_close(run.close)
    return resp


def page_members(cid: str) -> dict[str, Any]:
    """An items page's members after its features: numbers, time stamp, links."""
    self_href = request.url
    return {
        "numberReturned": lambda c: str(c.n),
        "numberMatched": lambda c: None if c.matched is None else str(c.matched),
        "timeStamp": orjson.dumps(dt.datetime.now(dt.UTC).isoformat(timespec="seconds")).decode(),
        "links": lambda c: (
            "["
            + ",".join(
                [orjson.dumps(link(self_href, "self", GEOJSON)).decode()]
                + ([next_link(cid, c)] if c.more else [])
            )
            + "]"
        ),
    }


@bp.get("/ogcapi/collections/<cid>/items/<fid>")
@signed_in
def item(cid: str, fid: str) -> Response:
    only(request.args, ("f", "crs"))
    check_f(request.args.get("f"))
    if not fid.isdigit() or len(fid) > 18:
        raise NotFound(
            N_("no feature {fid!r} in {collection}"),
            field="featureId",
            fid=fid[:40],
            collection=cid,
        )
    links = [
        link(request.base_url, "self", GEOJSON),
        link(absolute("export.collection", cid=cid), "collection", "application/json"),
    ]
    asked = export.ExportRequest(cid, export.Format.OGCAPI, request.args, fid=int(fid))
    crs_header = {"Content-Crs": f"<{parse_crs(request.args.get('crs'), 'crs').uri}>"}
    if request.method == "HEAD":  # the same checks, nothing audited
        export.check_export(get_session(), viewer_access(), asked)
        return Response(mimetype=GEOJSON, headers=crs_header)
    members = {"links": orjson.dumps(links).decode()}
    run = export.run_export(
        get_session(), viewer_access(), asked, members=members, read_session=get_read_session()
    )
    try:
        return Response(b"".join(run), mimetype=GEOJSON, headers=crs_header)
    finally:
        run.close()
