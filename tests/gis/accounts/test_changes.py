"""Every account change leaves an ``account_change`` row (who, when, what, from, to), written in
the change's own transaction; an account cannot change its own role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.accounts import changes, tokens
from gis.accounts import users as accounts
from gis.errors import Forbidden, InvalidInput
from gis.models import AccountChange, ApiToken, User
from gis.types import AccountChangeKind as Kind
from gis.types import Role

pytestmark = pytest.mark.db

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(session) -> User:
    return accounts.create_user(session, "head-admin", None, PASSWORD, Role.ADMINISTRATOR)


def rows(session, user: User) -> list[tuple[Kind, str | None, str | None, int | None]]:
    found = session.execute(
        select(AccountChange).where(AccountChange.user_id == user.id).order_by(AccountChange.id)
    ).scalars()
    return [(r.what, r.old_value, r.new_value, r.by_id) for r in found]


def officer(session, by: User | None) -> User:
    return accounts.create_user(
        session, "somchai", "Somchai", PASSWORD, Role.OFFICER, district="TH5703", by=by
    )


def test_creating_an_account_is_recorded_with_its_role_and_scope(session, admin):
    user = officer(session, admin)
    assert rows(session, user) == [(Kind.CREATED, None, "officer district:TH5703", admin.id)]
    row = session.execute(
        select(AccountChange).where(AccountChange.user_id == user.id)
    ).scalar_one()
    assert row.at is not None


def test_a_new_role_and_scope_are_recorded_from_and_to(session, admin):
    user = officer(session, admin)
    accounts.set_role(session, "somchai", Role.PATROL_PLANNER, province="TH57", by=admin)
    assert rows(session, user)[1:] == [
        (Kind.ROLE, "officer", "patrol_planner", admin.id),
        (Kind.SCOPE, "district:TH5703", "province:TH57", admin.id),
    ]
    accounts.set_role(session, "somchai", Role.HQ_ANALYST, by=admin)
    assert rows(session, user)[3:] == [
        (Kind.ROLE, "patrol_planner", "hq_analyst", admin.id),
        (Kind.SCOPE, "province:TH57", "national", admin.id),
    ]


def test_the_same_role_again_records_nothing_but_its_ended_tokens(session, admin):
    user = officer(session, admin)
    tokens.create_token(session, user, "QGIS")
    accounts.set_role(session, "somchai", Role.OFFICER, district="TH5703", by=admin)
    assert [r[0] for r in rows(session, user)] == [
        Kind.CREATED,
        Kind.TOKEN_MADE,
        Kind.TOKEN_REVOKED,
    ]


def test_disabling_and_passwords_are_recorded_without_any_secret(session, admin):
    user = officer(session, admin)
    accounts.change_password(
        session, user, "another long passphrase", current_password=PASSWORD, by=user
    )
    accounts.change_password(session, user, "a third long passphrase", by=admin)
    accounts.disable_user(session, "somchai", by=admin)
    assert rows(session, user)[1:] == [
        (Kind.PASSWORD_CHANGED, None, None, user.id),
        (Kind.PASSWORD_RESET, None, None, admin.id),
        (Kind.ACTIVE, "true", "false", admin.id),
    ]


def test_tokens_made_and_revoked_are_recorded_by_name(session, admin):
    user = officer(session, admin)
    first = tokens.create_token(session, user, "QGIS at the office")
    second = tokens.create_token(session, user, "nightly script")
    tokens.revoke_token(session, user, first.id)
    tokens.revoke_token(session, user, first.id)  # twice: one row
    accounts.end_sessions(session, user, by=user)  # sign-out ends the other one
    prefix = {t.id: t.prefix for t in session.execute(select(ApiToken)).scalars()}
    named = {t.id: f"{t.name} ({prefix[t.id]}…)" for t in (first, second)}
    assert rows(session, user)[1:] == [
        (Kind.TOKEN_MADE, None, named[first.id], user.id),
        (Kind.TOKEN_MADE, None, named[second.id], user.id),
        (Kind.TOKEN_REVOKED, named[first.id], None, user.id),
        (Kind.TOKEN_REVOKED, named[second.id], None, user.id),
    ]
    assert all(t.secret not in str(rows(session, user)) for t in (first, second))


def test_changes_on_the_command_line_have_no_author(session):
    user = officer(session, None)
    accounts.set_role(session, "somchai", Role.VOLUNTEER, district="TH5703")
    assert [(r[0], r[3]) for r in rows(session, user)] == [(Kind.CREATED, None), (Kind.ROLE, None)]


def test_an_account_cannot_change_its_own_role(session, admin):
    accounts.create_user(session, "second-admin", None, PASSWORD, Role.ADMINISTRATOR)
    before = rows(session, admin)
    with pytest.raises(Forbidden) as err:
        accounts.set_role(session, "head-admin", Role.HQ_ANALYST, by=admin)
    assert err.value.field == "role"
    session.refresh(admin)
    assert admin.role == Role.ADMINISTRATOR and admin.session_version == 1
    assert rows(session, admin) == before


def test_a_refused_change_writes_no_row(session, admin):
    user = officer(session, admin)
    before = rows(session, user)
    with pytest.raises(InvalidInput):
        accounts.set_role(session, "somchai", Role.COORDINATOR, by=admin)  # no district
    assert rows(session, user) == before


def test_a_change_and_its_row_share_one_transaction(session, admin):
    user = officer(session, admin)
    savepoint = session.begin_nested()
    accounts.set_role(session, "somchai", Role.VOLUNTEER, district="TH5703", by=admin)
    assert rows(session, user)[-1][0] == Kind.ROLE
    savepoint.rollback()
    assert [r[0] for r in rows(session, user)] == [Kind.CREATED]
    assert session.get_one(User, user.id).role == Role.OFFICER


def test_recent_changes_name_the_account_and_the_author(session, admin):
    user = officer(session, admin)
    accounts.disable_user(session, "somchai", by=admin)
    recent = changes.recent_changes(session, limit=10)
    assert [(c.username, c.what, c.by) for c in recent[:2]] == [
        ("somchai", Kind.ACTIVE, "head-admin"),
        ("somchai", Kind.CREATED, "head-admin"),
    ]
    assert recent[0].at >= recent[1].at and user.id
