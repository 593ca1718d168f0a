"""The authorization matrix: every route × method × role × in-scope / out-of-scope object.

The routes and their methods come from ``app.url_map``, HEAD and OPTIONS included; :data:`POLICY`
says, for each route and method, who may use it, whether it acts on an incident (then
out-of-scope incidents answer 404, exactly as ids that do not exist), and what a successful
answer is. HEAD answers as GET does, with no body; OPTIONS answers everyone 200 with the allowed
methods and no body. A route the app has but the table lacks, or a row for a route the app no
longer has, fails the suite: a new route cannot ship without its rule.

Beyond the status, every answer's body is searched for what its role may not read (a reporter's
contact and identity, the text of unverified reports, another account's idempotency key: the
marked objects and rules of :mod:`tests.webapp.authz_reads`), and every HEAD and OPTIONS request
must leave the database and the temporary directory as it found them (no audit row, no export
file, no row written).

The module builds its world once: each role signs in once through ``/login``; every request then
runs in a fresh client carrying that session cookie, inside a savepoint rolled back afterwards, so
that each request sees the same data (an action cannot spoil the next case). A role's answers
are gathered once and checked by three tests (status, body, side effects). The table of answers
is written to ``test-output/authz-matrix-<role>.txt``.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import Connection, func, select, text
from sqlalchemy.orm import Session

from gis.incidents.photos import add_photo, prepare_photo
from gis.incidents.public import create_public_report
from gis.incidents.reports import create_incident, parse_incident
from gis.models import District, Incident, Province
from gis.types import Channel, Role
from tests.webapp import (
    authz_cooperation,
    authz_dashboard,
    authz_desk,
    authz_export,
    authz_help,
    authz_hotspots,
    authz_line,
    authz_notify,
    authz_patrols,
    authz_reads,
    authz_reference,
    authz_reference_pages,
)
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
    ("/i18n/<lang>.js", "GET"): Policy(get("/i18n/th.js")),
    ("/language", "POST"): Policy(post_form("/language", lang="en", next="/"), ok=303),
    ("/healthz", "GET"): Policy(get("/healthz")),
    ("/manifest.webmanifest", "GET"): Policy(get("/manifest.webmanifest")),
    ("/sw.js", "GET"): Policy(get("/sw.js")),
    ("/app", "GET"): Policy(get("/app"), roles=SIGNED_IN, page=True),
    ("/app/map.js", "GET"): Policy(get("/app/map.js"), roles=SIGNED_IN, page=True),
    ("/api/session", "GET"): Policy(get("/api/session"), roles=SIGNED_IN),
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
    ("/account/tokens/revoke-all", "POST"): Policy(
        post_form("/account/tokens/revoke-all"), ok=303, roles=SIGNED_IN, page=True
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
    ("/admin/users/<username>/enable", "POST"): Policy(
        post_form("/admin/users/matrix-volunteer/enable"),
        ok=302,
        roles=frozenset({Role.ADMINISTRATOR}),
        page=True,
    ),
    ("/admin/users/<username>/password", "POST"): Policy(
        post_form(
            "/admin/users/matrix-volunteer/password",
            password="another long passphrase",
            confirm="another long passphrase",
        ),
        ok=302,
        roles=frozenset({Role.ADMINISTRATOR}),
        page=True,
    ),
    ("/api/incidents", "POST"): Policy(report_json, ok=201, roles=REPORTERS),
    ("/api/incidents/<int:incident_id>", "GET"): Policy(
        get(INCIDENT), roles=SIGNED_IN, scoped=True, marked=True
    ),
    ("/api/incidents/<int:incident_id>/history", "GET"): Policy(
        get(INCIDENT + "/history"), roles=SIGNED_IN, scoped=True, marked=True
    ),
    ("/api/incidents/<int:incident_id>/duplicates", "GET"): Policy(
        get(INCIDENT + "/duplicates"), roles=REVIEWERS, scoped=True, marked=True
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
        get("/api/review/incidents/{id}"), roles=REVIEWERS, scoped=True, marked=True
    ),
    ("/review/incidents/<int:incident_id>", "GET"): Policy(
        get("/review/incidents/{id}"), roles=REVIEWERS, scoped=True, page=True, marked=True
    ),
    ("/review", "GET"): Policy(get("/review"), roles=frozenset({Role.COORDINATOR}), page=True),
    ("/my-reports", "GET"): Policy(get("/my-reports"), roles=REPORTERS, page=True),
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
        photo_get, roles=SIGNED_IN, scoped=True, marked=True
    ),
}

#: Routes whose rows are added with the features that bring them.
OPTIONAL_POLICY: dict[tuple[str, str], Policy] = {}

#: The feature modules that add their routes' rows (``rows()``) and objects (``prepare``).
FEATURES = (
    authz_hotspots,
    authz_patrols,
    authz_export,
    authz_help,
    authz_dashboard,
    authz_cooperation,
    authz_notify,
    authz_desk,
    authz_line,
    authz_reference,
    authz_reference_pages,
)
for _feature in FEATURES:
    _rows = _feature.rows()
    assert not set(_rows) & set(POLICY), f"{_feature.__name__}: a route has two rows"
    POLICY.update(_rows)

#: More requests of a route and method than its row's (other objects, formats, filters).
PROBES = authz_reads.probes()
#: Methods that must change nothing and send no body.
BODILESS = ("HEAD", "OPTIONS")


def app_routes(app: Flask) -> set[tuple[str, str]]:
    """``(rule, method)`` of every route of the app, HEAD and OPTIONS included."""
    return {(rule.rule, method) for rule in app.url_map.iter_rules() for method in rule.methods}


def rule_methods(app: Flask) -> dict[str, set[str]]:
    """The methods each rule's URLs answer (two view functions may share a rule)."""
    methods: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        methods.setdefault(rule.rule, set()).update(rule.methods)
    return methods


def policy_table(app: Flask) -> dict[tuple[str, str], Policy]:
    """The rows of GET, POST and PATCH: :data:`POLICY` and the optional rows the app has."""
    routes = app_routes(app)
    return {**POLICY, **{k: v for k, v in OPTIONAL_POLICY.items() if k in routes}}


def full_table(app: Flask) -> dict[tuple[str, str], tuple[Policy, ...]]:
    """Every ``(rule, method)`` to try, with its requests: the row and its probes; HEAD as
    GET; OPTIONS with the path of the rule's first row."""
    table = {key: (policy, *PROBES.get(key, ())) for key, policy in policy_table(app).items()}
    for (rule, method), policies in list(table.items()):
        if method == "GET":
            table[(rule, "HEAD")] = policies
    for rule in sorted({rule for rule, _ in table}):
        first = min(m for r, m in table if r == rule)
        row = table[(rule, first)][0]
        table[(rule, "OPTIONS")] = (Policy(row.request, roles=None, scoped=row.scoped),)
    return table


def test_every_route_has_a_policy_and_every_policy_a_route(module_app):
    routes = app_routes(module_app)
    table = full_table(module_app)
    missing = sorted(routes - set(table))
    stale = sorted(set(table) - routes)
    assert not missing, f"routes without a row in the authorization matrix: {missing}"
    assert not stale, f"matrix rows for routes the app does not have: {stale}"
    assert {m for _, m in table} >= {"GET", "HEAD", "OPTIONS", "POST"}


def expected(policy: Policy, world: World, role: Role | None, obj: int | None, inside: bool) -> int:
    if policy.roles is not None:
        if role is None:
            if policy.anonymous is not None:
                return policy.anonymous
            return 302 if policy.page else 401
        if role not in policy.roles:
            return policy.refused
    if policy.scoped:
        assert role is not None
        if not inside:
            return 404
        if policy.may_act is not None and obj is not None and not policy.may_act(world, role, obj):
            return 403
    return policy.ok


@pytest.fixture(scope="module")
def world(module_session: Session) -> World:
    session = module_session
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
    authz_reads.prepare(session, world)
    session.commit()
    return world


def signed_in_cookie(app: Flask, role: Role | None) -> tuple[str | None, str]:
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


def cases(
    world: World, role: Role | None, policy: Policy, method: str
) -> list[tuple[int | None, bool]]:
    """``(object id, inside scope)`` pairs to try for a route: one case for routes without an
    object and for OPTIONS; each in-scope and each out-of-scope incident otherwise, and the
    marked incidents for marked reads."""
    if method == "OPTIONS":
        return [(world.incidents["home"] if policy.scoped else None, True)]
    if not policy.scoped:
        return [(None, True)]
    if role is None:  # the public: one real incident (refused before any scope question)
        return [(world.incidents["home"], False)]
    inside, outside = world.in_scope(role), world.out_of_scope(role)
    if policy.marked:  # in the home district: out of a volunteer's reach
        (outside if role is Role.VOLUNTEER else inside).extend(world.marked.values())
    return [(i, True) for i in inside] + [(i, False) for i in outside]


@dataclass
class Answer:
    """One request of the matrix and what came back."""

    method: str
    rule: str
    path: str
    scope: str
    want: int
    got: int
    body: bytes
    mimetype: str
    allow: set[str]
    #: For HEAD and OPTIONS: what the request changed (tables written, files, audit rows).
    effects: list[str] = field(default_factory=list)

    def line(self, role: Role | None) -> str:
        who = role.value if role else "public"
        return f"{who:16} {self.method:7} {self.path:72} {self.scope:3} {self.got}"

    def __str__(self) -> str:
        where = {"in": " (in scope)", "out": " (out of scope)"}.get(self.scope, "")
        return f"{self.method} {self.path}{where}"


@dataclass
class Traces:
    """What the database and the temporary directory hold, to compare before and after."""

    writes: dict[str, int]
    started: int
    files: set[str]

    @classmethod
    def take(cls, connection: Connection, folder: Path) -> Traces:
        writes = connection.execute(
            text("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables")
        ).all()
        started = connection.execute(
            text("SELECT count(*) FROM export_audit WHERE state = 'started'")
        ).scalar_one()
        return cls(dict(writes), started, {p.name for p in folder.iterdir()})

    def since(self, before: Traces) -> list[str]:
        changed = [
            f"rows of {table} written"
            for table, n in sorted(self.writes.items())
            if n != before.writes.get(table, 0)
        ]
        if self.started != before.started:
            changed.append(f"{self.started - before.started} export audit row(s) left 'started'")
        changed += [f"{name} left in the temporary directory" for name in self.files - before.files]
        return changed


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Iterator[Path]:
    """The temporary directory of the module's requests (``tempfile`` puts export files
    there), kept apart from other processes' files."""
    folder = tmp_path_factory.mktemp("tmpdir")
    saved, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = saved


class Matrix:
    """The answers of every role, gathered on first use."""

    def __init__(self, app: Flask, connection: Connection, world: World, scratch: Path) -> None:
        self.app, self.connection, self.world, self.scratch = app, connection, world, scratch
        self.table = full_table(app)
        self.allowed = rule_methods(app)
        self._answers: dict[Role | None, list[Answer]] = {}

    def answers(self, role: Role | None) -> list[Answer]:
        if role not in self._answers:
            self._answers[role] = list(self._ask(role))
            OUTPUT.mkdir(exist_ok=True)
            name = role.value if role else "public"
            lines = [a.line(role) for a in self._answers[role]]
            (OUTPUT / f"authz-matrix-{name}.txt").write_text("\n".join(lines) + "\n", "utf-8")
        return self._answers[role]

    def _ask(self, role: Role | None) -> Iterator[Answer]:
        cookie, token = signed_in_cookie(self.app, role)
        for (rule, method), policies in sorted(self.table.items()):
            for policy in policies:
                for obj, inside in cases(self.world, role, policy, method):
                    want = (
                        200
                        if method == "OPTIONS"
                        else expected(policy, self.world, role, obj, inside)
                    )
                    scope = (
                        "-" if obj is None or method == "OPTIONS" else ("in" if inside else "out")
                    )
                    yield self._one(cookie, token, rule, method, policy, obj, want, scope)

    def _one(
        self,
        cookie: str | None,
        token: str,
        rule: str,
        method: str,
        policy: Policy,
        obj: int | None,
        want: int,
        scope: str,
    ) -> Answer:
        client = self.app.test_client()
        if cookie:
            client.set_cookie("session", cookie)
        spec = policy.request(self.world, obj, token)
        path = spec.pop("path")
        if method in BODILESS:
            spec = {}  # the request of a GET or POST row, without its body
        watch = method in BODILESS
        savepoint = self.connection.begin_nested()
        try:
            before = Traces.take(self.connection, self.scratch) if watch else None
            resp = client.open(path, method=method, **spec)
            body = authz_reads.readable(resp.get_data(), resp.headers.get("Content-Encoding"))
            resp.close()
            effects = Traces.take(self.connection, self.scratch).since(before) if before else []
        finally:
            savepoint.rollback()
        allow = {m.strip() for m in resp.headers.get("Allow", "").split(",") if m.strip()}
        return Answer(
            method, rule, path, scope, want, resp.status_code, body, resp.mimetype, allow, effects
        )


@pytest.fixture(scope="module")
def matrix(module_app, module_connection, world, scratch) -> Matrix:
    # Every role's requests come from one address within a few minutes, against one app: the
    # limits per address (tested in test_limits.py) would refuse the later roles' sign-ins and
    # public reports.
    module_app.config["REPORT_LIMIT_IP"] = "10000 per minute"
    module_app.config["LOGIN_LIMIT_IP"] = "10000 per minute"
    return Matrix(module_app, module_connection, world, scratch)


ROLES = pytest.mark.parametrize(
    "role", [ANONYMOUS, *ALL_ROLES], ids=lambda r: r.value if r else "public"
)


@ROLES
def test_the_matrix_for_each_role(matrix, role):
    wrong = []
    for answer in matrix.answers(role):
        if answer.got != answer.want:
            wrong.append(f"{answer}: got {answer.got}, expected {answer.want}")
        elif answer.method in BODILESS and answer.body:
            wrong.append(f"{answer}: a body of {len(answer.body)} bytes")
        elif answer.method == "OPTIONS" and answer.allow != matrix.allowed[answer.rule]:
            wrong.append(f"{answer}: Allow {sorted(answer.allow)}")
    assert not wrong, "\n".join(wrong)
    assert len(matrix.answers(role)) >= len(matrix.table)


@ROLES
def test_no_answer_shows_a_role_what_it_may_not_read(matrix, role):
    wrong = [
        f"{answer} answered {answer.got} with {leak}"
        for answer in matrix.answers(role)
        for leak in authz_reads.leaks(matrix.world, role, answer.rule, answer.body, answer.mimetype)
    ]
    assert not wrong, "\n".join(wrong)


@ROLES
def test_head_and_options_change_nothing(matrix, role):
    """HEAD runs a GET's view without sending its body: whatever the view starts (an audit
    row, an export file) must not depend on the body being read."""
    wrong = [
        f"{answer} ({answer.got}): {effect}"
        for answer in matrix.answers(role)
        if answer.method in BODILESS
        for effect in answer.effects
    ]
    assert not wrong, "\n".join(wrong)


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
def test_list_counts_equal_an_independent_count(module_app, module_session, world, role):
    app, session = module_app, module_session
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
