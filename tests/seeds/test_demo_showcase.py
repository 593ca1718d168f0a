"""The demo's showcase: what the demo accounts do with the demo incidents (``borderwatch demo``),
so that every page and every OGC API collection has content on first start.

One demo world for the module, as ``make run`` makes it (20,000 incidents, seed 42), with a fixed
anchor; its repeatability and the command's ``--if-empty`` are tested in ``test_demo.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from gis.accounts.scope import scope_district_ids
from gis.accounts.users import DEMO_USERNAMES, ensure_demo_accounts
from gis.export.collections import COLLECTIONS
from gis.incidents.public import PublicState, report_status
from gis.models import (
    District,
    EmergingCell,
    Hotspot,
    HotspotCell,
    HotspotMember,
    HotspotRun,
    Incident,
    IncidentEvent,
    PatrolPlan,
    PatrolStop,
    User,
)
from gis.parsing import THAI_TIME
from gis.patrols.plans import latest_run_id
from gis.types import Channel, IncidentStatus, Role, RunStatus, StopOutcome
from seeds.demo import DemoReport, generate_demo
from seeds.demo_cooperation import make_cooperation
from seeds.demo_desk import DESK, desk_key, desk_places
from seeds.demo_showcase import ShowcaseReport, complete_demo
from tests.webapp.signin import sign_in
from tests.webapp.thai_text import english_in

pytestmark = pytest.mark.db

ANCHOR = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
N, SEED = 20_000, 42
SECRET = b"test"
#: A box around every target district.
EVERYWHERE = "bbox=97,5,107,21"


@dataclass(frozen=True)
class World:
    passwords: dict[str, str]
    bulk: DemoReport
    showcase: ShowcaseReport


@pytest.fixture(scope="module")
def world(module_session: Session) -> World:
    created = ensure_demo_accounts(module_session)
    bulk = generate_demo(module_session, incidents=N, seed=SEED, anchor=ANCHOR)
    showcase = complete_demo(module_session, seed=SEED, anchor=ANCHOR, key_secret=SECRET)
    # the cooperation register's demo, as `borderwatch demo` makes it after the showcase
    make_cooperation(module_session, ANCHOR.astimezone(THAI_TIME).date())
    module_session.flush()
    return World({user: password for _, user, password in created}, bulk, showcase)


def account(session: Session, role: Role) -> User:
    return session.execute(select(User).where(User.username == DEMO_USERNAMES[role])).scalar_one()


#: Reports with a history that are not the desk's: the patrols' and the LINE chats'.
OTHER_CHANNELS = (Channel.PATROL, Channel.LINE)


def desk_incidents(session: Session) -> list[Incident]:
    """The reports with a history: the desk's and the patrols' (generated incidents have none)."""
    with_history = select(IncidentEvent.incident_id).distinct()
    return list(session.scalars(select(Incident).where(Incident.id.in_(with_history))))


def client_as(module_app, world: World, role: Role):
    client = module_app.test_client()
    username = DEMO_USERNAMES[role]
    assert sign_in(client, username, world.passwords[username]).status_code == 302
    return client


def test_the_desk_has_every_status_by_the_coordinators_actions(module_session, world):
    session = module_session
    coordinator = account(session, Role.COORDINATOR)
    # the desk's reports: not the patrols' nor the citizens' LINE chats (seeds/demo_line.py)
    desk = [i for i in desk_incidents(session) if i.channel not in OTHER_CHANNELS]
    assert len(desk) == len(DESK) == world.showcase.desk.made
    assert {i.district_id for i in desk} == {coordinator.district_id}
    assert {str(i.status) for i in desk} == {s.value for s in IncidentStatus}
    assert all(i.is_demo and i.description.startswith("[demo] ") for i in desk)
    for incident in desk:
        events = session.scalars(
            select(IncidentEvent)
            .where(IncidentEvent.incident_id == incident.id)
            .order_by(IncidentEvent.id)
        ).all()
        # the report's maker: its reporter, or the staff who took it for a citizen
        maker = incident.reporter_id if incident.taken_by_id is None else incident.taken_by_id
        assert events[0].action == "created" and events[0].actor_id == maker
        # every later entry is an action of the demo coordinator, ending at the incident's status
        assert all(e.actor_id == coordinator.id for e in events[1:])
        assert str(events[-1].to_status) == str(incident.status)
        assert (len(events) > 1) == (incident.status != IncidentStatus.NEW)
    duplicates = [i for i in desk if i.status == IncidentStatus.DUPLICATE]
    for duplicate in duplicates:
        original = session.get_one(Incident, duplicate.duplicate_of_id)
        assert original.category == duplicate.category
        assert original.district_id == duplicate.district_id
        assert original.status not in (IncidentStatus.DUPLICATE, IncidentStatus.REJECTED)
    referred = [i for i in desk if i.status == IncidentStatus.REFERRED]
    assert referred and all(i.referred_to is not None for i in referred)
    closed_after_referral = session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.id.in_([i.id for i in desk]),
            Incident.status == IncidentStatus.CLOSED,
            Incident.referred_to.is_not(None),
        )
    )
    assert closed_after_referral >= 1
    channels = {str(i.channel) for i in desk}
    assert {"officer_app", "mwcc_walk_in", "hotline", "online_public"} <= channels
    reporters = {i.reporter_id for i in desk}
    officer, volunteer = account(session, Role.OFFICER), account(session, Role.VOLUNTEER)
    assert {officer.id, volunteer.id, None} <= reporters
    # citizens' walk-ins and calls are taken by the coordinator and the officer, for nobody
    taken = [i for i in desk if i.taken_by_id is not None]
    assert {(str(i.channel), i.taken_by_id) for i in taken} == {
        ("mwcc_walk_in", coordinator.id),
        ("hotline", officer.id),
    }
    assert all(i.reporter_id is None and i.receipt_code for i in taken)


def test_what_people_read_is_in_thai(module_session, world):
    """The desk's reports, the coordinator's notes, the public's contacts, the patrols' notes and
    reports and the demo accounts' names are Thai, with the district's Thai name."""
    session = module_session
    coordinator = account(session, Role.COORDINATOR)
    district = session.get_one(District, coordinator.district_id)
    assert district.name_th == "เชียงของ"
    reports = desk_incidents(session)
    desk = [i for i in reports if i.channel not in OTHER_CHANNELS]
    patrol = [i for i in reports if i.channel == Channel.PATROL]
    assert len(desk) == len(DESK) and patrol
    for incident in desk:
        assert incident.description.endswith(" อ.เชียงของ"), incident.description
    for incident in reports:
        assert english_in(incident.description.removeprefix("[demo] ")) == [], incident.description
    contacts = [i.reporter_contact for i in desk if i.reporter_contact]
    assert len(contacts) == 3
    assert all(re.match(r"\[demo\] [\u0e00-\u0e7f]", c) for c in contacts), contacts
    notes = session.scalars(
        select(IncidentEvent.note).where(
            IncidentEvent.incident_id.in_([i.id for i in desk]), IncidentEvent.note.is_not(None)
        )
    ).all()
    stop_notes = session.scalars(select(PatrolStop.note).where(PatrolStop.note.is_not(None))).all()
    assert len(notes) >= 10 and stop_notes
    for note in [*notes, *stop_notes]:
        assert english_in(note) == [], note
    assert "ตรวจสอบกับสายตรวจ สภ.เชียงของ ที่ท่าเรือแล้ว" in notes
    names = dict(
        session.execute(
            select(User.role, User.display_name).where(User.username.in_(DEMO_USERNAMES.values()))
        ).all()
    )
    assert len(names) == len(Role)
    assert all(english_in(name) == [] for name in names.values()), names
    assert names[Role.COORDINATOR] == "ผู้ประสานงาน ศปก.อ. (ทดลอง)"


def test_the_coordinator_reads_the_desk_in_thai(module_app, module_session, world):
    landing = module_session.scalar(
        select(Incident.id).where(Incident.idempotency_key == desk_key(DESK[0]))
    )
    client = client_as(module_app, world, Role.COORDINATOR)
    page = client.get(f"/review/incidents/{landing}", headers={"Accept-Language": "th"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "[demo] พบเรือขนของขึ้นฝั่งหลังเที่ยงคืน ประมาณ 20 ห่อ อ.เชียงของ" in html
    assert "ตรวจสอบกับสายตรวจ สภ.เชียงของ ที่ท่าเรือแล้ว" in html
    assert "ผู้ประสานงาน ศปก.อ. (ทดลอง)" in html


def test_public_reports_have_receipts_that_tell_their_state(module_session, world):
    public = [i for i in desk_incidents(module_session) if i.channel == Channel.ONLINE_PUBLIC]
    assert len(public) >= 5
    assert all(i.receipt_code and i.reporter_id is None for i in public)
    assert sorted(i.receipt_code for i in public) == sorted(world.showcase.desk.receipts)
    states = {report_status(module_session, i.receipt_code).state for i in public}
    assert states == set(PublicState)
    assert {str(i.status) for i in public} >= {"new", "referred", "rejected", "closed", "duplicate"}


def test_new_reports_waiting_over_48_hours_are_in_the_coordinators_queue(module_session, world):
    coordinator = account(module_session, Role.COORDINATOR)
    waiting = module_session.scalar(
        select(func.count())
        .select_from(Incident)
        .where(
            Incident.district_id == coordinator.district_id,
            Incident.status == IncidentStatus.NEW,
            Incident.reported_at < ANCHOR - dt.timedelta(hours=48),
        )
    )
    assert waiting >= 5


def test_two_finished_runs_with_clusters_members_and_gistar_cells(module_session, world):
    session = module_session
    runs = session.scalars(select(HotspotRun).order_by(HotspotRun.id)).all()
    assert [r.status for r in runs] == [RunStatus.DONE, RunStatus.DONE]
    planner, hq = account(session, Role.PATROL_PLANNER), account(session, Role.HQ_ANALYST)
    coordinator = account(session, Role.COORDINATOR)
    district_run, national = runs
    assert (district_run.created_by_id, district_run.district_ids) == (
        planner.id,
        [coordinator.district_id],
    )
    assert (national.created_by_id, national.district_ids) == (hq.id, None)
    for run in runs:
        assert run.params["until"] == ANCHOR.isoformat()
        assert run.n_clusters >= 3 and run.n_incidents > 50
        assert run.gistar.startswith("Getis-Ord Gi*")
        assert run.emerging.startswith("Emerging hot spots on")
        categories = session.scalars(
            select(EmergingCell.category).where(EmergingCell.run_id == run.id).distinct()
        ).all()
        assert "no_pattern" in categories and len(categories) >= 2
        members = session.scalar(
            select(func.count())
            .select_from(HotspotMember)
            .join(Hotspot, Hotspot.id == HotspotMember.hotspot_id)
            .where(Hotspot.run_id == run.id)
        )
        assert members >= 3 * run.n_clusters
        hot = session.scalar(
            select(func.count())
            .select_from(HotspotCell)
            .where(HotspotCell.run_id == run.id, HotspotCell.bin > 0)
        )
        assert hot >= 1
    assert national.n_clusters > 40


def test_three_plans_of_three_units_and_districts_with_every_outcome(module_session, world):
    session = module_session
    plans = session.scalars(select(PatrolPlan).order_by(PatrolPlan.id)).all()
    assert len(plans) == 3 == len(world.showcase.plans)
    assert len({p.unit for p in plans}) == 3
    assert len({p.district_id for p in plans}) == 3
    coordinator = account(session, Role.COORDINATOR)
    assert plans[0].district_id == coordinator.district_id
    names = set(
        session.scalars(
            select(District.name).where(District.id.in_([p.district_id for p in plans]))
        )
    )
    assert "Aranyaprathet" in names
    for plan in plans:
        assert plan.route is not None and plan.length_m > 0
        assert ANCHOR.date() - dt.timedelta(days=7) <= plan.planned_for < ANCHOR.date()
        stops = session.scalars(
            select(PatrolStop).where(PatrolStop.plan_id == plan.id).order_by(PatrolStop.seq)
        ).all()
        assert len(stops) >= 3
        assert {s.outcome for s in stops} == set(StopOutcome)
        assert all(s.outcome_at is not None and s.outcome_by_id is not None for s in stops)
        runs = session.scalars(
            select(Hotspot.run_id).where(Hotspot.id.in_([s.hotspot_id for s in stops])).distinct()
        ).all()
        # the latest run the plan's planner may see in its district (a scoped planner never
        # gets a national run: gis.patrols.plans.latest_run_id)
        maker = session.get(User, plan.created_by_id)
        expected = latest_run_id(
            session, plan.district_id, visible_to=scope_district_ids(session, maker)
        )
        assert runs == [expected] and expected is not None
    # the officer of the demo accounts' district records its volunteers' patrol
    officer = account(session, Role.OFFICER)
    recorders = session.scalars(
        select(PatrolStop.outcome_by_id).where(PatrolStop.plan_id == plans[0].id).distinct()
    ).all()
    assert recorders == [officer.id]


def test_what_patrols_found_are_new_patrol_reports_linked_to_their_stops(module_session, world):
    session = module_session
    found = session.execute(
        select(PatrolStop, Incident)
        .join(Incident, Incident.id == PatrolStop.incident_id)
        .where(PatrolStop.outcome == StopOutcome.INCIDENT_FOUND)
    ).all()
    assert len(found) >= 3
    for stop, incident in found:
        assert incident.channel == Channel.PATROL and incident.status == IncidentStatus.NEW
        assert incident.is_demo and incident.reporter_id == stop.outcome_by_id
        assert incident.occurred_at == stop.outcome_at
    linked = session.scalars(
        select(PatrolStop.outcome).where(PatrolStop.incident_id.is_not(None))
    ).all()
    assert linked == [StopOutcome.INCIDENT_FOUND] * len(found)


def test_completing_again_makes_nothing(module_session, world):
    def counts() -> tuple[int, ...]:
        return tuple(
            module_session.scalar(select(func.count()).select_from(table))
            for table in (Incident, IncidentEvent, HotspotRun, PatrolPlan, PatrolStop)
        )

    before = counts()
    savepoint = module_session.begin_nested()
    again = complete_demo(module_session, seed=SEED, anchor=ANCHOR, key_secret=SECRET)
    assert not again.made
    assert counts() == before
    assert "nothing made" in str(again)
    savepoint.rollback()


def test_every_ogc_api_collection_has_features(module_app, world):
    client = client_as(module_app, world, Role.HQ_ANALYST)
    listed = client.get("/ogcapi/collections").get_json()
    assert {c["id"] for c in listed["collections"]} == set(COLLECTIONS)
    for cid in COLLECTIONS:
        resp = client.get(f"/ogcapi/collections/{cid}/items?limit=2")
        assert resp.status_code == 200, (cid, resp.get_data(as_text=True))
        assert resp.get_json()["features"], cid


@pytest.mark.parametrize(
    ("role", "collections"),
    [
        (Role.PATROL_PLANNER, ("hotspots", "hexagon_cells", "patrol_plans", "incidents")),
        (Role.COORDINATOR, ("hotspots", "hexagon_cells", "patrol_plans", "incidents")),
        (Role.OFFICER, ("patrol_plans", "incidents")),
        (Role.ADMINISTRATOR, ("hotspots", "hexagon_cells", "incidents")),
    ],
)
def test_the_district_roles_collections_have_features(module_app, world, role, collections):
    client = client_as(module_app, world, role)
    for cid in collections:
        resp = client.get(f"/ogcapi/collections/{cid}/items?limit=2")
        assert resp.status_code == 200, (cid, resp.get_data(as_text=True))
        assert resp.get_json()["features"], (role, cid)


@pytest.mark.parametrize(
    "role", [Role.PATROL_PLANNER, Role.COORDINATOR, Role.HQ_ANALYST, Role.ADMINISTRATOR]
)
def test_every_role_that_sees_hotspots_has_a_run_and_its_layers(module_app, world, role):
    client = client_as(module_app, world, role)
    runs = client.get("/api/hotspots/runs?latest=1").get_json()["runs"]
    assert len(runs) == 1 and runs[0]["status"] == "done"
    for layer in ("hotspots", "gistar"):
        resp = client.get(f"/api/layers/{layer}?{EVERYWHERE}")
        assert resp.status_code == 200, resp.get_data(as_text=True)
        assert json.loads(resp.get_data())["features"], (role, layer)


@pytest.mark.parametrize(
    "role", [Role.PATROL_PLANNER, Role.COORDINATOR, Role.HQ_ANALYST, Role.OFFICER]
)
def test_the_planner_and_patrol_pages_have_hotspots_and_plans(module_app, world, role):
    client = client_as(module_app, world, role)
    ranked = client.get("/api/patrols/hotspots").get_json()
    assert ranked["run"] is not None and ranked["items"]
    plans = client.get("/api/patrols").get_json()["items"]
    assert plans and all(p["stops_done"] == p["stops"] > 0 for p in plans)
    detail = client.get(f"/api/patrols/{plans[0]['id']}").get_json()
    assert {f["properties"]["outcome"] for f in detail["stops"]["features"]} == {
        o.value for o in StopOutcome
    }
    coverage = client.get(f"/api/layers/coverage?{EVERYWHERE}")
    assert coverage.status_code == 200 and json.loads(coverage.get_data())["features"]


def test_the_officers_patrol_sheet_prints(module_app, world):
    client = client_as(module_app, world, Role.OFFICER)
    plan = client.get("/api/patrols").get_json()["items"][0]
    assert plan["district"]["name"] == "Chiang Khong"
    resp = client.get(f"/patrols/{plan['id']}/sheet")
    assert resp.status_code == 200, resp.get_data(as_text=True)


def test_the_coordinators_queue_has_every_status_and_history(module_app, world):
    client = client_as(module_app, world, Role.COORDINATOR)
    statuses = {}
    for status in IncidentStatus:
        body = client.get(f"/api/review/incidents?status={status.value}").get_json()
        statuses[status.value] = body["total"]
    assert all(statuses.values()), statuses
    duplicate = client.get("/api/review/incidents?status=duplicate").get_json()["items"][0]
    events = client.get(f"/api/incidents/{duplicate['id']}/history").get_json()["events"]
    assert [e["action"] for e in events] == ["created", "mark_duplicate"]
    assert client.get("/review").status_code == 200
    assert client.get(f"/review/incidents/{duplicate['id']}").status_code == 200


def test_the_desk_lies_near_the_border_and_depends_on_the_seed(module_session, world):
    coordinator = account(module_session, Role.COORDINATOR)
    places = desk_places(module_session, coordinator.district_id, 6, SEED)
    assert places == desk_places(module_session, coordinator.district_id, 6, SEED)
    assert places != desk_places(module_session, coordinator.district_id, 6, SEED + 1)
    far = module_session.scalar(
        select(func.max(Incident.border_distance_m)).where(
            Incident.id.in_([i.id for i in desk_incidents(module_session)])
        )
    )
    assert far < 4_500


def test_report_reads_well(world):
    text_ = str(world.showcase)
    assert "triage desk in Chiang Khong: 16 reports" in text_
    assert "/report/" in text_
    assert text_.count("hotspot run: ") == 2 and text_.count("patrol plan: ") == 3
    assert "village_security_volunteers" in text_


def test_history_names_the_original_of_a_duplicate(module_session, world):
    original = aliased(Incident)
    rows = module_session.execute(
        select(IncidentEvent.changes, original.id.label("original"))
        .join(Incident, Incident.id == IncidentEvent.incident_id)
        .join(original, original.id == Incident.duplicate_of_id)
        .where(IncidentEvent.action == "mark_duplicate")
    ).all()
    assert len(rows) == 2
    assert all(row.changes == {"duplicate_of": row.original} for row in rows)
