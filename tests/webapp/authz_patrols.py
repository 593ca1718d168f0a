"""Authorization matrix rows for patrol plans, their sheets and outcomes, the planner view.

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Who: planners (patrol planners, HQ analysts, coordinators) make plans and open the planner view;
they and officers read plans, print sheets and record outcomes; administrators and volunteers
do neither. Plan and hotspot routes are scoped like incidents: the matrix's in-scope incidents
stand for a plan (and a hotspot) of Chiang Khong, the out-of-scope incident for one of
Aranyaprathet, and a missing id for a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from gis.parsing import THAI_TIME
from gis.patrols.plans import PLANNERS, READERS, PlanRequest, create_plan
from gis.types import PatrolUnit, Role
from tests.patrol_data import make_run
from tests.webapp.authz import AWAY, HOME, MISSING_ID, Policy, World, get


def _plan(world: World, obj: int | None) -> int:
    """The plan standing for an incident of the matrix (same district)."""
    home = (world.incidents["home"], world.incidents["volunteer"])
    plans = world.extra["patrols"]
    return (
        plans["home"]
        if obj in home
        else plans["away"]
        if obj is not None and obj != MISSING_ID
        else MISSING_ID
    )


def _hotspot(world: World, obj: int | None) -> int:
    home = (world.incidents["home"], world.incidents["volunteer"])
    spots = world.extra["patrol_hotspots"]
    return (
        spots["home"]
        if obj in home
        else spots["away"]
        if obj is not None and obj != MISSING_ID
        else MISSING_ID
    )


def _create(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": "/api/patrols",
        "json": {
            "district": "TH5703",
            "hotspot_ids": [world.extra["patrol_hotspots"]["home"]],
            "unit": "police",
            "planned_for": dt.datetime.now(THAI_TIME).date().isoformat(),
        },
        "headers": {"X-CSRFToken": token},
    }


def _outcome(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": f"/api/patrols/{_plan(world, obj)}/stops/1/outcome",
        "json": {"outcome": "visited"},
        "headers": {"X-CSRFToken": token},
    }


def _plan_get(template: str):
    return lambda world, obj, token: {"path": template.format(id=_plan(world, obj))}


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    planners, readers = frozenset(PLANNERS), frozenset(READERS)
    return {
        ("/api/patrols", "POST"): Policy(_create, ok=201, roles=planners),
        ("/api/patrols", "GET"): Policy(get("/api/patrols"), roles=readers),
        ("/api/patrols/<int:plan_id>", "GET"): Policy(
            _plan_get("/api/patrols/{id}"), roles=readers, scoped=True
        ),
        ("/api/patrols/<int:plan_id>/stops/<int:seq>/outcome", "POST"): Policy(
            _outcome, roles=readers, scoped=True
        ),
        ("/patrols/<int:plan_id>/sheet", "GET"): Policy(
            _plan_get("/patrols/{id}/sheet"), roles=readers, scoped=True, page=True
        ),
        ("/planner", "GET"): Policy(get("/planner"), roles=planners, page=True),
        ("/api/patrols/profile", "GET"): Policy(
            lambda world, obj, token: {
                "path": f"/api/patrols/profile?hotspots={world.extra['patrol_hotspots']['home']}"
            },
            roles=readers,
        ),
        ("/api/patrols/hotspots", "GET"): Policy(get("/api/patrols/hotspots"), roles=readers),
        ("/api/patrols/hotspots/<int:hotspot_id>/incidents", "GET"): Policy(
            lambda world, obj, token: {
                "path": f"/api/patrols/hotspots/{_hotspot(world, obj)}/incidents"
            },
            roles=readers,
            scoped=True,
        ),
    }


def prepare(session: Session, world: World) -> None:
    """A hotspot and a plan in the accounts' district (Chiang Khong) and in Aranyaprathet."""
    (home,) = make_run(session, [HOME])
    (away,) = make_run(session, [AWAY], pcode="TH2706")
    hq = world.users[Role.HQ_ANALYST]
    today = dt.datetime.now(THAI_TIME).date()
    plans = {}
    for name, pcode, spot in (("home", "TH5703", home), ("away", "TH2706", away)):
        req = PlanRequest(
            district=pcode, unit=PatrolUnit.POLICE, planned_for=today, hotspot_ids=(spot.id,)
        )
        plans[name] = create_plan(session, req, hq).plan.id
    world.extra["patrols"] = plans
    world.extra["patrol_hotspots"] = {"home": home.id, "away": away.id}
