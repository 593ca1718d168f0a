"""The demo coordinator's desk: reports of the last days, triaged into every status.

Sixteen reports in the demo coordinator's district (:data:`DESK`), near its border: made by the
demo officer and volunteer (the officer app), by citizens at the MWCC desk (walk-ins the
coordinator takes) and on the hotline (a call the officer takes), and by the public (anonymous,
with receipt codes), each stored by the reporting code
(:func:`gis.incidents.reports.create_incident`, :func:`gis.incidents.desk.record_desk_report`,
:func:`gis.incidents.public.create_public_report`) with its "created" history entry, then
triaged by the demo coordinator through :func:`gis.incidents.triage.take_action`: verified,
rejected, marked as the duplicate of another, referred to an agency, closed, and five left new.
Every action is a history entry by the coordinator. The reports are flagged ``is_demo`` like
the generated incidents. Their texts, the coordinator's notes and the public's contacts are in
Thai, as people write them in a district office, with the district's Thai name (``อ.เชียงของ``).

Repeatable: the places come from PostGIS's ``ST_GeneratePoints`` seeded with the demo seed
(within :data:`BAND_M` of the district's border) and the times count back from the anchor. The
keys come from the reports' labels (:func:`desk_key`), whatever the seed: the desk is made once
per database, and a report whose key is stored already is left as it is (its actions are not
taken again). What the database sets when a report arrives (``reported_at``, the history's
times, the receipt codes, which are secret by design) differs from one making to the next.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import shapely
from geoalchemy2.shape import to_shape
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gis.incidents.desk import parse_desk_report, record_desk_report
from gis.incidents.public import create_public_report
from gis.incidents.reports import create_incident, parse_incident
from gis.incidents.triage import ActionInput, take_action
from gis.models import BorderSegment, District, Incident
from gis.reference.districts import DEFAULT_MAX_DISTANCE_M
from gis.types import Agency, Channel, IncidentCategory
from seeds.demo_cast import Cast, demo_key

C = IncidentCategory
#: Reports lie within this many metres of the district's border (if it has one).
BAND_M = 4_000.0
#: A report made "near" another lies this many degrees (about 80 m) north-east of it.
NEAR_OFFSET = 0.0005
PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class Step:
    """A triage action of the coordinator."""

    action: str
    note: str | None = None  # "{district}" is filled in
    agency: Agency | None = None
    duplicate_of: str | None = None  # the label of the original report


@dataclass(frozen=True, slots=True)
class DeskReport:
    """A scripted report: who reports what, how long before the anchor, and its triage."""

    label: str
    category: IncidentCategory
    by: str  # "officer", "volunteer", "coordinator" (a walk-in), "hotline" or "public"
    severity: int
    hours_ago: float
    text: str  # "{district}" is filled in
    steps: tuple[Step, ...] = ()
    contact: str | None = None  # the citizens' reports only (public, desk, hotline)
    near: str | None = None  # the label of the report this one is made next to


#: What each reporter's report arrives by.
CHANNELS = {
    "officer": Channel.OFFICER_APP,
    "volunteer": Channel.OFFICER_APP,
    "coordinator": Channel.MWCC_WALK_IN,
    "hotline": Channel.HOTLINE,
    PUBLIC: Channel.ONLINE_PUBLIC,
}
#: Who takes the citizens' reports at the MWCC desk and on the hotline (a :class:`Cast` member).
TAKERS = {"coordinator": "coordinator", "hotline": "officer"}

#: The desk, in the order the reports arrive: in Thai, as reporters, officers and the
#: coordinator write them; "{district}" is filled with the district's Thai name.
DESK: tuple[DeskReport, ...] = (
    DeskReport(
        "landing", C.DRUG_TRAFFICKING, "officer", 4, 30,
        "[demo] พบเรือขนของขึ้นฝั่งหลังเที่ยงคืน ประมาณ 20 ห่อ อ.{district}",
        (Step("verify", "ตรวจสอบกับสายตรวจ สภ.{district} ที่ท่าเรือแล้ว"),),
    ),
    DeskReport(
        "landing-seen", C.DRUG_TRAFFICKING, PUBLIC, 3, 28,
        "[demo] เห็นคนขนของลงจากเรือตอนกลางคืนแถวท่าน้ำของหมู่บ้าน อ.{district}",
        (Step("mark_duplicate", "เป็นเรือลำเดียวกับที่เจ้าหน้าที่อำเภอรายงานไว้",
              duplicate_of="landing"),),
        contact="[demo] โทร 080-000-0001", near="landing",
    ),
    DeskReport(
        "cattle", C.SMUGGLING, "volunteer", 2, 75,
        "[demo] มีการต้อนวัวประมาณ 15 ตัว ข้ามแดนนอกจุดผ่านแดน อ.{district}",
        (Step("verify", "ชรบ. 2 นาย พบรอยกีบวัวที่ริมตลิ่งแล้ว"),),
    ),
    DeskReport(
        "cattle-again", C.SMUGGLING, "officer", 2, 70,
        "[demo] พบการต้อนวัวลงไปริมตลิ่งช่วงพลบค่ำ อ.{district}",
        (Step("mark_duplicate", "เป็นฝูงวัวเดียวกับที่ ชรบ. รายงานไว้", duplicate_of="cattle"),),
        near="cattle",
    ),
    DeskReport(
        "forest-path", C.ILLEGAL_ENTRY, PUBLIC, 3, 96,
        "[demo] เห็นคนประมาณ 8 คน เดินลัดป่าเข้ามาตอนเช้ามืด อ.{district}",
        (
            Step("verify", "ชรบ. ตรวจพบรอยเท้าและที่พักแรมในป่าแล้ว"),
            Step("refer", "ส่งเรื่องให้ ตม. ดำเนินการต่อ", agency=Agency.IMMIGRATION),
        ),
    ),
    DeskReport(
        "broker", C.HUMAN_TRAFFICKING, "coordinator", 5, 120,
        "[demo] ญาติมาแจ้งว่าหญิงสาว 4 คน ถูกนายหน้าพาข้ามแดนไปทำงาน อ.{district}",
        (
            Step(
                "refer",
                "ส่งเรื่องต่อ บก.ปคม. ภายในวันเดียวกัน",
                agency=Agency.ANTI_TRAFFICKING,
            ),
        ),
    ),
    DeskReport(
        "motorcycles", C.VEHICLE_THEFT, PUBLIC, 2, 140,
        "[demo] รถจักรยานยนต์ถูกขโมย 2 คันเมื่อคืน มีคนเห็นขับไปทางริมแม่น้ำ อ.{district}",
        (
            Step("verify", "ผู้เสียหายแจ้งความไว้ที่ สภ.{district} แล้ว"),
            Step("close", "ได้รถจักรยานยนต์คืนครบทั้ง 2 คันที่ท่าเรือ"),
        ),
        contact="[demo] ไลน์ไอดี demo-reporter-2",
    ),
    DeskReport(
        "courier", C.DRUG_TRAFFICKING, "officer", 4, 190,
        "[demo] สกัดจับผู้ลำเลียงขี่รถจักรยานยนต์ พร้อมยาบ้า 200 มัด อ.{district}",
        (
            Step("verify"),
            Step("refer", "สภ.{district} รับเรื่องไว้ดำเนินคดีแล้ว", agency=Agency.POLICE),
            Step("close", "จับกุมผู้ลำเลียงได้ และส่งสำนวนให้พนักงานอัยการแล้ว"),
        ),
    ),
    DeskReport(
        "scam-call", C.ONLINE_FRAUD, PUBLIC, 2, 50,
        "[demo] มีคนโทรมาอ้างว่าเป็นเจ้าหน้าที่ธนาคาร ขอเลขที่บัญชีของผม อ.{district}",
        (Step("reject", "เป็นแก๊งคอลเซ็นเตอร์ ไม่ใช่เหตุชายแดน แนะนำให้ผู้แจ้งโทรสายด่วน"
              "ตำรวจไซเบอร์ 1441 แล้ว"),),
    ),
    DeskReport(
        "rumour", C.OTHER, PUBLIC, 1, 80,
        "[demo] ได้ยินว่ามีคนแปลกหน้ามาพักในบ้านร้างข้างวัด อ.{district}",
        (Step("reject", "ผู้ใหญ่บ้านตรวจสอบแล้ว เป็นญาติมาเยี่ยมช่วงงานบุญ"),),
    ),
    DeskReport(
        "workers", C.HUMAN_TRAFFICKING, "officer", 4, 36,
        "[demo] เรียกตรวจรถตู้ที่สี่แยก พบแรงงานไม่มีเอกสาร 9 คน อ.{district}",
        (Step("verify", "ตรวจสอบตัวบุคคลที่ป้อมตำรวจแล้ว"),),
    ),
    DeskReport(
        "trucks", C.SMUGGLING, "officer", 3, 60,
        "[demo] รถบรรทุก 3 คัน ขนกระสอบลงข้างทางนอกเวลาเปิดจุดผ่านแดน อ.{district}",
    ),
    DeskReport(
        "night-crossing", C.ILLEGAL_ENTRY, "volunteer", 3, 20,
        "[demo] เห็นแสงไฟฉายและเรือหางยาวข้ามแม่น้ำหลังตีสอง อ.{district}",
    ),
    DeskReport(
        "drone", C.OTHER, PUBLIC, 2, 10,
        "[demo] มีโดรนบินต่ำเหนือริมตลิ่งนานประมาณหนึ่งชั่วโมง อ.{district}",
        contact="[demo] โทร 080-000-0003",
    ),
    DeskReport(
        "logs", C.OTHER, "volunteer", 2, 50,
        "[demo] พบไม้พะยูงกองไว้ใต้ผ้าใบริมแม่น้ำ อ.{district}",
    ),
    DeskReport(
        "fake-job", C.ONLINE_FRAUD, "hotline", 3, 44,
        "[demo] แม่โทรมาแจ้งว่าลูกชายข้ามแดนไปทำงานตามประกาศรับสมัครงานทางออนไลน์ "
        "อ.{district}",
    ),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class DeskResult:
    """What :func:`make_desk` did: reports made now, per status, and the public receipt codes."""

    district: str
    made: int
    statuses: dict[str, int]
    receipts: tuple[str, ...]


def desk_places(session: Session, district_id: int, n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` points of the district within :data:`BAND_M` of its border (the whole district
    when it has no border segment), from PostGIS's seeded ``ST_GeneratePoints``."""
    border = (
        select(func.ST_Union(BorderSegment.geom))
        .where(BorderSegment.district_id == district_id)
        .scalar_subquery()
    )
    band = func.ST_CollectionExtract(
        func.ST_Intersection(
            District.geom, func.geometry(func.ST_Buffer(func.geography(border), BAND_M))
        ),
        3,
    )
    zone = (
        select(case((func.coalesce(func.ST_IsEmpty(band), True), District.geom), else_=band))
        .where(District.id == district_id)
        .scalar_subquery()
    )
    # ST_GeneratePoints wants a seed above zero: the first 31 bits of a key made from the seed
    # (whose own value may be zero or negative).
    point_seed = demo_key(f"desk places {seed}").int >> 97 or 1
    wkb = session.execute(select(func.ST_AsBinary(func.ST_GeneratePoints(zone, n, point_seed))))
    points = shapely.get_parts(shapely.from_wkb(bytes(wkb.scalar_one())))
    return [(float(p.x), float(p.y)) for p in points]


def make_desk(
    session: Session, cast: Cast, seed: int, anchor: dt.datetime, now: dt.datetime
) -> DeskResult:
    """Make the reports of :data:`DESK` that are not stored yet and take their triage actions.

    Args:
        session: open session; flushed, the caller commits.
        cast: the demo accounts (the coordinator's district is the desk's).
        seed: the demo seed (where the reports lie).
        anchor: the end of the demo's time window; reports happened hours before it.
        now: the current time (reports may not lie in its future).

    Returns:
        The district, how many reports were made now, their statuses and public receipts.
    """
    district = session.get_one(District, cast.coordinator.district_id)
    places = desk_places(session, district.id, len(DESK), seed)
    shape = to_shape(district.geom)
    where: dict[str, tuple[float, float]] = {}
    made: list[tuple[DeskReport, Incident]] = []
    receipts: list[str] = []
    for report, place in zip(DESK, places, strict=True):
        if report.near is not None:
            place = _near(shape, where[report.near])
        where[report.label] = place
        incident, code = _report(session, report, place, district.name_th, cast, anchor, now)
        if incident is None:
            continue
        made.append((report, incident))
        if code is not None:
            receipts.append(code)
    # the originals of duplicates, also when made before
    keys = {desk_key(r): r.label for r in DESK}
    ids = {
        keys[key]: incident_id
        for incident_id, key in session.execute(
            select(Incident.id, Incident.idempotency_key).where(
                Incident.idempotency_key.in_(list(keys))
            )
        )
    }
    for report, incident in made:
        for step in report.steps:
            original = None if step.duplicate_of is None else ids[step.duplicate_of]
            action = ActionInput(
                step.action,
                None if step.note is None else step.note.format(district=district.name_th),
                duplicate_of=original,
                agency=None if step.agency is None else step.agency.value,
            )
            take_action(session, incident.id, action, cast.coordinator)
    statuses: dict[str, int] = {}
    for _, incident in made:
        session.refresh(incident)
        statuses[str(incident.status)] = statuses.get(str(incident.status), 0) + 1
    return DeskResult(district.name, len(made), statuses, tuple(receipts))


def desk_key(report: DeskReport) -> uuid.UUID:
    """The idempotency key of a report of the desk (the same whatever the seed)."""
    return demo_key(f"desk {report.label}")


def _near(shape: shapely.Geometry, place: tuple[float, float]) -> tuple[float, float]:
    """A point :data:`NEAR_OFFSET` north-east of ``place``, or ``place`` itself when that point
    leaves the district."""
    lon, lat = place[0] + NEAR_OFFSET, place[1] + NEAR_OFFSET
    return (lon, lat) if shape.covers(shapely.Point(lon, lat)) else place


def _report(
    session: Session,
    report: DeskReport,
    place: tuple[float, float],
    district: str,
    cast: Cast,
    anchor: dt.datetime,
    now: dt.datetime,
) -> tuple[Incident | None, str | None]:
    """Store one report as its channel's code does; ``(None, None)`` when its key is stored."""
    key = desk_key(report)
    if session.scalar(select(Incident.id).where(Incident.idempotency_key == key)) is not None:
        return None, None
    occurred = anchor - dt.timedelta(hours=report.hours_ago)
    payload: dict[str, object] = {
        "lon": place[0],
        "lat": place[1],
        "category": report.category.value,
        "occurred_at": occurred.isoformat(),
        "idempotency_key": str(key),
        "severity": report.severity,
        "description": report.text.format(district=district),
    }
    channel = CHANNELS[report.by]
    code = None
    if report.by == PUBLIC:
        if report.contact is not None:
            payload["reporter_contact"] = report.contact
        data = parse_incident(payload, now, channel=channel)
        incident, code = create_public_report(session, data, DEFAULT_MAX_DISTANCE_M)
    elif report.by in TAKERS:
        payload["channel"] = channel.value
        if report.contact is not None:
            payload["reporter_contact"] = report.contact
            payload["updates_consent"] = True
        taker = getattr(cast, TAKERS[report.by])
        desk = parse_desk_report(payload, now)
        incident, _code = record_desk_report(session, desk, taker, DEFAULT_MAX_DISTANCE_M)
    else:
        reporter = getattr(cast, report.by)
        data = parse_incident(payload, now, channel=channel, reporter_id=reporter.id)
        incident, _ = create_incident(session, data)
    incident.is_demo = True
    session.flush()
    return incident, code
