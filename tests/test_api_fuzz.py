"""Schemathesis fuzzes the JSON API from its OpenAPI description (``/api/openapi.json``), and
every date parameter of every route is sent the ends of the calendar.

For every operation, generated requests (valid and invalid parameters and bodies) are sent by a
signed-in district coordinator (session cookie and CSRF token) to the app, inside the test's
rolled-back transaction. Checks: no server error (5xx), only documented status codes and
content types, and answers that match their schemas. Date parameters (:mod:`tests.date_params`)
are given one of the calendar's ends in about half of the generated requests. A modest number
of examples per operation here; ``make fuzz`` (``BORDERWATCH_FUZZ=1``) runs many more.

Beside the generated requests, each date parameter of every route, pages and OGC API included,
is sent each of :data:`tests.date_params.EXTREMES` (and the intervals, where it takes them): the
answer is a 2xx, or a 4xx naming that parameter, never a 500.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gis.types import Role
from tests import date_params
from tests.date_params import (
    EXTREMES,
    INTERVALS,
    DateParam,
    DateWorld,
    date_world,
    judge,
    put,
    send,
)
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.apidoc.document import document

pytestmark = pytest.mark.db

EXAMPLES = 300 if os.environ.get("BORDERWATCH_FUZZ") else 12


@pytest.fixture
def signed_in(app, session) -> tuple[dict[str, str], dict[str, str]]:
    """The coordinator's session cookie and CSRF header."""
    client = app.test_client()
    user = make_user(session, Role.COORDINATOR, "fuzz-coordinator", district="TH5703")
    session.commit()
    assert sign_in(client, user.username).status_code == 302
    token = csrf_token(client)
    cookie = client.get_cookie("session")
    assert cookie is not None
    # identity: the fuzzer's WSGI transport does not decompress flask-compress's answers
    return {"session": cookie.value}, {"X-CSRFToken": token, "Accept-Encoding": "identity"}


#: The description the app publishes (the same document ``GET /api/openapi.json`` answers).
schema = schemathesis.openapi.from_dict(document())


#: Date parameters by operation, as schemathesis names operations.
DATES = date_params.by_operation()


def _ends(param: DateParam) -> st.SearchStrategy[str]:
    return st.sampled_from(EXTREMES + INTERVALS if param.interval else EXTREMES)


def _with_ends(ctx, value: Any, where: str) -> st.SearchStrategy[Any]:
    params = [
        p for p in DATES.get((ctx.operation.path, ctx.operation.method), []) if p.where == where
    ]
    if not params or not isinstance(value, dict | None):
        return st.just(value)
    ends = st.sampled_from(params).flatmap(
        lambda p: _ends(p).map(lambda v: put(value or {}, p.name, v))
    )
    return st.one_of(st.just(value), ends)


def flatmap_query(ctx, query):
    """Half the generated queries of an operation with date parameters carry a calendar's end."""
    return _with_ends(ctx, query, "query")


def flatmap_body(ctx, body):
    """As :func:`flatmap_query`, for the date members of JSON bodies."""
    return _with_ends(ctx, body, "json")


@schema.hooks.apply(flatmap_query)
@schema.hooks.apply(flatmap_body)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case, app, signed_in):
    cookies, headers = signed_in
    response = case.call(app=app, base_url="http://localhost", headers=headers, cookies=cookies)
    # Not positive_data_acceptance: a schema-valid request may still be refused on data (a
    # district name that does not exist, an incident in no state for an action); the other
    # checks run: no 5xx, documented status codes, content types, headers and answer schemas.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


# --------------------------------------------------------------------------- the calendar's ends


@pytest.fixture(scope="module")
def dates(module_app, module_session) -> DateWorld:
    return date_world(module_app, module_session)


def test_every_route_declares_its_date_parameters(module_app):
    """A route is in :data:`~tests.date_params.DATE_PARAMS` or in
    :data:`~tests.date_params.NO_DATES` (not both): a new route states its dates."""
    rows = {(p.rule, p.method) for p in date_params.DATE_PARAMS}
    routes = date_params.app_routes(module_app)
    missing = sorted(routes - rows - date_params.NO_DATES)
    assert not missing, (
        f"routes that say neither which date parameters they take nor none: {missing}"
    )
    assert not rows & date_params.NO_DATES


def test_every_date_parameter_of_the_openapi_description_is_listed():
    """Query parameters named or formatted as dates, and JSON members formatted as dates, in the
    OpenAPI description each have a row."""
    names = {"since", "until", "from", "to", "datetime"}
    formats = {"date", "date-time"}
    described = set()
    for path, operations in document()["paths"].items():
        for method, op in operations.items():
            if not isinstance(op, dict):
                continue
            for p in op.get("parameters", []):
                if p["in"] == "query" and (
                    p["name"] in names or p.get("schema", {}).get("format") in formats
                ):
                    described.add((path, method, p["name"]))
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            for name, prop in body.get("schema", {}).get("properties", {}).items():
                if prop.get("format") in formats:
                    described.add((path, method, name))
    listed = {(path, method, p.name) for (path, method), ps in DATES.items() for p in ps}
    assert described <= listed, sorted(described - listed)


def _answers(dates: DateWorld, connection, cases: list[dict[DateParam, str]]) -> list[str]:
    """What is wrong with the answers to ``cases`` (each: the values of one request)."""
    wrong = []
    for values in cases:
        shown = ", ".join(f"{p.name}={v!r}" for p, v in values.items())
        first = next(iter(values))
        savepoint = connection.begin_nested()
        try:
            resp = send(dates, values)
        except Exception as exc:  # e.g. a stream that broke after its first byte
            wrong.append(f"{first.method} {first.build.path} {shown}: {type(exc).__name__}")
            continue
        finally:
            savepoint.rollback()
        problem = judge(resp, {p.name for p in values})
        if problem:
            wrong.append(f"{first.method} {first.build.path} {shown}: {problem}")
    return wrong


def test_every_date_parameter_accepts_an_ordinary_date(dates, module_connection):
    """The control: each row's request is good apart from its date (a 2xx with an ordinary
    one), so that the ends below are judged for their dates, not refused for something else."""
    wrong = []
    for param in date_params.present(dates.app):
        savepoint = module_connection.begin_nested()
        try:
            status = send(dates, {param: param.ordinary}).status_code
        finally:
            savepoint.rollback()
        if not 200 <= status < 300:
            wrong.append(f"{param.id} = {param.ordinary!r}: answered {status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("value", EXTREMES)
def test_every_date_parameter_answers_the_calendars_ends(dates, module_connection, value):
    cases = [{param: value} for param in date_params.present(dates.app)]
    wrong = _answers(dates, module_connection, cases)
    assert not wrong, "\n".join(wrong)


def test_every_interval_parameter_answers_intervals_to_the_calendars_ends(dates, module_connection):
    cases = [
        {param: value}
        for param in date_params.present(dates.app)
        if param.interval
        for value in INTERVALS
    ]
    wrong = _answers(dates, module_connection, cases)
    assert not wrong, "\n".join(wrong)


def test_routes_with_two_dates_answer_both_ends_at_once(dates, module_connection):
    """``since`` the first day and ``until`` the last (and the other way round), each pair of
    the extremes, for routes that take two dates in one request."""
    cases = [
        dict(zip(group, pair, strict=True))
        for group in date_params.routes_with_dates(dates.app)
        if len(group) == 2
        for pair in itertools.permutations(EXTREMES, 2)
    ]
    assert cases
    wrong = _answers(dates, module_connection, cases)
    assert not wrong, "\n".join(wrong)
