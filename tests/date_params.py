"""Every date parameter of every route, and the ends of the calendar to send them.

:data:`DATE_PARAMS` lists each parameter that takes a day, an instant or an interval (query
string, form field or JSON member) with a request that the route accepts apart from that value
(:class:`DateParam`), and :data:`NO_DATES` the routes that take none: a route the app has in
neither fails ``test_every_route_declares_its_date_parameters``, so a new route cannot ship
without its dates being fuzzed. Rows for routes the app does not have (yet) are left out.

Whatever is sent, a route answers 2xx, or 4xx naming the parameter (:func:`judge`): never a 500,
also not in the middle of a streamed body. ``tests/test_api_fuzz.py`` sends :data:`EXTREMES`
to each parameter; ``tests/test_properties.py`` draws dates around the calendar's ends
(:func:`near_the_ends`); ``make fuzz`` runs both at length.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.agreements import add_action, parse_action
from gis.cooperation.budget import parse_allocation, store_allocation
from gis.cooperation.fiscal import fiscal_year
from gis.export.collections import COLLECTIONS
from gis.incidents.reports import create_incident, parse_incident
from gis.patrols.plans import PlanRequest, create_plan
from gis.types import Channel, PatrolUnit, Role
from tests.patrol_data import HOME, make_run
from tests.webapp.signin import csrf_token, make_user, sign_in

#: The last and first days of the calendar, a leap second, both ends as instants at the
#: furthest offsets any place uses (+14:00, -12:00) and at the furthest RFC 3339 allows
#: (±23:59; PostgreSQL takes at most ±15:59). In UTC the last instant lies in year 10000, or
#: on 31 December 9999; the first on 31 December of year 1 BC, or on 1 January of year 1.
EXTREMES = (
    "9999-12-31",
    "0001-01-01",
    "2016-12-31T23:59:60Z",
    "9999-12-31T23:59:59.999999+14:00",
    "0001-01-01T00:00:00-12:00",
    "9999-12-31T23:59:59.999999-23:59",
    "0001-01-01T00:00:00+23:59",
)
#: The same as the ends of intervals (OGC API ``datetime``: ``start/end``, ``..`` open).
INTERVALS = (
    "0001-01-01T00:00:00-12:00/9999-12-31T23:59:59.999999+14:00",
    "0001-01-01T00:00:00+23:59/9999-12-31T23:59:59.999999-23:59",
    "0001-01-01/9999-12-31",
    "../9999-12-31",
    "9999-12-31/..",
    "0001-01-01/..",
    "2016-12-31T23:59:60Z/..",
)
THAI = dt.timezone(dt.timedelta(hours=7))
HOME_BBOX = "100.3,20.2,100.5,20.3"


@dataclass(frozen=True)
class Build:
    """How a row's request is made: where the value goes (``query``, ``json`` or ``form``) and
    the ``client.open`` arguments for a world and a value."""

    where: str
    path: str
    make: Callable[[DateWorld, str], dict[str, Any]]

    def __call__(self, world: DateWorld, value: str) -> dict[str, Any]:
        return self.make(world, value)


@dataclass
class DateWorld:
    """Objects the requests need and a signed-in client per role (CSRF tokens included)."""

    app: Flask
    incident: int
    plan: int
    hotspot: int
    clients: dict[Role | None, tuple[FlaskClient, str]]
    #: A cooperation activity of Chiang Khong, its agreement, and this fiscal year's allocation.
    activity: int = 0
    action: int = 0
    allocation: int = 0


@dataclass(frozen=True)
class DateParam:
    """A date parameter of a route.

    Attributes:
        rule, method: the route (as ``app.url_map`` names it).
        name: the parameter; a JSON member inside another is dotted (``incident.occurred_at``),
            as the error names it.
        role: who sends it (a role that may use the route; ``None``: the public).
        build: the request (``client.open`` arguments) with the value in place.
        ordinary: a value the route accepts, to show that the request is otherwise good.
        interval: the parameter also takes intervals (:data:`INTERVALS`).
    """

    rule: str
    method: str
    name: str
    role: Role | None
    build: Build
    ordinary: str
    interval: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.rule} {self.name}"

    def __repr__(self) -> str:
        return f"DateParam({self.id!r})"

    @property
    def where(self) -> str:
        return self.build.where


def _today() -> str:
    return dt.datetime.now(THAI).date().isoformat()


def _hour_ago() -> str:
    return (dt.datetime.now(THAI) - dt.timedelta(hours=1)).isoformat(timespec="seconds")


def query(path: str, name: str) -> Build:
    """A GET with the value in the query string (``path`` may hold other parameters)."""
    glue = "&" if "?" in path else "?"
    return Build(
        "query",
        path,
        lambda world, value: {
            "path": f"{path.format(world=world)}{glue}{name}={quote(value, safe='')}"
        },
    )


def page(path: str, name: str) -> Build:
    """A page's GET; errors asked for as JSON (they name the field there)."""
    get = query(path, name)
    return Build(
        "query",
        path,
        lambda world, value: get(world, value) | {"headers": {"Accept": "application/json"}},
    )


def json_body(path: str, body: Callable[[DateWorld, str], dict[str, Any]], method: str) -> Build:
    def build(world: DateWorld, value: str) -> dict[str, Any]:
        return {
            "path": path.format(world=world),
            "method": method,
            "json": body(world, value),
            "csrf": "header",
        }

    return Build("json", path, build)


def form(path: str, fields: Callable[[str], dict[str, str]]) -> Build:
    return Build(
        "form",
        path,
        lambda world, value: {
            "path": path.format(world=world),
            "method": "POST",
            "data": fields(value),
            "csrf": "form",
        },
    )


def _report(value: str) -> dict[str, Any]:
    return {
        "lon": HOME[0],
        "lat": HOME[1],
        "category": "smuggling",
        "occurred_at": value,
        "idempotency_key": str(uuid.uuid4()),
    }


def _public_report(value: str) -> dict[str, str]:
    return {
        "lat": str(HOME[1]),
        "lon": str(HOME[0]),
        "category": "smuggling",
        "occurred_at": value,
        "idempotency_key": str(uuid.uuid4()),
    }


def _desk_report(value: str) -> dict[str, str]:
    return {**_public_report(value), "channel": "mwcc_walk_in"}


def _collections() -> list[str]:
    return sorted(name for name, c in COLLECTIONS.items() if "datetime" in c.filters)


def _activity(value_name: str) -> Callable[[DateWorld, str], dict[str, Any]]:
    """An activity of Chiang Khong with ``value_name`` set to the value."""

    def body(world: DateWorld, value: str) -> dict[str, Any]:
        return {
            "kind": "mwcc_meeting",
            "title": "ประชุม",
            "starts_on": _today(),
            "lon": HOME[0],
            "lat": HOME[1],
            value_name: value,
        }

    return body


def _activity_form(name: str) -> Callable[[str], dict[str, str]]:
    def fields(value: str) -> dict[str, str]:
        data = {"kind": "mwcc_meeting", "title": "ประชุม", "starts_on": _today()}
        return {**data, "lat": str(HOME[1]), "lon": str(HOME[0]), name: value}

    return fields


def followed(build: Build) -> Build:
    """A form whose answer is a redirect (303) followed to the page it leads to."""
    return Build(
        build.where,
        build.path,
        lambda world, value: build(world, value) | {"follow_redirects": True},
    )


def _cooperation_rows() -> list[DateParam]:
    """The cooperation register's dates: list and report periods, an activity's days, an
    agreement's due day, an allocation's period, a spending line's day."""
    coordinator, hq = Role.COORDINATOR, Role.HQ_ANALYST
    rows: list[DateParam] = []
    for name in ("from", "to"):
        rows += [
            DateParam(
                "/api/cooperation/activities",
                "GET",
                name,
                coordinator,
                query("/api/cooperation/activities", name),
                _today(),
            ),
            DateParam(
                "/cooperation/report",
                "GET",
                name,
                coordinator,
                page("/cooperation/report", name),
                _today(),
            ),
            DateParam(
                "/cooperation/report.csv",
                "GET",
                name,
                coordinator,
                page("/cooperation/report.csv", name),
                _today(),
            ),
            DateParam(
                "/cooperation/national",
                "GET",
                name,
                hq,
                page("/cooperation/national", name),
                _today(),
            ),
            DateParam(
                "/cooperation/national.csv",
                "GET",
                name,
                hq,
                page("/cooperation/national.csv", name),
                _today(),
            ),
        ]
    for name in ("starts_on", "ends_on"):
        rows += [
            DateParam(
                "/api/cooperation/activities",
                "POST",
                name,
                coordinator,
                json_body("/api/cooperation/activities", _activity(name), "POST"),
                _today(),
            ),
            DateParam(
                "/api/cooperation/activities/<int:activity_id>",
                "PUT",
                name,
                coordinator,
                json_body("/api/cooperation/activities/{world.activity}", _activity(name), "PUT"),
                _today(),
            ),
            DateParam(
                "/cooperation/new",
                "POST",
                name,
                coordinator,
                followed(form("/cooperation/new", _activity_form(name))),
                _today(),
            ),
            DateParam(
                "/cooperation/activities/<int:activity_id>/edit",
                "POST",
                name,
                coordinator,
                followed(
                    form("/cooperation/activities/{world.activity}/edit", _activity_form(name))
                ),
                _today(),
            ),
            DateParam(
                "/api/cooperation/allocations",
                "POST",
                name,
                Role.ADMINISTRATOR,
                json_body(
                    "/api/cooperation/allocations",
                    lambda world, value, name=name: {
                        "district": "TH5703",
                        "fiscal_year": fiscal_year(dt.datetime.now(THAI).date()),
                        "amount": "10.00",
                        "source": "MRCF",
                        name: value,
                    },
                    "POST",
                ),
                _today(),
            ),
            DateParam(
                "/cooperation/budget/allocations",
                "POST",
                name,
                Role.ADMINISTRATOR,
                followed(
                    form(
                        "/cooperation/budget/allocations",
                        lambda value, name=name: {
                            "district": "TH5703",
                            "fiscal_year": str(fiscal_year(dt.datetime.now(THAI).date())),
                            "amount": "10.00",
                            "source": "MRCF",
                            name: value,
                        },
                    )
                ),
                _today(),
            ),
        ]
    item = {"text": "ลาดตระเวนร่วม", "owner_side": "LAO"}
    rows += [
        DateParam(
            "/api/cooperation/activities/<int:activity_id>/actions",
            "POST",
            "due_on",
            coordinator,
            json_body(
                "/api/cooperation/activities/{world.activity}/actions",
                lambda world, value: {**item, "due_on": value},
                "POST",
            ),
            _today(),
        ),
        DateParam(
            "/api/cooperation/actions/<int:item_id>",
            "PUT",
            "due_on",
            coordinator,
            json_body(
                "/api/cooperation/actions/{world.action}",
                lambda world, value: {**item, "due_on": value},
                "PUT",
            ),
            _today(),
        ),
        DateParam(
            "/cooperation/activities/<int:activity_id>/actions",
            "POST",
            "due_on",
            coordinator,
            followed(
                form(
                    "/cooperation/activities/{world.activity}/actions",
                    lambda value: {**item, "due_on": value},
                )
            ),
            _today(),
        ),
        DateParam(
            "/api/cooperation/spending",
            "POST",
            "spent_on",
            coordinator,
            json_body(
                "/api/cooperation/spending",
                lambda world, value: {
                    "allocation_id": world.allocation,
                    "item": "ค่าอาหาร",
                    "amount": "1.00",
                    "spent_on": value,
                },
                "POST",
            ),
            _today(),
        ),
        DateParam(
            "/cooperation/budget/spending",
            "POST",
            "spent_on",
            coordinator,
            Build(
                "form",
                "/cooperation/budget/spending",
                lambda world, value: {
                    "path": "/cooperation/budget/spending",
                    "method": "POST",
                    "data": {
                        "allocation_id": str(world.allocation),
                        "item": "ค่าอาหาร",
                        "amount": "1.00",
                        "spent_on": value,
                    },
                    "csrf": "form",
                    "follow_redirects": True,
                },
            ),
            _today(),
        ),
    ]
    return rows


def _rows() -> list[DateParam]:
    coordinator, planner, hq = Role.COORDINATOR, Role.PATROL_PLANNER, Role.HQ_ANALYST
    rows: list[DateParam] = []
    for name in ("since", "until"):
        rows += [
            DateParam(
                "/api/layers/<name>",
                "GET",
                name,
                coordinator,
                query(f"/api/layers/incidents?bbox={HOME_BBOX}", name),
                _today(),
            ),
            DateParam(
                "/api/review/incidents",
                "GET",
                name,
                coordinator,
                query("/api/review/incidents", name),
                _hour_ago(),
            ),
            DateParam("/review", "GET", name, coordinator, page("/review", name), _today()),
            DateParam(  # the incident page keeps the queue's filters in its address
                "/review/incidents/<int:incident_id>",
                "GET",
                name,
                coordinator,
                page("/review/incidents/{world.incident}", name),
                _today(),
            ),
            DateParam(
                "/api/hotspots/runs",
                "POST",
                name,
                planner,
                json_body(
                    "/api/hotspots/runs",
                    lambda world, value, name=name: {"districts": ["TH5703"], name: value},
                    "POST",
                ),
                (dt.datetime.now(THAI).date() - dt.timedelta(days=30)).isoformat()
                if name == "since"
                else _today(),
            ),
        ]
    for name in ("from", "to"):
        rows.append(
            DateParam("/api/patrols", "GET", name, planner, query("/api/patrols", name), _today())
        )
    # the dashboard's day (the period that holds it), on every route that reads it
    rows += [
        DateParam("/dashboard", "GET", "day", hq, page("/dashboard", "day"), _today()),
        DateParam("/api/dashboard", "GET", "day", hq, query("/api/dashboard", "day"), _today()),
        DateParam(
            "/api/dashboard/map", "GET", "day", hq, query("/api/dashboard/map", "day"), _today()
        ),
        DateParam(
            "/dashboard/<name>.csv",
            "GET",
            "day",
            hq,
            page("/dashboard/backlog.csv", "day"),
            _today(),
        ),
        DateParam("/dashboard/brief", "GET", "day", hq, page("/dashboard/brief", "day"), _today()),
    ]
    for collection in _collections():
        rows += [
            DateParam(
                "/api/export/<name>.<fmt>",
                "GET",
                "datetime",
                hq,
                query(f"/api/export/{collection}.geojson", "datetime"),
                _today(),
                interval=True,
            ),
            DateParam(
                "/api/export/<name>.<fmt>",
                "POST",
                "datetime",
                hq,
                form(f"/api/export/{collection}.geojson", lambda v: {"datetime": v}),
                _today(),
                interval=True,
            ),
            DateParam(
                "/ogcapi/collections/<cid>/items",
                "GET",
                "datetime",
                hq,
                query(f"/ogcapi/collections/{collection}/items", "datetime"),
                _today(),
                interval=True,
            ),
        ]
    rows += _cooperation_rows()
    # an export job's filters are the download's (a GeoPackage: always a job, 202)
    rows.append(
        DateParam(
            "/api/exports",
            "POST",
            "datetime",
            hq,
            json_body(
                "/api/exports",
                lambda world, value: {
                    "collection": "incidents",
                    "format": "gpkg",
                    "params": {"datetime": value},
                },
                "POST",
            ),
            _today(),
            interval=True,
        )
    )
    rows += [
        DateParam(
            "/api/incidents",
            "POST",
            "occurred_at",
            Role.OFFICER,
            json_body("/api/incidents", lambda world, value: _report(value), "POST"),
            _hour_ago(),
        ),
        DateParam(
            "/api/incidents/<int:incident_id>",
            "PATCH",
            "occurred_at",
            coordinator,
            json_body(
                "/api/incidents/{world.incident}",
                lambda world, value: {"occurred_at": value},
                "PATCH",
            ),
            (dt.datetime.now(THAI) - dt.timedelta(days=2)).isoformat(timespec="seconds"),
        ),
        DateParam(
            "/report",
            "POST",
            "occurred_at",
            None,
            form("/report", _public_report),
            dt.datetime.now(THAI).strftime("%Y-%m-%dT%H:%M"),
        ),
        DateParam(
            "/desk/new",
            "POST",
            "occurred_at",
            coordinator,
            Build(  # a stored report goes on to its receipt slip (303): followed
                "form",
                "/desk/new",
                lambda world, value: {
                    "path": "/desk/new",
                    "method": "POST",
                    "data": _desk_report(value),
                    "csrf": "form",
                    "follow_redirects": True,
                },
            ),
            dt.datetime.now(THAI).strftime("%Y-%m-%dT%H:%M"),
        ),
        DateParam(
            "/api/patrols",
            "POST",
            "planned_for",
            planner,
            json_body(
                "/api/patrols",
                lambda world, value: {
                    "district": "TH5703",
                    "unit": "police",
                    "planned_for": value,
                    "hotspot_ids": [world.hotspot],
                },
                "POST",
            ),
            _today(),
        ),
        DateParam(
            "/api/patrols/<int:plan_id>/stops/<int:seq>/outcome",
            "POST",
            "incident.occurred_at",
            planner,
            json_body(
                "/api/patrols/{world.plan}/stops/1/outcome",
                lambda world, value: {
                    "outcome": "incident_found",
                    "incident": {"category": "smuggling", "occurred_at": value},
                },
                "POST",
            ),
            _hour_ago(),
        ),
    ]
    return rows


#: Every date parameter of every route (rows of routes the app lacks are dropped by
#: :func:`present`).
DATE_PARAMS: tuple[DateParam, ...] = tuple(_rows())

#: The routes that take no date (``(rule, method)``; HEAD and OPTIONS follow GET).
NO_DATES = frozenset(
    {
        ("/", "GET"),
        ("/about", "GET"),
        ("/healthz", "GET"),
        ("/static/<path:filename>", "GET"),
        ("/login", "GET"),
        ("/login", "POST"),
        ("/logout", "POST"),
        ("/report", "GET"),
        ("/report/<code>", "GET"),
        ("/account/password", "GET"),
        ("/account/password", "POST"),
        ("/account/tokens", "GET"),
        ("/account/tokens", "POST"),
        ("/account/tokens/<int:token_id>/revoke", "POST"),
        ("/account/tokens/revoke-all", "POST"),
        ("/admin/users", "GET"),
        ("/admin/users", "POST"),
        ("/admin/users/<username>/disable", "POST"),
        ("/admin/users/<username>/role", "POST"),
        ("/admin/users/<username>/enable", "POST"),
        ("/admin/users/<username>/password", "POST"),
        ("/help", "GET"),
        ("/help/<name>", "GET"),
        ("/help/screenshots/<name>.png", "GET"),
        # reference editing's API (issue 22): versions are numbers, not dates
        ("/api/reference/editable", "GET"),
        ("/api/reference/changes", "GET"),
        ("/api/reference/changes", "POST"),
        ("/api/reference/changes/<int:change_id>/accept", "POST"),
        ("/api/reference/changes/<int:change_id>/reject", "POST"),
        ("/api/reference/features/<kind>/<int:feature_id>/versions", "GET"),
        ("/api/reference/features/<kind>/<int:feature_id>/restore", "POST"),
        ("/api/reference/derived", "GET"),
        # the reference editor's and reviewers' pages (the scripts read the API)
        ("/reference/edit", "GET"),
        ("/reference/review", "GET"),
        ("/i18n/<lang>.js", "GET"),
        ("/language", "POST"),
        ("/my-reports", "GET"),
        ("/app", "GET"),
        ("/app/map.js", "GET"),
        ("/api/session", "GET"),
        ("/sw.js", "GET"),
        ("/manifest.webmanifest", "GET"),
        ("/api/openapi.json", "GET"),
        ("/api/layers", "GET"),
        ("/api/incidents/<int:incident_id>", "GET"),
        ("/api/incidents/<int:incident_id>/history", "GET"),
        ("/api/incidents/<int:incident_id>/duplicates", "GET"),
        ("/api/incidents/<int:incident_id>/actions", "POST"),
        ("/api/incidents/<int:incident_id>/photos", "POST"),
        ("/api/incidents/<int:incident_id>/photos/<int:photo_id>", "GET"),
        ("/api/review/incidents/<int:incident_id>", "GET"),
        ("/review/incidents/<int:incident_id>/actions", "POST"),
        ("/api/hotspots/runs", "GET"),
        ("/api/hotspots/runs/<int:run_id>", "GET"),
        ("/api/hotspots/runs/<int:run_id>/hotspots", "GET"),
        ("/api/hotspots/<int:hotspot_id>/incidents", "GET"),
        ("/api/border-segments/<int:segment_no>/demarcation", "POST"),
        ("/api/patrols/<int:plan_id>", "GET"),
        ("/api/patrols/profile", "GET"),
        ("/api/patrols/hotspots", "GET"),
        ("/api/patrols/hotspots/<int:hotspot_id>/incidents", "GET"),
        ("/patrols/<int:plan_id>/sheet", "GET"),
        ("/planner", "GET"),
        ("/export", "GET"),
        ("/exports", "GET"),
        ("/api/exports", "GET"),
        ("/api/exports/<int:export_id>", "GET"),
        ("/api/exports/<int:export_id>/file", "GET"),
        ("/ogcapi", "GET"),
        ("/ogcapi/conformance", "GET"),
        ("/ogcapi/api", "GET"),
        ("/ogcapi/collections", "GET"),
        ("/ogcapi/collections/<cid>", "GET"),
        ("/ogcapi/collections/<cid>/items/<fid>", "GET"),
        ("/ogcapi/collections/<cid>/queryables", "GET"),
        ("/api/hotspots/emerging", "GET"),
        ("/cooperation", "GET"),
        ("/cooperation/new", "GET"),
        ("/cooperation/activities/<int:activity_id>", "GET"),
        ("/cooperation/activities/<int:activity_id>/edit", "GET"),
        ("/cooperation/actions/<int:item_id>/status", "POST"),
        ("/cooperation/activities/<int:activity_id>/photos", "POST"),
        ("/cooperation/budget", "GET"),
        ("/api/cooperation/activities/<int:activity_id>", "GET"),
        ("/api/cooperation/activities/<int:activity_id>/photos", "POST"),
        ("/api/cooperation/activities/<int:activity_id>/photos/<int:photo_id>", "GET"),
        ("/api/cooperation/actions", "GET"),
        ("/api/cooperation/budget", "GET"),
        ("/api/cooperation/about", "GET"),
        ("/api/cooperation/activities/<int:activity_id>/minutes", "POST"),
        ("/api/cooperation/attachments/<int:attachment_id>", "GET"),
        ("/api/cooperation/spending/<int:line_id>/receipts", "POST"),
        ("/cooperation/activities/<int:activity_id>/minutes", "POST"),
        ("/cooperation/spending/<int:line_id>/receipts", "POST"),
        ("/desk/new", "GET"),
        ("/desk/receipts/<int:incident_id>", "GET"),
        ("/desk/receipts/<int:incident_id>/read-out", "GET"),
        ("/line/webhook", "POST"),
        ("/notifications", "GET"),
        ("/notifications/read", "POST"),
        ("/api/notifications/unread", "GET"),
        ("/account/notifications", "GET"),
        ("/account/notifications", "POST"),
        ("/account/notifications/line-code", "POST"),
        ("/account/notifications/line-unlink", "POST"),
        ("/admin/notifications", "GET"),
        ("/admin/notifications/<int:notification_id>/retry", "POST"),
    }
)


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """``(rule, method)`` of the app's routes, without HEAD and OPTIONS."""
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def present(app: Flask) -> list[DateParam]:
    """The rows of :data:`DATE_PARAMS` whose route the app has."""
    routes = app_routes(app)
    return [p for p in DATE_PARAMS if (p.rule, p.method) in routes]


# --------------------------------------------------------------------------- the world


def date_world(app: Flask, session: Session) -> DateWorld:
    """An incident, a hotspot and a plan in Chiang Khong, and a client signed in per role that
    the rows use (the public's with a CSRF token). Public reports are not rate-limited here."""
    app.config["REPORT_LIMIT_IP"] = "100000 per minute"
    users = {
        role: make_user(session, role, f"dates-{role.value.replace('_', '-')}")
        for role in {p.role for p in DATE_PARAMS if p.role is not None}
    }
    (spot,) = make_run(session, [HOME])
    now = dt.datetime.now(dt.UTC)
    report = _report((now - dt.timedelta(hours=1)).isoformat())
    data = parse_incident(
        report, now, channel=Channel.OFFICER_APP, reporter_id=users[Role.COORDINATOR].id
    )
    incident = create_incident(session, data)[0]
    req = PlanRequest(
        district="TH5703",
        unit=PatrolUnit.POLICE,
        planned_for=dt.datetime.now(THAI).date(),
        hotspot_ids=(spot.id,),
    )
    plan = create_plan(session, req, users[Role.PATROL_PLANNER]).plan.id
    coordinator = users[Role.COORDINATOR]
    activity = create_activity(
        session,
        parse_activity(_activity("title")(None, "ประชุม")),
        coordinator,  # type: ignore[arg-type]
    )
    action = add_action(
        session, activity.id, parse_action({"text": "ลาดตระเวน", "owner_side": "THA"}), coordinator
    )
    allocation = store_allocation(
        session,
        parse_allocation(
            {
                "fiscal_year": fiscal_year(dt.datetime.now(THAI).date()),
                "amount": "100",
                "source": "x",
            }
        ),
        activity.district_id,
        None,
    )
    session.commit()
    clients: dict[Role | None, tuple[FlaskClient, str]] = {}
    for role in [None, *users]:
        client = app.test_client()
        if role is not None:
            assert sign_in(client, users[role].username).status_code == 302
        clients[role] = (client, csrf_token(client))
    return DateWorld(
        app, incident.id, plan, spot.id, clients, activity.id, action.id, allocation.id
    )


def put(container: dict[str, Any], name: str, value: str) -> dict[str, Any]:
    """``container`` with ``name`` (dotted: a member of a member object) set to ``value``."""
    head, _, rest = name.partition(".")
    if not rest:
        return {**container, head: value}
    inner = container.get(head)
    return {**container, head: put(inner if isinstance(inner, dict) else {}, rest, value)}


def send(world: DateWorld, values: dict[DateParam, str]) -> TestResponse:
    """The request of the first row of ``values`` with every row's value in place (the rows
    are of one route and request); the body is read, so that a stream that breaks fails here.
    """
    (first, value), *others = values.items()
    client, token = world.clients[first.role]
    spec = dict(first.build(world, value))
    for param, other in others:
        if param.where == "query":
            spec["path"] += f"&{param.name}={quote(other, safe='')}"
        elif param.where == "json":
            spec["json"] = put(spec["json"], param.name, other)
        else:
            spec["data"] = {**spec["data"], param.name: other}
    path = spec.pop("path")
    method = spec.pop("method", "GET")
    csrf = spec.pop("csrf", None)
    if csrf == "header":
        spec["headers"] = {**spec.get("headers", {}), "X-CSRFToken": token}
    elif csrf == "form":
        spec["data"] = {**spec["data"], "csrf_token": token}
    resp = client.open(path, method=method, **spec)
    resp.get_data()
    return resp


def routes_with_dates(app: Flask) -> list[list[DateParam]]:
    """The rows of the app's routes grouped by request (a route's ``since`` and ``until``)."""
    groups: dict[tuple[str, str, str, str], list[DateParam]] = {}
    for param in present(app):
        key = (param.rule, param.method, param.where, param.build.path)
        groups.setdefault(key, []).append(param)
    return list(groups.values())


_FIELD_ON_PAGE = re.compile(r'data-field="([^"]*)"')


def judge(resp: TestResponse, names: set[str]) -> str | None:
    """``None`` if the answer is a 2xx, or a 4xx naming one of ``names``; else what is wrong."""
    status = resp.status_code
    if 200 <= status < 300:
        return None
    if not 400 <= status < 500:
        return f"answered {status}"
    if resp.is_json:
        named = (resp.get_json(silent=True) or {}).get("field")
    else:
        found = _FIELD_ON_PAGE.search(resp.get_data(as_text=True))
        named = found.group(1) if found else None
    if named in names:
        return None
    return f"answered {status} naming {named!r}, not {' or '.join(sorted(names))}"


# --------------------------------------------------------------------------- generated dates


def _two(n: int) -> str:
    return f"{n:02d}"


@st.composite
def day(draw: st.DrawFn) -> str:
    """A day at or near an end of the calendar, or anywhere (also invalid ones: 02-30)."""
    year = draw(st.one_of(st.sampled_from([1, 2, 1970, 2016, 9998, 9999]), st.integers(1, 9999)))
    month = draw(st.one_of(st.sampled_from([1, 12]), st.integers(1, 12)))
    date = draw(st.one_of(st.sampled_from([1, 28, 29, 30, 31]), st.integers(1, 31)))
    return f"{year:04d}-{_two(month)}-{_two(date)}"


@st.composite
def instant(draw: st.DrawFn) -> str:
    """An RFC 3339 date-time near the calendar's ends: leap seconds, hour 24, up to nine
    fractional digits, offsets from -23:59 to +23:59, ``Z`` or ``z``."""
    hour = draw(st.one_of(st.sampled_from([0, 23, 24]), st.integers(0, 23)))
    minute = draw(st.one_of(st.sampled_from([0, 59]), st.integers(0, 59)))
    second = draw(st.one_of(st.sampled_from([0, 59, 60]), st.integers(0, 60)))
    fraction = draw(st.sampled_from(["", ".0", ".999999", ".999999999", ".5"]))
    sign = draw(st.sampled_from("+-"))
    offset = draw(
        st.one_of(
            st.sampled_from(["Z", "z", "+14:00", "-12:00", "+00:00", "-00:00"]),
            st.tuples(st.integers(0, 23), st.integers(0, 59)).map(
                lambda hm: f"{sign}{_two(hm[0])}:{_two(hm[1])}"
            ),
        )
    )
    time = f"{_two(hour)}:{_two(minute)}:{_two(second)}{fraction}"
    return f"{draw(day())}T{time}{offset}"


def near_the_ends(interval: bool) -> st.SearchStrategy[str]:
    """Values for a date parameter around the calendar's ends (intervals too if it takes
    them)."""
    one = st.one_of(day(), instant(), st.sampled_from(EXTREMES))
    if not interval:
        return one
    end = st.one_of(one, st.just(".."), st.just(""))
    return st.one_of(one, st.tuples(end, end).map("/".join), st.sampled_from(INTERVALS))


# --------------------------------------------------------------------------- the OpenAPI view

_CONVERTED = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """A rule as OpenAPI writes it: ``/api/incidents/<int:incident_id>`` is
    ``/api/incidents/{incident_id}``."""
    return _CONVERTED.sub(r"{\1}", rule)


def by_operation() -> dict[tuple[str, str], list[DateParam]]:
    """The rows by OpenAPI operation (path, lower-case method), as schemathesis names them."""
    rows: dict[tuple[str, str], list[DateParam]] = {}
    for param in DATE_PARAMS:
        rows.setdefault((openapi_path(param.rule), param.method.lower()), []).append(param)
    return rows
