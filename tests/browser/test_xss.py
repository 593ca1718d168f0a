"""Stored and reflected script injection, in headless Chromium: payloads in every field a person
types that any view shows, each view opened, and nothing runs.

Every payload tries to set ``window.__xss`` or to open a dialog (``alert``) if it were ever
interpreted as markup, script, a URL or a template. The payloads enter through the real input
paths (the officer API, the public form, the triage forms, the account form, the sign-in form, a
URL) and are read back on the pages that show them: the incident page (description, contact,
notes), the review queue and its map, the incidents layer's popups on the map, the accounts page,
flash messages, the public form after an error, the public 404 page. Each view must fire no
dialog, leave ``window.__xss`` undefined, raise no page error and log no console error (a CSP
refusal of an injected script is a console error, so even a blocked injection fails), and show
the payload as text where it belongs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gis.models import Incident
from gis.types import Role
from tests.browser.committed import Committed
from tests.webapp.signin import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.db]

#: Each would set window.__xss or open a dialog if the page interpreted it.
PAYLOADS = [
    "<script>window.__xss=true</script>",
    "<ScRiPt>window.__xss=true</sCrIpT>",
    "<img src=x onerror=window.__xss=true>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=window.__xss=true>",
    "<svg><script>window.__xss=true</script></svg>",
    '"><script>window.__xss=true</script>',
    "'><img src=x onerror=alert(1)>",
    "'-alert(1)-'",
    '";alert(1);//',
    "`;alert(1);`",
    "${alert(1)}",
    "`${window.__xss=true}`",
    "</script><script>window.__xss=true</script>",
    "</textarea><script>window.__xss=true</script>",
    "</title><img src=x onerror=alert(1)>",
    "{{7*7}}{{ config }}{% print(7*7) %}",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)" id="xss-link">click</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.__xss=true</script>"></iframe>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    '<object data="data:text/html,<script>alert(1)</script>"></object>',
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width:expression(alert(1))">x</div>',
    "<style>@import 'javascript:alert(1)';</style>",
    '" onmouseover="alert(1)" x="',
    "' autofocus onfocus='alert(1)' x='",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "\\u003cscript\\u003ewindow.__xss=true\\u003c/script\\u003e",
    "&lt;script&gt;window.__xss=true&lt;/script&gt;",
    "%3Cscript%3Ewindow.__xss%3Dtrue%3C%2Fscript%3E",
    "\uff1cscript\uff1ewindow.__xss=true\uff1c/script\uff1e",
    "<scr<script>ipt>window.__xss=true</scr</script>ipt>",
    "รายงาน<script>alert(1)</script>เหตุ",
]

#: Payloads that break out of an attribute, an element or a script: for the slow paths (each
#: sign-in and account creation costs an argon2id hash).
BREAKERS = [
    "<script>window.__xss=true</script>",
    "<img src=x onerror=window.__xss=true>",
    '"><script>window.__xss=true</script>',
    "'><img src=x onerror=alert(1)>",
    "'-alert(1)-'",
    "`${window.__xss=true}`",
    "</script><script>window.__xss=true</script>",
    "</textarea><script>window.__xss=true</script>",
    "{{7*7}}{{ config }}{% print(7*7) %}",
    '" onmouseover="alert(1)" x="',
    "' autofocus onfocus='alert(1)' x='",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]

ARANYA = (102.5066, 13.6928)  # Aranyaprathet (TH2706)
BANGKOK = (100.5018, 13.7563)  # outside the watch area

#: Builds and submits a form in the page, so that the browser renders the answer itself.
SUBMIT_FORM = """([action, fields]) => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = action;
    for (const [name, value] of fields) {
        const input = document.createElement("input");
        input.type = "hidden";
        input.name = name;
        input.value = value;
        form.appendChild(input);
    }
    document.body.appendChild(form);
    form.submit();
}"""


@pytest.fixture
def committed(engine: Engine) -> Iterator[Committed]:
    rows = Committed(engine)
    try:
        yield rows
    finally:
        rows.clean_up()


@pytest.fixture
def server(start_server) -> str:
    """The app with limits far above what the test sends (it sends many reports and sign-ins)."""
    return start_server(
        TILE_URL="",
        REPORT_LIMIT_IP="10000 per minute",
        LOGIN_LIMIT_IP="10000 per minute",
        LOGIN_LIMIT_ACCOUNT="10000 per minute",
        LOGIN_LIMIT_ACCOUNT_ADDRESS="10000 per minute",
        RATELIMIT_KEY_PREFIX=f"xss-{uuid.uuid4().hex}",
    )


class Console:
    """Console errors with their source; a page answered with 4xx on purpose is not one (nor
    the browser's own request of ``/favicon.ico`` on the framework's plain 404 page)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[tuple[str, str]] = []
        page.on("console", self.record)

    def record(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append((message.text, message.location.get("url", "")))

    def unexpected(self, page_url: str) -> list[tuple[str, str]]:
        """Errors other than Chromium's note that the page itself answered 4xx."""
        return [
            (text, url)
            for text, url in self.errors
            if not (
                text.startswith("Failed to load resource: the server responded with a status of 4")
                and (url == page_url or url.endswith("/favicon.ico"))
            )
        ]


def inert(page: Any, log: Any, console: Console, where: str) -> None:
    """Nothing ran on the page: no dialog, no ``window.__xss``, no error of any kind (a CSP
    refusal of an injected script or a broken injected image is a console error)."""
    page.wait_for_load_state("load")
    assert page.evaluate("() => typeof window.__xss") == "undefined", where
    assert not log.dialogs, (where, log.dialogs)
    assert not log.page_errors, (where, log.page_errors)
    assert not console.unexpected(page.url), (where, console.errors)
    console.errors.clear()


def text_of(page: Any, selector: str = "body") -> str:
    return page.locator(selector).inner_text()


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/login" not in page.url


def sign_out(page: Any, base: str) -> None:
    """Sign out with the header's button of an account page (in the account's menu)."""
    page.goto(base + "/account/password")
    page.click("header details.bw-account > summary")
    page.click("header form[action='/logout'] button[type=submit]")
    # base.js first empties the account's kept copies (the service worker's caches), then sends
    page.wait_for_url("**/login*")
    assert "/login" in page.url


def csrf(page: Any) -> str:
    return page.evaluate("() => document.querySelector('meta[name=\"csrf-token\"]').content")


def test_payload_list_is_long_and_distinct():
    assert len(PAYLOADS) >= 30 and len(set(PAYLOADS)) == len(PAYLOADS)
    assert set(BREAKERS) <= set(PAYLOADS)
    assert all(len(p) <= 80 for p in PAYLOADS)  # fits every field, the shortest takes 80


def test_payloads_in_incident_fields_run_in_no_view(
    server, page_and_log, committed, engine, output_dir
):
    page, log = page_and_log
    console = Console(page)
    tag = uuid.uuid4().hex[:8]
    coordinator = committed.user(
        Role.COORDINATOR, f"xss-coord-{tag}", PAYLOADS[0], district="TH2706"
    )
    officer = committed.user(Role.OFFICER, f"xss-officer-{tag}", PAYLOADS[2], district="TH2706")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    # Each payload's reports lie three days from the others': only its pair are duplicates.
    when = [now - dt.timedelta(days=3 * i + 1) for i in range(len(PAYLOADS))]
    # ... and about 220 m north or south of the next pair's, in Aranyaprathet.
    lats = [round(ARANYA[1] - 0.04 + 0.002 * i, 5) for i in range(len(PAYLOADS))]

    # 1. the officer reports through the API, a payload as the description
    sign_in(page, server, officer.username)
    inert(page, log, console, "map, officer with a payload display name")
    page.goto(server + "/account/password")
    inert(page, log, console, "account page, officer with a payload display name")
    assert PAYLOADS[2] in text_of(page, "header")
    officer_ids = page.evaluate(
        """async ([payloads, times, lats]) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const ids = [];
            for (let i = 0; i < payloads.length; i++) {
                const resp = await fetch("/api/incidents", {
                    method: "POST",
                    headers: {"Content-Type": "application/json", "X-CSRFToken": token},
                    body: JSON.stringify({
                        lon: 102.5066, lat: lats[i], category: "smuggling",
                        occurred_at: times[i], idempotency_key: crypto.randomUUID(),
                        description: payloads[i],
                    }),
                });
                if (resp.status !== 201) throw new Error("report " + i + ": " + resp.status);
                ids.push((await resp.json()).id);
            }
            return ids;
        }""",
        [PAYLOADS, [w.isoformat() for w in when], lats],
    )
    assert len(officer_ids) == len(PAYLOADS)
    sign_out(page, server)

    # 2. the public reports through the form, a payload as description and contact
    public_ids = []
    for i, payload in enumerate(PAYLOADS):
        page.goto(server + "/report?lang=en")
        local = when[i].astimezone(dt.timezone(dt.timedelta(hours=7)))
        page.fill("#report-lat", str(lats[i] + 0.0005))
        page.fill("#report-lon", str(ARANYA[0]))
        page.select_option("select[name=category]", "smuggling")
        page.fill("input[name=occurred_at]", local.strftime("%Y-%m-%dT%H:%M"))
        page.fill("textarea[name=description]", payload)
        page.fill("input[name=reporter_contact]", payload)
        page.click("button[type=submit]")
        page.wait_for_selector("#receipt-code")
        committed.receipt_codes.append(page.inner_text("#receipt-code").strip())
        inert(page, log, console, f"receipt page, payload {i}")
    with Session(engine) as session:
        rows = session.execute(
            select(Incident.id, Incident.description, Incident.reporter_contact).where(
                Incident.receipt_code.in_(committed.receipt_codes)
            )
        ).all()
    stored = {r.description: r.id for r in rows}
    assert {r.description for r in rows} == set(PAYLOADS)  # stored exactly as typed
    assert {r.reporter_contact for r in rows} == set(PAYLOADS)
    public_ids = [stored[p] for p in PAYLOADS]
    page.goto(f"{server}/report/{committed.receipt_codes[0]}?lang=en")
    inert(page, log, console, "public status page")

    # 3. the coordinator (a payload as display name) triages each with payload notes
    sign_in(page, server, coordinator.username)
    inert(page, log, console, "map, coordinator")
    page.goto(server + "/review?limit=500")
    inert(page, log, console, "review queue")
    assert PAYLOADS[0] in text_of(page, "header")
    queue = text_of(page, "#review-list")
    assert all(str(i) in queue for i in officer_ids + public_ids)
    token = csrf(page)
    for i, payload in enumerate(PAYLOADS):
        for incident_id, fields in (
            (officer_ids[i], [("action", "refer"), ("agency", "customs")]),
            (public_ids[i], [("action", "mark_duplicate"), ("duplicate_of", str(officer_ids[i]))]),
        ):
            resp = page.request.post(
                f"{server}/review/incidents/{incident_id}/actions",
                form=dict([*fields, ("note", payload), ("csrf_token", token)]),
                max_redirects=0,
            )
            assert resp.status == 303, (i, resp.status)
        # the page shows (and so drops) the flash messages: the session cookie stays small
        assert page.request.get(f"{server}/review?limit=1").ok

    # 4. every incident page: description, contact, the notes, the possible duplicate
    for i, payload in enumerate(PAYLOADS):
        page.goto(f"{server}/review/incidents/{public_ids[i]}")
        inert(page, log, console, f"incident page (public report), payload {i}")
        assert text_of(page, "#incident-description") == payload
        assert text_of(page, "#incident-contact") == payload
        assert text_of(page, "#incident-history > li:last-child .bw-note") == payload
        page.goto(f"{server}/review/incidents/{officer_ids[i]}")
        inert(page, log, console, f"incident page (officer report), payload {i}")
        assert text_of(page, "#incident-description") == payload
        assert text_of(page, "#incident-history > li:last-child .bw-note") == payload
        assert page.locator("#incident-duplicates a").count() == 0  # the copy is a duplicate now
    page.screenshot(path=str(output_dir / "xss-incident.png"), full_page=True)

    # 5. a flash message after an action from the incident page (the note is not echoed)
    page.goto(f"{server}/review/incidents/{officer_ids[0]}")
    page.evaluate(
        SUBMIT_FORM,
        [
            f"/review/incidents/{officer_ids[0]}/actions",
            [
                ("action", "close"),
                ("note", PAYLOADS[3]),
                ("return_to", "incident"),
                ("csrf_token", token),
            ],
        ],
    )
    page.wait_for_selector(".bw-flash-done")
    inert(page, log, console, "the page after closing")  # the next report, or the queue
    page.goto(f"{server}/review/incidents/{officer_ids[0]}")
    inert(page, log, console, "incident page after closing")
    assert PAYLOADS[3] in text_of(page, "#incident-history")

    # 6. the popups of the map's incidents layer (the officer's reports, referred or closed)
    page.goto(server + "/")
    page.wait_for_function("() => window.borderwatch && borderwatch.maps.length === 1")
    page.evaluate(
        "([lat, lon]) => borderwatch.maps[0].map.setView([lat, lon], 12, {animate: false})",
        [ARANYA[1], ARANYA[0]],
    )
    page.wait_for_function(
        """(ids) => {
            const layer = borderwatch.findLayer(borderwatch.maps[0].map, "incidents");
            return layer && layer.controller === null && ids.every((id) => layer.byId[id]);
        }""",
        arg=officer_ids,
        timeout=30_000,
    )
    inert(page, log, console, "map with the incidents layer")
    for i, payload in enumerate(PAYLOADS):
        page.evaluate("() => borderwatch.maps[0].map.closePopup()")
        shown = page.evaluate(
            "(id) => borderwatch.showIncident(borderwatch.maps[0].map, id)", officer_ids[i]
        )
        assert shown, i
        page.wait_for_selector(".leaflet-popup .bw-popup", timeout=20_000)
        inert(page, log, console, f"incidents layer popup, payload {i}")
        assert payload in text_of(page, ".leaflet-popup .bw-popup"), i
    page.screenshot(path=str(output_dir / "xss-map-popup.png"))


def test_payloads_at_sign_in_run_nowhere(server, page_and_log, committed):
    page, log = page_and_log
    console = Console(page)
    admin = committed.user(Role.ADMINISTRATOR, f"xss-admin-{uuid.uuid4().hex[:8]}", PAYLOADS[1])

    # sign-in with a payload as the user name: refused, nothing echoed, nothing run (each try
    # costs an argon2id verification, so the payloads that break out of a context stand for all)
    for i, payload in enumerate(BREAKERS):
        page.goto(server + "/login?next=" + quote(payload, safe=""))
        page.fill("input[name=username]", payload)
        page.fill("input[name=password]", "not the password at all")
        page.click("button[type=submit]")
        page.wait_for_selector("#login-error")
        inert(page, log, console, f"login refused, payload {i}")
    # a payload as the place to go after sign-in (javascript:, data:, //host) is not followed
    for payload in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>"):
        page.goto(server + "/login?next=" + quote(payload, safe=""))
        page.fill("input[name=username]", admin.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert page.url == server + "/"
        inert(page, log, console, f"map after sign-in with next={payload}")
        sign_out(page, server)


def test_payloads_in_accounts_and_their_messages_run_nowhere(
    server, page_and_log, committed, output_dir
):
    """Display names on the accounts page and in the header, flash messages that echo input."""
    page, log = page_and_log
    console = Console(page)
    tag = uuid.uuid4().hex[:8]
    admin = committed.user(Role.ADMINISTRATOR, f"xss-admin-{tag}", PAYLOADS[1])
    committed.username_prefixes.append(f"xss-{tag}-")
    sign_in(page, server, admin.username)
    page.goto(server + "/admin/users")
    inert(page, log, console, "accounts page")
    for i, payload in enumerate(BREAKERS):  # created through the form
        page.fill("input[name=username]", f"xss-{tag}-{i}")
        page.fill("input[name=display_name]", payload)
        page.select_option("form[action='/admin/users'] select[name=role]", "officer")
        page.fill("form[action='/admin/users'] input[name=district]", "TH2706")
        page.fill("form[action='/admin/users'] input[name=password]", PASSWORD)
        page.fill("form[action='/admin/users'] input[name=confirm]", PASSWORD)
        page.click("form[action='/admin/users'] button[type=submit]")
        page.wait_for_selector(".bw-flash-done")
        inert(page, log, console, f"accounts page after creating, payload {i}")
    for i, payload in enumerate(p for p in PAYLOADS if p not in BREAKERS):  # the others
        committed.user(Role.VOLUNTEER, f"xss-{tag}-db-{i}", payload, district="TH2706")
    token = csrf(page)
    for i, payload in enumerate(PAYLOADS):  # an unknown district, echoed in the message
        page.evaluate(
            SUBMIT_FORM,
            [
                "/admin/users",
                [
                    ("csrf_token", token),
                    ("username", f"xss-{tag}-bad-{i}"),
                    ("role", "officer"),
                    ("district", payload),
                    ("password", PASSWORD),
                    ("confirm", PASSWORD),
                ],
            ],
        )
        page.wait_for_selector(".bw-flash-error")
        inert(page, log, console, f"accounts page after a refusal, payload {i}")
        refusal = "form[action='/admin/users'] .bw-field-error"
        assert f"no district matches {payload!r}" == text_of(page, refusal)
    page.goto(server + "/admin/users")
    inert(page, log, console, "accounts page with every payload")
    names = page.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert set(PAYLOADS) <= set(names)
    assert PAYLOADS[1] in text_of(page, "header")
    page.screenshot(path=str(output_dir / "xss-accounts.png"), full_page=True)


def test_payloads_in_the_public_pages_run_nowhere(server, page_and_log, output_dir):
    """The public form refilled after an error (outside the watch area), an unknown field named
    in the error, a receipt code in the URL."""
    page, log = page_and_log
    console = Console(page)
    page.goto(server + "/report?lang=en")
    for i, payload in enumerate(PAYLOADS):
        token = page.input_value("input[name=csrf_token]")
        fields = {
            "csrf_token": token,
            "idempotency_key": str(uuid.uuid4()),
            "lat": str(BANGKOK[1]),
            "lon": str(BANGKOK[0]),
            "category": "smuggling",
            "occurred_at": "2026-11-20T21:15",
            "description": payload,
            "reporter_contact": payload,
        }
        page.evaluate(SUBMIT_FORM, ["/report?lang=en", list(fields.items())])
        page.wait_for_selector("#report-error")
        inert(page, log, console, f"public form refilled, payload {i}")
        assert page.input_value("textarea[name=description]") == payload
        assert page.input_value("input[name=reporter_contact]") == ""  # never sent back
        token = page.input_value("input[name=csrf_token]")
        page.evaluate(
            SUBMIT_FORM,
            ["/report?lang=en", [("csrf_token", token), (payload, "1"), ("lat", "13.69")]],
        )
        page.wait_for_selector("#report-error")
        inert(page, log, console, f"public form, unknown field, payload {i}")
        assert payload in text_of(page, "#report-error")
    for i, payload in enumerate(PAYLOADS):
        page.goto(f"{server}/report/{quote(payload, safe='')}?lang=en")
        inert(page, log, console, f"public 404 page, payload {i}")
    page.screenshot(path=str(output_dir / "xss-report.png"), full_page=True)
