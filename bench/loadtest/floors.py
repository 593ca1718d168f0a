"""Two more references of ``bench/ingest.py``: where the cost of a report goes.

* :data:`hello`: a plain Flask app whose ``POST`` reads the JSON body and answers ``201`` with a
  small JSON document; no extension, no database (the issue's "Flask hello").
* :func:`stack`: borderwatch's own app (``webapp.create_app``) with one extra ``POST
  /api/bench/noop`` behind :func:`webapp.auth.session.roles_required` for reporters: the same
  session cookie, server-side session check (one ``SELECT`` of the account), CSRF check,
  rate-limiter and security headers as ``POST /api/incidents``, then it parses the JSON body and
  answers ``201`` without storing anything. The floor of a signed-in JSON request through the
  app's stack.

Served by gunicorn as ``loadtest.floors:hello`` and ``loadtest.floors:stack()`` (``--pythonpath
bench``); ``stack`` reads ``DATABASE_URL`` and ``SECRET_KEY`` like the app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

hello = Flask("hello")


@hello.route("/", methods=["GET", "POST"])
def answer() -> Any:
    if request.method == "GET":
        return "ok"
    doc = request.get_json()
    return jsonify(received=len(doc)), 201


def stack() -> Flask:
    """borderwatch's app with the no-op route (registered before the first request)."""
    from gis.types import Role
    from webapp import create_app
    from webapp.auth.session import roles_required

    app = create_app()

    @roles_required(Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR)
    def noop() -> Any:
        doc = request.get_json()
        return jsonify(received=len(doc)), 201

    app.add_url_rule("/api/bench/noop", "bench_noop", noop, methods=["POST"])
    return app
