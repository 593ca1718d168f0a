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

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.incidents.photos import add_photo, prepare_photo
from gis.incidents.public import create_public_report
from gis.incidents.reports import create_incident, parse_incident
from gis.models import District, Incident, Province
from gis.types import Channel, Role
from tests.webapp import authz_export, authz_hotspots, authz_patrols
from tests.webapp.authz import (
    ALL_ROLES,
    ANONYMOUS,
    AWAY,
    HOME,
    OUTPUT,
    REPORTERS,
    REVIEWERS,
    SIGNED_IN,
    Policy,
    World,
    get,
    may_add_photo,
    photo_get,
    photo_upload,
    post_form,
    post_json,
    report_json,
)
from tests.webapp.signin import PASSWORD, make_user

pytestmark = pytest.mark.db

INCIDENT = "/api/incidents/{id}"

POLICY: dict[tuple[str, str], Policy] = {
    ("/", "GET"): Policy(get("/")),
    ("/about", "GET"): Policy(get("/about")),
    ("/healthz", "GET"): Policy(get("/healthz")),
    ("/static/<path:filename>", "GET"): Policy(get("/static/js/layers.js")),
    ("/api/openapi.json", "GET"): Policy(get("/api/openapi.json")),
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

#: The feature modules that add their routes' rows (``rows()``) and objects (``prepare``).
FEATURES = (authz_hotspots, authz_patrols, authz_export)
for _feature in FEATURES:
    _rows = _feature.rows()
    assert not set(_rows) & set(POLICY), f"{_feature.__name__}: a route has two rows"
    POLICY.update(_rows)


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
    world = World(users=users, incidents=incidents, receipt=receipt, photos=photos)
    for feature in FEATURES:
        feature.prepare(session, world)
    session.commit()
    return world


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
