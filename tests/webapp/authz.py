"""The vocabulary of the authorization matrix (:mod:`tests.webapp.test_authz_matrix`).

The places, the :class:`World` of accounts and objects, the request builders and the
:class:`Policy` of a route. Feature modules (``authz_hotspots``, ``authz_patrols``,
``authz_export``) use them to add their routes' rows.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from gis.types import Role

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"

#: Where the scoped accounts work: Chiang Khong (TH5703), Chiang Rai province (TH57).
HOME = (100.40, 20.26)
#: Outside their scope: Aranyaprathet (TH2706), Sa Kaeo.
AWAY = (102.5066, 13.6928)
#: An incident id that does not exist: the national roles' "out of scope" case.
MISSING_ID = 2_000_000_000

ANONYMOUS = None
ALL_ROLES = tuple(Role)
SIGNED_IN = frozenset(Role)
REPORTERS = frozenset({Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR})
REVIEWERS = frozenset({Role.COORDINATOR, Role.HQ_ANALYST, Role.ADMINISTRATOR})


@dataclass
class World:
    """The accounts and incidents of the matrix."""

    users: dict[Role, Any]
    incidents: dict[str, int]
    receipt: str
    tokens: dict[Role | None, str] = field(default_factory=dict)
    #: A stored photo of each incident: incident id -> photo id.
    photos: dict[int, int] = field(default_factory=dict)
    #: Objects the feature modules' ``prepare`` adds (hotspot runs, plans, tokens, ...).
    extra: dict[str, Any] = field(default_factory=dict)
    #: Incidents of the home district carrying marked fields (:mod:`tests.webapp.authz_reads`):
    #: name -> id. Reads of :attr:`Policy.marked` routes are also tried on them.
    marked: dict[str, int] = field(default_factory=dict)

    def in_scope(self, role: Role) -> list[int]:
        """Incidents ``role``'s account may see: its own report and its district's others."""
        if role is Role.VOLUNTEER:
            return [self.incidents["volunteer"]]  # volunteers see their own reports only
        return [self.incidents["home"], self.incidents["volunteer"]]

    def out_of_scope(self, role: Role) -> list[int]:
        if role in (Role.HQ_ANALYST, Role.ADMINISTRATOR):
            return [MISSING_ID]  # national scope: only a missing incident is out of reach
        if role is Role.VOLUNTEER:
            return [self.incidents["home"], self.incidents["away"]]
        return [self.incidents["away"], MISSING_ID]

    def reporter_of(self, incident_id: int) -> Role | None:
        return {
            self.incidents["home"]: Role.OFFICER,
            self.incidents["volunteer"]: Role.VOLUNTEER,
        }.get(incident_id)


Request = Callable[[World, int | None, str], dict[str, Any]]


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def report_json(world: World, _obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": "/api/incidents",
        "json": {
            "lon": HOME[0],
            "lat": HOME[1],
            "category": "smuggling",
            "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
            "idempotency_key": str(uuid.uuid4()),
        },
        "headers": {"X-CSRFToken": token},
    }


def get(path: str) -> Request:
    return lambda world, obj, token: {"path": path.format(id=obj, code=world.receipt)}


def post_form(path: str, **form: str) -> Request:
    def build(world: World, obj: int | None, token: str) -> dict[str, Any]:
        data = {k: v.format(uid=uuid.uuid4().hex[:10]) for k, v in form.items()}
        return {"path": path.format(id=obj), "data": {**data, "csrf_token": token}}

    return build


def post_json(path: str, body: dict[str, Any]) -> Request:
    return lambda world, obj, token: {
        "path": path.format(id=obj),
        "json": body,
        "headers": {"X-CSRFToken": token},
    }


def photo_get(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {"path": f"/api/incidents/{obj}/photos/{world.photos.get(obj or 0, MISSING_ID)}"}


def photo_upload(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {
        "path": f"/api/incidents/{obj}/photos",
        "data": {"photo": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")},
        "headers": {"X-CSRFToken": token},
        "content_type": "multipart/form-data",
    }


@dataclass(frozen=True)
class Policy:
    """Who may use a route.

    Attributes:
        request: builds the request (path, body) for an object id and a CSRF token.
        ok: the status of a successful request.
        roles: roles allowed; ``None``: everyone, the public included.
        scoped: the route acts on an incident: out-of-scope and missing ids answer 404.
        page: an HTML page: the public is sent to ``/login`` (302) instead of a 401.
        may_act: for scoped routes, whether ``role`` may act on an incident it may see
            (``False`` answers 403).
        refused: the status for a signed-in role outside ``roles`` (404 where the route does
            not reveal that the object exists).
        anonymous: the status for the public when ``roles`` leaves it out (default: 302 to the
            sign-in page for pages, 401 otherwise).
        marked: a scoped read of an incident: also tried on :attr:`World.marked` (in scope for
            every role but volunteers), whose answers are searched for marked fields.
    """

    request: Request
    ok: int = 200
    roles: frozenset[Role] | None = None
    scoped: bool = False
    page: bool = False
    may_act: Callable[[World, Role, int], bool] | None = None
    refused: int = 403
    anonymous: int | None = None
    marked: bool = False


def may_add_photo(world: World, role: Role, incident_id: int) -> bool:
    """The reporter of an incident and the coordinators of its district add photos."""
    return role is Role.COORDINATOR or world.reporter_of(incident_id) is role
