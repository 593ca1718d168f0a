"""Password hashes: argon2id (argon2-cffi), verified in constant time.

No function here logs a password or a hash.
"""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: argon2-cffi's defaults: argon2id, t=3, m=64 MiB, p=4 (RFC 9106's second recommended option).
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash (PHC string) of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; a malformed hash never matches."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than today's."""
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A hash of a random secret, verified for unknown accounts so that they cost the same time."""
    return _hasher.hash(secrets.token_urlsafe(32))


__all__ = ["dummy_hash", "hash_password", "needs_rehash", "verify_password"]
