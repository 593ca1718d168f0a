"""Administrators' changes to the reference data: the target set."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gis.errors import InvalidInput, NotFound
from gis.models import CoordinationCentre, District
from gis.reference.districts import district_ref
from gis.types import DistrictRef


def find_district(session: Session, ref: str) -> District:
    """A district by P-code (``TH3409``), DOPA code (``3409``) or English/Thai name.

    Raises:
        NotFound: no district matches.
        InvalidInput: the name matches several districts (use the P-code).
    """
    matches = (
        session.execute(
            select(District).where(
                or_(
                    func.upper(District.pcode) == ref.upper(),
                    District.dopa_code == ref,
                    func.lower(District.name) == ref.lower(),
                    District.name_th == ref,
                )
            )
        )
        .scalars()
        .all()
    )
    if not matches:
        raise NotFound(f"no district matches {ref!r}", field="district")
    if len(matches) > 1:
        codes = ", ".join(f"{d.pcode} ({d.name})" for d in matches)
        raise InvalidInput(f"{ref!r} matches several districts: {codes}", field="district")
    return matches[0]


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
