"""The JSON API's OpenAPI description lists exactly the app's /api operations, and is served."""

from __future__ import annotations

import re

import pytest

from webapp.apidoc.document import PATHS, document

pytestmark = pytest.mark.db


def app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((path, method.lower()))
    return found


def test_every_api_operation_is_described_and_every_description_is_an_operation(app):
    described = {(path, method) for path, ops in PATHS.items() for method in ops}
    operations = app_operations(app)
    assert not operations - described, f"undescribed: {sorted(operations - described)}"
    assert not described - operations, f"described but missing: {sorted(described - operations)}"


def test_path_parameters_match_the_routes():
    for path, ops in PATHS.items():
        names = set(re.findall(r"\{([a-z_]+)\}", path))
        for method, operation in ops.items():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == names, (path, method)


def test_the_description_is_served_to_everyone(client):
    resp = client.get("/api/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc == document()
    assert doc["openapi"] == "3.0.3"
    error = doc["components"]["responses"]["Error400"]["content"]["application/json"]["schema"]
    assert error["required"] == ["error", "message"]
    unavailable = doc["components"]["responses"]["Unavailable"]
    assert "Retry-After" in unavailable["headers"]
