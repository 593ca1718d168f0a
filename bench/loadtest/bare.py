"""The reference endpoint of ``bench/ingest.py``: one INSERT and COMMIT per request, nothing else.

``POST`` with a report's JSON (``lon``, ``lat``, ``category``, ``occurred_at``,
``idempotency_key``) inserts one row into :data:`TABLE` (a point, a category, a timestamp and a
unique uuid key, like ``incident``), commits and answers ``201`` with ``{"id": …}``; ``GET``
answers ``200`` (readiness). One psycopg2 connection per worker thread, opened on first use, no
pool, no framework, no session, no validation: the floor of one durable write per request.

Served by gunicorn as ``loadtest.bare:app`` (``--pythonpath bench``) with ``BENCH_BARE_DSN``
naming the database.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import psycopg2

#: The table the bare endpoint writes to (created by :data:`CREATE`).
TABLE = "bench_bare_incident"
CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key uuid NOT NULL UNIQUE,
    category text NOT NULL,
    occurred_at timestamptz NOT NULL,
    geom geometry(Point, 4326) NOT NULL
)
"""
INSERT = (
    f"INSERT INTO {TABLE} (idempotency_key, category, occurred_at, geom)"
    " VALUES (%s, %s, %s, ST_SetSRID(ST_MakePoint(%s, %s), 4326)) RETURNING id"
)

_local = threading.local()


def _connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = psycopg2.connect(os.environ["BENCH_BARE_DSN"])
        _local.conn = conn
    return conn


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    if environ["REQUEST_METHOD"] != "POST":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    doc = json.loads(environ["wsgi.input"].read(size))
    conn = _connection()
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                INSERT,
                (
                    doc["idempotency_key"],
                    doc["category"],
                    doc["occurred_at"],
                    doc["lon"],
                    doc["lat"],
                ),
            )
            new_id = cursor.fetchone()[0]
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    body = json.dumps({"id": new_id}).encode()
    start_response(
        "201 Created",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
    )
    return [body]
