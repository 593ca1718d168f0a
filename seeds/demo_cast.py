"""Who acts in the demo's showcase: the demo accounts, and the keys of what they report.

The showcase (:mod:`seeds.demo_showcase`) works through the product's own code as the demo
accounts of :func:`gis.accounts.users.ensure_demo_accounts` would: the coordinator triages,
the planner and the HQ analyst run hotspot analyses and make patrol plans, the officer and the
volunteer report and record what patrols found. The reports they make get idempotency keys made
from a label (:func:`demo_key`), so that they are stored once.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.users import DEMO_USERNAMES
from gis.models import User
from gis.types import Role


@dataclass(frozen=True, slots=True)
class Cast:
    """The active demo accounts that act in the showcase."""

    hq: User
    planner: User
    coordinator: User
    officer: User
    volunteer: User


#: The roles of :class:`Cast`, by attribute.
ROLES: dict[str, Role] = {
    "hq": Role.HQ_ANALYST,
    "planner": Role.PATROL_PLANNER,
    "coordinator": Role.COORDINATOR,
    "officer": Role.OFFICER,
    "volunteer": Role.VOLUNTEER,
}


def find_cast(session: Session) -> Cast | None:
    """The demo accounts of :data:`ROLES`, or ``None`` when one is missing or disabled (or no
    longer has its demo role)."""
    names = {attr: DEMO_USERNAMES[role] for attr, role in ROLES.items()}
    found = {
        user.username: user
        for user in session.scalars(select(User).where(User.username.in_(names.values())))
    }
    members: dict[str, User] = {}
    for attr, username in names.items():
        user = found.get(username)
        if user is None or not user.is_active or Role(user.role) is not ROLES[attr]:
            return None
        members[attr] = user
    return Cast(**members)


def demo_key(label: str) -> uuid.UUID:
    """The idempotency key of the showcase's report ``label``: a version 4 UUID made of a SHA-256
    digest of the label, the same every time."""
    digest = hashlib.sha256(f"borderwatch demo {label}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)
