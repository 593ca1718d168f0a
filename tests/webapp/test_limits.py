"""Sign-in throttling per account and per address, counted in storage shared by all workers."""

from __future__ import annotations

import os
import uuid

import pytest
from limits import parse_many

from gis.types import Role
from tests.webapp.signin import PASSWORD, csrf_token, make_user
from webapp import create_app

pytestmark = pytest.mark.db


def attempt(client, username: str, ip: str, password: str = "wrong password here"):
    token = csrf_token(client)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_storage_is_shared_redis_not_process_memory(app):
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("redis://")


def test_an_account_is_throttled_after_five_attempts_a_minute_from_one_address(app, session):
    make_user(session, Role.OFFICER, "target-officer")
    c = app.test_client()
    codes = [attempt(c, "target-officer", "10.0.0.1").status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    blocked = attempt(c, "Target-Officer", "10.0.0.1")  # same account in any case
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Even the right password waits now; another account from the same address does not.
    assert attempt(c, "target-officer", "10.0.0.1", PASSWORD).status_code == 429
    assert attempt(c, "someone-else", "10.0.0.1").status_code == 200


def test_an_account_is_throttled_after_twenty_attempts_a_minute_from_anywhere(app, session):
    make_user(session, Role.OFFICER, "target-officer")
    c = app.test_client()
    codes = [attempt(c, "target-officer", f"10.0.1.{i}").status_code for i in range(21)]
    assert codes == [200] * 20 + [429]
    blocked = attempt(c, "Target-Officer", "10.0.1.99")  # any case, a fresh address
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert attempt(c, "target-officer", "10.0.1.98", PASSWORD).status_code == 429


def test_failures_from_elsewhere_do_not_lock_out_an_address_that_signed_in_before(app, session):
    make_user(session, Role.OFFICER, "target-officer")
    make_user(session, Role.OFFICER, "other-officer")
    c = app.test_client()
    assert attempt(c, "target-officer", "10.4.0.1", PASSWORD).status_code == 302  # the office
    assert attempt(c, "other-officer", "10.4.0.2", PASSWORD).status_code == 302
    # Someone who knows the name tries it from many addresses until the name is closed.
    flood = [attempt(c, "target-officer", f"10.5.0.{i}").status_code for i in range(25)]
    assert flood[-1] == 429
    # The owner's office still signs in; an address known for another account does not help.
    assert attempt(c, "target-officer", "10.4.0.1", PASSWORD).status_code == 302
    assert attempt(c, "target-officer", "10.4.0.2", PASSWORD).status_code == 429
    # At the known address the name and address pair is still limited.
    codes = [attempt(c, "target-officer", "10.4.0.1").status_code for _ in range(6)]
    assert codes[-1] == 429


def test_the_limit_per_account_is_much_wider_than_per_account_and_address(app):
    per_account = parse_many(app.config["LOGIN_LIMIT_ACCOUNT"])
    per_pair = parse_many(app.config["LOGIN_LIMIT_ACCOUNT_ADDRESS"])
    for wide, narrow in zip(
        sorted(per_account, key=lambda x: x.get_expiry()),
        sorted(per_pair, key=lambda x: x.get_expiry()),
        strict=True,
    ):
        assert wide.get_expiry() == narrow.get_expiry() and wide.amount >= 4 * narrow.amount


def test_unknown_and_known_accounts_are_throttled_alike(app, session):
    make_user(session, Role.OFFICER, "known-officer")
    c = app.test_client()
    known = [attempt(c, "known-officer", "10.1.0.1").status_code for _ in range(6)]
    unknown = [attempt(c, "nobody-here", "10.1.0.2").status_code for _ in range(6)]
    assert known == unknown == [200] * 5 + [429]


def test_an_address_is_throttled_after_twenty_attempts_a_minute(app):
    c = app.test_client()
    codes = [attempt(c, f"user-{i}", "10.2.0.1").status_code for i in range(21)]
    assert codes == [200] * 20 + [429]
    assert attempt(c, "user-x", "10.2.0.2").status_code == 200  # another address


def test_counters_are_shared_between_workers(app, database_url):
    """Two app instances, as two gunicorn workers: attempts on either count together."""
    prefix = f"test-shared-{uuid.uuid4().hex}"
    config = {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "RATELIMIT_STORAGE_URI": os.environ["RATELIMIT_STORAGE_URI"],
        "RATELIMIT_KEY_PREFIX": prefix,
    }
    workers = [create_app(dict(config)).test_client() for _ in range(2)]
    codes = [attempt(workers[i % 2], "shared-user", "10.3.0.1").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]


def test_memory_storage_is_refused_outside_tests(database_url):
    with pytest.raises(RuntimeError, match="shared by all workers"):
        create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": "x" * 32,
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
