"""The MWCC desk's pages: a coordinator or officer records a walk-in or a hotline call for the
district, the citizen leaves with a slip whose QR code leads to the status page; refusals name
the field and store nothing; the contact shows only where contacts are shown."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import segno
from sqlalchemy import func, select

from gis.models import Incident
from gis.types import Channel, Role
from tests.factories import inside
from tests.webapp.signin import make_user, sign_in

pytestmark = pytest.mark.db

CONTACT = "LINE somchai-desk-77"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_SLIP = re.compile(r"/desk/receipts/(\d+)(?:\?lang=en)?$")


def signed_in(client, session, role: Role = Role.COORDINATOR, name: str | None = None, **scope):
    user = make_user(session, role, name, **scope)
    assert sign_in(client, user.username).status_code == 302
    return user


def fields(where: tuple[float, float], **overrides: Any) -> dict[str, str]:
    data = {
        "channel": "mwcc_walk_in",
        "lon": f"{where[0]:.5f}",
        "lat": f"{where[1]:.5f}",
        "category": "drug_trafficking",
        "occurred_at": "2026-11-20T21:15",
        "description": "เห็นเรือขนของข้ามโขงตอนกลางคืน",
        "reporter_contact": CONTACT,
        "updates_consent": "yes",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, lang: str = "en", **form: str):
    page = client.get(f"/desk/new?lang={lang}")
    assert page.status_code == 200
    token = _TOKEN.search(page.get_data(as_text=True))
    assert token
    return client.post(f"/desk/new?lang={lang}", data={"csrf_token": token.group(1), **form})


def count(session) -> int:
    return session.execute(select(func.count()).select_from(Incident)).scalar_one()


def test_a_walk_in_is_stored_and_answers_with_its_slip(client, session):
    coordinator = signed_in(client, session)
    resp = submit(client, **fields(inside(session, "Chiang Khong")))
    assert resp.status_code == 303
    incident_id = int(_SLIP.search(resp.headers["Location"]).group(1))
    incident = session.get(Incident, incident_id)
    assert incident.channel == Channel.MWCC_WALK_IN
    assert incident.taken_by_id == coordinator.id
    assert incident.reporter_contact == CONTACT and incident.updates_consent is True
    assert resp.headers["Location"].endswith(f"/desk/receipts/{incident_id}?lang=en")
    slip = client.get(f"/desk/receipts/{incident_id}?lang=th")
    body = slip.get_data(as_text=True)
    assert slip.status_code == 200
    assert slip.headers["Cache-Control"] == "no-store"
    assert incident.receipt_code in body
    assert "2569" in body  # the day in the Buddhist era
    assert CONTACT not in body  # the slip is the citizen's, the contact is not on it
    status_url = f"http://localhost/report/{incident.receipt_code}"
    expected = segno.make(status_url, error="m").svg_inline(
        scale=4, border=4, omitsize=True, svgclass="bw-qr", lineclass=None
    )
    path = re.search(r'<path [^>]*d="([^"]+)"', expected).group(1)
    assert f'd="{path}"' in body  # the QR code is the one of the status page's address
    status = client.get(f"/report/{incident.receipt_code}?lang=en")
    assert status.status_code == 200 and "Received" in status.get_data(as_text=True)


def test_the_hotline_read_out_spells_the_code_in_groups(client, session):
    signed_in(client, session, Role.OFFICER)
    resp = submit(client, **fields(inside(session, "Chiang Khong"), channel="hotline"))
    incident = session.get(Incident, int(_SLIP.search(resp.headers["Location"]).group(1)))
    page = client.get(f"/desk/receipts/{incident.id}/read-out?lang=en").get_data(as_text=True)
    groups = incident.receipt_code.split("-")
    assert len(groups) == 4
    for group in groups:
        assert f'<span class="bw-slip-code-group">{group}</span>' in page
    assert " as in " in page or "zero" in page or "one" in page


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channel": "officer_app"}, "channel"),
        ({"channel": None}, "channel"),
        ({"lat": "north"}, "lat"),
        ({"category": "weather"}, "category"),
        ({"occurred_at": "2099-01-01T00:00"}, "occurred_at"),
        ({"reporter_contact": "x" * 501}, "reporter_contact"),
        ({"reporter_contact": None}, "updates_consent"),
        ({"updates_consent": "maybe"}, "updates_consent"),
        ({"district_id": "3"}, "district_id"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(
    client, session, change, field
):
    signed_in(client, session)
    before = count(session)
    resp = submit(client, **fields(inside(session, "Chiang Khong"), **change))
    assert resp.status_code == 400
    assert f'data-field="{field}"' in resp.get_data(as_text=True)
    assert count(session) == before


def test_an_officer_cannot_record_for_another_district(client, session):
    signed_in(client, session, Role.OFFICER)  # Chiang Khong
    before = count(session)
    resp = submit(client, lang="th", **fields(inside(session, "Aranyaprathet")))
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    assert 'data-field="lon"' in body and "Aranyaprathet" in body
    assert count(session) == before


def test_a_place_outside_the_watch_area_is_refused(client, session):
    signed_in(client, session)
    resp = submit(client, **fields((100.5018, 13.7563)))  # Bangkok
    assert resp.status_code == 422
    assert 'data-field="lon"' in resp.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PATROL_PLANNER, Role.HQ_ANALYST])
def test_other_roles_are_refused(client, session, role):
    signed_in(client, session, role)
    assert client.get("/desk/new").status_code == 403


def test_the_public_is_sent_to_sign_in(client):
    assert client.get("/desk/new").status_code == 302


def test_many_reports_from_one_desk_are_not_held_to_the_public_limit(client, session):
    signed_in(client, session)
    where = inside(session, "Chiang Khong")
    codes = [submit(client, **fields(where)).status_code for _ in range(7)]
    assert codes == [303] * 7  # the public form allows 5 a minute per address


def test_the_slip_is_not_shown_to_another_districts_coordinator(client, app, session):
    signed_in(client, session, Role.OFFICER)
    answer = submit(client, **fields(inside(session, "Chiang Khong")))
    location = f"/desk/receipts/{_SLIP.search(answer.headers['Location']).group(1)}"
    other = app.test_client()
    signed_in(other, session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    assert other.get(location).status_code == 404
    colleague = app.test_client()
    signed_in(colleague, session, Role.OFFICER, "colleague-officer")
    assert colleague.get(location).status_code == 404
    coordinator = app.test_client()
    signed_in(coordinator, session, Role.COORDINATOR)
    assert coordinator.get(location).status_code == 200


def test_the_contact_shows_on_the_triage_page_to_the_coordinator_only(client, app, session):
    signed_in(client, session, Role.OFFICER)
    location = submit(client, **fields(inside(session, "Chiang Khong"))).headers["Location"]
    incident_id = int(_SLIP.search(location).group(1))
    coordinator = app.test_client()
    signed_in(coordinator, session, Role.COORDINATOR)
    page = coordinator.get(f"/review/incidents/{incident_id}?lang=en").get_data(as_text=True)
    assert CONTACT in page
    officer_view = client.get(f"/api/incidents/{incident_id}").get_data(as_text=True)
    assert CONTACT not in officer_view


def test_the_queue_filters_by_channel_and_says_who_took_the_report(client, app, session):
    officer = signed_in(client, session, Role.OFFICER)
    location = submit(client, **fields(inside(session, "Chiang Khong"))).headers["Location"]
    incident_id = int(_SLIP.search(location).group(1))
    coordinator = app.test_client()
    signed_in(coordinator, session, Role.COORDINATOR)
    walk_ins = coordinator.get("/api/review/incidents?channel=mwcc_walk_in").get_json()
    assert [i["id"] for i in walk_ins["items"]] == [incident_id]
    assert walk_ins["items"][0]["channel"] == "mwcc_walk_in"
    calls = coordinator.get("/api/review/incidents?channel=hotline").get_json()
    assert calls["total"] == 0
    assert coordinator.get("/api/review/incidents?channel=fax").status_code == 400
    queue = coordinator.get("/review?channel=mwcc_walk_in&lang=en").get_data(as_text=True)
    assert f'id="report-{incident_id}"' in queue
    assert "taken at the MWCC desk by District officer" in queue
    assert officer.username not in queue  # the queue names roles, not staff
    page = coordinator.get(f"/review/incidents/{incident_id}?lang=en").get_data(as_text=True)
    assert "taken at the MWCC desk by District officer" in page
    assert f"({officer.username})" in page  # where the staff's names are shown
