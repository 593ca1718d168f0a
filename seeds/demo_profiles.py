"""The tables behind the synthetic demo incidents: what happens where, when and how it is reported.

Plain data, no randomness: :mod:`seeds.demo_model` draws from these tables. The mixes are
illustrative, shaped after the programme's threat list (drug trafficking heaviest along the
Mekong, smuggling and stolen vehicles at the Cambodian checkpoints, illegal entry on land paths,
online fraud reported from the towns); they are not statistics of real cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from gis.types import Channel, IncidentCategory, IncidentStatus

#: Vocabulary order used for the integer codes of the generator (code = position).
CATEGORIES: tuple[IncidentCategory, ...] = (
    IncidentCategory.DRUG_TRAFFICKING,
    IncidentCategory.HUMAN_TRAFFICKING,
    IncidentCategory.ILLEGAL_ENTRY,
    IncidentCategory.SMUGGLING,
    IncidentCategory.VEHICLE_THEFT,
    IncidentCategory.ONLINE_FRAUD,
    IncidentCategory.OTHER,
)
CHANNELS: tuple[Channel, ...] = (
    Channel.MWCC_WALK_IN,
    Channel.ONLINE_PUBLIC,
    Channel.OFFICER_APP,
    Channel.PATROL,
    Channel.HOTLINE,
)
#: No ``duplicate``: demo reports are duplicate-free (``duplicate_of`` stays NULL).
STATUSES: tuple[IncidentStatus, ...] = (
    IncidentStatus.NEW,
    IncidentStatus.VERIFIED,
    IncidentStatus.REJECTED,
    IncidentStatus.REFERRED,
    IncidentStatus.CLOSED,
)

#: Category mix per kind of place, in :data:`CATEGORIES` order
#: (drug, human trafficking, illegal entry, smuggling, vehicle theft, online fraud, other).
MIXES: dict[str, tuple[float, ...]] = {
    # Crossings over the Mekong: the north-east stretch (Nong Khai .. Ubon) and the Golden Triangle.
    "mekong_northeast": (0.46, 0.07, 0.15, 0.17, 0.04, 0.03, 0.08),
    "mekong_north": (0.52, 0.10, 0.13, 0.13, 0.03, 0.03, 0.06),
    # Paths over the land border.
    "land_LAO": (0.24, 0.10, 0.30, 0.21, 0.05, 0.02, 0.08),
    "land_KHM": (0.07, 0.15, 0.36, 0.25, 0.08, 0.02, 0.07),
    # Around the permanent and trade checkpoints.
    "checkpoint_LAO": (0.20, 0.10, 0.08, 0.30, 0.14, 0.08, 0.10),
    "checkpoint_KHM": (0.05, 0.12, 0.10, 0.34, 0.27, 0.06, 0.06),
    # District towns: fraud, theft, trafficking victims who walk in.
    "town": (0.08, 0.10, 0.04, 0.07, 0.20, 0.36, 0.15),
    # Everything else, anywhere in the target districts.
    "noise": (0.12, 0.06, 0.12, 0.12, 0.15, 0.13, 0.30),
}

#: Share of the incidents per kind of place.
SHARES: dict[str, float] = {"crossing": 0.40, "checkpoint": 0.28, "town": 0.14, "noise": 0.18}


def _hours(*weights: float) -> tuple[float, ...]:
    assert len(weights) == 24
    total = sum(weights)
    return tuple(w / total for w in weights)


#: Local hour-of-day profiles (Indochina Time, UTC+7), 00:00 .. 23:00.
HOURS: dict[str, tuple[float, ...]] = {
    # Crossings happen in the dark: peak 22:00-03:00, little by day.
    "night": _hours(9, 9, 8, 7, 5, 3, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 10),
    # Checkpoints: opening hours (06:00-22:00) with a morning and an evening peak.
    "checkpoint": _hours(2, 1, 1, 1, 1, 3, 6, 8, 8, 7, 6, 6, 6, 6, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2),
    # Towns: daytime and evening.
    "day": _hours(1, 1, 1, 1, 1, 1, 2, 4, 6, 7, 7, 7, 6, 7, 7, 7, 7, 7, 6, 6, 5, 4, 3, 2),
    # Online fraud is noticed and reported in office hours and the evening.
    "online": _hours(1, 1, 0, 0, 0, 0, 1, 2, 5, 8, 8, 8, 7, 8, 8, 8, 7, 6, 6, 6, 6, 5, 4, 2),
    # Background: flat with a night bump.
    "any": _hours(5, 5, 4, 4, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5),
}

#: Hour profile of each kind of place.
SITE_HOURS: dict[str, str] = {
    "crossing": "night",
    "checkpoint": "checkpoint",
    "town": "day",
    "noise": "any",
}

#: Amplitude and peak day of year of the yearly cycle per kind of place: crossings peak in the
#: dry season (low river, January), fall in the monsoon; towns peak around the New Year.
SEASONS: dict[str, tuple[float, int]] = {
    "crossing": (0.35, 15),
    "checkpoint": (0.20, 30),
    "town": (0.10, 360),
    "noise": (0.10, 15),
}

#: How a site's activity changes over the two years: (probability, kind).
TRENDS: tuple[tuple[float, str], ...] = (
    (0.55, "steady"),
    (0.20, "rising"),
    (0.15, "falling"),
    (0.10, "emerging"),
)

#: Channel mix per category, in :data:`CHANNELS` order (walk-in, online, officer app, patrol,
#: hotline).
CHANNEL_MIX: dict[IncidentCategory, tuple[float, ...]] = {
    IncidentCategory.DRUG_TRAFFICKING: (0.08, 0.08, 0.32, 0.37, 0.15),
    IncidentCategory.HUMAN_TRAFFICKING: (0.25, 0.15, 0.25, 0.10, 0.25),
    IncidentCategory.ILLEGAL_ENTRY: (0.07, 0.08, 0.32, 0.43, 0.10),
    IncidentCategory.SMUGGLING: (0.08, 0.10, 0.40, 0.32, 0.10),
    IncidentCategory.VEHICLE_THEFT: (0.35, 0.25, 0.15, 0.05, 0.20),
    IncidentCategory.ONLINE_FRAUD: (0.25, 0.50, 0.05, 0.00, 0.20),
    IncidentCategory.OTHER: (0.20, 0.20, 0.20, 0.20, 0.20),
}

#: Mean delay between the event and the report per channel, in hours (exponential).
REPORT_DELAY_H: dict[Channel, float] = {
    Channel.MWCC_WALK_IN: 30.0,
    Channel.ONLINE_PUBLIC: 6.0,
    Channel.OFFICER_APP: 0.5,
    Channel.PATROL: 0.3,
    Channel.HOTLINE: 1.5,
}

#: Severity 1..5 per category.
SEVERITY_MIX: dict[IncidentCategory, tuple[float, ...]] = {
    IncidentCategory.DRUG_TRAFFICKING: (0.05, 0.15, 0.30, 0.30, 0.20),
    IncidentCategory.HUMAN_TRAFFICKING: (0.02, 0.08, 0.25, 0.35, 0.30),
    IncidentCategory.ILLEGAL_ENTRY: (0.15, 0.35, 0.30, 0.15, 0.05),
    IncidentCategory.SMUGGLING: (0.10, 0.30, 0.35, 0.20, 0.05),
    IncidentCategory.VEHICLE_THEFT: (0.15, 0.35, 0.30, 0.15, 0.05),
    IncidentCategory.ONLINE_FRAUD: (0.15, 0.30, 0.30, 0.18, 0.07),
    IncidentCategory.OTHER: (0.40, 0.30, 0.20, 0.08, 0.02),
}

#: Status mix (in :data:`STATUSES` order: new, verified, rejected, referred, closed) for reports
#: of the last :data:`RECENT_DAYS` days and for older ones.
RECENT_DAYS = 30
STATUS_RECENT: tuple[float, ...] = (0.45, 0.38, 0.05, 0.08, 0.04)
STATUS_OLDER: tuple[float, ...] = (0.01, 0.64, 0.09, 0.10, 0.16)


@dataclass(frozen=True, slots=True)
class Template:
    """A description: ``text`` has two ``%s``, a quantity in ``[low, high]`` and the district's
    Thai name (after ``อ.``, as a district office writes it)."""

    text: str
    low: int
    high: int


#: Description templates per category, :data:`TEMPLATES_PER_CATEGORY` each, in Thai as a
#: district office writes a report, filled in SQL with ``format(text, quantity, name_th)``.
#: The ``[demo] `` prefix marks every demo report.
TEMPLATES: dict[IncidentCategory, tuple[Template, ...]] = {
    IncidentCategory.DRUG_TRAFFICKING: (
        Template("[demo] ตรวจยึดยาบ้าได้ %s กิโลกรัม ใกล้แนวชายแดน อ.%s", 1, 300),
        Template("[demo] พบเรือขนของขึ้นฝั่งตอนกลางคืน ขนห่อของขึ้นตลิ่งประมาณ %s ห่อ อ.%s", 3, 80),
        Template("[demo] สกัดจับผู้ลำเลียงขี่รถจักรยานยนต์ พร้อมยาบ้า %s มัด อ.%s", 2, 200),
    ),
    IncidentCategory.HUMAN_TRAFFICKING: (
        Template("[demo] เรียกตรวจรถตู้ พบผู้ไม่มีเอกสารประจำตัว %s คน อ.%s", 3, 25),
        Template("[demo] แรงงาน %s คน ถูกนายหน้ากักตัวไว้หลังข้ามแดนมา อ.%s", 2, 30),
        Template("[demo] มีการชักชวนคน %s คน ไปทำงานต่างประเทศ มีผู้เยาว์รวมอยู่ด้วย อ.%s", 2, 15),
    ),
    IncidentCategory.ILLEGAL_ENTRY: (
        Template("[demo] มีผู้ลักลอบเข้าเมือง %s คน เดินเท้าข้ามแดนมาทางป่า อ.%s", 1, 40),
        Template("[demo] มีผู้ลักลอบเข้าเมือง %s คน ใช้เรือหางยาวขึ้นฝั่งนอกจุดผ่านแดน อ.%s", 2, 25),
        Template("[demo] พบที่พักแรมและรอยเท้าคนประมาณ %s คน ใกล้แนวชายแดน อ.%s", 3, 50),
    ),
    IncidentCategory.SMUGGLING: (
        Template("[demo] ลักลอบขนสินค้าหนีภาษี %s กระสอบ ข้ามแดนตอนกลางคืน อ.%s", 3, 120),
        Template("[demo] สกัดรถบรรทุกขนบุหรี่ไม่เสียภาษี %s แถว อ.%s", 10, 900),
        Template("[demo] ลักลอบต้อนวัว %s ตัว ข้ามแดนนอกจุดผ่านแดน อ.%s", 2, 60),
    ),
    IncidentCategory.VEHICLE_THEFT: (
        Template("[demo] รถจักรยานยนต์ถูกลัก %s คัน คาดว่าถูกนำข้ามแดน อ.%s", 1, 12),
        Template(
            "[demo] รถกระบะถูกลักช่วงกลางคืน เดือนนี้มีเหตุลักษณะเดียวกันในพื้นที่ใกล้เคียง %s ราย อ.%s",
            1,
            9,
        ),
        Template("[demo] รถเก๋งเปลี่ยนป้ายทะเบียนมุ่งหน้าไปชายแดน มีคนในรถ %s คน อ.%s", 1, 5),
    ),
    IncidentCategory.ONLINE_FRAUD: (
        Template("[demo] ถูกแก๊งคอลเซ็นเตอร์หลอก ผู้เสียหายสูญเงิน %s,000 บาท อ.%s", 5, 900),
        Template(
            "[demo] ประกาศรับสมัครงานปลอมหลอกคน %s คน ไปทำงานกับแก๊งหลอกลวงในต่างประเทศ อ.%s",
            1,
            20,
        ),
        Template("[demo] ตรวจพบบัญชีม้า %s บัญชี ที่ใช้ฉ้อโกงเชื่อมโยงกับพื้นที่ อ.%s", 1, 40),
    ),
    IncidentCategory.OTHER: (
        Template("[demo] พบบุคคลต้องสงสัย %s คน เคลื่อนไหวใกล้แนวชายแดน อ.%s", 1, 15),
        Template("[demo] พบไม้พะยูงลักลอบตัด %s ท่อน อ.%s", 2, 60),
        Template("[demo] ชาวบ้าน %s คน แจ้งพบวัตถุระเบิดที่ยังไม่ระเบิด อ.%s", 1, 6),
    ),
}
TEMPLATES_PER_CATEGORY = 3
