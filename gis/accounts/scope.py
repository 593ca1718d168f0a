"""Role scope: the places an account works in, and the districts it may see.

District roles (coordinator, officer, volunteer) work in one district; a patrol planner in a
district or in a province; administrators and HQ analysts are national. :func:`resolve_scope`
checks an assignment against the role when an account is created or given a new role;
:func:`scope_district_ids` is the one answer every feature filters by.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gis.errors import InvalidInput, NotFound
from gis.models import District, Province
from gis.reference.districts import find_district
from gis.text import N_
from gis.types import Role

DISTRICT_ROLES = frozenset({Role.COORDINATOR, Role.OFFICER, Role.VOLUNTEER})
NATIONAL_ROLES = frozenset({Role.ADMINISTRATOR, Role.HQ_ANALYST})


class Scoped(Protocol):
    """What an account's scope is computed from: a ``User`` row, or the signed-in account as
    the web app loaded it for the request (the same columns, without an ORM object)."""

    @property
    def id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def district_id(self) -> int | None: ...

    @property
    def province_id(self) -> int | None: ...


def find_province(session: Session, ref: str) -> Province:
    """A Thai province by P-code (``TH34``) or English/Thai name.

    Raises:
        InvalidInput: (field ``province``) no province or several provinces match.
    """
    matches = (
        session.execute(
            select(Province).where(
                or_(
                    func.upper(Province.pcode) == ref.strip().upper(),
                    func.lower(Province.name) == ref.strip().lower(),
                    Province.name_th == ref.strip(),
                )
            )
        )
        .scalars()
        .all()
    )
    if len(matches) != 1:
        problem = (
            N_("no province matches {ref!r}")
            if not matches
            else N_("several provinces match {ref!r}")
        )
        raise InvalidInput(problem, field="province", ref=ref)
    return matches[0]


def _district(session: Session, ref: str) -> District:
    try:
        return find_district(session, ref.strip())
    except NotFound as exc:  # a bad form value, not a missing page
        raise InvalidInput(exc.template, **{**exc.values, "field": "district"}) from exc


def resolve_scope(
    session: Session, role: Role, district: str | None, province: str | None
) -> tuple[int | None, int | None]:
    """Check that the assignment fits the role and find it.

    District roles (coordinator, officer, volunteer) need a district and no province; a patrol
    planner has a province or a district (not both); administrators and HQ analysts are national
    and have neither.

    Args:
        session: open session.
        role: the account's role.
        district: P-code, DOPA code or name of a district, or ``None``.
        province: P-code or name of a province, or ``None``.

    Returns:
        ``(district_id, province_id)`` to store on the account.

    Raises:
        InvalidInput: naming ``district`` or ``province`` when the assignment does not fit the
            role or matches no (or several) places.
    """
    district = district.strip() if district and district.strip() else None
    province = province.strip() if province and province.strip() else None
    if role in NATIONAL_ROLES:
        if district or province:
            raise InvalidInput(
                N_("a {role} account is national: give no district or province"),
                field="district" if district else "province",
                role=role,
            )
        return None, None
    if role in DISTRICT_ROLES:
        if province:
            raise InvalidInput(
                N_("a {role} account has a district, not a province"), field="province", role=role
            )
        if not district:
            raise InvalidInput(N_("a {role} account needs a district"), field="district", role=role)
        return _district(session, district).id, None
    # patrol planner
    if district and province:
        raise InvalidInput(
            N_("a patrol planner has a province or a district, not both"), field="province"
        )
    if district:
        return _district(session, district).id, None
    if province:
        return None, find_province(session, province).id
    raise InvalidInput(N_("a patrol planner needs a province or a district"), field="province")


def scope_district_ids(session: Session, user: Scoped) -> frozenset[int] | None:
    """The ids of the districts an account may see; ``None`` means national (every district).

    District roles see their district, a planner its district or every district of its
    province, administrators and HQ analysts everything. A disabled account sees nothing.
    """
    if not user.is_active:
        return frozenset()
    if user.role in NATIONAL_ROLES:
        return None
    if user.district_id is not None:
        return frozenset({user.district_id})
    if user.province_id is not None:
        ids = session.execute(
            select(District.id).where(District.province_id == user.province_id)
        ).scalars()
        return frozenset(ids)
    return frozenset()  # unreachable with the table's CHECK constraint; fail closed
