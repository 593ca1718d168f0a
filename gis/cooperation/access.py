"""Who may do what in the register, and in which districts.

Coordinators and officers record and edit their own district's activities and agreements;
coordinators record its spending; patrol planners, HQ analysts and administrators read in their
scope; administrators make allocations. Volunteers have no part in the register.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidInput, NotFound
from gis.models import District, User
from gis.reference.districts import find_district
from gis.text import N_
from gis.types import Role

#: Roles that read the register (in their scope).
READERS = (
    Role.COORDINATOR,
    Role.OFFICER,
    Role.PATROL_PLANNER,
    Role.HQ_ANALYST,
    Role.ADMINISTRATOR,
)
#: Roles that record activities and agreements of their own district.
RECORDERS = (Role.COORDINATOR, Role.OFFICER)
#: Roles that record spending lines of their own district.
SPENDERS = (Role.COORDINATOR,)
#: Roles that make budget allocations.
ALLOCATORS = (Role.ADMINISTRATOR,)


def require_role(viewer: User, roles: tuple[Role, ...]) -> None:
    """Raises :class:`Forbidden` unless ``viewer`` is active and has one of ``roles``."""
    if not viewer.is_active or viewer.role not in roles:
        raise Forbidden(N_("your role may not do this"))


def may_read(session: Session, viewer: User, district_id: int) -> bool:
    """Whether ``viewer`` reads the register of the district."""
    if viewer.role not in READERS:
        return False
    scope = scope_district_ids(session, viewer)
    return scope is None or district_id in scope


def readable_scope(session: Session, viewer: User) -> frozenset[int] | None:
    """The districts whose register ``viewer`` reads; ``None``: all of them.

    Raises:
        Forbidden: the role does not read the register.
    """
    require_role(viewer, READERS)
    return scope_district_ids(session, viewer)


def target_district(session: Session, ref: str | None, viewer: User) -> District:
    """The target district named by ``ref`` (P-code, DOPA code or name), in the viewer's scope;
    a district role's own district when ``ref`` is empty.

    Raises:
        InvalidInput: (field ``district``) no such district, not a target district, or outside
            the viewer's scope.
    """
    if ref is None or not str(ref).strip():
        if viewer.district_id is None:
            raise InvalidInput(N_("{field} is required"), field="district")
        district = session.get(District, viewer.district_id)
        assert district is not None  # the account's foreign key
    else:
        if not isinstance(ref, str):
            raise InvalidInput(N_("{field} must be a string"), field="district")
        try:
            district = find_district(session, ref.strip())
        except NotFound as exc:
            raise InvalidInput(exc.template, **{**exc.values, "field": "district"}) from exc
    scope = scope_district_ids(session, viewer)
    if scope is not None and district.id not in scope:
        raise InvalidInput(N_("{field} lies outside your scope"), field="district")
    if not district.target:
        raise InvalidInput(N_("{field} is not a target district"), field="district")
    return district


def scoped_target_ids(session: Session, viewer: User) -> list[int]:
    """The target districts in ``viewer``'s scope, in programme order."""
    scope = readable_scope(session, viewer)
    query = select(District.id).where(District.target).order_by(District.target_no)
    if scope is not None:
        query = query.where(District.id.in_(scope))
    return list(session.execute(query).scalars())
