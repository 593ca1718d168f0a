"""A LINE user's conversation: loaded for update, started afresh, kept alive, ended.

A conversation lasts :data:`TTL` after the user's last message; an expired one is as good as
none (the next message starts a new report) and is replaced.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gis.models.linechat import ChatStep, LineConversation

#: How long a conversation waits for the user's next message.
TTL = dt.timedelta(minutes=30)
#: The languages the chat speaks; any other LINE language gets :data:`DEFAULT_LANGUAGE`.
LANGUAGES = ("th", "lo", "km", "en")
DEFAULT_LANGUAGE = "th"


def chat_language(line_language: str | None) -> str:
    """The chat's language for a LINE profile's language (``th``, ``lo``, ``km``, ``en``;
    ``zh-Hant`` and the like by their first part)."""
    code = (line_language or "").split("-")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def current(session: Session, line_user_id: str, now: dt.datetime) -> LineConversation | None:
    """The user's live conversation, locked for update, or ``None`` (none, or expired)."""
    conversation = session.execute(
        select(LineConversation)
        .where(LineConversation.line_user_id == line_user_id)
        .with_for_update()
    ).scalar_one_or_none()
    if conversation is None or conversation.expires_at <= now:
        return None
    return conversation


def start(session: Session, line_user_id: str, language: str, now: dt.datetime) -> LineConversation:
    """A new conversation at its first step, with a fresh idempotency key for its report (an
    expired conversation of the user is replaced)."""
    conversation = session.get(LineConversation, line_user_id)
    if conversation is None:
        conversation = LineConversation(line_user_id=line_user_id)
        session.add(conversation)
    conversation.language = language
    conversation.idempotency_key = uuid.uuid4()
    conversation.category = None
    conversation.occurred_at = None
    conversation.lon = conversation.lat = None
    conversation.description = None
    conversation.incident_id = None
    move(conversation, ChatStep.CATEGORY, now)
    session.flush()
    return conversation


def move(conversation: LineConversation, step: ChatStep, now: dt.datetime) -> None:
    """Go on to ``step``; the conversation lives :data:`TTL` from now."""
    conversation.step = step
    conversation.expires_at = now + TTL
    conversation.updated_at = now


def end(session: Session, conversation: LineConversation) -> None:
    """Forget a conversation (its report is done)."""
    session.delete(conversation)
    session.flush()


def forget_expired(session: Session, now: dt.datetime) -> int:
    """Delete the conversations that expired; the caller commits.

    Returns:
        How many were deleted.
    """
    result = session.execute(delete(LineConversation).where(LineConversation.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
