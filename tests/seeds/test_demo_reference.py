"""The demo's reference editing: one accepted change, two proposals waiting for review and a
flagged stretch of the border in the demo coordinator's district, with Thai reasons; made once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gis.accounts.users import DEMO_USERNAMES
from gis.models import BorderStretch, ReferenceChange, ReferenceVersion
from gis.types import ChangeStatus, Demarcation, Role
from seeds.demo_reference import make_reference_edits
from tests.factories import make_user

pytestmark = pytest.mark.db


def test_the_demo_has_proposals_waiting_and_an_accepted_version(session):
    make_user(session, Role.ADMINISTRATOR, DEMO_USERNAMES[Role.ADMINISTRATOR])
    coordinator = make_user(session, Role.COORDINATOR, DEMO_USERNAMES[Role.COORDINATOR])
    assert make_reference_edits(session) == 4
    changes = list(session.scalars(select(ReferenceChange).order_by(ReferenceChange.id)))
    assert [c.status for c in changes] == [
        ChangeStatus.ACCEPTED,
        ChangeStatus.PROPOSED,
        ChangeStatus.PROPOSED,
        ChangeStatus.ACCEPTED,
    ]
    kinds = ["checkpoint", "centre", "crossing", "stretch"]
    assert [c.feature_type.value for c in changes] == kinds
    assert all(c.district_id == coordinator.district_id for c in changes)
    assert all(any("\u0e00" <= ch <= "\u0e7f" for ch in c.reason) for c in changes)
    versions = session.scalars(select(ReferenceVersion.action)).all()
    assert sorted(v.value for v in versions) == ["create", "imported", "update"]
    # the flagged stretch is on the map's layer, unmarked, inside the coordinator's district
    stretch = session.scalars(select(BorderStretch)).one()
    assert (stretch.demarcation, stretch.retired_at) == (Demarcation.UNMARKED, None)
    assert 0 <= stretch.from_fraction < stretch.to_fraction <= 1
    assert make_reference_edits(session) == 0
