"""The demo's LINE chats: three citizens report to the official account in the demo
coordinator's district, in Thai and Lao, through the chat itself (:func:`gis.linechat.flow.answer`:
category, place, description, consent, receipt), so that the review queue holds reports of
channel ``line`` with a LINE user id as contact. Made once per database: a citizen whose LINE
report is stored already is left as it is. The LINE user ids are made up (no such users).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.line.client import LineError
from gis.linechat.flow import Chat, Incoming, Kind, answer
from gis.models import District, Incident
from gis.reference.districts import DEFAULT_MAX_DISTANCE_M
from gis.types import Channel
from seeds.demo_cast import Cast
from seeds.demo_desk import desk_places


@dataclass(frozen=True)
class LineChat:
    """One citizen's chat: their LINE language, what happened, what they wrote, and whether
    they want status updates."""

    label: str
    language: str
    category: str
    description: str
    updates: bool


CHATS: tuple[LineChat, ...] = (
    LineChat(
        "boat-at-night",
        "th",
        "drug_trafficking",
        "ตีสองเห็นชายสองคนขนกระสอบจากเรือหางยาวขึ้นรถกระบะสีดำที่ท่าน้ำ แล้วขับไปทางตัวอำเภอ",
        True,
    ),
    LineChat(
        "truck-across",
        "lo",
        "smuggling",
        "ມີລົດບັນທຸກສອງຄັນຂົນສິນຄ້າຂ້າມທ່າເຮືອຕອນກາງຄືນ ບໍ່ຜ່ານດ່ານ",
        False,
    ),
    LineChat(
        "van-by-the-river",
        "th",
        "human_trafficking",
        "มีรถตู้มารับคนต่างด้าวประมาณสิบคนริมโขง คนขับบอกว่าจะพาไปทำงานในเมือง",
        True,
    ),
)


class _NoContent:
    """The demo sends no photos."""

    def content(self, message_id: str) -> bytes:
        raise LineError("the demo has no LINE content", status=404)


def _language(language: str) -> Callable[[str], str | None]:
    return lambda _user: language


def _receipt_url(code: str) -> str:
    return f"/report/{code}"


def line_user_id(chat: LineChat) -> str:
    """The made-up LINE user id of a demo citizen (``U`` and 32 hexadecimal digits)."""
    return "U" + hashlib.sha256(f"borderwatch demo {chat.label}".encode()).hexdigest()[:32]


def make_line_chats(session: Session, cast: Cast, seed: int, now: dt.datetime) -> list[str]:
    """Make the demo's LINE reports that are not stored yet; the caller commits.

    Returns:
        The receipt codes of the reports made now.
    """
    district = session.get_one(District, cast.coordinator.district_id)
    places = desk_places(session, district.id, len(CHATS), seed + 19)
    receipts = []
    for chat_, place in zip(CHATS, places, strict=True):
        user = line_user_id(chat_)
        stored = session.scalar(
            select(Incident.id).where(
                Incident.channel == Channel.LINE, Incident.reporter_contact == user
            )
        )
        if stored is not None:
            continue
        chat = Chat(
            session=session,
            now=now,
            max_distance_m=DEFAULT_MAX_DISTANCE_M,
            content=_NoContent(),
            language_of=_language(chat_.language),
            receipt_url=_receipt_url,
        )
        messages = [
            Incoming(user, Kind.FOLLOW),
            Incoming(user, Kind.POSTBACK, data=f"category={chat_.category}"),
            Incoming(user, Kind.LOCATION, lon=place[0], lat=place[1]),
            Incoming(user, Kind.TEXT, text=f"[demo] {chat_.description}"),
            Incoming(user, Kind.POSTBACK, data=f"consent={'yes' if chat_.updates else 'no'}"),
        ]
        said = [answer(chat, message) for message in messages]
        receipt = said[-1].says[0].values.get("code")
        answer(chat, Incoming(user, Kind.POSTBACK, data="photo=done"))
        if receipt:
            incident = session.scalars(
                select(Incident).where(Incident.receipt_code == receipt)
            ).one()
            incident.is_demo = True
            receipts.append(receipt)
    session.flush()
    return receipts
