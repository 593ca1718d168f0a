"""Authorization matrix rows for the reference editing API (webapp/reference/api.py).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Coordinators (their district: the matrix's home, Chiang Khong) and administrators edit; with the
default reviewers (``admin``) only administrators accept or reject. Every other role is refused
(403) and the public answered 401. Scope (another district's feature: 403) is tested in
tests/webapp/test_reference_api.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.models import Checkpoint, ReferenceVersion
from gis.reference.editing.changes import Editor, parse_change, propose
from gis.types import Role
from tests.webapp.authz import Policy, World, get

EDITORS = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
ADMINS = frozenset({Role.ADMINISTRATOR})


def _slug(session: Session, slug: str) -> int:
    return session.execute(select(Checkpoint.id).where(Checkpoint.slug == slug)).scalar_one()


def _post(path: str, body: Any) -> Any:
    def build(world: World, _obj: int | None, token: str) -> dict[str, Any]:
        return {
            "path": path.format(**world.extra["reference"]),
            "json": body(world) if callable(body) else body,
            "headers": {"X-CSRFToken": token},
        }

    return build


def _get(path: str) -> Any:
    return lambda world, obj, token: {"path": path.format(**world.extra["reference"])}


def change_body(world: World) -> dict[str, Any]:
    return {
        "feature_type": "checkpoint",
        "feature_id": world.extra["reference"]["bridge"],
        "action": "update",
        "base_version": 1,
        "attributes": {"status": "closed"},
        "reason": "closed for repairs",
    }


def restore_body(world: World) -> dict[str, Any]:
    ref = world.extra["reference"]
    return {"version": ref["imported"], "base_version": 2, "reason": "the old place was right"}


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the API."""
    return {
        ("/api/reference/editable", "GET"): Policy(get("/api/reference/editable"), roles=EDITORS),
        ("/api/reference/changes", "POST"): Policy(
            _post("/api/reference/changes", change_body), ok=201, roles=EDITORS
        ),
        ("/api/reference/changes", "GET"): Policy(get("/api/reference/changes"), roles=EDITORS),
        ("/api/reference/changes/<int:change_id>/accept", "POST"): Policy(
            _post("/api/reference/changes/{proposal}/accept", {"note": "checked"}), roles=ADMINS
        ),
        ("/api/reference/changes/<int:change_id>/reject", "POST"): Policy(
            _post("/api/reference/changes/{proposal}/reject", {"note": "not there"}),
            roles=ADMINS,
        ),
        ("/api/reference/features/<kind>/<int:feature_id>/versions", "GET"): Policy(
            _get("/api/reference/features/checkpoint/{edited}/versions"), roles=EDITORS
        ),
        ("/api/reference/features/<kind>/<int:feature_id>/restore", "POST"): Policy(
            _post("/api/reference/features/checkpoint/{edited}/restore", restore_body),
            ok=201,
            roles=EDITORS,
        ),
        ("/api/reference/derived", "GET"): Policy(get("/api/reference/derived"), roles=EDITORS),
    }


def prepare(session: Session, world: World) -> None:
    """A coordinator's proposal waiting for review (Buck pier) and an administrator's accepted
    change (Ban Hat Bai: its imported state and the change are its versions)."""
    coordinator = world.users[Role.COORDINATOR]
    admin = world.users[Role.ADMINISTRATOR]
    pier, edited = _slug(session, "chiang-khong-buck-pier"), _slug(session, "ban-hat-bai")

    def editor(user: Any) -> Editor:
        return Editor(user.id, user.role, scope_district_ids(session, user))

    def update(feature_id: int, status: str) -> Any:
        return parse_change(
            {
                "feature_type": "checkpoint",
                "feature_id": feature_id,
                "action": "update",
                "base_version": 1,
                "attributes": {"status": status},
                "reason": "seen on patrol",
            }
        )

    proposal = propose(session, editor(coordinator), update(pier, "open"))
    propose(session, editor(admin), update(edited, "restricted"))
    imported = session.execute(
        select(ReferenceVersion.id).where(
            ReferenceVersion.feature_type == "checkpoint",
            ReferenceVersion.feature_id == edited,
            ReferenceVersion.action == "imported",
        )
    ).scalar_one()
    world.extra["reference"] = {
        "proposal": proposal.id,
        "edited": edited,
        "imported": imported,
        "bridge": _slug(session, "friendship-bridge-4"),
    }
