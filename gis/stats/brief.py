"""What the weekly brief adds to the dashboard's numbers: the top hotspots of the latest run in
the brief's districts (the run a planner plans from: :func:`gis.patrols.plans.latest_run_id`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.models import District, Hotspot, User
from gis.patrols.plans import hotspot_districts, latest_run_id
from gis.stats.params import DashboardFilter

#: Hotspots in the brief.
TOP = 10


@dataclass(frozen=True, slots=True)
class TopHotspot:
    """A hotspot of the brief: its rank in its run, incidents, score, trend (last 30 days
    against the 30 before) and the districts it lies in (English and Thai names)."""

    run_id: int
    rank: int
    n_incidents: int
    score: float
    trend: float | None
    districts: list[tuple[str, str]]


def top_hotspots(
    session: Session, viewer: User, f: DashboardFilter, limit: int = TOP
) -> list[TopHotspot]:
    """The best-ranked hotspots of the latest finished run the viewer may plan from that lie in
    the filter's districts, rank 1 first."""
    run = latest_run_id(session, scope=f.districts, visible_to=scope_district_ids(session, viewer))
    if run is None:
        return []
    spots = (
        session.execute(select(Hotspot).where(Hotspot.run_id == run).order_by(Hotspot.rank))
        .scalars()
        .all()
    )
    touched = hotspot_districts(session, [h.id for h in spots])
    names = {
        d.id: (d.name, d.name_th)
        for d in session.execute(select(District).where(District.target)).scalars()
    }
    found = []
    for spot in spots:
        ids = touched.get(spot.id, [])
        if f.districts is not None and not set(ids) & f.districts:
            continue
        found.append(
            TopHotspot(
                run_id=run,
                rank=spot.rank,
                n_incidents=spot.n_incidents,
                score=spot.score,
                trend=spot.trend,
                districts=[names[i] for i in ids if i in names],
            )
        )
        if len(found) == limit:
            break
    return found
