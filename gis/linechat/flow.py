"""The chat: what to answer a LINE user's message, step by step, in their language.

A report takes five steps, each answered with a question and its quick replies
(:class:`Say`'s ``ask``): the category (postback buttons), the place (the location button),
a description (a text), consent to status updates (yes or no), and then the report is stored
through the public report's path and the receipt code given; photos sent after it (camera or
library buttons, until "done") join the report. At any step "stop" (:data:`STOP_WORDS`) erases
the user's LINE id from their reports, and a staff member's one-time link code links their LINE
account to their account.

The texts are English templates marked with ``N_``; webapp translates them into the
conversation's language and turns the questions into LINE quick replies. Postback data are
``category=<value>``, ``consent=yes|no`` and ``photo=done``.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from gis.errors import BorderwatchError, InvalidInput, OutsideWatchArea
from gis.incidents.photos import upload_photo
from gis.incidents.public import create_public_report
from gis.incidents.reports import MAX_DESCRIPTION, parse_incident
from gis.line.client import LineError
from gis.line.content import ContentSource
from gis.linechat import conversation as conversations
from gis.linechat.erasure import erase_line_user, is_stop
from gis.models import Incident
from gis.models.linechat import ChatStep, LineConversation
from gis.reference.districts import route_point
from gis.text import N_
from gis.types import Channel, IncidentCategory

log = logging.getLogger(__name__)

GREETING = N_(
    "Hello. Here you can report an incident at the border to the district's security "
    "centre. What happened?"
)
ASK_CATEGORY = N_("Please choose what happened with one of the buttons.")
ASK_LOCATION = N_("Where did it happen? Send the place with the Location button.")
OUTSIDE = N_(
    "This place is outside the border districts the programme covers. Please send a place "
    "in a border district."
)
ASK_DESCRIPTION = N_(
    "Describe in one message what you saw: what, how many people or vehicles, which way they "
    "went. Do not put yourself at risk."
)
TOO_LONG = N_("The description is too long: at most {limit} characters.")
ASK_CONSENT = N_(
    "May we tell you here in LINE when the report's status changes? Only its status, never "
    "its details."
)
TOO_MANY = N_("You have sent many reports in a short time. Please try again later.")
RECEIPT = N_(
    "Thank you, your report is received. Receipt code: {code}. See its status with the code "
    "at {url}"
)
ASK_PHOTO = N_("If you have a photo, send it now. Otherwise tap Done.")
PHOTO_ADDED = N_("The photo is added to your report. Send another or tap Done.")
PHOTO_FAILED = N_("The photo could not be added. Send another or tap Done.")
DONE = N_(
    "Thank you. Send any message to report something else. Send stop to erase your LINE "
    "contact from your reports."
)
STOPPED = N_(
    "Your LINE contact is erased from your reports and this conversation is ended. You will "
    "get no more messages about them."
)
LINKED = N_("Your LINE account is linked to your borderwatch account: notifications come here.")
LINK_FAILED = N_(
    "This link code is not valid or has expired. Show a new code on your account page."
)


class Kind(enum.StrEnum):
    """What a LINE user sent."""

    TEXT = "text"
    LOCATION = "location"
    IMAGE = "image"
    POSTBACK = "postback"
    FOLLOW = "follow"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Incoming:
    """A message (or postback, or follow) from a LINE user, as the webhook delivered it."""

    user_id: str
    kind: Kind
    text: str | None = None
    lon: float | None = None
    lat: float | None = None
    message_id: str | None = None
    data: str | None = None


@dataclass(frozen=True, slots=True)
class Say:
    """One message to answer with: an English template (``N_``) and its values, and the step
    whose quick replies go with it (``None``: none)."""

    text: str
    values: dict[str, Any] = field(default_factory=dict)
    ask: ChatStep | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    """What to answer and in which language."""

    language: str
    says: list[Say]


@dataclass(frozen=True)
class Chat:
    """What the chat needs besides the message.

    Attributes:
        session: open session; flushed, not committed.
        now: the time the message is handled.
        max_distance_m: how far beyond the parallel areas a point across the border is routed.
        content: where photos are downloaded from.
        language_of: the LINE language of a user (their profile), ``None`` if unknown.
        receipt_url: the public status page's address of a receipt code.
        may_report: whether the user may store another report now (the rate limit).
        link_account: links a staff member's LINE account by a one-time code: ``None`` when the
            text is no code, else whether it linked.
        report_made: called with a report once it is stored, in its transaction (the
            coordinators' notifications, written in the report's own commit).
    """

    session: Session
    now: dt.datetime
    max_distance_m: float
    content: ContentSource
    language_of: Callable[[str], str | None]
    receipt_url: Callable[[str], str]
    may_report: Callable[[str], bool] = lambda _user: True
    link_account: Callable[[Session, str, str], bool | None] | None = None
    report_made: Callable[[Session, Incident], None] | None = None


def answer(chat: Chat, incoming: Incoming) -> Answer:
    """Handle one message of a LINE user and say what to answer.

    Args:
        chat: the session, the time and the services.
        incoming: the message.

    Returns:
        The answer, in the conversation's language.
    """
    session = chat.session
    conversation = conversations.current(session, incoming.user_id, chat.now)
    text = (incoming.text or "").strip() if incoming.kind is Kind.TEXT else ""
    if text and is_stop(text):
        language = conversation.language if conversation else _language(chat, incoming.user_id)
        erase_line_user(session, incoming.user_id)
        return Answer(language, [Say(STOPPED)])
    if text and chat.link_account is not None:
        linked = chat.link_account(session, text, incoming.user_id)
        if linked is not None:
            language = conversation.language if conversation else _language(chat, incoming.user_id)
            return Answer(language, [Say(LINKED if linked else LINK_FAILED)])
    if conversation is None:
        if incoming.kind is Kind.OTHER:
            return Answer(_language(chat, incoming.user_id), [])
        language = _language(chat, incoming.user_id)
        conversations.start(session, incoming.user_id, language, chat.now)
        return Answer(language, [Say(GREETING, ask=ChatStep.CATEGORY)])
    step = STEPS[ChatStep(conversation.step)]
    return Answer(conversation.language, step(chat, conversation, incoming))


def _language(chat: Chat, user_id: str) -> str:
    return conversations.chat_language(chat.language_of(user_id))


def _postback(incoming: Incoming, name: str) -> str | None:
    if incoming.kind is not Kind.POSTBACK or not incoming.data:
        return None
    key, _, value = incoming.data.partition("=")
    return value if key == name else None


def _category(chat: Chat, conversation: LineConversation, incoming: Incoming) -> list[Say]:
    value = _postback(incoming, "category")
    if value not in set(IncidentCategory):
        return [Say(ASK_CATEGORY, ask=ChatStep.CATEGORY)]
    conversation.category = IncidentCategory(value)
    conversation.occurred_at = chat.now
    conversations.move(conversation, ChatStep.LOCATION, chat.now)
    return [Say(ASK_LOCATION, ask=ChatStep.LOCATION)]


def _location(chat: Chat, conversation: LineConversation, incoming: Incoming) -> list[Say]:
    if incoming.kind is not Kind.LOCATION or incoming.lon is None or incoming.lat is None:
        return [Say(ASK_LOCATION, ask=ChatStep.LOCATION)]
    try:
        route_point(chat.session, incoming.lon, incoming.lat, chat.max_distance_m)
    except (OutsideWatchArea, InvalidInput):
        return [Say(OUTSIDE, ask=ChatStep.LOCATION)]
    conversation.lon, conversation.lat = incoming.lon, incoming.lat
    conversations.move(conversation, ChatStep.DESCRIPTION, chat.now)
    return [Say(ASK_DESCRIPTION)]


def _description(chat: Chat, conversation: LineConversation, incoming: Incoming) -> list[Say]:
    text = (incoming.text or "").strip() if incoming.kind is Kind.TEXT else ""
    if not text:
        return [Say(ASK_DESCRIPTION)]
    if len(text) > MAX_DESCRIPTION:
        return [Say(TOO_LONG, {"limit": MAX_DESCRIPTION})]
    conversation.description = text
    conversations.move(conversation, ChatStep.CONSENT, chat.now)
    return [Say(ASK_CONSENT, ask=ChatStep.CONSENT)]


def _consent(chat: Chat, conversation: LineConversation, incoming: Incoming) -> list[Say]:
    value = _postback(incoming, "consent")
    if value not in ("yes", "no"):
        return [Say(ASK_CONSENT, ask=ChatStep.CONSENT)]
    if not chat.may_report(conversation.line_user_id):
        return [Say(TOO_MANY, ask=ChatStep.CONSENT)]
    incident, code = _store(chat, conversation, consent=value == "yes")
    conversation.incident_id = incident.id
    conversations.move(conversation, ChatStep.PHOTO, chat.now)
    return [
        Say(RECEIPT, {"code": code, "url": chat.receipt_url(code)}),
        Say(ASK_PHOTO, ask=ChatStep.PHOTO),
    ]


def _store(chat: Chat, conversation: LineConversation, consent: bool) -> tuple[Incident, str]:
    """The conversation's report through the public report's path, with the sender's LINE id
    as its contact."""
    assert conversation.occurred_at is not None  # set with the category
    payload = {
        "lon": conversation.lon,
        "lat": conversation.lat,
        "category": str(conversation.category),
        "occurred_at": conversation.occurred_at.isoformat(),
        "idempotency_key": str(conversation.idempotency_key),
        "description": conversation.description,
        "reporter_contact": conversation.line_user_id,
    }
    data = parse_incident(payload, chat.now, channel=Channel.LINE)
    incident, code = create_public_report(chat.session, data, chat.max_distance_m)
    incident.updates_consent = consent
    chat.session.flush()
    if chat.report_made is not None:
        chat.report_made(chat.session, incident)
    return incident, code


def _photo(chat: Chat, conversation: LineConversation, incoming: Incoming) -> list[Say]:
    if _postback(incoming, "photo") == "done":
        conversations.end(chat.session, conversation)
        return [Say(DONE)]
    if incoming.kind is not Kind.IMAGE or not incoming.message_id:
        return [Say(ASK_PHOTO, ask=ChatStep.PHOTO)]
    conversations.move(conversation, ChatStep.PHOTO, chat.now)
    incident = chat.session.get(Incident, conversation.incident_id)
    if incident is None:  # the report was deleted meanwhile
        conversations.end(chat.session, conversation)
        return [Say(DONE)]
    try:
        raw = chat.content.content(incoming.message_id)
        with chat.session.begin_nested():
            upload_photo(chat.session, incident, raw, None)
    except (LineError, BorderwatchError) as exc:
        log.info("LINE photo not added: %s", type(exc).__name__)
        return [Say(PHOTO_FAILED, ask=ChatStep.PHOTO)]
    return [Say(PHOTO_ADDED, ask=ChatStep.PHOTO)]


STEPS: dict[ChatStep, Callable[[Chat, LineConversation, Incoming], list[Say]]] = {
    ChatStep.CATEGORY: _category,
    ChatStep.LOCATION: _location,
    ChatStep.DESCRIPTION: _description,
    ChatStep.CONSENT: _consent,
    ChatStep.PHOTO: _photo,
}
