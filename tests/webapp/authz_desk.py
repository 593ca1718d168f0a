"""Authorization matrix rows for the MWCC desk (webapp/desk).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

The district's coordinators and officers take reports at the desk (the matrix's accounts work in
Chiang Khong, where ``HOME`` lies); every other role is refused (403), the public sent to sign in.
The slip of the report the matrix's officer took opens for that officer and for the district's
coordinator.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from gis.incidents.desk import parse_desk_report, record_desk_report
from gis.types import Role
from tests.webapp.authz import HOME, Policy, World, get

DESK = frozenset({Role.COORDINATOR, Role.OFFICER})


def walk_in(world: World, _obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": "/desk/new",
        "data": {
            "channel": "mwcc_walk_in",
            "lon": str(HOME[0]),
            "lat": str(HOME[1]),
            "category": "smuggling",
            "occurred_at": "2026-11-20T08:00",
            "idempotency_key": str(uuid.uuid4()),
            "csrf_token": token,
        },
    }


def slip(suffix: str = ""):
    def build(world: World, _obj: int | None, _token: str) -> dict[str, Any]:
        return {"path": f"/desk/receipts/{world.extra['desk_incident']}{suffix}"}

    return build


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/desk/new", "GET"): Policy(get("/desk/new"), roles=DESK, page=True),
        ("/desk/new", "POST"): Policy(walk_in, ok=303, roles=DESK, page=True),
        ("/desk/receipts/<int:incident_id>", "GET"): Policy(slip(), roles=DESK, page=True),
        ("/desk/receipts/<int:incident_id>/read-out", "GET"): Policy(
            slip("/read-out"), roles=DESK, page=True
        ),
    }


def prepare(session: Session, world: World) -> None:
    """A walk-in taken by the matrix's officer, with a contact the slip must not show."""
    now = dt.datetime.now(dt.UTC)
    desk = parse_desk_report(
        {
            "channel": "mwcc_walk_in",
            "lon": HOME[0],
            "lat": HOME[1],
            "category": "other",
            "occurred_at": now.isoformat(),
            "idempotency_key": str(uuid.uuid4()),
            "reporter_contact": "matrix-desk-contact",
            "updates_consent": True,
        },
        now,
    )
    incident, _code = record_desk_report(session, desk, world.users[Role.OFFICER], 10_000.0)
    world.extra["desk_incident"] = incident.id
