"""The chat's answers as LINE messages in the conversation's language: each text translated
and filled, each question with its quick replies (postback buttons for the category, the
consent and "done", the location button, the camera and the photo library)."""

from __future__ import annotations

from flask_babel import force_locale, gettext, pgettext
from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    LocationAction,
    Message,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from gis.errors import fill
from gis.linechat.flow import Answer, Say
from gis.models.linechat import ChatStep
from gis.types import IncidentCategory
from webapp.vocab import label

#: The longest quick reply label LINE shows.
MAX_LABEL = 20


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _postback(text: str, data: str) -> QuickReplyItem:
    return QuickReplyItem(action=PostbackAction(label=_short(text), data=data, displayText=text))


def quick_reply(step: ChatStep) -> QuickReply:
    """The buttons that answer ``step``'s question, in the current language."""
    items: list[QuickReplyItem]
    if step is ChatStep.CATEGORY:
        items = [_postback(label(c), f"category={c.value}") for c in IncidentCategory]
    elif step is ChatStep.LOCATION:
        action = LocationAction(label=_short(pgettext("line quick reply", "Send the place")))
        items = [QuickReplyItem(action=action)]
    elif step is ChatStep.CONSENT:
        items = [
            _postback(pgettext("line quick reply", "Yes"), "consent=yes"),
            _postback(pgettext("line quick reply", "No"), "consent=no"),
        ]
    else:
        items = [
            QuickReplyItem(action=CameraAction(label=pgettext("line quick reply", "Camera"))),
            QuickReplyItem(action=CameraRollAction(label=pgettext("line quick reply", "Photos"))),
            _postback(pgettext("line quick reply", "Done"), "photo=done"),
        ]
    return QuickReply(items=items)


def message(say: Say) -> Message:
    """One answer as a text message in the current language."""
    text = fill(gettext(say.text), say.values)
    if say.ask is None:
        return TextMessage(text=text)
    return TextMessage(text=text, quickReply=quick_reply(say.ask))


def messages(answer: Answer) -> list[Message]:
    """The answer's messages in its language."""
    with force_locale(answer.language):
        return [message(say) for say in answer.says]
