"""Authorization matrix rows for the help pages (webapp/help).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

The guides are for everyone, the public included (the citizens' guide is one of them): every role
and the public get the same answers.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.webapp.authz import Policy, World, get


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/help", "GET"): Policy(get("/help")),
        ("/help/<name>", "GET"): Policy(get("/help/coordinator")),
        ("/help/screenshots/<name>.png", "GET"): Policy(
            get("/help/screenshots/officer-map-phone.png")
        ),
    }


def prepare(session: Session, world: World) -> None:
    """Nothing to prepare: the guides are files."""
