"""Schemathesis fuzzes the JSON API from its OpenAPI description (``/api/openapi.json``).

For every operation, generated requests (valid and invalid parameters and bodies) are sent by a
signed-in district coordinator (session cookie and CSRF token) to the app, inside the test's
rolled-back transaction. Checks: no server error (5xx), only documented status codes and
content types, and answers that match their schemas. A modest number of examples per operation
here; ``make fuzz`` (``BORDERWATCH_FUZZ=1``) runs many more.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from gis.types import Role
from tests.webapp.signin import csrf_token, make_user, sign_in
from webapp.openapi import document

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
