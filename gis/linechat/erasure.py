"""A LINE user's "stop": their LINE id erased from their reports and their conversation.

The reports stay (a coordinator may be working on them), without a contact and without consent
to updates, so that nothing is ever sent to that LINE user about them again.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from gis.models import Incident
from gis.models.linechat import LineConversation
from gis.types import Channel

#: What a user may send to erase their LINE id (English, Thai, Lao, Khmer), compared after
#: case folding and trimming.
STOP_WORDS = frozenset({"stop", "หยุด", "ยกเลิกการติดต่อ", "ຢຸດ", "ឈប់"})


def is_stop(text: str) -> bool:
    """Whether ``text`` asks to stop."""
    return text.strip().casefold() in STOP_WORDS


def erase_line_user(session: Session, line_user_id: str) -> int:
    """Erase ``line_user_id`` from the LINE reports that hold it and end its conversation; the
    caller commits.

    Returns:
        How many reports held it.
    """
    session.execute(delete(LineConversation).where(LineConversation.line_user_id == line_user_id))
    result = session.execute(
        update(Incident)
        .where(Incident.channel == Channel.LINE, Incident.reporter_contact == line_user_id)
        .values(reporter_contact=None, updates_consent=False)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
