"""Personal API tokens: made with the current password, ended with the account's sessions."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.accounts import tokens
from gis.accounts import users as accounts
from gis.accounts.scope import resolve_scope
from gis.errors import InvalidInput
from gis.models import ApiToken
from gis.types import Role

pytestmark = pytest.mark.db

PASSWORD = "correct horse battery"


def make(session, username="somchai", role=Role.HQ_ANALYST):
    return accounts.create_user(session, username, None, PASSWORD, role)


def live(session, user) -> int:
    return session.execute(
        select(func.count())
        .select_from(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).scalar_one()


@pytest.mark.parametrize("given", ["", "not the password", PASSWORD + " "])
def test_a_token_is_not_made_without_the_current_password(session, given):
    user = make(session)
    with pytest.raises(InvalidInput) as err:
        tokens.create_token(session, user, "QGIS", current_password=given)
    assert err.value.field == "current_password"
    assert live(session, user) == 0


def test_a_token_is_made_with_the_current_password(session):
    user = make(session)
    new = tokens.create_token(session, user, "QGIS", current_password=PASSWORD)
    assert tokens.authenticate_token(session, new.secret) is not None


END = {
    "sign-out": lambda s, u: accounts.end_sessions(s, u),
    "own password change": lambda s, u: accounts.change_password(
        s, u, "another long passphrase", current_password=PASSWORD
    ),
    "password reset": lambda s, u: accounts.change_password(s, u, "another long passphrase"),
    "role change": lambda s, u: accounts.set_role(s, u.username, Role.PATROL_PLANNER, None, "TH57"),
    "scope change": lambda s, u: accounts.set_role(s, u.username, Role.HQ_ANALYST),
    "disabled": lambda s, u: accounts.disable_user(s, u.username),
}


@pytest.mark.parametrize("event", END)
def test_tokens_end_with_the_accounts_sessions(session, event):
    make(session, "spare-admin", Role.ADMINISTRATOR)
    user = make(session)
    other = make(session, "someone-else")
    mine = [tokens.create_token(session, user, f"script {i}") for i in range(2)]
    theirs = tokens.create_token(session, other, "theirs")
    END[event](session, user)
    for new in mine:
        assert tokens.authenticate_token(session, new.secret) is None
        assert session.get_one(ApiToken, new.id).revoked_at is not None  # shown as revoked
    assert tokens.authenticate_token(session, theirs.secret) is not None


def test_revoke_all_ends_every_live_token_of_the_account_only(session):
    user = make(session)
    other = make(session, "someone-else")
    mine = [tokens.create_token(session, user, f"script {i}") for i in range(3)]
    tokens.revoke_token(session, user, mine[0].id)
    first_revoked = session.get_one(ApiToken, mine[0].id).revoked_at
    theirs = tokens.create_token(session, other, "theirs")
    assert tokens.revoke_all_tokens(session, user) == 2
    assert live(session, user) == 0
    assert session.get_one(ApiToken, mine[0].id).revoked_at == first_revoked  # left as it was
    assert tokens.authenticate_token(session, theirs.secret) is not None
    assert tokens.revoke_all_tokens(session, user) == 0


def test_a_token_acts_with_the_accounts_current_role(session):
    """The token carries no role of its own: its account is read again on every use."""
    user = make(session)
    new = tokens.create_token(session, user, "QGIS")
    district_id = resolve_scope(session, Role.OFFICER, "TH5703", None)[0]
    user.role = Role.OFFICER  # changed behind the functions' back (no session version bump)
    user.district_id = district_id
    session.flush()
    found = tokens.authenticate_token(session, new.secret)
    assert found is not None and found[1].role == Role.OFFICER
    user.is_active = False
    session.flush()
    assert tokens.authenticate_token(session, new.secret) is None
