"""Demo data: repeatable, realistic synthetic incidents and crossing paths on the real layers."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import numpy as np
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gis.models import (
    District,
    HotspotRun,
    Incident,
    IncidentEvent,
    NaturalCrossing,
    PatrolPlan,
)
from seeds.demo import (
    DemoReport,
    default_anchor,
    generate_demo,
    has_incidents,
    random_streams,
    read_geography,
)
from seeds.demo_incidents import PG_EPOCH, idempotency_keys, synthesize
from seeds.demo_model import plan_sites
from seeds.demo_profiles import CATEGORIES
from tests.webapp.thai_text import english_in

pytestmark = pytest.mark.db

ANCHOR = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
N = 3_000
#: Incidents of the showcase's tests: enough for hotspots in the districts of the three plans.
SHOWCASE_N = 10_000

CHECKSUM = text(
    """
    SELECT md5(string_agg(concat_ws('|', idempotency_key, category, status, channel, severity,
                                    occurred_at, reported_at, description, district_id,
                                    round(border_distance_m::numeric, 3), nearest_checkpoint_id,
                                    round(nearest_checkpoint_m::numeric, 3),
                                    round(nearest_crossing_m::numeric, 3),
                                    encode(ST_AsEWKB(geom), 'hex')),
                          ',' ORDER BY idempotency_key)) AS incidents,
           (SELECT md5(string_agg(code || ST_AsText(geom), ',' ORDER BY code))
              FROM natural_crossing WHERE is_demo) AS crossings
      FROM incident WHERE is_demo
    """
)


def generate(session: Session, n: int = N, seed: int = 7) -> DemoReport:
    return generate_demo(session, incidents=n, seed=seed, anchor=ANCHOR)


def incident_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident))


def generated_count(session: Session) -> int:
    """The generated incidents: those without a history (the showcase's reports have one)."""
    reported = select(IncidentEvent.incident_id)
    return session.scalar(
        select(func.count()).select_from(Incident).where(Incident.id.not_in(reported))
    )


def counts_by(session: Session, column) -> dict:
    return dict(session.execute(select(column, func.count()).group_by(column)).all())


@pytest.fixture
def demo(session: Session) -> DemoReport:
    return generate(session)


def test_same_seed_gives_the_same_rows_and_another_seed_other_rows(session):
    sums = []
    for seed in (7, 7, 8):
        savepoint = session.begin_nested()
        report = generate(session, seed=seed)
        assert report.inserted == N
        sums.append(tuple(session.execute(CHECKSUM).one()))
        savepoint.rollback()
    assert sums[0] == sums[1]
    assert sums[2][0] != sums[0][0]
    assert sums[2][1] != sums[0][1]


def test_rerunning_a_seed_stores_incidents_and_crossings_once(session, demo):
    crossings = session.scalar(select(func.count()).select_from(NaturalCrossing))
    again = generate(session)
    assert again.inserted == 0
    assert (again.crossings_inserted, again.crossings_updated) == (0, 0)
    assert incident_count(session) == N
    assert session.scalar(select(func.count()).select_from(NaturalCrossing)) == crossings
    assert "3,000 already present" in str(again)


def test_loaded_rows_are_the_generated_ones(session, demo):
    """The binary COPY round trip: the database holds exactly what numpy drew."""
    world, _, rows, keys = random_streams(7, N)
    geo = read_geography(session)
    data = synthesize(rows, geo, plan_sites(world, geo), N, ANCHOR)
    expected = np.bincount(data.category, minlength=len(CATEGORIES))
    assert demo.categories == {c.value: int(k) for c, k in zip(CATEGORIES, expected, strict=True)}
    stored = set(session.scalars(select(Incident.idempotency_key)))
    assert stored == {uuid.UUID(bytes=k.tobytes()) for k in idempotency_keys(keys, N)}
    assert {k.version for k in stored} == {4}
    occurred = session.execute(
        select(func.min(Incident.occurred_at), func.max(Incident.occurred_at))
    ).one()
    to_dt = [PG_EPOCH + dt.timedelta(microseconds=int(v)) for v in data.occurred_us]
    assert occurred == (min(to_dt), max(to_dt))


def test_all_categories_channels_and_statuses_in_plausible_proportions(session, demo):
    assert demo.inserted == N == sum(demo.categories.values())
    rows = counts_by(session, Incident.category)
    assert {str(c) for c in rows} == {c.value for c in CATEGORIES}
    statuses = counts_by(session, Incident.status)
    assert max(statuses, key=statuses.get) == "verified"
    assert statuses["verified"] > N / 2
    assert "duplicate" not in statuses
    assert {"new", "rejected"} <= set(statuses)
    channels = session.scalars(select(Incident.channel).distinct()).all()
    assert len(channels) == 5
    facts = session.execute(
        select(
            func.min(Incident.severity),
            func.max(Incident.severity),
            func.bool_and(Incident.is_demo),
            func.count(Incident.duplicate_of_id),
            func.bool_and(Incident.description.like("[demo] %")),
        )
    ).one()
    assert tuple(facts) == (1, 5, True, 0, True)


def test_mixes_follow_the_places(session, demo):
    near_mekong = text(
        """
        SELECT i.category, count(*) FROM incident i
         WHERE EXISTS (SELECT 1 FROM border_piece p
                         JOIN border_segment b ON b.id = p.segment_id AND b.kind = 'mekong_river'
                        WHERE ST_DWithin(p.geom, ST_Transform(i.geom, 32648), 3000))
         GROUP BY 1 ORDER BY 2 DESC
        """
    )
    assert session.execute(near_mekong).first()[0] == "drug_trafficking"
    near_khm_checkpoints = text(
        """
        SELECT avg((i.category IN ('smuggling', 'vehicle_theft'))::int) FROM incident i
          JOIN checkpoint c ON c.id = i.nearest_checkpoint_id
         WHERE c.neighbour = 'KHM' AND i.nearest_checkpoint_m < 1500
        """
    )
    assert session.scalar(near_khm_checkpoints) > 0.4


def test_every_incident_lies_in_its_target_district(session, demo):
    misplaced = text(
        """
        SELECT count(*) FROM incident i
         WHERE NOT EXISTS (SELECT 1 FROM district d
                            WHERE d.id = i.district_id AND d.target
                              AND ST_Covers(d.geom, i.geom))
        """
    )
    assert session.scalar(misplaced) == 0


def test_derived_distances_agree_with_geodesic_ones(session, demo):
    nulls = session.execute(
        select(
            func.count()
            .filter(
                (Incident.border_distance_m.is_(None))
                | (Incident.nearest_checkpoint_m.is_(None))
                | (Incident.nearest_crossing_m.is_(None))
            )
            .label("n")
        )
    ).scalar()
    assert nulls == 0
    sample = text(
        """
        SELECT i.border_distance_m, i.nearest_checkpoint_m, i.nearest_crossing_m,
               (SELECT min(ST_Distance(b.geom::geography, i.geom::geography))
                  FROM border_segment b) AS border,
               (SELECT min(ST_Distance(c.geom::geography, i.geom::geography))
                  FROM checkpoint c) AS checkpoint,
               (SELECT min(ST_Distance(n.geom::geography, i.geom::geography))
                  FROM natural_crossing n) AS crossing
          FROM incident i ORDER BY i.idempotency_key LIMIT 150
        """
    )
    for row in session.execute(sample):
        for stored, geodesic in ((row[0], row[3]), (row[1], row[4]), (row[2], row[5])):
            assert stored == pytest.approx(geodesic, rel=0.01, abs=2.0)


def test_times_span_two_years_before_the_anchor_with_night_crossings(session, demo):
    first, last, ordered = session.execute(
        select(
            func.min(Incident.occurred_at),
            func.max(Incident.reported_at),
            func.bool_and(Incident.occurred_at <= Incident.reported_at),
        )
    ).one()
    assert first >= ANCHOR - dt.timedelta(days=730)
    assert first < ANCHOR - dt.timedelta(days=700)
    assert last <= ANCHOR
    assert ordered
    night = text(
        """
        SELECT avg((extract(hour FROM occurred_at AT TIME ZONE 'Asia/Bangkok')
                    NOT BETWEEN 5 AND 18)::int)
          FROM incident WHERE category = :category
        """
    )
    # 19:00-04:59 is 10 hours of 24 (42 %): crossings are night-heavy, fraud is reported by day.
    assert session.scalar(night, {"category": "illegal_entry"}) > 0.55
    assert session.scalar(night, {"category": "online_fraud"}) < 0.3


def test_incidents_cluster_near_checkpoints_and_the_border(session, demo):
    """Against as many uniform random points in the same districts (PostGIS, fixed seed);
    distances in UTM 48N through the metric copies (checked against geodesic ones above)."""
    medians = text(
        """
        WITH uniform AS (
            SELECT (ST_Dump(ST_GeneratePoints(geom, greatest(1, round(
                       :n * ST_Area(geom::geography) / sum(ST_Area(geom::geography)) OVER ())
                   )::int, 11))).geom AS geom
              FROM district WHERE target),
        pts AS (SELECT 'uniform' AS kind, geom FROM uniform
                UNION ALL SELECT 'demo', geom FROM incident)
        SELECT kind,
               percentile_cont(0.25) WITHIN GROUP (ORDER BY (
                   SELECT ST_Distance(c.geom_m, p.geom_m) FROM checkpoint c
                    ORDER BY c.geom_m <-> p.geom_m LIMIT 1)) AS checkpoint,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY (
                   SELECT ST_Distance(b.geom, p.geom_m) FROM border_piece b
                    ORDER BY b.geom <-> p.geom_m LIMIT 1)) AS border
          FROM (SELECT kind, ST_Transform(geom, 32648) AS geom_m FROM pts) p GROUP BY kind
        """
    )
    stats = {row.kind: row for row in session.execute(medians, {"n": N})}
    # Lower quartile to checkpoints (a quarter of the incidents cluster there), median to border.
    assert stats["demo"].checkpoint < 0.3 * stats["uniform"].checkpoint
    assert stats["demo"].border < 0.3 * stats["uniform"].border


def test_neighbours_are_much_closer_than_for_uniform_points(session, demo):
    nearest = text(
        """
        WITH uniform AS (
            SELECT row_number() OVER () AS id, geom FROM (
                SELECT (ST_Dump(ST_GeneratePoints(geom, greatest(1, round(
                           :n * ST_Area(geom::geography) / sum(ST_Area(geom::geography)) OVER ())
                       )::int, 5))).geom AS geom
                  FROM district WHERE target) AS points)
        SELECT (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (
                    SELECT ST_Distance(o.geom::geography, i.geom::geography) FROM incident o
                     WHERE o.id <> i.id ORDER BY o.geom <-> i.geom LIMIT 1)) FROM incident i),
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY (
                    SELECT ST_Distance(o.geom::geography, u.geom::geography) FROM uniform o
                     WHERE o.id <> u.id ORDER BY o.geom <-> u.geom LIMIT 1)) FROM uniform u)
        """
    )
    demo_nn, uniform_nn = session.execute(nearest, {"n": N}).one()
    assert demo_nn < 0.25 * uniform_nn


def test_demo_crossings_cross_the_border_and_are_marked(session, demo):
    rows = session.execute(
        text(
            """
            SELECT n.code, n.is_demo, n.source, n.properties, n.description,
                   ST_Length(n.geom::geography) AS length_m,
                   EXISTS (SELECT 1 FROM border_segment b WHERE ST_Intersects(b.geom, n.geom))
                       AS crosses,
                   EXISTS (SELECT 1 FROM district d WHERE d.target
                             AND ST_Covers(d.geom, ST_StartPoint(ST_GeometryN(n.geom, 1))))
                       AS starts_in_thailand,
                   EXISTS (SELECT 1 FROM district d
                            WHERE ST_Covers(d.geom, ST_EndPoint(ST_GeometryN(n.geom, 1))))
                       AS ends_in_thailand
              FROM natural_crossing n ORDER BY n.code
            """
        )
    ).all()
    assert 8 <= len(rows) <= 15
    assert len(rows) == demo.crossings
    for row in rows:
        assert row.code.startswith("demo-s7-")
        assert row.is_demo and row.source == "demo"
        assert row.properties["demo"] is True
        assert "ไม่ใช่ช่องทางจริง" in row.description  # not a real crossing
        assert 1_000 <= row.length_m <= 5_000
        assert row.crosses and row.starts_in_thailand and not row.ends_in_thailand
    # The incidents' nearest crossing is one of these paths.
    assert session.scalar(select(func.count(Incident.nearest_crossing_id.distinct()))) >= 2


def test_descriptions_are_thai_and_name_the_district_in_thai(session, demo):
    """Every description is one of the Thai templates, filled with a quantity and the Thai name
    of the district the incident lies in, after the ``[demo] `` mark."""
    wrong = text(
        """
        SELECT i.description FROM incident i JOIN district d ON d.id = i.district_id
         WHERE i.description NOT LIKE '[demo] %'
            OR right(i.description, char_length(d.name_th) + 3) <> ' อ.' || d.name_th
            OR substr(i.description, 8) ~ '[A-Za-z]'
            OR i.description !~ '[0-9]'
         LIMIT 5
        """
    )
    assert session.scalars(wrong).all() == []
    texts = session.scalar(select(func.count(Incident.description.distinct())))
    assert texts > N / 2  # quantities and districts vary
    chiang_khong = session.scalars(
        text(
            "SELECT i.description FROM incident i JOIN district d ON d.id = i.district_id"
            " WHERE d.name = 'Chiang Khong' LIMIT 1"
        )
    ).one()
    assert chiang_khong.endswith(" อ.เชียงของ")


def test_demo_crossings_are_named_in_thai(session, demo):
    named = re.compile(r"เส้นทางสาธิตที่ \d+ \(อ\.\S+ ข้าม(แม่น้ำโขง|พรมแดนทางบก)\)")
    rows = session.execute(select(NaturalCrossing.name, NaturalCrossing.description)).all()
    assert len(rows) == demo.crossings
    for name, description in rows:
        assert named.fullmatch(name), name
        assert english_in(f"{name} {description}") == []
    thai_names = set(session.scalars(select(District.name_th).where(District.target)))
    assert {re.search(r"อ\.(\S+)", name)[1] for name, _ in rows} <= thai_names
    assert any("แม่น้ำโขง" in name for name, _ in rows)


def test_zero_incidents_still_makes_the_crossings(session):
    report = generate(session, n=0)
    assert report.inserted == 0 and report.crossings >= 8
    assert not has_incidents(session)
    assert session.scalar(select(func.count()).select_from(NaturalCrossing)) == report.crossings


def test_default_anchor_is_today_at_midnight_utc():
    bangkok = dt.timezone(dt.timedelta(hours=7))
    assert default_anchor(dt.datetime(2026, 5, 3, 17, 45, tzinfo=bangkok)) == dt.datetime(
        2026, 5, 3, tzinfo=dt.UTC
    )
    assert default_anchor(dt.datetime(2026, 5, 4, 6, 59, tzinfo=bangkok)) == dt.datetime(
        2026, 5, 3, tzinfo=dt.UTC
    )


def test_has_incidents(session):
    assert not has_incidents(session)
    generate(session, n=200)
    assert has_incidents(session)


def test_report_reads_well(demo):
    text_ = str(demo)
    assert "seed 7" in text_ and "2026-03-01" in text_
    assert f"{N:,} inserted of {N:,} requested" in text_
    for category in CATEGORIES:
        assert f"{category.value} " in text_
    assert demo.seconds > 0


def test_cli_demo_if_empty_does_nothing_when_incidents_exist(app, session):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--incidents", "400", "--seed", "3", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "400 inserted of 400 requested" in first.output
    assert generated_count(session) == 400
    stored = incident_count(session)  # with the showcase's reports
    again = runner.invoke(args=["demo", "--incidents", "400", "--seed", "4", "--if-empty"])
    assert again.exit_code == 0, again.output
    assert "nothing generated" in again.output
    assert incident_count(session) == stored
    more = runner.invoke(args=["demo", "--incidents", "300", "--seed", "4", "--no-progress"])
    assert more.exit_code == 0, more.output
    assert generated_count(session) == 700


def test_cli_demo_anchor_sets_the_end_of_the_window(app, session):
    result = app.test_cli_runner().invoke(
        args=[
            "demo",
            "--incidents",
            "300",
            "--seed",
            "5",
            "--anchor",
            "2025-01-01",
            "--no-progress",
        ]
    )
    assert result.exit_code == 0, result.output
    first, last = session.execute(
        select(func.min(Incident.occurred_at), func.max(Incident.occurred_at))
    ).one()
    anchor = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert last <= anchor
    assert first >= anchor - dt.timedelta(days=731)
    assert last > anchor - dt.timedelta(days=60)
    bad = app.test_cli_runner().invoke(args=["demo", "--anchor", "01/01/2025"])
    assert bad.exit_code == 2 and "--anchor" in bad.output


def test_cli_demo_creates_one_account_per_role_and_info_prints_them(app, session):
    from gis.models import User

    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "--incidents", "50", "--seed", "9", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "demo accounts created" in result.output
    roles = set(session.execute(select(User.role).where(User.username.like("demo-%"))).scalars())
    assert {str(r) for r in roles} == {
        "administrator", "hq_analyst", "patrol_planner", "coordinator", "officer", "volunteer"
    }  # fmt: skip
    info = runner.invoke(args=["info", "--url", "http://127.0.0.1:5000"])
    assert info.exit_code == 0
    for username in ("demo-admin", "demo-hq", "demo-planner", "demo-coordinator",
                     "demo-officer", "demo-volunteer"):  # fmt: skip
        assert f"{username} / " in info.output
    # The printed password signs in.
    line = next(x for x in info.output.splitlines() if "demo-officer / " in x)
    password = line.split(" / ")[1].strip()
    from tests.webapp.signin import sign_in

    client = app.test_client()
    assert sign_in(client, "demo-officer", password).status_code == 302
    again = runner.invoke(args=["demo", "--incidents", "50", "--seed", "9", "--if-empty"])
    assert "demo accounts created" not in again.output


# --------------------------------------------------------------------------- the showcase

#: What the showcase makes, without ids, the database's clock or receipt codes (secret by
#: design; their presence is checked): runs and their hotspots, members and Gi* cells, plans and
#: their stops, and the reports with a history (the desk's and the patrols') with that history.
SHOWCASE_CHECKSUM = text(
    """
    SELECT
      (SELECT md5(string_agg(concat_ws('|', u.username, r.params::text, r.status, r.engine,
                                       r.n_incidents, r.n_clusters, r.gistar, r.district_ids),
                             ',' ORDER BY r.id))
         FROM hotspot_run r LEFT JOIN app_user u ON u.id = r.created_by_id) AS runs,
      (SELECT md5(string_agg(concat_ws('|', u.username, h.rank, h.n_incidents,
                                       round(h.score::numeric, 9), h.categories::text,
                                       h.first_seen, h.last_seen, h.trend, h.district_ids::text,
                                       h.nearest_crossing_m, ST_AsText(h.hull),
                                       (SELECT string_agg(i.idempotency_key::text, ','
                                                          ORDER BY i.idempotency_key)
                                          FROM hotspot_member m
                                          JOIN incident i ON i.id = m.incident_id
                                         WHERE m.hotspot_id = h.id)),
                             ',' ORDER BY r.id, h.rank))
         FROM hotspot h JOIN hotspot_run r ON r.id = h.run_id
         LEFT JOIN app_user u ON u.id = r.created_by_id) AS hotspots,
      (SELECT md5(string_agg(concat_ws('|', c.i, c.j, c.n, round(c.z::numeric, 9), c.bin),
                             ',' ORDER BY c.run_id, c.i, c.j))
         FROM hotspot_cell c) AS cells,
      (SELECT md5(string_agg(concat_ws('|', d.pcode, p.unit, p.planned_for, p.window_start,
                                       p.window_end, p.start_checkpoint_id, round(p.length_m),
                                       u.username, s.seq, h.rank, s.outcome, s.outcome_at,
                                       s.note, o.username, f.idempotency_key,
                                       ST_AsText(s.geom)),
                             ',' ORDER BY p.id, s.seq))
         FROM patrol_plan p JOIN district d ON d.id = p.district_id
         JOIN app_user u ON u.id = p.created_by_id
         JOIN patrol_stop s ON s.plan_id = p.id
         LEFT JOIN hotspot h ON h.id = s.hotspot_id
         LEFT JOIN app_user o ON o.id = s.outcome_by_id
         LEFT JOIN incident f ON f.id = s.incident_id) AS plans,
      (SELECT md5(string_agg(concat_ws('|', i.idempotency_key, i.status, i.category, i.channel,
                                       i.severity, i.occurred_at, i.description, u.username,
                                       i.reporter_contact, i.referred_to, o.idempotency_key,
                                       i.district_id, i.is_demo, i.receipt_code IS NOT NULL,
                                       ST_AsText(i.geom),
                                       (SELECT string_agg(concat_ws(':', e.action, e.from_status,
                                                                    e.to_status, e.note,
                                                                    a.username, e.changes
                                                                        ->> 'referred_to'),
                                                          ';' ORDER BY e.id)
                                          FROM incident_event e
                                          LEFT JOIN app_user a ON a.id = e.actor_id
                                         WHERE e.incident_id = i.id)),
                             ',' ORDER BY i.idempotency_key))
         FROM incident i LEFT JOIN app_user u ON u.id = i.reporter_id
         LEFT JOIN incident o ON o.id = i.duplicate_of_id
        WHERE EXISTS (SELECT 1 FROM incident_event e WHERE e.incident_id = i.id)
          AND i.channel <> 'line') AS reports,
      -- the LINE chats' reports: their idempotency key is the conversation's own (random)
      (SELECT md5(string_agg(concat_ws('|', i.status, i.category, i.occurred_at, i.description,
                                       i.reporter_contact, i.updates_consent, i.district_id,
                                       ST_AsText(i.geom)),
                             ',' ORDER BY i.reporter_contact))
         FROM incident i WHERE i.channel = 'line') AS line_reports
    """
)


def test_same_seed_makes_the_same_showcase(session):
    from gis.accounts.users import ensure_demo_accounts
    from seeds.demo_showcase import complete_demo

    ensure_demo_accounts(session)
    sums = []
    for _ in range(2):
        savepoint = session.begin_nested()
        generate(session, n=SHOWCASE_N, seed=42)
        made = complete_demo(session, seed=42, anchor=ANCHOR, key_secret=b"test")
        assert len(made.runs) == 2 and len(made.plans) == 3 and made.desk.made == 16
        row = session.execute(SHOWCASE_CHECKSUM).one()
        assert all(row), row._asdict()
        sums.append(tuple(row))
        savepoint.rollback()
    assert sums[0] == sums[1]


def test_cli_demo_if_empty_completes_a_data_set_made_before_the_showcase(app, session):
    """A data set of incidents only (as ``borderwatch demo`` made before the showcase) gets the
    showcase on the next ``make run``, and the incidents are left as they are."""
    generate(session, n=SHOWCASE_N, seed=42)
    runner = app.test_cli_runner()
    args = ["demo", "--incidents", str(SHOWCASE_N), "--seed", "42", "--if-empty"]
    args += ["--anchor", f"{ANCHOR:%Y-%m-%d}", "--no-progress"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "adding what the demo accounts do" in result.output
    assert "inserted of" not in result.output
    assert generated_count(session) == SHOWCASE_N
    made = {
        "runs": session.scalar(select(func.count()).select_from(HotspotRun)),
        "plans": session.scalar(select(func.count()).select_from(PatrolPlan)),
        "reports": incident_count(session) - SHOWCASE_N,
    }
    assert made["runs"] == 2 and made["plans"] == 3 and made["reports"] >= 16
    again = runner.invoke(args=args)
    assert again.exit_code == 0, again.output
    assert "nothing generated" in again.output
    assert session.scalar(select(func.count()).select_from(HotspotRun)) == made["runs"]
    assert session.scalar(select(func.count()).select_from(PatrolPlan)) == made["plans"]
    assert incident_count(session) - SHOWCASE_N == made["reports"]


def test_cli_demo_if_empty_leaves_a_database_with_real_reports_alone(app, session):
    from tests.factories import make_incident

    make_incident(session)
    result = app.test_cli_runner().invoke(
        args=["demo", "--incidents", "300", "--seed", "3", "--if-empty", "--no-progress"]
    )
    assert result.exit_code == 0, result.output
    assert "nothing generated" in result.output
    assert incident_count(session) == 1
    assert session.scalar(select(func.count()).select_from(HotspotRun)) == 0
    assert session.scalar(select(func.count()).select_from(PatrolPlan)) == 0


def test_cli_demo_refuses_an_anchor_in_the_future_and_stores_nothing(app, session):
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    result = app.test_cli_runner().invoke(
        args=["demo", "--incidents", "50", "--seed", "3", "--anchor", tomorrow, "--no-progress"]
    )
    assert result.exit_code == 1
    assert "anchor lies in the future" in result.output
    assert not has_incidents(session)
