"""The demo's cooperation register (``borderwatch demo``): for every target district, activities
with its parallel areas over the last year, an agreement or two, and the budget (80,000 baht of
the current fiscal year from the Mekong-ROK Cooperation Fund, as the programme allocates it, and
spending lines on the activities), all in Thai and marked ``(สาธิต)``.

The rows vary with the district's programme number, so that the twin-town layer shows every
level (none, some, many) and some districts are flagged for no MWCC meeting in 90 days, and the
national roll-up has districts that met their counterparts and some that did not. They are
written through the register's own store functions (checked values, the record of change with no
account: the demo loader). Made once: nothing is added when demo activities exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from geoalchemy2.shape import to_shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gis.cooperation.activities import parse_activity, store_activity
from gis.cooperation.agreements import parse_action, store_action
from gis.cooperation.budget import (
    parse_allocation,
    parse_spending,
    store_allocation,
    store_spending,
)
from gis.cooperation.fiscal import fiscal_year, fiscal_year_bounds
from gis.models import Activity, Checkpoint, District, DistrictParallelArea, NaturalCrossing

#: The mark at the end of every demo title.
MARK = "(สาธิต)"
#: The allocation of each district and its source (programme documents, 002).
AMOUNT = Decimal("80000.00")
SOURCE = "กองทุนความร่วมมือแม่โขง-สาธารณรัฐเกาหลี ผ่านกรมการปกครอง"

#: (kind, title, topics, summary) of the demo's activities, in turn.
PLANS = (
    (
        "mwcc_meeting",
        "ประชุม ศปก.อ.{name} กับผู้แทนพื้นที่คู่ขนาน",
        ["drug_trafficking", "border_crossings", "online_fraud"],
        "หารือการเฝ้าระวังยาเสพติดตามช่องทางธรรมชาติ และการเปิดจุดผ่อนปรนชั่วคราว",
    ),
    (
        "cultural_exchange",
        "งานแลกเปลี่ยนวัฒนธรรมสองฝั่งโขง อ.{name}",
        ["education", "health_care"],
        "เชิญผู้นำชุมชนและประชาชนฝั่งตรงข้ามร่วมงานประเพณี",
    ),
    (
        "sports",
        "แข่งขันฟุตบอลเยาวชนเชื่อมสัมพันธ์ อ.{name}",
        ["education"],
        "เยาวชนสองฝั่งร่วมแข่งขันกีฬาและอบรมต้านยาเสพติด",
    ),
    (
        "study_visit",
        "นายอำเภอ{name}และกำนันผู้ใหญ่บ้านศึกษาดูงานฝั่งตรงข้าม",
        ["human_trafficking", "seasonal_labour"],
        "แลกเปลี่ยนข้อมูลแรงงานตามฤดูกาลและการป้องกันการค้ามนุษย์",
    ),
    (
        "joint_operation",
        "ลาดตระเวนร่วมตามแนวชายแดน อ.{name}",
        ["smuggling", "stolen_vehicles"],
        "ตรวจจุดเสี่ยงการลักลอบขนสินค้าและยานพาหนะที่ถูกลักขโมย",
    ),
)


@dataclass(frozen=True)
class CooperationDemo:
    """What :func:`make_cooperation` made."""

    activities: int
    agreements: int
    allocations: int
    spending_lines: int

    def __str__(self) -> str:
        if not self.activities:
            return "cooperation register: present already, nothing made"
        return (
            f"cooperation register: {self.activities} activities, {self.agreements} agreements,"
            f" {self.allocations} allocations, {self.spending_lines} spending lines"
        )


def has_demo_cooperation(session: Session) -> bool:
    """Whether demo activities exist."""
    found = select(Activity.id).where(Activity.title.endswith(MARK)).limit(1)
    return session.execute(found).first() is not None


def _point(session: Session, district: District) -> tuple[float, float]:
    """A place inside the district (where its meetings are held)."""
    here = func.ST_PointOnSurface(District.geom)
    point = to_shape(session.execute(select(here).where(District.id == district.id)).scalar_one())
    return round(point.x, 5), round(point.y, 5)


def _about(session: Session, district: District) -> dict[str, int]:
    """What the district's demo agreement is about: its first natural crossing, or else its
    first checkpoint (the map's popup of that place lists the agreement); none without either."""
    for table, field in ((NaturalCrossing, "natural_crossing_id"), (Checkpoint, "checkpoint_id")):
        found = session.execute(
            select(table.id).where(table.district_id == district.id).order_by(table.id).limit(1)
        ).scalar_one_or_none()
        if found is not None:
            return {field: found}
    return {}


def make_cooperation(session: Session, today: dt.date) -> CooperationDemo:
    """The demo register of every target district, ending ``today``; the caller commits."""
    if has_demo_cooperation(session):
        return CooperationDemo(0, 0, 0, 0)
    districts = session.execute(
        select(District).where(District.target).order_by(District.target_no)
    ).scalars()
    year = fiscal_year(today)
    first, last = fiscal_year_bounds(year)
    counts = [0, 0, 0, 0]
    for district in districts:
        pairs = list(
            session.execute(
                select(DistrictParallelArea.parallel_area_id)
                .where(DistrictParallelArea.district_id == district.id)
                .order_by(DistrictParallelArea.parallel_area_id)
            ).scalars()
        )
        number = district.target_no or 0
        made = _activities(session, district, pairs, today)
        counts[0] += len(made)
        if made:
            item = parse_action(
                {
                    "text": f"ลาดตระเวนร่วมและแลกเปลี่ยนข้อมูลช่องทางธรรมชาติ อ.{district.name_th}",
                    "owner_side": "THA",
                    "owner_agency": f"ที่ว่าการอำเภอ{district.name_th}",
                    "due_on": (today + dt.timedelta(days=30 - (15 * number) % 60)).isoformat(),
                    **_about(session, district),
                }
            )
            store_action(session, made[0], item, None)
            counts[1] += 1
        allocation = store_allocation(
            session,
            parse_allocation({"fiscal_year": year, "amount": str(AMOUNT), "source": SOURCE}),
            district.id,
            None,
        )
        counts[2] += 1
        for activity in made:
            if not first <= activity.starts_on <= min(last, today):
                continue
            line = parse_spending(
                {
                    "allocation_id": allocation.id,
                    "activity_id": activity.id,
                    "spent_on": activity.starts_on.isoformat(),
                    "item": "ค่าอาหารและเครื่องดื่มผู้เข้าร่วม",
                    "amount": f"{3500 + 250 * (number % 7)}.00",
                }
            )
            store_spending(session, allocation, line, None)
            counts[3] += 1
    return CooperationDemo(*counts)


def _activities(
    session: Session, district: District, pairs: list[int], today: dt.date
) -> list[Activity]:
    """0 to 5 activities of the last year: a few districts have none, some many."""
    number = district.target_no or 0
    how_many = number % 6  # 0..5
    made = []
    lon, lat = _point(session, district)
    for n in range(how_many):
        kind, title, topics, summary = PLANS[(number + n) % len(PLANS)]
        days_ago = 20 + 70 * n + (number * 7) % 40
        day = today - dt.timedelta(days=days_ago)
        body = {
            "kind": kind,
            "title": f"{title.format(name=district.name_th)} {MARK}",
            "starts_on": day.isoformat(),
            "ends_on": day.isoformat(),
            "lon": lon,
            "lat": lat,
            "parallel_areas": pairs[: 1 + n % 2],
            "topics": topics,
            "participants": [
                {"side": "THA", "group": "officials", "total": 8 + n, "women": 3},
                {"side": "THA", "group": "community_leaders", "total": 6, "women": 2},
                {
                    "side": "LAO" if "LAO" in (district.border_neighbour or "") else "KHM",
                    "group": "officials",
                    "total": 5 + number % 4,
                    "women": 1,
                },
                {
                    "side": "THA",
                    "group": "youth",
                    "total": 20 if kind == "sports" else 0,
                    "women": 9 if kind == "sports" else 0,
                },
            ],
            "organisers": f"ที่ว่าการอำเภอ{district.name_th}",
            "partners": "ตำรวจภูธร ตชด. สาธารณสุขอำเภอ",
            "summary": summary,
        }
        made.append(store_activity(session, parse_activity(body), district.id, None))
    return made
