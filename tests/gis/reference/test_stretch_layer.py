"""The flagged border stretches layer: accepted stretches in force only, the source of the
knowledge for accounts only."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from gis.accounts.scope import scope_district_ids
from gis.models import BorderSegment
from gis.reference import layers
from gis.reference.editing.changes import Editor, Reviewers, accept, parse_change, propose
from gis.types import BBox, Role
from tests.factories import make_user

pytestmark = pytest.mark.db

#: A border segment of Aranyaprathet (TH2706), as the editing tests flag it.
SEGMENT = 65
SOURCE = "ชรบ. บ้านคลองลึก เดินสำรวจ"


def editor(session, user) -> Editor:
    return Editor(user.id, user.role, scope_district_ids(session, user))


@pytest.fixture
def people(session):
    users = {
        "aranya": make_user(session, Role.COORDINATOR, "coord-aranya", district="TH2706"),
        "admin": make_user(session, Role.ADMINISTRATOR, "admin-1"),
    }
    return {name: editor(session, user) for name, user in users.items()}


def on_segment(session, fraction: float) -> list[float]:
    point = func.ST_LineInterpolatePoint(BorderSegment.geom, fraction)
    x, y = session.execute(
        select(func.ST_X(point), func.ST_Y(point)).where(BorderSegment.id == SEGMENT)
    ).one()
    return [x + 0.001, y]


def flag(session, demarcation: str = "unmarked") -> dict:
    return {
        "feature_type": "stretch",
        "feature_id": None,
        "action": "create",
        "attributes": {
            "segment_id": SEGMENT,
            "from_point": on_segment(session, 0.3),
            "to_point": on_segment(session, 0.4),
            "demarcation": demarcation,
            "source": SOURCE,
        },
        "reason": "no marker posts along the canal",
    }


def features(session, **kwargs) -> list[dict]:
    return json.loads(layers.border_stretches(session, **kwargs))["features"]


def test_a_stretch_shows_once_accepted_and_not_after_its_retirement(session, people):
    change = propose(session, people["aranya"], parse_change(flag(session)))
    assert features(session, with_source=True) == []  # only proposed: nothing on the map
    accept(session, people["admin"], change.id, None, Reviewers.ADMIN)
    (shown,) = features(session, with_source=True)
    assert shown["id"] == change.feature_id
    assert shown["geometry"]["type"] == "LineString"
    props = shown["properties"]
    assert props["demarcation"] == "unmarked" and props["source"] == SOURCE
    assert props["district"] == "Aranyaprathet" and props["district_th"]
    today = session.scalar(select(func.timezone("Asia/Bangkok", func.now()))).date()
    assert dt.date.fromisoformat(props["changed_on"]) == today
    retire = {
        "feature_type": "stretch",
        "feature_id": change.feature_id,
        "action": "retire",
        "base_version": 1,
        "reason": "marker posts set up by the joint commission",
    }
    propose(session, people["admin"], parse_change(retire))
    assert features(session, with_source=True) == []


def test_the_source_is_left_out_unless_asked_for(session, people):
    propose(session, people["admin"], parse_change(flag(session, "unknown")))
    (public,) = features(session)
    assert "source" not in public["properties"]
    assert SOURCE not in layers.border_stretches(session)
    assert public["properties"]["demarcation"] == "unknown"


def test_a_box_elsewhere_gives_no_stretch(session, people):
    propose(session, people["admin"], parse_change(flag(session)))
    assert features(session, bbox=BBox(100.3, 20.1, 100.5, 20.3), zoom=11) == []
    assert len(features(session, bbox=BBox(102.0, 13.0, 103.5, 14.5), zoom=11)) == 1
