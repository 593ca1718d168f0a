"""Authorization matrix rows for exports, OGC API - Features and API tokens.

Kept beside the feature so that it adds its routes without touching the matrix;
:mod:`tests.webapp.test_authz_matrix` merges :func:`rows` into its table and calls
:func:`prepare` while it builds the :class:`~tests.webapp.authz.World`.

Every signed-in role may export and read the OGC API (its own scope, its own projection); the
public gets 401 JSON (no sign-in page: these are API routes for scripts and GIS clients). The
token pages are for every signed-in account; nobody revokes another account's token (404).
Export jobs are their owner's: another account's job and file are a 404 for every role.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gis.accounts import tokens
from gis.models import ExportFile
from gis.types import Role
from tests.webapp.authz import SIGNED_IN, Policy, World, get, post_form, post_json
from tests.webapp.signin import PASSWORD, make_user


def one_item(world: World, obj: int | None, token: str) -> dict[str, Any]:
    """An incident every signed-in role may see: the volunteer's report in the home district."""
    return {"path": f"/ogcapi/collections/incidents/items/{world.incidents['volunteer']}"}


def revoke_other(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": f"/account/tokens/{world.extra['others_token']}/revoke",
        "data": {"csrf_token": token},
    }


def other_export(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {"path": f"/api/exports/{world.extra['others_export']}"}


def other_export_file(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {"path": f"/api/exports/{world.extra['others_export']}/file"}


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the feature."""
    return {
        ("/api/export/<name>.<fmt>", "GET"): Policy(
            get("/api/export/incidents.geojson"), roles=SIGNED_IN
        ),
        # the export page's form (the sensitive fields are HQ analysts' only: not asked here)
        ("/api/export/<name>.<fmt>", "POST"): Policy(
            post_form("/api/export/incidents.geojson"), roles=SIGNED_IN
        ),
        ("/export", "GET"): Policy(get("/export"), roles=SIGNED_IN, page=True),
        # export jobs: every signed-in role asks for its own; a GeoPackage is always a job
        ("/api/exports", "POST"): Policy(
            post_json("/api/exports", {"collection": "incidents", "format": "gpkg"}),
            ok=202,
            roles=SIGNED_IN,
        ),
        ("/api/exports", "GET"): Policy(get("/api/exports"), roles=SIGNED_IN),
        ("/exports", "GET"): Policy(get("/exports"), roles=SIGNED_IN, page=True),
        # the job is another account's: nobody reads it or its file
        ("/api/exports/<int:export_id>", "GET"): Policy(other_export, ok=404, roles=SIGNED_IN),
        ("/api/exports/<int:export_id>/file", "GET"): Policy(
            other_export_file, ok=404, roles=SIGNED_IN
        ),
        ("/ogcapi", "GET"): Policy(get("/ogcapi"), roles=SIGNED_IN),
        ("/ogcapi/conformance", "GET"): Policy(get("/ogcapi/conformance"), roles=SIGNED_IN),
        ("/ogcapi/api", "GET"): Policy(get("/ogcapi/api"), roles=SIGNED_IN),
        ("/ogcapi/collections", "GET"): Policy(get("/ogcapi/collections"), roles=SIGNED_IN),
        ("/ogcapi/collections/<cid>", "GET"): Policy(
            get("/ogcapi/collections/incidents"), roles=SIGNED_IN
        ),
        ("/ogcapi/collections/<cid>/items", "GET"): Policy(
            get("/ogcapi/collections/incidents/items?limit=5"), roles=SIGNED_IN
        ),
        ("/ogcapi/collections/<cid>/items/<fid>", "GET"): Policy(one_item, roles=SIGNED_IN),
        ("/ogcapi/collections/<cid>/queryables", "GET"): Policy(
            get("/ogcapi/collections/incidents/queryables"), roles=SIGNED_IN
        ),
        ("/account/tokens", "GET"): Policy(get("/account/tokens"), roles=SIGNED_IN, page=True),
        ("/account/tokens", "POST"): Policy(
            post_form("/account/tokens", name="matrix {uid}", current_password=PASSWORD),
            roles=SIGNED_IN,
            page=True,
        ),
        # the token is another account's: no role may revoke it
        ("/account/tokens/<int:token_id>/revoke", "POST"): Policy(
            revoke_other, ok=404, roles=SIGNED_IN, page=True
        ),
    }


def prepare(session: Session, world: World) -> None:
    """A token and a finished export job of an account outside the matrix
    (``world.extra['others_token']``, ``world.extra['others_export']``)."""
    owner = make_user(session, Role.OFFICER, "matrix-token-owner", district="TH2706")
    world.extra["others_token"] = tokens.create_token(session, owner, "not yours").id
    job = ExportFile(
        user_id=owner.id,
        collection="incidents",
        format="gpkg",
        params={},
        status="done",
        file_name="export-0-incidents.gpkg",
        features_written=1,
    )
    session.add(job)
    session.flush()
    world.extra["others_export"] = job.id
