"""Authorization matrix rows for the reference editor's and reviewers' pages
(webapp/reference/pages.py).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Coordinators (their district) and administrators (any target district) open the map editor;
with the default ``REFERENCE_REVIEWERS`` (``admin``) only administrators open the review page.
The pages carry no feature: the scripts read them from the API, which checks each object.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.types import Role
from tests.webapp.authz import Policy, World, get
from webapp.reference.pages import EDITORS


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the pages."""
    return {
        ("/reference/edit", "GET"): Policy(
            get("/reference/edit"), roles=frozenset(EDITORS), page=True
        ),
        ("/reference/review", "GET"): Policy(
            get("/reference/review"), roles=frozenset({Role.ADMINISTRATOR}), page=True
        ),
    }


def prepare(session: Session, world: World) -> None:
    """Nothing to prepare: the pages hold no object."""
