"""Authorization matrix rows for the notifications (webapp/notify).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Every signed-in account reads its own bell, list and settings (each account only its own rows:
tests/webapp/test_notify.py); the deliveries page and its retry are the administrators'. The
public is sent to sign in (pages) or answered 401 (the bell's JSON).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gis.models import Notification
from gis.types import NotifyChannel, NotifyKind, Role
from tests.webapp.authz import SIGNED_IN, Policy, World, get, post_form

ADMINS = frozenset({Role.ADMINISTRATOR})


def retry_request(world: World, _obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": f"/admin/notifications/{world.extra['notification']}/retry",
        "data": {"csrf_token": token},
    }


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/api/notifications/unread", "GET"): Policy(
            get("/api/notifications/unread"), roles=SIGNED_IN
        ),
        ("/notifications", "GET"): Policy(get("/notifications"), roles=SIGNED_IN, page=True),
        ("/notifications/read", "POST"): Policy(
            post_form("/notifications/read"), ok=303, roles=SIGNED_IN, page=True
        ),
        ("/account/notifications", "GET"): Policy(
            get("/account/notifications"), roles=SIGNED_IN, page=True
        ),
        ("/account/notifications", "POST"): Policy(
            post_form("/account/notifications", digest_minutes="0"),
            ok=303,
            roles=SIGNED_IN,
            page=True,
        ),
        ("/account/notifications/line-code", "POST"): Policy(
            post_form("/account/notifications/line-code"), roles=SIGNED_IN, page=True
        ),
        ("/account/notifications/line-unlink", "POST"): Policy(
            post_form("/account/notifications/line-unlink"), ok=303, roles=SIGNED_IN, page=True
        ),
        ("/admin/notifications", "GET"): Policy(
            get("/admin/notifications"), roles=ADMINS, page=True
        ),
        ("/admin/notifications/<int:notification_id>/retry", "POST"): Policy(
            retry_request, ok=303, roles=ADMINS, page=True
        ),
    }


def prepare(session: Session, world: World) -> None:
    """A failed e-mail delivery of the officer's, for the retry."""
    officer = world.users[Role.OFFICER]
    row = Notification(
        delivery_key="matrix:failed:email",
        kind=NotifyKind.STATUS_CHANGE,
        channel=NotifyChannel.EMAIL,
        user_id=officer.id,
        params={},
        status="failed",
        last_error="the channel is not configured",
    )
    session.add(row)
    session.flush()
    world.extra["notification"] = row.id
