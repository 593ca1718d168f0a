"""Sign-in throttling per account and per address, counted in storage shared by all workers."""

from __future__ import annotations

import os
import uuid

import pytest

from gis.types import Role
from tests.webapp.signin import csrf_token, make_user
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


def test_an_account_is_throttled_after_five_attempts_a_minute(app, session):
    make_user(session, Role.OFFICER, "target-officer")
    c = app.test_client()
    codes = [attempt(c, "target-officer", f"10.0.0.{i}").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    blocked = attempt(c, "Target-Officer", "10.0.0.99")  # same account, any case, any address
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    # Even the right password waits now; another account from the same address does not.
    assert attempt(c, "target-officer", "10.0.0.7", "correct horse battery").status_code == 429
    assert attempt(c, "someone-else", "10.0.0.1").status_code == 200


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
