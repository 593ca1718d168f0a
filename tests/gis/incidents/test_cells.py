"""incident_cell (migration 0009): the counts kept by triggers equal the incidents counted one by
one after every kind of write, and the map's counted cells read from it give what counting the
incidents gives, for every role, filter and zoom."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest
from geoalchemy2.elements import WKTElement
from sqlalchemy import text, update

from gis.incidents.map_layer import (
    CELL_LEVELS,
    LayerFilter,
    count_cells,
    incident_cell_rows,
    layer_conditions,
    sum_per_cell,
)
from gis.models import Incident
from gis.types import BBox, IncidentCategory, IncidentStatus, Role
from tests.factories import district
from tests.gis.incidents.test_map_layer import FAR, HOME, NEIGHBOUR, inside
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CHANNELS = ("officer_app", "online_public", "patrol")

#: incident_cell added up per key (only non-empty cells), against the incidents counted per
#: the same key: equal after any sequence of writes.
KEPT = """
SELECT level, cx, cy, district_id, category, status, public, n,
       round(sum_lon::numeric, 6) AS lon, round(sum_lat::numeric, 6) AS lat
FROM incident_cell WHERE n <> 0
ORDER BY 1, 2, 3, 4, 5, 6, 7"""
COUNTED = """
SELECT l.level, floor(ST_X(geom) * (1 << l.level) / 90.0)::int AS cx,
       floor(ST_Y(geom) * (1 << l.level) / 90.0)::int AS cy, district_id, category, status,
       channel = 'online_public' AS public, count(*)::int AS n,
       round(sum(ST_X(geom))::numeric, 6) AS lon, round(sum(ST_Y(geom))::numeric, 6) AS lat
FROM incident CROSS JOIN unnest(:levels) AS l(level)
GROUP BY 1, 2, 3, 4, 5, 6, 7
ORDER BY 1, 2, 3, 4, 5, 6, 7"""


def kept_and_counted(session) -> tuple[list, list]:
    session.flush()
    kept = [tuple(r) for r in session.execute(text(KEPT))]
    counted = [tuple(r) for r in session.execute(text(COUNTED), {"levels": list(CELL_LEVELS)})]
    return kept, counted


def scatter(session, n: int, seed: int, reporter=None) -> list[Incident]:
    """``n`` incidents around three districts' points, of random category, status, channel."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        name = (HOME, NEIGHBOUR, FAR)[i % 3]
        lon, lat = inside(session, name)
        rows.append(
            Incident(
                idempotency_key=uuid.uuid4(),
                category=rng.choice(list(IncidentCategory)).value,
                status=rng.choice(list(IncidentStatus)).value,
                channel=rng.choice(CHANNELS),
                occurred_at=T0 - dt.timedelta(days=rng.randrange(400)),
                district_id=district(session, name).id,
                reporter_id=None if reporter is None else reporter.id,
                geom=WKTElement(
                    f"POINT({lon + rng.uniform(-0.2, 0.2)} {lat + rng.uniform(-0.2, 0.2)})", 4326
                ),
            )
        )
    session.add_all(rows)
    session.flush()
    return rows


def test_the_counts_follow_inserts_updates_deletes_and_truncate(session):
    rows = scatter(session, 120, seed=1)
    kept, counted = kept_and_counted(session)
    assert kept == counted and sum(r[7] for r in kept) >= 120 * len(CELL_LEVELS)

    # one row at a time (the API's writes), then whole statements (triage in bulk, imports)
    rows[0].status = "verified"
    rows[1].category = "other"
    rows[2].geom = WKTElement("POINT(102.61 17.88)", 4326)
    rows[3].district_id = district(session, FAR).id
    rows[4].channel = "online_public"
    session.flush()
    session.execute(
        update(Incident).where(Incident.id.in_([r.id for r in rows[10:60]])).values(status="closed")
    )
    session.execute(
        text("UPDATE incident SET description = 'noted' WHERE id = :id"), {"id": rows[5].id}
    )
    session.execute(
        text("DELETE FROM incident_event WHERE incident_id = ANY(:ids)"),
        {"ids": [r.id for r in rows[60:90]]},
    )
    session.execute(
        text("DELETE FROM incident WHERE id = ANY(:ids)"), {"ids": [r.id for r in rows[60:90]]}
    )
    kept, counted = kept_and_counted(session)
    assert kept == counted

    session.execute(text("TRUNCATE incident CASCADE"))
    assert session.execute(text("SELECT count(*) FROM incident_cell")).scalar_one() == 0


def test_an_update_that_moves_nothing_writes_no_cell(session):
    row = scatter(session, 1, seed=2)[0]
    before = session.execute(
        text("SELECT xmin::text, * FROM incident_cell ORDER BY 2, 3, 4, 5, 6, 7, 8")
    ).all()
    session.execute(text("UPDATE incident SET severity = 5 WHERE id = :id"), {"id": row.id})
    after = session.execute(
        text("SELECT xmin::text, * FROM incident_cell ORDER BY 2, 3, 4, 5, 6, 7, 8")
    ).all()
    assert after == before  # same row versions: not even rewritten


def one_by_one(session, viewer, layer_filter: LayerFilter, bbox, zoom: int) -> dict:
    """The cells counted from ``incident`` directly, whatever count_cells would choose."""
    rows = incident_cell_rows(layer_conditions(session, viewer, layer_filter, bbox), zoom)
    return as_dict(session.execute(sum_per_cell(rows.subquery("c"))).all())


def as_dict(cells) -> dict:
    return {
        (round(c.lon, 6), round(c.lat, 6)): (
            c.n,
            tuple(getattr(c, k.value) for k in IncidentCategory),
        )
        for c in cells
    }


@pytest.mark.parametrize("zoom", [3, 6, 8, 9, 11, 12, 14])
def test_counted_cells_equal_the_incidents_counted_one_by_one(session, zoom):
    officer = make_user(session, Role.OFFICER, "test-officer-own", district=HOME)
    scatter(session, 150, seed=3)
    scatter(session, 6, seed=4, reporter=officer)  # some in Aranyaprathet: outside the scope
    viewers = [make_user(session, role) for role in Role if role is not Role.VOLUNTEER]
    filters = [
        LayerFilter(),
        LayerFilter(statuses=frozenset({IncidentStatus.NEW})),
        LayerFilter(categories=frozenset({IncidentCategory.SMUGGLING, IncidentCategory.OTHER})),
    ]
    for viewer in [officer, *viewers]:
        for layer_filter in filters:
            got = as_dict(count_cells(session, viewer, layer_filter, bbox=None, zoom=zoom))
            assert got == one_by_one(session, viewer, layer_filter, None, zoom), (
                viewer.role,
                layer_filter,
            )
    # the officer's own reports outside Chiang Khong are on the officer's map
    counted = count_cells(session, officer, LayerFilter(), bbox=None, zoom=zoom)
    far = inside(session, FAR)
    assert any(abs(c.lon - far[0]) < 0.5 and abs(c.lat - far[1]) < 0.5 for c in counted)


def test_a_box_takes_whole_cells_of_the_level(session):
    hq = make_user(session, Role.HQ_ANALYST)
    scatter(session, 150, seed=5)
    lon, lat = inside(session, HOME)
    box = BBox(lon - 0.15, lat - 0.1, lon + 0.1, lat + 0.12)
    for zoom in (7, 10, 13):
        level = next(level for level in CELL_LEVELS if level >= zoom)
        side = 90.0 / (1 << level)
        wider = BBox(box.minx - side, box.miny - side, box.maxx + side, box.maxy + side)
        got = sum(c.n for c in count_cells(session, hq, LayerFilter(), bbox=box, zoom=zoom))
        inner = sum(v[0] for v in one_by_one(session, hq, LayerFilter(), box, zoom).values())
        outer = sum(v[0] for v in one_by_one(session, hq, LayerFilter(), wider, zoom).values())
        assert inner <= got <= outer and inner > 0


def test_a_time_window_or_a_volunteer_counts_the_incidents(session):
    volunteer = make_user(session, Role.VOLUNTEER)
    hq = make_user(session, Role.HQ_ANALYST)
    scatter(session, 60, seed=6)
    scatter(session, 5, seed=7, reporter=volunteer)
    window = LayerFilter(since=T0 - dt.timedelta(days=100), until=T0)
    got = as_dict(count_cells(session, hq, window, bbox=None, zoom=8))
    assert got == one_by_one(session, hq, window, None, 8)
    assert sum(v[0] for v in got.values()) < sum(
        c.n for c in count_cells(session, hq, LayerFilter(), bbox=None, zoom=8)
    )
    mine = count_cells(session, volunteer, LayerFilter(), bbox=None, zoom=8)
    assert as_dict(mine) == one_by_one(session, volunteer, LayerFilter(), None, 8)
    assert 0 < sum(c.n for c in mine) <= 5
