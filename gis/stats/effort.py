"""Patrol effort in the dashboard's period: plans made for its days, stops with an outcome,
incidents found, and the hotspots no patrol has visited in the last 14 days."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.filters import in_scope
from gis.models import PatrolPlan, PatrolStop, User
from gis.patrols.outcomes import COVERAGE_DAYS, coverage_geojson
from gis.patrols.plans import hotspot_districts
from gis.stats.params import DashboardFilter
from gis.types import StopOutcome


@dataclass(frozen=True, slots=True)
class PatrolEffort:
    """Plans for days of the period in the filter's districts, their stops, the stops with an
    outcome recorded, those where an incident was found, and the hotspots of the latest run in
    the filter's districts with no patrol in :data:`COVERAGE_DAYS` days."""

    plans: int
    stops: int
    stops_visited: int
    incidents_found: int
    not_patrolled: int
    not_patrolled_days: int = COVERAGE_DAYS


def patrol_effort(
    session: Session, viewer: User, f: DashboardFilter, now: dt.datetime
) -> PatrolEffort:
    """Count the patrol effort of the period (plans by their planned day, in Thai time)."""
    first = f.current.start.date()
    last = f.current.end.date()
    plans = (
        select(PatrolPlan.id)
        .where(in_scope(f.districts, PatrolPlan.district_id))
        .where(PatrolPlan.planned_for >= first, PatrolPlan.planned_for < last)
    )
    n_plans = session.execute(select(func.count()).select_from(plans.subquery())).scalar_one()
    stops = session.execute(
        select(
            func.count(),
            func.count().filter(PatrolStop.outcome.is_not(None)),
            func.count().filter(PatrolStop.outcome == StopOutcome.INCIDENT_FOUND),
        ).where(PatrolStop.plan_id.in_(plans))
    ).one()
    features = json.loads(coverage_geojson(session, viewer, now=now))["features"]
    if f.districts is not None and features:
        touched = hotspot_districts(session, [feature["id"] for feature in features])
        features = [x for x in features if set(touched[x["id"]]) & f.districts]
    return PatrolEffort(
        plans=n_plans,
        stops=stops[0],
        stops_visited=stops[1],
        incidents_found=stops[2],
        not_patrolled=len(features),
    )
