"""Accounts: argon2id hashes, validation naming the field, ending sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.accounts import users as accounts
from gis.accounts.scope import DISTRICT_ROLES, NATIONAL_ROLES
from gis.errors import InvalidInput, NotFound
from gis.models import User
from gis.types import Role

pytestmark = pytest.mark.db

PASSWORD = "correct horse battery"


def make(session, role=Role.OFFICER, username="somchai", password=PASSWORD, **scope):
    if not scope and role in DISTRICT_ROLES:
        scope = {"district": "TH5703"}
    if not scope and role == Role.PATROL_PLANNER:
        scope = {"province": "Chiang Rai"}
    return accounts.create_user(session, username, "Somchai", password, role, **scope)


def test_password_is_stored_as_an_argon2id_hash(session):
    user = make(session)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert accounts.verify_password(user.password_hash, PASSWORD)
    assert not accounts.verify_password(user.password_hash, PASSWORD + "x")
    assert not accounts.verify_password("not a hash", PASSWORD)


def test_authenticate_returns_the_account_for_the_right_password(session):
    user = make(session, username="Somchai.K")
    assert user.username == "somchai.k"
    assert accounts.authenticate(session, "SOMCHAI.K", PASSWORD) is user


def test_wrong_password_unknown_user_and_disabled_account_give_the_same_answer(
    session, monkeypatch
):
    make(session)
    make(session, username="retired")
    accounts.disable_user(session, "retired")
    verified = []
    real_verify = accounts.verify_password
    monkeypatch.setattr(
        accounts, "verify_password", lambda h, p: verified.append(h) or real_verify(h, p)
    )
    results = [
        accounts.authenticate(session, "somchai", "wrong password!"),
        accounts.authenticate(session, "nobody-here", PASSWORD),
        accounts.authenticate(session, "retired", PASSWORD),
        accounts.authenticate(session, "somchai", "x" * 5000),
    ]
    assert results == [None, None, None, None]
    assert len(verified) == 4  # one argon2 verification each, unknown users included
    assert all(h.startswith("$argon2id$") for h in verified)


def test_an_outdated_hash_is_replaced_at_sign_in(session):
    from argon2 import PasswordHasher

    user = make(session)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    old = user.password_hash
    assert accounts.authenticate(session, "somchai", PASSWORD) is user
    assert user.password_hash != old and user.password_hash.startswith("$argon2id$")
    assert accounts.authenticate(session, "somchai", PASSWORD) is user


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"username": "ab"}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": "-dash-first"}, "username"),
        ({"username": "x" * 81}, "username"),
        ({"password": "short pass"}, "password"),
        ({"password": "p" * 1025}, "password"),
        ({"role": "superuser"}, "role"),
        ({"display_name": "n" * 161}, "display_name"),
        ({"role": Role.COORDINATOR}, "district"),
        ({"role": Role.OFFICER, "district": "TH5703", "province": "TH57"}, "province"),
        ({"role": Role.VOLUNTEER, "district": "Atlantis"}, "district"),
        ({"role": Role.COORDINATOR, "district": "Chaloem Phra Kiat"}, "district"),
        ({"role": Role.PATROL_PLANNER}, "province"),
        ({"role": Role.PATROL_PLANNER, "province": "Atlantis"}, "province"),
        ({"role": Role.PATROL_PLANNER, "province": "TH57", "district": "TH5703"}, "province"),
        ({"role": Role.HQ_ANALYST, "district": "TH5703"}, "district"),
        ({"role": Role.ADMINISTRATOR, "province": "TH57"}, "province"),
    ],
)
def test_invalid_account_data_is_refused_naming_the_field(session, args, field):
    values = {
        "username": "somchai",
        "display_name": "Somchai",
        "password": PASSWORD,
        "role": Role.OFFICER,
        "district": "TH5703",
        "province": None,
    } | args
    if values["role"] in NATIONAL_ROLES | {Role.PATROL_PLANNER} and "district" not in args:
        values["district"] = None
    if values["role"] == Role.COORDINATOR and "district" not in args:
        values["district"] = None
    with pytest.raises(InvalidInput) as err:
        accounts.create_user(session, **values)
    assert err.value.field == field
    assert session.execute(select(User)).first() is None


def test_a_taken_user_name_is_refused(session):
    make(session)
    with pytest.raises(InvalidInput) as err:
        make(session, username="SOMCHAI")
    assert err.value.field == "username"
    assert len(session.execute(select(User)).all()) == 1  # the session is still usable


def test_disable_set_role_and_change_password_end_sessions(session):
    user = make(session)
    assert user.session_version == 1
    accounts.change_password(session, user, "another long passphrase", current_password=PASSWORD)
    assert user.session_version == 2
    assert accounts.authenticate(session, "somchai", "another long passphrase") is user
    assert accounts.authenticate(session, "somchai", PASSWORD) is None
    accounts.set_role(session, "somchai", Role.PATROL_PLANNER, province="Nan")
    assert user.session_version == 3
    assert (user.role, user.district_id) == (Role.PATROL_PLANNER, None)
    accounts.disable_user(session, "somchai")
    assert user.session_version == 4 and not user.is_active


def test_change_password_checks_the_current_one_and_the_new_length(session):
    user = make(session)
    with pytest.raises(InvalidInput) as err:
        accounts.change_password(session, user, "another long passphrase", current_password="no")
    assert err.value.field == "current_password"
    with pytest.raises(InvalidInput) as err:
        accounts.change_password(session, user, "short", current_password=PASSWORD)
    assert err.value.field == "new_password"
    assert user.session_version == 1


def test_set_role_checks_the_new_scope(session):
    make(session)
    with pytest.raises(InvalidInput) as err:
        accounts.set_role(session, "somchai", Role.COORDINATOR)
    assert err.value.field == "district"
    with pytest.raises(NotFound):
        accounts.set_role(session, "nobody", Role.HQ_ANALYST)


def test_the_last_active_administrator_cannot_be_disabled_or_demoted(session):
    make(session, Role.ADMINISTRATOR, username="admin-one")
    with pytest.raises(InvalidInput):
        accounts.disable_user(session, "admin-one")
    with pytest.raises(InvalidInput):
        accounts.set_role(session, "admin-one", Role.HQ_ANALYST)
    make(session, Role.ADMINISTRATOR, username="admin-two")
    accounts.disable_user(session, "admin-one")
    with pytest.raises(InvalidInput):
        accounts.disable_user(session, "admin-two")


def test_demo_accounts_one_per_role_with_random_passwords_returned_once(session):
    created = accounts.ensure_demo_accounts(session)
    assert sorted(role for role, _, _ in created) == sorted(r.value for r in Role)
    for role, username, password in created:
        assert len(password) >= 16
        user = accounts.authenticate(session, username, password)
        assert user is not None and user.role == role
        assert password not in user.password_hash
    assert len({password for _, _, password in created}) == len(created)
    assert accounts.ensure_demo_accounts(session) == []  # plain text is never shown again
