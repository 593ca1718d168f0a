"""Date parameters at the ends of the calendar: a day such as 9999-12-31 or 0001-01-01 is either
answered or refused with 400 naming the parameter, never a 500.

Each row is a request with a date parameter of the web app (the review queue as a page and as
JSON, the incidents layer, the patrol plans' list) and what it must answer. The last day of
year 9999 as an ``until`` day has no next day to end before: it is refused, naming ``until``.
An instant whose UTC time falls outside years 1-9999 (``0001-01-01T00:00:00+14:00``,
``9999-12-31T23:59:59-12:00``) may be refused too (:data:`EITHER`).
"""

from __future__ import annotations

import pytest

from gis.types import Role
from tests.webapp.signin import make_user, sign_in
from tests.webapp.test_public_report import submit

pytestmark = pytest.mark.db

LAST_DAY, FIRST_DAY = "9999-12-31", "0001-01-01"
#: Answered (200) or refused naming the parameter (400).
EITHER = "either"


@pytest.fixture
def coordinator(client, session):
    make_user(session, Role.COORDINATOR)
    assert sign_in(client, "test-coordinator").status_code == 302
    return client


@pytest.fixture
def planner(client, session):
    make_user(session, Role.PATROL_PLANNER)
    assert sign_in(client, "test-patrol-planner").status_code == 302
    return client


def answered(resp, field: str | tuple[str, str] | None) -> bool:
    """200 when ``field`` is ``None``; a 400 naming ``field``; or, for ``(EITHER, name)``
    fields, one of the two."""
    if field is None:
        return resp.status_code == 200
    if isinstance(field, tuple):
        return resp.status_code == 200 or refused(resp, field[1])
    return refused(resp, field)


def refused(resp, field: str) -> bool:
    """A 400 that names ``field`` (JSON for /api/*, the error page elsewhere)."""
    if resp.status_code != 400:
        return False
    if resp.is_json:
        return resp.get_json()["field"] == field
    return field in resp.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"until={LAST_DAY}", "until"),
        (f"since={LAST_DAY}", None),
        (f"since={FIRST_DAY}", None),
        (f"until={FIRST_DAY}", None),
        (f"since={FIRST_DAY}&until={LAST_DAY}", "until"),
        ("until=9999-12-31T23:59:59-12:00", (EITHER, "until")),
        ("since=0001-01-01T00:00:00+14:00", (EITHER, "since")),
    ],
)
def test_the_review_page_answers_dates_at_the_calendars_ends(coordinator, query, field):
    resp = coordinator.get(f"/review?{query}")
    assert answered(resp, field), (resp.status_code, resp.get_data(as_text=True)[:500])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("until=9999-12-31T23:59:59-12:00", (EITHER, "until")),
        ("since=0001-01-01T00:00:00+14:00", (EITHER, "since")),
        ("since=0001-01-01T00:00:00Z&until=9999-12-31T23:59:59.999999Z", None),
    ],
)
def test_the_review_api_answers_instants_at_the_calendars_ends(coordinator, query, field):
    resp = coordinator.get(f"/api/review/incidents?{query}")
    assert answered(resp, field), resp.get_json()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"until={LAST_DAY}", "until"),
        (f"since={LAST_DAY}", None),
        (f"since={FIRST_DAY}&until={FIRST_DAY}", None),
        ("until=9999-12-31T23:59:59-12:00", (EITHER, "until")),
    ],
)
def test_the_incidents_layer_answers_dates_at_the_calendars_ends(coordinator, query, field):
    resp = coordinator.get(f"/api/layers/incidents?zoom=15&{query}")
    assert answered(resp, field), resp.get_json()


@pytest.mark.parametrize(
    "query", [f"from={FIRST_DAY}", f"to={LAST_DAY}", f"from={FIRST_DAY}&to={LAST_DAY}"]
)
def test_the_patrol_plans_list_answers_days_at_the_calendars_ends(planner, query):
    resp = planner.get(f"/api/patrols?{query}")
    assert resp.status_code == 200, resp.get_json()


@pytest.mark.parametrize("occurred", [f"{LAST_DAY}T23:59", f"{FIRST_DAY}T00:00"])
def test_the_public_form_refuses_a_time_at_the_calendars_ends(client, occurred):
    resp = submit(client, occurred_at=occurred)
    assert resp.status_code == 400
    assert 'data-field="occurred_at"' in resp.get_data(as_text=True)
