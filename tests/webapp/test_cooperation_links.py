"""The agreement form picks a hotspot, a natural crossing or a checkpoint of the district, and
the map's popups read the agreements about them (GET /api/cooperation/about) in scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.cooperation.activities import create_activity, parse_activity
from gis.models import ActionItem, Checkpoint, District
from gis.types import Role
from tests.gis.cooperation.data import activity_body
from tests.patrol_data import make_run
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db


def _checkpoint(session, pcode: str) -> Checkpoint:
    return session.execute(
        select(Checkpoint)
        .join(District, District.id == Checkpoint.district_id)
        .where(District.pcode == pcode)
        .order_by(Checkpoint.id)
        .limit(1)
    ).scalar_one()


def test_the_form_links_a_checkpoint_and_a_hotspot_and_the_popup_api_reads_it(app, client, session):
    coordinator = make_user(session, Role.COORDINATOR)
    activity = create_activity(session, parse_activity(activity_body(session)), coordinator)
    point, away_point = _checkpoint(session, "TH5703"), _checkpoint(session, "TH2706")
    (spot,) = make_run(session, [(100.41, 20.27)], pcode="TH5703")
    assert sign_in(client, coordinator.username).status_code == 302
    page = client.get(f"/cooperation/activities/{activity.id}").get_data(as_text=True)
    assert f'<option value="{point.id}">' in page and f'<option value="{spot.id}">' in page
    assert f'<option value="{away_point.id}">' not in page
    token = csrf_token(client)
    form = {
        "text": "เฝ้าระวังร่วมที่จุดผ่อนปรน",
        "owner_side": "THA",
        "checkpoint_id": str(point.id),
        "hotspot_id": str(spot.id),
        "natural_crossing_id": "",
        "incident_id": "",
        "csrf_token": token,
    }
    resp = client.post(f"/cooperation/activities/{activity.id}/actions", data=form)
    assert resp.status_code == 303
    item = session.execute(select(ActionItem)).scalar_one()
    assert (item.checkpoint_id, item.hotspot_id) == (point.id, spot.id)
    page = client.get(f"/cooperation/activities/{activity.id}").get_data(as_text=True)
    assert "เกี่ยวกับจุดเสี่ยงอันดับ 1" in page and "เกี่ยวกับจุดผ่านแดน" in page

    # the status form keeps the links
    client.post(
        f"/cooperation/actions/{item.id}/status", data={"status": "done", "csrf_token": token}
    )
    session.refresh(item)
    assert item.status.value == "done" and item.checkpoint_id == point.id

    # a checkpoint of another district is refused, naming it, nothing stored
    bad = client.post(
        f"/cooperation/activities/{activity.id}/actions",
        data={**form, "checkpoint_id": str(away_point.id), "hotspot_id": ""},
    )
    assert bad.status_code == 303
    assert len(session.execute(select(ActionItem)).scalars().all()) == 1
    api = client.post(
        f"/api/cooperation/activities/{activity.id}/actions",
        json={"text": "x", "owner_side": "THA", "checkpoint_id": away_point.id},
        headers={"X-CSRFToken": token},
    )
    assert api.status_code == 400 and api.get_json()["field"] == "checkpoint_id"

    about = client.get(f"/api/cooperation/about?link=checkpoint_id&id={point.id}").get_json()
    assert [i["id"] for i in about["items"]] == [item.id]
    assert about["items"][0]["activity"]["url"].endswith(f"/cooperation/activities/{activity.id}")
    spot_items = client.get(f"/api/cooperation/about?link=hotspot_id&id={spot.id}").get_json()
    assert [i["id"] for i in spot_items["items"]] == [item.id]
    bad_link = client.get("/api/cooperation/about?link=district_id&id=1")
    assert bad_link.status_code == 400 and bad_link.get_json()["field"] == "link"
    bad_id = client.get("/api/cooperation/about?link=checkpoint_id&id=x")
    assert bad_id.status_code == 400 and bad_id.get_json()["field"] == "id"
    client.post("/logout", data={"csrf_token": token})

    away = make_user(session, Role.COORDINATOR, "away-coordinator", district="TH2706")
    assert sign_in(client, away.username).status_code == 302
    hidden = client.get(f"/api/cooperation/about?link=checkpoint_id&id={point.id}")
    assert hidden.status_code == 200 and hidden.get_json()["items"] == []


def test_the_map_page_loads_the_popup_links_for_readers_only(client, session):
    officer = make_user(session, Role.OFFICER)
    assert sign_in(client, officer.username).status_code == 302
    assert "cooperation-about.js" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    volunteer = make_user(session, Role.VOLUNTEER)
    assert sign_in(client, volunteer.username).status_code == 302
    assert "cooperation-about.js" not in client.get("/").get_data(as_text=True)
