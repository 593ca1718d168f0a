"""The authorization matrix: every route × method × role × in-scope / out-of-scope object.

The routes come from ``app.url_map``; :data:`POLICY` says, for each route and method, who may use
it, whether it acts on an incident (then out-of-scope incidents answer 404, exactly as ids that
do not exist), and what a successful answer is. A route the app has but the table lacks, or a
row for a route the app no longer has, fails the suite: a new route cannot ship without its rule.

Each role signs in once through ``/login``; every request of the matrix then runs in a fresh
client carrying that session cookie, inside a savepoint rolled back afterwards, so that each
request sees the same data (an action cannot spoil the next role's case). The table of answers is
written to ``test-output/authz-matrix.txt``.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.incidents import create_incident, parse_incident
from gis.models import District, Incident, Province
from gis.photos import add_photo, prepare_photo
from gis.public import create_public_report
from gis.types import Channel, Role
from tests.webapp.signin import PASSWORD, make_user

pytestmark = pytest.mark.db

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
    """

    request: Request
    ok: int = 200
    roles: frozenset[Role] | None = None
    scoped: bool = False
    page: bool = False
    may_act: Callable[[World, Role, int], bool] | None = None


def may_add_photo(world: World, role: Role, incident_id: int) -> bool:
    """The reporter of an incident and the coordinators of its district add photos."""
    return role is Role.COORDINATOR or world.reporter_of(incident_id) is role


INCIDENT = "/api/incidents/{id}"

POLICY: dict[tuple[str, str], Policy] = {
    ("/", "GET"): Policy(get("/")),
    ("/about", "GET"): Policy(get("/about")),
    ("/healthz", "GET"): Policy(get("/healthz")),
    ("/static/<path:filename>", "GET"): Policy(get("/static/js/layers.js")),
    ("/api/layers", "GET"): Policy(get("/api/layers")),
    ("/api/layers/<name>", "GET"): Policy(get("/api/layers/districts?bbox=100,20,101,21")),
    ("/login", "GET"): Policy(get("/login")),
    ("/login", "POST"): Policy(post_form("/login", username="nobody-{uid}", password="wrong")),
    ("/logout", "POST"): Policy(post_form("/logout"), ok=302),
    ("/report", "GET"): Policy(get("/report")),
    ("/report", "POST"): Policy(
        post_form(
            "/report",
            lat=str(HOME[1]),
            lon=str(HOME[0]),
            category="drug_trafficking",
            occurred_at="2026-11-20T08:00",
            idempotency_key=str(uuid.uuid4()),
        ),
        ok=201,
    ),
    ("/report/<code>", "GET"): Policy(get("/report/{code}")),
    ("/account/password", "GET"): Policy(get("/account/password"), roles=SIGNED_IN, page=True),
    ("/account/password", "POST"): Policy(
        post_form(
            "/account/password",
            current_password=PASSWORD,
            new_password="another long passphrase",
            confirm="another long passphrase",
        ),
        roles=SIGNED_IN,
        page=True,
    ),
    ("/admin/users", "GET"): Policy(
        get("/admin/users"), roles=frozenset({Role.ADMINISTRATOR}), page=True
    ),
    ("/admin/users", "POST"): Policy(
        post_form(
            "/admin/users",
            username="new-{uid}",
            display_name="New",
            password="a long enough password",
            confirm="a long enough password",
            role="officer",
            district="TH5703",
        ),
        ok=302,
        roles=frozenset({Role.ADMINISTRATOR}),
        page=True,
    ),
    ("/admin/users/<username>/disable", "POST"): Policy(
        post_form("/admin/users/matrix-volunteer/disable"),
        ok=302,
        roles=frozenset({Role.ADMINISTRATOR}),
        page=True,
    ),
    ("/admin/users/<username>/role", "POST"): Policy(
        post_form("/admin/users/matrix-volunteer/role", role="officer", district="TH5703"),
        ok=302,
        roles=frozenset({Role.ADMINISTRATOR}),
        page=True,
    ),
    ("/api/incidents", "POST"): Policy(report_json, ok=201, roles=REPORTERS),
    ("/api/incidents/<int:incident_id>", "GET"): Policy(
        get(INCIDENT), roles=SIGNED_IN, scoped=True
    ),
    ("/api/incidents/<int:incident_id>/history", "GET"): Policy(
        get(INCIDENT + "/history"), roles=SIGNED_IN, scoped=True
    ),
    ("/api/incidents/<int:incident_id>/duplicates", "GET"): Policy(
        get(INCIDENT + "/duplicates"), roles=REVIEWERS, scoped=True
    ),
    ("/api/incidents/<int:incident_id>/actions", "POST"): Policy(
        post_json(INCIDENT + "/actions", {"action": "verify", "note": "seen"}),
        roles=frozenset({Role.COORDINATOR}),
        scoped=True,
    ),
    ("/api/incidents/<int:incident_id>", "PATCH"): Policy(
        lambda world, obj, token: {
            "path": f"/api/incidents/{obj}",
            "json": {"severity": 5, "note": "matrix"},
            "headers": {"X-CSRFToken": token},
        },
        roles=frozenset({Role.COORDINATOR}),
        scoped=True,
    ),
    ("/api/review/incidents", "GET"): Policy(get("/api/review/incidents"), roles=REVIEWERS),
    ("/api/review/incidents/<int:incident_id>", "GET"): Policy(
        get("/api/review/incidents/{id}"), roles=REVIEWERS, scoped=True
    ),
    ("/review/incidents/<int:incident_id>", "GET"): Policy(
        get("/review/incidents/{id}"), roles=REVIEWERS, scoped=True, page=True
    ),
    ("/review", "GET"): Policy(get("/review"), roles=frozenset({Role.COORDINATOR}), page=True),
    ("/review/incidents/<int:incident_id>/actions", "POST"): Policy(
        post_form("/review/incidents/{id}/actions", action="verify", back=""),
        ok=303,
        roles=frozenset({Role.COORDINATOR}),
        scoped=True,
        page=True,
    ),
    ("/api/incidents/<int:incident_id>/photos", "POST"): Policy(
        photo_upload,
        ok=201,
        roles=REPORTERS | REVIEWERS | {Role.PATROL_PLANNER},
        scoped=True,
        may_act=may_add_photo,
    ),
    ("/api/incidents/<int:incident_id>/photos/<int:photo_id>", "GET"): Policy(
        photo_get, roles=SIGNED_IN, scoped=True
    ),
}

#: Routes whose rows are added with the features that bring them.
OPTIONAL_POLICY: dict[tuple[str, str], Policy] = {}


def app_routes(app) -> set[tuple[str, str]]:
    return {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def policy_table(app) -> dict[tuple[str, str], Policy]:
    routes = app_routes(app)
    return {**POLICY, **{k: v for k, v in OPTIONAL_POLICY.items() if k in routes}}


def test_every_route_has_a_policy_and_every_policy_a_route(app):
    routes = app_routes(app)
    missing = sorted(routes - set(policy_table(app)))
    stale = sorted(set(POLICY) - routes)
    assert not missing, f"routes without a row in the authorization matrix: {missing}"
    assert not stale, f"matrix rows for routes the app does not have: {stale}"


def expected(policy: Policy, world: World, role: Role | None, obj: int | None, inside: bool) -> int:
    if policy.roles is not None:
        if role is None:
            return 302 if policy.page else 401
        if role not in policy.roles:
            return 403
    if policy.scoped:
        assert role is not None
        if not inside:
            return 404
        if policy.may_act is not None and obj is not None and not policy.may_act(world, role, obj):
            return 403
    return policy.ok


@pytest.fixture
def world(session: Session) -> World:
    users = {
        role: make_user(session, role, f"matrix-{role.value.replace('_', '-')}") for role in Role
    }
    away_officer = make_user(session, Role.OFFICER, "matrix-away-officer", district="TH2706")
    now = dt.datetime.now(dt.UTC)

    def report(where: tuple[float, float], reporter: Role | None) -> int:
        data = parse_incident(
            {
                "lon": where[0],
                "lat": where[1],
                "category": "smuggling",
                "occurred_at": (now - dt.timedelta(hours=1)).isoformat(),
                "idempotency_key": str(uuid.uuid4()),
                "description": "matrix",
            },
            now,
            channel=Channel.OFFICER_APP,
            reporter_id=(users[reporter] if reporter else away_officer).id,
        )
        return create_incident(session, data)[0].id

    incidents = {
        "home": report(HOME, Role.OFFICER),
        "volunteer": report(HOME, Role.VOLUNTEER),
        "away": report(AWAY, None),  # by an officer of Aranyaprathet
    }
    public = parse_incident(
        {
            "lon": AWAY[0],
            "lat": AWAY[1],
            "category": "other",
            "occurred_at": now.isoformat(),
            "idempotency_key": str(uuid.uuid4()),
        },
        now,
        channel=Channel.ONLINE_PUBLIC,
    )
    _, receipt = create_public_report(session, public, 10_000.0)
    # Another image than the matrix's upload (which must stay a new photo, 201).
    stored = io.BytesIO()
    Image.new("RGB", (24, 32), (30, 30, 200)).save(stored, "JPEG")
    photos = {
        incident_id: add_photo(
            session, session.get_one(Incident, incident_id), prepare_photo(stored.getvalue()), None
        )[0].id
        for incident_id in incidents.values()
    }
    session.commit()
    return World(users=users, incidents=incidents, receipt=receipt, photos=photos)


def signed_in_cookie(app, role: Role | None) -> tuple[str | None, str]:
    """The session cookie and CSRF token of ``role``'s account (``None``: the public)."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    if role is not None:
        username = f"matrix-{role.value.replace('_', '-')}"
        resp = client.post(
            "/login", data={"username": username, "password": PASSWORD, "csrf_token": token}
        )
        assert resp.status_code == 302, f"{role}: sign-in failed"
        token = client.get("/login").get_data(as_text=True)
        token = token.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    cookie = client.get_cookie("session")
    return (cookie.value if cookie else None), token


def cases(world: World, role: Role | None, policy: Policy) -> list[tuple[int | None, bool]]:
    """``(object id, inside scope)`` pairs to try for a route: one case for routes without an
    object; each in-scope and each out-of-scope incident otherwise."""
    if not policy.scoped:
        return [(None, True)]
    if role is None:  # the public: one real incident (refused before any scope question)
        return [(world.incidents["home"], False)]
    return [(i, True) for i in world.in_scope(role)] + [
        (i, False) for i in world.out_of_scope(role)
    ]


@pytest.mark.parametrize("role", [ANONYMOUS, *ALL_ROLES], ids=lambda r: r.value if r else "public")
def test_the_matrix_for_each_role(app, connection, world, role):
    cookie, token = signed_in_cookie(app, role)
    rows, wrong = [], []
    for (rule, method), policy in sorted(policy_table(app).items()):
        for obj, inside in cases(world, role, policy):
            want = expected(policy, world, role, obj, inside)
            client = app.test_client()
            if cookie:
                client.set_cookie("session", cookie)
            spec = policy.request(world, obj, token)
            path = spec.pop("path")
            savepoint = connection.begin_nested()
            try:
                got = client.open(path, method=method, **spec).status_code
            finally:
                savepoint.rollback()
            scope = "-" if obj is None else ("in" if inside else "out")
            rows.append(
                f"{role.value if role else 'public':16} {method:5} {rule:48} {scope:3} {got}"
            )
            if got != want:
                wrong.append(f"{method} {path} ({scope} of scope): got {got}, expected {want}")
    OUTPUT.mkdir(exist_ok=True)
    name = role.value if role else "public"
    (OUTPUT / f"authz-matrix-{name}.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert not wrong, "\n".join(wrong)
    assert len(rows) >= len(policy_table(app))


def independent_count(
    session: Session, province: str | None = None, district: str | None = None
) -> int:
    """Incidents per place, counted by joining P-codes (not through the scope code)."""
    q = (
        select(func.count())
        .select_from(Incident)
        .join(District, District.id == Incident.district_id)
    )
    q = q.join(Province, Province.id == District.province_id)
    if district:
        q = q.where(District.pcode == district)
    if province:
        q = q.where(Province.pcode == province)
    return session.execute(q).scalar_one()


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HQ_ANALYST, Role.ADMINISTRATOR])
def test_list_counts_equal_an_independent_count(app, session, world, role):
    cookie, _ = signed_in_cookie(app, role)
    client = app.test_client()
    client.set_cookie("session", cookie)
    total = client.get("/api/review/incidents?limit=1").get_json()["total"]
    want = (
        independent_count(session, district="TH5703")
        if role is Role.COORDINATOR
        else (independent_count(session))
    )
    assert total == want
    assert want >= 2  # the matrix's own incidents are counted
