"""The reference editing API (webapp/reference/api.py) as the editor's pages use it: scope,
proposal -> accept -> version -> restore, a stale edit's 409, 422s naming the field (the import's
bad geometries too), the reviewers setting, the derived data's progress."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.models import Checkpoint
from gis.types import Role
from tests.factories import line
from tests.webapp.signin import csrf_token, make_user, sign_in

pytestmark = pytest.mark.db

NEAR = [102.5520, 13.6600]


@pytest.fixture
def people(session):
    make_user(session, Role.COORDINATOR, "ref-aranya", district="TH2706")
    make_user(session, Role.COORDINATOR, "ref-khong", district="TH5703")
    make_user(session, Role.COORDINATOR, "ref-saen", district="TH5708")
    make_user(session, Role.ADMINISTRATOR, "ref-admin")
    make_user(session, Role.OFFICER, "ref-officer", district="TH2706")
    session.commit()


def signed_in(app, username: str):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    token = csrf_token(client)

    def post(path: str, body: dict, lang: str = "en"):
        return client.post(path, json=body, headers={"X-CSRFToken": token, "Accept-Language": lang})

    client.post_json = post  # type: ignore[attr-defined]
    return client


def checkpoint_id(session, slug: str = "khlong-luek") -> int:
    return session.execute(select(Checkpoint.id).where(Checkpoint.slug == slug)).scalar_one()


def move(feature_id: int, version: int = 1, where=NEAR) -> dict:
    return {
        "feature_type": "checkpoint",
        "feature_id": feature_id,
        "action": "update",
        "base_version": version,
        "geometry": {"type": "Point", "coordinates": where},
        "attributes": {"precision": "surveyed", "crossing_rules": "บัตรผ่านแดนชั่วคราว"},
        "reason": "เดินสำรวจกับ ชรบ.",
        "accuracy_m": 8,
    }


def test_editable_features_keep_to_the_district(app, session, people):
    client = signed_in(app, "ref-aranya")
    body = client.get("/api/reference/editable?types=checkpoint,centre,segment").get_json()
    kinds = {f["properties"]["feature_type"] for f in body["features"]}
    assert kinds == {"checkpoint", "centre", "segment"}
    assert {f["properties"]["district"] for f in body["features"]} == {"TH2706"}
    one = next(f for f in body["features"] if f["id"] == f"checkpoint:{checkpoint_id(session)}")
    assert one["properties"]["version"] == 1 and one["properties"]["pending_change"] is None
    assert one["properties"]["precision"] == "imagery"
    assert client.get("/api/reference/editable?district=TH5703").status_code == 403
    bad = client.get("/api/reference/editable?types=river")
    assert bad.status_code == 422 and bad.get_json()["field"] == "types"
    officer = signed_in(app, "ref-officer")
    assert officer.get("/api/reference/editable").status_code == 403
    assert app.test_client().get("/api/reference/editable").status_code == 401


def test_another_districts_feature_cannot_be_changed(app, session, people):
    client = signed_in(app, "ref-khong")
    resp = client.post_json("/api/reference/changes", move(checkpoint_id(session)))
    assert resp.status_code == 403
    versions = client.get(f"/api/reference/features/checkpoint/{checkpoint_id(session)}/versions")
    assert versions.status_code == 403


def test_proposal_accept_version_restore(app, session, people):
    cid = checkpoint_id(session)
    coordinator = signed_in(app, "ref-aranya")
    resp = coordinator.post_json("/api/reference/changes", move(cid))
    assert resp.status_code == 201, resp.get_json()
    change = resp.get_json()["change"]
    assert change["status"] == "proposed" and resp.get_json()["feature"] is None
    assert change["before"]["version"] == 1 and change["accuracy_m"] == 8
    assert change["after"]["geometry"]["coordinates"] == NEAR
    assert change["proposed_by"]["role"] == "coordinator"
    listed = coordinator.get("/api/reference/changes?status=proposed").get_json()["changes"]
    assert [c["id"] for c in listed] == [change["id"]]
    pending = coordinator.get("/api/reference/editable?types=checkpoint").get_json()
    mine = next(f for f in pending["features"] if f["properties"]["feature_id"] == cid)
    assert mine["properties"]["pending_change"] == change["id"]

    # the coordinator cannot accept (admin reviewers); the administrator can
    assert (
        coordinator.post_json(f"/api/reference/changes/{change['id']}/accept", {}).status_code
        == 403
    )
    admin = signed_in(app, "ref-admin")
    resp = admin.post_json(f"/api/reference/changes/{change['id']}/accept", {"note": "ok"})
    assert resp.status_code == 200, resp.get_json()
    accepted = resp.get_json()
    assert accepted["change"]["status"] == "accepted" and accepted["version"] > 0
    feature = accepted["feature"]["properties"]
    assert feature["version"] == 2 and feature["precision"] == "surveyed"
    assert feature["crossing_rules"] == "บัตรผ่านแดนชั่วคราว"
    again = admin.post_json(f"/api/reference/changes/{change['id']}/accept", {})
    assert again.status_code == 409 and again.get_json()["field"] == "status"

    history = admin.get(f"/api/reference/features/checkpoint/{cid}/versions").get_json()
    versions = history["versions"]
    assert [v["action"] for v in versions] == ["update", "imported"]
    assert versions[0]["version"] == accepted["version"] and versions[0]["actor"]["role"] == (
        "coordinator"
    )
    assert versions[0]["accepted_by"]["role"] == "administrator"
    assert versions[0]["before"]["geometry"]["coordinates"] == [102.5487, 13.6621]

    restore = {"version": versions[1]["version"], "base_version": 2, "reason": "back to the pier"}
    resp = admin.post_json(f"/api/reference/features/checkpoint/{cid}/restore", restore)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["change"]["action"] == "restore" and body["change"]["status"] == "accepted"
    assert body["feature"]["geometry"]["coordinates"] == [102.5487, 13.6621]
    assert body["feature"]["properties"]["version"] == 3
    derived = admin.get("/api/reference/derived").get_json()
    assert derived["status"] == "queued" and derived["reference_version"] > accepted["version"]


def test_two_edits_the_second_gets_409_naming_the_current_version(app, session, people):
    cid = checkpoint_id(session)
    admin = signed_in(app, "ref-admin")
    first = admin.post_json("/api/reference/changes", move(cid))
    assert first.status_code == 201
    second = admin.post_json(
        "/api/reference/changes", move(cid, version=1, where=[102.553, 13.661])
    )
    assert second.status_code == 409
    body = second.get_json()
    assert body["field"] == "base_version" and body["current_version"] == 2
    thai = admin.post_json("/api/reference/changes", move(cid, 1), lang="th")
    assert "ฉบับที่ 2" in thai.get_json()["message"]


BAD = [
    ({"type": "Point", "coordinates": [102.5, 13.6]}, "geometry"),
    (line((102.5, 13.6), (102.5, 93.6)), "geometry"),
    (line((102.5, 13.6)), "geometry"),
    (line((100.50, 13.75), (100.52, 13.76)), "geometry"),
    (line((102.0, 13.6), (102.9, 13.6)), "geometry"),
    ({"type": "LineString", "coordinates": []}, "geometry"),
    ("not geometry", "geometry"),
]


@pytest.mark.parametrize(("geometry", "field"), BAD)
def test_the_imports_bad_geometries_are_refused_through_the_api(
    app, session, people, geometry, field
):
    admin = signed_in(app, "ref-admin")
    body = {
        "feature_type": "crossing",
        "feature_id": None,
        "action": "create",
        "base_version": None,
        "geometry": geometry,
        "attributes": {"name": "ช่องทางทดสอบ"},
        "reason": "test path",
    }
    resp = admin.post_json("/api/reference/changes", body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"attributes": {"kind": "bridge"}}, "kind"),
        ({"attributes": {"colour": "red"}}, "colour"),
        ({"attributes": {"name": ""}}, "name"),
        ({"attributes": {"hours": "x" * 81}}, "hours"),
        ({"reason": "x"}, "reason"),
        ({"accuracy_m": -1}, "accuracy_m"),
        ({"base_version": None}, "base_version"),
        ({"feature_type": "river"}, "feature_type"),
        ({"geometry": {"type": "Point", "coordinates": [100.40, 20.26]}}, "geometry"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_invalid_inputs_are_422_naming_the_field(app, session, people, change, field):
    client = signed_in(app, "ref-aranya")
    resp = client.post_json("/api/reference/changes", {**move(checkpoint_id(session)), **change})
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field


def test_reviewers_of_the_province(app, session, people):
    app.config["REFERENCE_REVIEWERS"] = "province"
    cid = checkpoint_id(session, "friendship-bridge-4")
    author = signed_in(app, "ref-khong")
    body = move(cid, where=[100.4505, 20.2250])
    change = author.post_json("/api/reference/changes", body).get_json()["change"]
    own = author.post_json(f"/api/reference/changes/{change['id']}/accept", {})
    assert own.status_code == 403
    other_province = signed_in(app, "ref-aranya")
    assert other_province.get("/api/reference/changes").get_json()["changes"] == []
    refused = other_province.post_json(
        f"/api/reference/changes/{change['id']}/reject", {"note": "no"}
    )
    assert refused.status_code in (403, 422)
    neighbour = signed_in(app, "ref-saen")
    listed = neighbour.get("/api/reference/changes?status=proposed").get_json()["changes"]
    assert [c["id"] for c in listed] == [change["id"]]
    missing_note = neighbour.post_json(f"/api/reference/changes/{change['id']}/reject", {})
    assert missing_note.status_code == 422 and missing_note.get_json()["field"] == "note"
    resp = neighbour.post_json(f"/api/reference/changes/{change['id']}/accept", {})
    assert resp.status_code == 200 and resp.get_json()["change"]["status"] == "accepted"
    # a reviewer of the province reads the feature's history; another province does not
    history = f"/api/reference/features/checkpoint/{cid}/versions"
    assert [v["action"] for v in neighbour.get(history).get_json()["versions"]] == [
        "update",
        "imported",
    ]
    assert other_province.get(history).status_code == 403


def test_a_stretch_is_flagged_and_a_crossing_drawn(app, session, people):
    admin = signed_in(app, "ref-admin")
    segments = admin.get("/api/reference/editable?types=segment&district=TH2706").get_json()
    segment = segments["features"][0]
    coords = segment["geometry"]["coordinates"]
    body = {
        "feature_type": "stretch",
        "feature_id": None,
        "action": "create",
        "attributes": {
            "segment_id": segment["properties"]["feature_id"],
            "from_point": coords[2],
            "to_point": coords[len(coords) // 3],
            "demarcation": "unmarked",
            "source": "ชรบ. บ้านคลองลึก",
        },
        "reason": "ไม่มีหลักเขตตลอดแนวคลอง",
    }
    resp = admin.post_json("/api/reference/changes", body)
    assert resp.status_code == 201, resp.get_json()
    stretch = resp.get_json()["feature"]
    assert stretch["properties"]["demarcation"] == "unmarked"
    assert stretch["geometry"]["type"] == "LineString"
    # the border segment's number, by which the pages name the stretch in words
    number = segment["properties"]["segment_no"]
    assert stretch["properties"]["segment_no"] == number
    assert resp.get_json()["change"]["segment_no"] == number
    listed = admin.get("/api/reference/editable?types=stretch,checkpoint&district=TH2706")
    listed = listed.get_json()
    assert [
        f["properties"]["segment_no"] for f in listed["features"] if f["id"] == stretch["id"]
    ] == [number]
    points = [f for f in listed["features"] if f["properties"]["feature_type"] == "checkpoint"]
    assert points and all("segment_no" not in f["properties"] for f in points)
    crossing = {
        "feature_type": "crossing",
        "feature_id": None,
        "action": "create",
        "geometry": line((102.52, 13.62), (102.56, 13.60), (102.60, 13.59)),
        "attributes": {"name": "ช่องทางคลองลึก", "season": "all_year", "crosses": ["goods"]},
        "reason": "พบจากการลาดตระเวน",
    }
    made = admin.post_json("/api/reference/changes", crossing).get_json()["feature"]
    assert made["properties"]["crosses"] == ["goods"] and made["properties"]["version"] == 1
    assert made["properties"]["label"] == "ช่องทางคลองลึก"
