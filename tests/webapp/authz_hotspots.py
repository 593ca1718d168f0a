"""Authorization matrix rows for the watch corridor, hotspot runs, hexagons and Gi*.

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Runs are seen by planners, HQ analysts, administrators and coordinators whose scope holds every
district of the run (the matrix's run covers Chiang Khong, the scoped accounts' district); only
planners and HQ analysts start runs; only administrators flag border segments.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.hotspots.runs import start_run
from gis.models import BorderSegment, Hotspot, HotspotMember
from gis.types import Role, RunStatus
from tests.webapp.authz import Policy, World, post_json

VIEWERS = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.ADMINISTRATOR, Role.COORDINATOR})
RUNNERS = frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST})


def _get(template: str):
    return lambda world, obj, token: {"path": template.format(**world.extra)}


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/api/hotspots/runs", "POST"): Policy(
            post_json("/api/hotspots/runs", {"districts": ["TH5703"], "eps_m": 800}),
            ok=202,
            roles=RUNNERS,
        ),
        ("/api/hotspots/runs", "GET"): Policy(_get("/api/hotspots/runs?latest=1"), roles=VIEWERS),
        ("/api/hotspots/runs/<int:run_id>", "GET"): Policy(
            _get("/api/hotspots/runs/{run}"), roles=VIEWERS
        ),
        ("/api/hotspots/runs/<int:run_id>/hotspots", "GET"): Policy(
            _get("/api/hotspots/runs/{run}/hotspots"), roles=VIEWERS
        ),
        ("/api/hotspots/emerging", "GET"): Policy(_get("/api/hotspots/emerging"), roles=VIEWERS),
        ("/api/hotspots/<int:hotspot_id>/incidents", "GET"): Policy(
            _get("/api/hotspots/{hotspot}/incidents"), roles=VIEWERS
        ),
        ("/api/border-segments/<int:segment_no>/demarcation", "POST"): Policy(
            lambda world, obj, token: {
                "path": f"/api/border-segments/{world.extra['segment']}/demarcation",
                "json": {"demarcation": "unmarked", "note": "matrix"},
                "headers": {"X-CSRFToken": token},
            },
            roles=frozenset({Role.ADMINISTRATOR}),
        ),
    }


def prepare(session: Session, world: World) -> None:
    """A finished run over Chiang Khong with one hotspot holding the home incident."""
    run = start_run(session, {"districts": ["TH5703"]}, None)
    run.status = RunStatus.DONE
    run.progress = 1.0
    run.n_incidents, run.n_clusters = 1, 1
    now = dt.datetime.now(dt.UTC)
    spot = Hotspot(
        run_id=run.id,
        rank=1,
        n_incidents=1,
        categories={"smuggling": 1},
        first_seen=now,
        last_seen=now,
        score=1.0,
        hull="SRID=4326;POLYGON((100.39 20.25,100.41 20.25,100.41 20.27,100.39 20.25))",
        centroid="SRID=4326;POINT(100.40 20.26)",
    )
    session.add(spot)
    session.flush()
    session.add(HotspotMember(hotspot_id=spot.id, incident_id=world.incidents["home"]))
    session.flush()
    world.extra["run"] = run.id
    world.extra["hotspot"] = spot.id
    world.extra["segment"] = session.execute(
        select(BorderSegment.segment_no).order_by(BorderSegment.segment_no).limit(1)
    ).scalar_one()
