"""Authorization matrix rows for the statistics dashboard (webapp/dashboard).

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

HQ analysts (nationally), patrol planners and coordinators (their districts) read the dashboard;
officers, volunteers and administrators are refused (403), the public is sent to sign in. The
counts are of the reader's scope (tests/webapp/test_dashboard.py and tests/gis/stats check it).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.stats.params import READERS
from tests.webapp.authz import Policy, World, get


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    roles = frozenset(READERS)
    return {
        ("/dashboard", "GET"): Policy(get("/dashboard"), roles=roles, page=True),
        ("/dashboard/<name>.csv", "GET"): Policy(
            get("/dashboard/districts.csv"), roles=roles, page=True
        ),
        ("/dashboard/brief", "GET"): Policy(get("/dashboard/brief"), roles=roles, page=True),
        ("/api/dashboard", "GET"): Policy(get("/api/dashboard"), roles=roles),
        ("/api/dashboard/map", "GET"): Policy(get("/api/dashboard/map"), roles=roles),
    }


def prepare(session: Session, world: World) -> None:
    """Nothing to prepare: the dashboard counts the matrix's incidents."""
