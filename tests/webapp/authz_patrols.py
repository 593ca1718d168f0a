"""Authorization matrix rows for patrol plans, their sheets and outcomes, the planner view.

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.webapp.authz import Policy, World


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {}


def prepare(session: Session, world: World) -> None:
    """Add the feature's objects to ``world.extra`` (none yet)."""
