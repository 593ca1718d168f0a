"""``GET /healthz``: the app is up and the database answers; with ``DATABASE_REPLICA_URL``, the
replica's state too (whether it is a standby, its lag in seconds and bytes)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gis.ops.replication import replica_state
from webapp.db import database, get_read_session, get_session

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        postgis = get_session().execute(text("SELECT postgis_lib_version()")).scalar()
    except SQLAlchemyError:
        log.exception("health check: database unreachable")
        resp = jsonify(status="unavailable", database="unreachable")
        resp.status_code = 503
        resp.headers["Retry-After"] = "5"
        return resp
    body: dict[str, Any] = {"status": "ok", "database": "ok", "postgis": postgis}
    if database().replica_sessionmaker is not None:
        body["replica"] = replica()
    return jsonify(body)


def replica() -> dict[str, Any]:
    """The replica's state; an unreachable replica does not make the app unhealthy (libpq's
    ``prefer-standby`` falls back to the primary; a replica named alone answers 503 meanwhile)."""
    try:
        state = replica_state(get_read_session())
    except SQLAlchemyError:
        log.warning("health check: replica unreachable")
        return {"status": "unreachable"}
    return {
        "status": "ok",
        "standby": state.standby,
        "lag_s": state.lag_s,
        "lag_bytes": state.lag_bytes,
    }
