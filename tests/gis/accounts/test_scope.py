"""Role scope: the assignment a role needs, and the districts an account may see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.accounts import users as accounts
from gis.accounts.scope import resolve_scope, scope_district_ids
from gis.models import District, Province
from gis.types import Role
from tests.factories import district, make_user

pytestmark = pytest.mark.db


def test_scope_of_district_roles_is_their_district(session):
    chiang_khong = district(session, "Chiang Khong")
    for role in (Role.COORDINATOR, Role.OFFICER, Role.VOLUNTEER):
        user = make_user(session, role, username=f"u-{role.value}", district="TH5703")
        assert scope_district_ids(session, user) == frozenset({chiang_khong.id})


def test_scope_of_a_province_planner_is_every_district_of_the_province(session):
    user = make_user(session, Role.PATROL_PLANNER, province="Chiang Rai")
    chiang_rai = session.execute(select(Province).where(Province.pcode == "TH57")).scalar_one()
    expected = set(
        session.execute(select(District.id).where(District.province_id == chiang_rai.id)).scalars()
    )
    scope = scope_district_ids(session, user)
    assert scope == expected and len(expected) == 18


def test_scope_of_a_district_planner_is_the_district(session):
    user = make_user(session, Role.PATROL_PLANNER, district="Chiang Saen")
    assert scope_district_ids(session, user) == {district(session, "Chiang Saen").id}


@pytest.mark.parametrize("role", [Role.HQ_ANALYST, Role.ADMINISTRATOR])
def test_national_roles_have_national_scope(session, role):
    assert scope_district_ids(session, make_user(session, role)) is None


def test_a_disabled_account_sees_nothing(session):
    make_user(session, Role.HQ_ANALYST, username="spare-admin")
    user = make_user(session, Role.HQ_ANALYST, username="somchai")
    accounts.disable_user(session, "somchai")
    assert scope_district_ids(session, user) == frozenset()


@pytest.mark.parametrize(
    ("role", "district_ref", "province_ref", "expected"),
    [
        (Role.OFFICER, " TH5703 ", None, ("Chiang Khong", None)),
        (Role.COORDINATOR, "Chiang Khong", "", ("Chiang Khong", None)),
        (Role.PATROL_PLANNER, None, "Chiang Rai", (None, "TH57")),
        (Role.PATROL_PLANNER, "Chiang Saen", None, ("Chiang Saen", None)),
        (Role.HQ_ANALYST, " ", None, (None, None)),
    ],
)
def test_an_assignment_that_fits_the_role_is_found(
    session, role, district_ref, province_ref, expected
):
    district_id, province_id = resolve_scope(session, role, district_ref, province_ref)
    name, pcode = expected
    assert district_id == (district(session, name).id if name else None)
    province = session.get(Province, province_id) if province_id is not None else None
    assert (province.pcode if province else None) == pcode
