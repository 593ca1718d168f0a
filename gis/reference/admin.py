"""Administrators' changes to the reference data: the target set."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.models import CoordinationCentre, District
from gis.reference.districts import district_ref, find_district
from gis.types import DistrictRef


def set_target(session: Session, ref: str, target: bool) -> DistrictRef:
    """Flag a district as a target of the programme (or not).

    A district that becomes a target gets a coordination centre at a point inside it, marked
    approximate, unless it has one already. Removing the flag keeps the centre and its history.

    Returns:
        The district as routing sees it now.
    """
    district = find_district(session, ref)
    district.target = target
    if target:
        exists = session.execute(
            select(CoordinationCentre.id).where(CoordinationCentre.district_id == district.id)
        ).first()
        if exists is None:
            session.add(
                CoordinationCentre(
                    district_id=district.id,
                    name=f"NTS-MWCC {district.name}",
                    location_approximate=True,
                    geom=select(func.ST_PointOnSurface(District.geom))
                    .where(District.id == district.id)
                    .scalar_subquery(),
                )
            )
    session.flush()
    return district_ref(session, district.id)
