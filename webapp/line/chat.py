"""The chat's handler for the worker (:class:`gis.linechat.tasks.Handler`): what the web app
gives the worker's LINE tasks, which run outside any request.

For each event the worker handles, :func:`app_handler`'s ``answer`` enters the app's context and
runs the chat's step (:func:`gis.linechat.flow.answer`) with the app's services: the user's
LINE language (their profile), photo downloads, the per-user report limit
(``LINE_REPORT_LIMIT_USER`` in the shared rate-limit storage), staff members' link codes, the
coordinators' notifications of a new report (in the report's own transaction) and the
receipt's status page under the public address the webhook was called at. It returns the
answer as LINE messages in the conversation's language, as JSON for the push job.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app
from limits import parse_many
from sqlalchemy.orm import Session

from gis.line import ContentSource, LineClient, LineSettings, content_source
from gis.linechat.flow import Chat, Incoming, answer
from gis.linechat.tasks import Handler
from webapp.line import settings
from webapp.line.messages import messages
from webapp.notify.hooks import report_made

#: The app's LINE clients and content sources, per channel settings, kept between events.
CLIENTS = "borderwatch.line.clients"


def app_handler(app: Flask) -> Handler:
    """The worker's handler of ``app`` (its channel read when used: tests replace it)."""

    def answer_in_app(session: Session, incoming: Incoming, site: str) -> list[dict[str, Any]]:
        with app.app_context():
            return [m.to_dict() for m in chat_answer(app, session, incoming, site)]

    return Handler(answer=answer_in_app, settings=lambda: settings(app))


def chat_answer(app: Flask, session: Session, incoming: Incoming, site: str) -> list[Any]:
    """The chat's step for ``incoming`` and its answer as the SDK's messages (in the app's
    context)."""
    channel = settings(app)
    client, content = _services(app, channel)
    chat = Chat(
        session=session,
        now=dt.datetime.now(dt.UTC),
        max_distance_m=app.config["ROUTING_MAX_DISTANCE_M"],
        content=content,
        language_of=client.language if client else lambda _user: None,
        receipt_url=lambda code: status_url(app, site, code),
        may_report=_may_report,
        link_account=_link_account,
        report_made=report_made,
    )
    return messages(answer(chat, incoming))


def status_url(app: Flask, site: str, code: str) -> str:
    """The public status page of receipt ``code`` under ``site`` (the app's public address as
    the webhook saw it, e.g. ``https://borderwatch.example/``)."""
    parts = urlsplit(site)
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "https"
    )
    return adapter.build("public.status", {"code": code}, force_external=True)


def _services(app: Flask, channel: LineSettings) -> tuple[LineClient | None, ContentSource]:
    """The app's LINE client (``None`` without a token) and content source, kept between
    events per channel."""
    clients = app.extensions.setdefault(CLIENTS, {})
    if id(channel) not in clients:
        client = LineClient(channel) if channel.sends else None
        clients[id(channel)] = (channel, client, content_source(channel))
    _, client, content = clients[id(channel)]
    return client, content


def _may_report(line_user_id: str) -> bool:
    """The per-user limit of LINE reports (``LINE_REPORT_LIMIT_USER``) in the shared storage."""
    from webapp.limits import EXTENSION

    limiter = current_app.extensions[EXTENSION].limiter
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    limits = parse_many(current_app.config["LINE_REPORT_LIMIT_USER"])
    key = f"{prefix}/line-report"
    if not all(limiter.test(limit, key, line_user_id) for limit in limits):
        return False
    return all([limiter.hit(limit, key, line_user_id) for limit in limits])


def _link_account(session: Session, text: str, line_user_id: str) -> bool | None:
    """A staff member's link code (:func:`gis.notify.settings.link_line_account`): ``None`` when
    the text is no link code."""
    from gis.notify.settings import link_line_account, normalise_link_code

    if normalise_link_code(text) is None:
        return None
    return link_line_account(session, text, line_user_id) is not None
