"""Hotspot runs made directly in the database for the patrol tests.

The hotspot engine (``POST /api/hotspots/runs``) is a separate feature; the patrol tests write
a finished run and its hotspots (small square hulls around given centres, members at the centres
with chosen hours of the day) so that they test plans, not clustering.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from geoalchemy2.shape import from_shape
from shapely.geometry import Point, box
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.incidents.reports import create_incident, parse_incident
from gis.models import District, Hotspot, HotspotMember, HotspotRun
from gis.types import Channel, RunStatus

#: Chiang Khong (TH5703), Chiang Rai: the home district of the test accounts.
HOME = (100.40, 20.26)
#: Aranyaprathet (TH2706), Sa Kaeo: outside the test accounts' scope.
AWAY = (102.5066, 13.6928)
#: Half the side of a hotspot's square hull, in degrees (about 300 m).
HALF = 0.003


def district_id(session: Session, pcode: str) -> int:
    return session.execute(select(District.id).where(District.pcode == pcode)).scalar_one()


def make_run(
    session: Session,
    centres: Sequence[tuple[float, float]],
    *,
    pcode: str = "TH5703",
    hours: Sequence[Sequence[int]] | None = None,
    reporter_id: int | None = None,
    finished_at: dt.datetime | None = None,
    days_ago: int = 3,
    national: bool = False,
) -> list[Hotspot]:
    """A finished run with one hotspot per centre (rank in the given order), flushed.

    The run covers the district of ``pcode`` (``national``: every district).
    ``hours[i]`` are the Thai-time hours of the member incidents of hotspot ``i`` (each becomes
    an incident at the centre, ``days_ago`` days back); ``reporter_id`` reports them.
    """
    now = dt.datetime.now(dt.UTC)
    did = district_id(session, pcode)
    run = HotspotRun(
        district_ids=None if national else [did],
        params={"fixture": True},
        engine="fixture",
        status=RunStatus.DONE,
        started_at=finished_at or now,
        finished_at=finished_at or now,
        n_clusters=len(centres),
    )
    session.add(run)
    session.flush()
    hotspots = []
    thai = dt.timezone(dt.timedelta(hours=7))
    for rank, (lon, lat) in enumerate(centres, start=1):
        hours_i = list(hours[rank - 1]) if hours else []
        hotspot = Hotspot(
            run_id=run.id,
            rank=rank,
            n_incidents=max(len(hours_i), 5),
            categories={"smuggling": 3, "illegal_entry": 2},
            first_seen=now - dt.timedelta(days=60),
            last_seen=now - dt.timedelta(days=days_ago),
            score=100.0 / rank,
            trend=0.5,
            district_ids=[did],
            hull=from_shape(box(lon - HALF, lat - HALF, lon + HALF, lat + HALF), srid=4326),
            centroid=from_shape(Point(lon, lat), srid=4326),
        )
        session.add(hotspot)
        session.flush()
        day = (now - dt.timedelta(days=days_ago)).astimezone(thai).date()
        for hour in hours_i:
            when = dt.datetime.combine(day, dt.time(hour, 15), thai)
            data = parse_incident(
                {
                    "lon": lon,
                    "lat": lat,
                    "category": "smuggling",
                    "occurred_at": when.isoformat(),
                    "idempotency_key": str(uuid.uuid4()),
                },
                now,
                channel=Channel.OFFICER_APP,
                reporter_id=reporter_id,
            )
            incident, _ = create_incident(session, data)
            session.add(HotspotMember(hotspot_id=hotspot.id, incident_id=incident.id))
        hotspots.append(hotspot)
    session.flush()
    return hotspots
