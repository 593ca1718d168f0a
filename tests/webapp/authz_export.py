"""Authorization matrix rows for exports, OGC API - Features and API tokens.

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Every signed-in role may export and read the OGC API (its own scope, its own projection); the
public gets 401 JSON (no sign-in page: these are API routes for scripts and GIS clients).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.webapp.authz import SIGNED_IN, Policy, World, get


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/api/export/<name>.<fmt>", "GET"): Policy(
            get("/api/export/incidents.geojson"), roles=SIGNED_IN
        ),
    }


def prepare(session: Session, world: World) -> None:
    """Add the feature's objects to ``world.extra`` (none yet)."""
