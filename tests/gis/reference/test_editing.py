"""Reference editing's rules (gis.reference.editing): scope, proposal, review, versions,
restore, stale versions, the reviewers' setting, flagged stretches."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gis.accounts.scope import scope_district_ids
from gis.errors import Forbidden, InvalidGeometry, InvalidInput
from gis.models import (
    BorderSegment,
    BorderStretch,
    Checkpoint,
    NaturalCrossing,
    ReferenceRecompute,
    ReferenceVersion,
)
from gis.reference.editing.changes import (
    Editor,
    Reviewers,
    StaleVersion,
    accept,
    parse_change,
    parse_reviewers,
    propose,
    reject,
    restore,
)
from gis.reference.editing.reading import versions_json
from gis.types import ChangeAction, ChangeStatus, ReferenceFeature, Role
from tests.factories import line, make_user

pytestmark = pytest.mark.db

#: Khlong Luek checkpoint (Aranyaprathet, seeded at 102.5487, 13.6621).
KHLONG_LUEK = "khlong-luek"
#: A place in Aranyaprathet near the checkpoint, and one in Chiang Khong.
NEAR = (102.5520, 13.6600)
CHIANG_KHONG = (100.40, 20.26)
ARANYA_PATH = line((102.52, 13.62), (102.56, 13.60), (102.60, 13.59))


def editor(session, user) -> Editor:
    return Editor(user.id, user.role, scope_district_ids(session, user))


@pytest.fixture
def people(session):
    users = {
        "aranya": make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706"),
        "khong": make_user(session, Role.COORDINATOR, "coord-khong", district="TH5703"),
        "saen": make_user(session, Role.COORDINATOR, "coord-saen", district="TH5708"),
        "admin": make_user(session, Role.ADMINISTRATOR, "admin-1"),
    }
    return {name: editor(session, user) for name, user in users.items()}


def checkpoint(session, slug: str = KHLONG_LUEK) -> Checkpoint:
    return session.execute(select(Checkpoint).where(Checkpoint.slug == slug)).scalar_one()


def move(row: Checkpoint, where, **attributes) -> dict:
    return {
        "feature_type": "checkpoint",
        "feature_id": row.id,
        "action": "update",
        "base_version": row.version,
        "geometry": {"type": "Point", "coordinates": list(where)},
        "attributes": attributes,
        "reason": "walked there with the district officer",
        "accuracy_m": 6.5,
    }


def position(session, row) -> tuple[float, float]:
    x, y = session.execute(
        select(func.ST_X(Checkpoint.geom), func.ST_Y(Checkpoint.geom)).where(
            Checkpoint.id == row.id
        )
    ).one()
    return round(x, 6), round(y, 6)


def test_another_districts_feature_cannot_be_changed(session, people):
    row = checkpoint(session)
    with pytest.raises(Forbidden):
        propose(session, people["khong"], parse_change(move(row, NEAR)))
    assert position(session, row) == (102.5487, 13.6621)


def test_a_checkpoint_moved_out_of_its_district_is_refused_naming_geometry(session, people):
    row = checkpoint(session)
    for who in ("aranya", "admin"):
        with pytest.raises(InvalidInput) as exc:
            propose(session, people[who], parse_change(move(row, CHIANG_KHONG)))
        assert exc.value.field == "geometry"
    with pytest.raises(InvalidInput) as exc:
        propose(session, people["aranya"], parse_change(move(row, (100.50, 13.75))))
    assert exc.value.field == "geometry" and "outside the watch area" in exc.value.message


def test_proposal_accept_version_restore(session, people):
    row = checkpoint(session)
    change = propose(
        session, people["aranya"], parse_change(move(row, NEAR, precision="surveyed", days="daily"))
    )
    assert change.status is ChangeStatus.PROPOSED
    assert position(session, row) == (102.5487, 13.6621)  # nothing changes before review
    assert change.before["version"] == 1 and change.after["attributes"]["days"] == "daily"

    accepted, version = accept(session, people["admin"], change.id, "checked", Reviewers.ADMIN)
    session.refresh(row)
    assert (
        accepted.status is ChangeStatus.ACCEPTED and accepted.reviewed_by_id == people["admin"].id
    )
    assert position(session, row) == NEAR
    assert (row.version, row.precision, row.approximate, row.days) == (
        2,
        "surveyed",
        False,
        "daily",
    )
    assert version.feature_version == 2 and version.before["version"] == 1
    assert version.after["attributes"]["precision"] == "surveyed"

    history = versions_json(session, ReferenceFeature.CHECKPOINT, row.id)
    assert [v["action"] for v in history] == ["update", "imported"]
    imported = history[1]
    assert imported["after"]["geometry"]["coordinates"] == [102.5487, 13.6621]
    assert imported["after"]["attributes"]["precision"] == "imagery"  # seeded from Wikipedia

    # a coordinator's restore is a proposal; the administrator's acceptance writes a new version
    body = {"version": imported["version"], "base_version": 2, "reason": "wrong pier"}
    back = restore(session, people["aranya"], ReferenceFeature.CHECKPOINT, row.id, body)
    assert back.action is ChangeAction.RESTORE and back.status is ChangeStatus.PROPOSED
    accept(session, people["admin"], back.id, None, Reviewers.ADMIN)
    session.refresh(row)
    assert position(session, row) == (102.5487, 13.6621)
    assert (row.version, row.days) == (3, None)
    assert row.precision == "imagery" and not row.approximate
    newest = versions_json(session, ReferenceFeature.CHECKPOINT, row.id)[0]
    assert newest["action"] == "restore" and newest["feature_version"] == 3
    assert newest["version"] > version.id


def test_an_administrators_own_change_is_accepted_at_once(session, people):
    row = checkpoint(session)
    change = propose(session, people["admin"], parse_change(move(row, NEAR)))
    assert change.status is ChangeStatus.ACCEPTED and change.reviewed_by_id == people["admin"].id
    session.refresh(row)
    assert row.version == 2 and position(session, row) == NEAR
    job = session.execute(select(ReferenceRecompute)).scalar_one()
    assert job.status.value == "queued" and job.reference_version == session.scalar(
        select(func.max(ReferenceVersion.id))
    )


def test_two_edits_of_one_feature_the_second_gets_409_naming_the_current_version(session, people):
    row = checkpoint(session)
    first = propose(session, people["aranya"], parse_change(move(row, NEAR)))
    second = propose(session, people["aranya"], parse_change(move(row, (102.553, 13.661))))
    accept(session, people["admin"], first.id, None, Reviewers.ADMIN)
    with pytest.raises(StaleVersion) as exc:
        accept(session, people["admin"], second.id, None, Reviewers.ADMIN)
    assert exc.value.field == "base_version" and exc.value.current_version == 2
    session.refresh(row)
    assert position(session, row) == NEAR  # the first change is kept, not overwritten
    stale = move(row, (102.553, 13.661))
    stale["base_version"] = 1
    with pytest.raises(StaleVersion) as exc:
        propose(session, people["admin"], parse_change(stale))
    assert exc.value.current_version == 2


def test_reviewers_setting(session, people):
    row = checkpoint(session, "friendship-bridge-4")
    where = (100.4505, 20.2250)
    change = propose(session, people["khong"], parse_change(move(row, where)))
    with pytest.raises(Forbidden):  # admin reviewers: a coordinator never accepts
        accept(session, people["saen"], change.id, None, Reviewers.ADMIN)
    with pytest.raises(Forbidden):  # never one's own change
        accept(session, people["khong"], change.id, None, Reviewers.PROVINCE)
    with pytest.raises(Forbidden):  # another province
        accept(session, people["aranya"], change.id, None, Reviewers.PROVINCE)
    accepted, _ = accept(session, people["saen"], change.id, None, Reviewers.PROVINCE)
    assert accepted.status is ChangeStatus.ACCEPTED
    assert parse_reviewers(None) is Reviewers.ADMIN
    assert parse_reviewers("province") is Reviewers.PROVINCE
    with pytest.raises(InvalidInput) as exc:
        parse_reviewers("anyone")
    assert exc.value.field == "REFERENCE_REVIEWERS"


def test_reject_needs_a_note_and_changes_nothing(session, people):
    row = checkpoint(session)
    change = propose(session, people["aranya"], parse_change(move(row, NEAR)))
    with pytest.raises(InvalidInput) as exc:
        reject(session, people["admin"], change.id, "", Reviewers.ADMIN)
    assert exc.value.field == "note"
    rejected = reject(
        session, people["admin"], change.id, "the pier is further north", Reviewers.ADMIN
    )
    assert rejected.status is ChangeStatus.REJECTED
    session.refresh(row)
    assert row.version == 1 and position(session, row) == (102.5487, 13.6621)


def test_a_new_crossing_and_its_retirement(session, people):
    body = {
        "feature_type": "crossing",
        "feature_id": None,
        "action": "create",
        "base_version": None,
        "geometry": ARANYA_PATH,
        "attributes": {
            "name": "ช่องทางบ้านคลองลึก",
            "risk_level": "high",
            "season": "dry_only",
            "crosses": ["people", "goods"],
        },
        "reason": "path seen on patrol",
    }
    change = propose(session, people["aranya"], parse_change(body))
    assert change.feature_id is None and change.status is ChangeStatus.PROPOSED
    accept(session, people["admin"], change.id, None, Reviewers.ADMIN)
    crossing = session.get(NaturalCrossing, change.feature_id)
    assert (crossing.season, crossing.crosses, crossing.version) == (
        "dry_only",
        ["people", "goods"],
        1,
    )
    assert crossing.district_id in people["aranya"].district_ids
    with pytest.raises(InvalidInput) as exc:  # the same path again: a duplicate
        propose(session, people["aranya"], parse_change(body))
    assert exc.value.field == "geometry"
    retire = {
        "feature_type": "crossing",
        "feature_id": crossing.id,
        "action": "retire",
        "base_version": 1,
        "reason": "the channel silted up",
    }
    propose(session, people["admin"], parse_change(retire))
    session.refresh(crossing)
    assert crossing.retired_at is not None and crossing.version == 2


@pytest.mark.parametrize(
    ("geometry", "error", "words"),
    [
        (
            {"type": "Point", "coordinates": [102.5, 13.6]},
            InvalidGeometry,
            "'Point' is not accepted",
        ),
        (line((102.5, 13.6), (102.5, 93.6)), InvalidGeometry, "latitude 93.6"),
        (line((102.5, 13.6)), InvalidGeometry, "geometry"),
        (line((100.50, 13.75), (100.52, 13.76)), InvalidInput, "outside the watch area"),
        (line((102.0, 13.6), (102.9, 13.6)), InvalidInput, "km long"),
        ({"type": "LineString", "coordinates": []}, InvalidGeometry, "geometry is empty"),
    ],
)
def test_the_imports_bad_geometries_are_refused_naming_geometry(
    session, people, geometry, error, words
):
    body = {
        "feature_type": "crossing",
        "feature_id": None,
        "action": "create",
        "geometry": geometry,
        "attributes": {"name": "x"},
        "reason": "test path",
    }
    with pytest.raises(error) as exc:
        propose(session, people["admin"], parse_change(body))
    assert exc.value.field == "geometry" and words in exc.value.message
    assert session.scalar(select(func.count()).select_from(NaturalCrossing)) == 0


def on_segment(session, segment_id: int, fraction: float) -> list[float]:
    point = func.ST_LineInterpolatePoint(BorderSegment.geom, fraction)
    x, y = session.execute(
        select(func.ST_X(point), func.ST_Y(point)).where(BorderSegment.id == segment_id)
    ).one()
    return [x + 0.001, y]  # a click beside the line


def test_a_flagged_stretch_is_the_segment_cut_at_the_clicked_points(session, people):
    body = {
        "feature_type": "stretch",
        "feature_id": None,
        "action": "create",
        "attributes": {
            "segment_id": 65,
            "from_point": on_segment(session, 65, 0.4),
            "to_point": on_segment(session, 65, 0.3),
            "demarcation": "unmarked",
            "source": "ชรบ. บ้านคลองลึก เดินสำรวจ",
        },
        "reason": "no marker posts along the canal",
    }
    change = propose(session, people["aranya"], parse_change(body))
    accept(session, people["admin"], change.id, None, Reviewers.ADMIN)
    stretch = session.get(BorderStretch, change.feature_id)
    assert 0.29 < stretch.from_fraction < 0.31 and 0.39 < stretch.to_fraction < 0.41
    same = session.scalar(
        select(
            func.ST_Equals(
                BorderStretch.geom,
                func.ST_LineSubstring(
                    BorderSegment.geom, BorderStretch.from_fraction, BorderStretch.to_fraction
                ),
            )
        )
        .join(BorderSegment, BorderSegment.id == BorderStretch.segment_id)
        .where(BorderStretch.id == stretch.id)
    )
    assert same is True
    far = dict(body, attributes={**body["attributes"], "to_point": [102.9, 13.2]})
    with pytest.raises(InvalidInput) as exc:
        propose(session, people["aranya"], parse_change(far))
    assert exc.value.field == "to_point"
    other = dict(body, attributes={**body["attributes"], "segment_id": 2})
    with pytest.raises(Forbidden):
        propose(session, people["aranya"], parse_change(other))


def test_the_layers_show_accepted_data_only(session, people):
    import json

    from gis.reference import layers

    row = checkpoint(session)
    propose(session, people["aranya"], parse_change(move(row, NEAR, precision="surveyed")))

    def shown() -> dict:
        found = json.loads(layers.checkpoints(session))["features"]
        return next((f for f in found if f["id"] == row.id), None)

    assert shown()["geometry"]["coordinates"] == [102.5487, 13.6621]  # a proposal shows nothing
    assert shown()["properties"]["precision"] == "wikipedia"
    propose(session, people["admin"], parse_change(move(row, NEAR, precision="surveyed")))
    assert shown()["geometry"]["coordinates"] == list(NEAR)
    assert shown()["properties"]["precision"] == "surveyed"
    retire = {
        "feature_type": "checkpoint",
        "feature_id": row.id,
        "action": "retire",
        "base_version": 2,
        "reason": "the checkpoint closed for good",
    }
    propose(session, people["admin"], parse_change(retire))
    assert shown() is None
