"""Administrators' changes to the reference data: the target set."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.models import CoordinationCentre, District
from gis.reference.districts import district_ref, find_district
from gis.types import DistrictRef

#: A coordination centre's names until an administrator enters its own, before the district's
#: name: "NTS-MWCC Chiang Khong", and in Thai as the programme's documents write it,
#: "ศปก.อ.เชียงของ".
CENTRE_NAME = "NTS-MWCC "
CENTRE_NAME_TH = "ศปก.อ."


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
                    name=CENTRE_NAME + district.name,
                    name_th=CENTRE_NAME_TH + district.name_th,
                    location_approximate=True,
                    geom=select(func.ST_PointOnSurface(District.geom))
                    .where(District.id == district.id)
                    .scalar_subquery(),
                )
            )
    session.flush()
    return district_ref(session, district.id)
