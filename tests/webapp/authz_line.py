"""Authorization matrix rows for the LINE webhook (webapp/line).

No session, role or CSRF token opens the webhook: only LINE's signature of the body does
(tests/webapp/test_line_webhook.py checks the signed requests). Every role and the public,
sending no signature, get the same 400 and nothing is written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.support import line_events
from tests.webapp.authz import Policy, World

USER = "U" + "9" * 32


def unsigned_event(world: World, _obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": "/line/webhook",
        "data": line_events.body(line_events.text(USER, "สวัสดี")),
        "content_type": "application/json",
        "headers": {"X-CSRFToken": token},
    }


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {("/line/webhook", "POST"): Policy(unsigned_event, ok=400)}


def prepare(session: Session, world: World) -> None:
    """Nothing to prepare."""
