"""``GET /healthz``: the app is up and the database answers."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from webapp.db import get_session

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
    return jsonify(status="ok", database="ok", postgis=postgis)
