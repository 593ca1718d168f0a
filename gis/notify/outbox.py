"""Writing notifications: who is told of which event, on which channel, in the event's own
transaction.

Each writer is called by the code that makes the event, before it commits (the web views commit
once), so that an event and its notifications are stored together or not at all. A row's
``delivery_key`` names the event, the recipient and the channel; rows are inserted with
``ON CONFLICT (delivery_key) DO NOTHING``, so writing an event twice (a replayed report, a
periodic check that runs again) stores each notification once.

Who is told:

- a new report: the coordinators of its district (active accounts);
- a report still ``new`` after :data:`WAITING_AFTER`: the district's coordinators and the patrol
  planners whose scope holds the district (its own or its province's);
- a status change: the account that reported it (unless it made the change itself); for a
  report of a citizen who gave an e-mail address or a LINE user id as the contact and agreed to
  updates, the citizen, when the state the citizen reads changes (status words only, never a
  note);
- a patrol plan: the accounts of the plan's district that lead its unit
  (``notify_setting.leads_unit``);
- an overdue cooperation action item: the account that recorded its activity.

E-mail and LINE rows due at once also defer the worker's :data:`DELIVER` job in the same
transaction (:func:`deliver_soon`), so that they leave within seconds of the event's commit;
the worker's minute (``notify.tick``) delivers the rest (digests, the end of quiet hours,
retries).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, exists, or_, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gis.cooperation.agreements import overdue
from gis.incidents.public import PUBLIC_STATE
from gis.jobs import defer
from gis.models import (
    ActionItem,
    Activity,
    District,
    Incident,
    Notification,
    NotifySetting,
    PatrolPlan,
    User,
)
from gis.notify.settings import EMAIL, digest_due, preferences, quiet_until, wants
from gis.parsing import THAI_TIME
from gis.types import DeliveryStatus, IncidentStatus, NotifyChannel, NotifyKind, Role

#: A new report still waiting for triage after this long is brought to attention again.
WAITING_AFTER = dt.timedelta(hours=48)
#: How far back the periodic check looks for reports that passed :data:`WAITING_AFTER`.
WAITING_LOOKBACK = dt.timedelta(days=7)
#: How far back the periodic catch-up looks for new reports not told of yet.
RECENT = dt.timedelta(hours=1)
#: The worker's task that delivers what is due (:mod:`gis.notify.tasks`).
DELIVER = "notify.deliver"
#: What a citizen's contact may be for updates: an e-mail address or a LINE user id.
_LINE_CONTACT = re.compile(r"^(?:line:)?(U[0-9a-f]{32})$")


def citizen_address(contact: str | None) -> tuple[NotifyChannel, str] | None:
    """The channel and address of a citizen's contact, when it is one the notifications can
    reach (an e-mail address, a LINE user id, bare or as ``line:U…``), else ``None``."""
    text = (contact or "").strip()
    found = _LINE_CONTACT.match(text)
    if found:
        return NotifyChannel.LINE, found.group(1)
    if EMAIL.match(text):
        return NotifyChannel.EMAIL, text
    return None


def notify_accounts(
    session: Session,
    kind: NotifyKind,
    user_ids: Iterable[int],
    *,
    event: str,
    now: dt.datetime,
    incident_id: int | None = None,
    params: dict[str, Any] | None = None,
    digestable: bool = False,
) -> int:
    """Write one row per account and channel it wants ``kind`` on.

    In-app rows are stored read to show (``sent``); e-mail and LINE rows wait for the worker,
    until the account's digest window ends (``digestable`` kinds of accounts that chose a
    digest) and its quiet hours are over.

    Args:
        session: open session; flushed, not committed.
        kind: what the rows tell.
        user_ids: the recipients' accounts.
        event: the event's key (``new_report:42``); with the account and channel it makes
            each row's delivery key.
        now: the event's time.
        incident_id: the incident the event is about, if any.
        params: what the message says (no staff note, no contact).
        digestable: whether an account's digest applies.

    Returns:
        The number of rows written (rows written before are not counted).
    """
    rows: list[dict[str, Any]] = []
    for user_id in dict.fromkeys(user_ids):
        setting = session.get(NotifySetting, user_id)
        prefs = preferences(session, user_id)
        for channel in NotifyChannel:
            if not wants(setting, prefs, kind, channel):
                continue
            row = _row(kind, channel, f"{event}:u{user_id}", incident_id, params, now)
            row["user_id"] = user_id
            if channel is NotifyChannel.IN_APP:
                row.update(status=DeliveryStatus.SENT.value, sent_at=now)
            else:
                due = now
                if digestable and setting is not None and setting.digest_minutes > 0:
                    due = digest_due(setting.digest_minutes, now)
                    row["digest"] = True
                row["next_attempt_at"] = quiet_until(setting, due) or due
            rows.append(row)
    return _insert(session, rows)


def _row(
    kind: NotifyKind,
    channel: NotifyChannel,
    recipient_key: str,
    incident_id: int | None,
    params: dict[str, Any] | None,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "delivery_key": f"{recipient_key}:{channel.value}",
        "kind": kind.value,
        "channel": channel.value,
        "user_id": None,
        "incident_id": incident_id,
        "params": params or {},
        "digest": False,
        "status": DeliveryStatus.WAITING.value,
        "next_attempt_at": now,
        "created_at": now,
        "sent_at": None,
    }


def _insert(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    if not rows:
        return 0
    result = session.execute(
        insert(Notification)
        .values(list(rows))
        .on_conflict_do_nothing(index_elements=["delivery_key"])
        .returning(Notification.id, Notification.status, Notification.next_attempt_at)
    )
    written = result.all()
    now = min(row["created_at"] for row in rows)
    if any(status == DeliveryStatus.WAITING and due <= now for _id, status, due in written):
        deliver_soon(session)
    return len(written)


_WAITING_JOB = text(
    "SELECT EXISTS (SELECT 1 FROM procrastinate.procrastinate_jobs"
    " WHERE queueing_lock = :lock AND status = 'todo')"
)


def deliver_soon(session: Session) -> None:
    """Have the worker deliver what is due now, rather than at its next minute: one
    :data:`DELIVER` job waits at a time (its ``queueing_lock``), deferred in the caller's
    transaction (so only when the notifications are committed).

    The job takes no ``lock``: two delivery runs at once are safe (each claims its rows with
    ``FOR UPDATE SKIP LOCKED`` and a lease, :mod:`gis.notify.delivery`), while a lock would
    keep every later delivery job waiting behind the job of a worker that died mid-run until
    the stalled-job sweep (:func:`gis.jobs.retry_stalled_jobs`) freed it."""
    if session.execute(_WAITING_JOB, {"lock": DELIVER}).scalar_one():
        return
    try:
        with session.begin_nested():  # another transaction may defer it first
            defer(session, DELIVER, queueing_lock=DELIVER)
    except IntegrityError:
        pass


#: The active coordinators of a district (``:district_id``): built once, not per report (every
#: report of the officer app asks it, and building the query cost more than running it).
_COORDINATORS = select(User).where(
    User.role == Role.COORDINATOR,
    User.district_id == bindparam("district_id"),
    User.is_active,
)


def coordinators_of(session: Session, district_id: int) -> list[User]:
    """The active coordinators of a district."""
    return list(session.scalars(_COORDINATORS, {"district_id": district_id}))


def planners_of(session: Session, district_id: int) -> list[User]:
    """The active patrol planners whose scope holds the district (its own or its province)."""
    province = select(District.province_id).where(District.id == district_id).scalar_subquery()
    return list(
        session.scalars(
            select(User).where(
                User.role == Role.PATROL_PLANNER,
                User.is_active,
                or_(User.district_id == district_id, User.province_id == province),
            )
        )
    )


def _incident_params(incident: Incident) -> dict[str, Any]:
    return {
        "incident_id": incident.id,
        "category": str(incident.category),
        "district_id": incident.district_id,
    }


def notify_new_report(
    session: Session,
    incident: Incident | Any,
    now: dt.datetime | None = None,
    coordinators: Sequence[int] | None = None,
) -> int:
    """Tell the district's coordinators of a new report (at once, or in their digest).

    Args:
        session: open session; flushed, not committed.
        incident: the report (an ``Incident`` or a row with its ``id``, ``category`` and
            ``district_id``).
        now: the report's time.
        coordinators: the ids of the district's active coordinators when the caller has them
            already (the statement that stores a report reads them with it:
            :func:`gis.incidents.reports.store_report`), else they are looked up.

    Returns:
        The number of notifications written (0 for a report told of before).
    """
    now = now or dt.datetime.now(dt.UTC)
    if coordinators is None:
        coordinators = [u.id for u in coordinators_of(session, incident.district_id)]
    return notify_accounts(
        session,
        NotifyKind.NEW_REPORT,
        coordinators,
        event=f"new_report:{incident.id}",
        now=now,
        incident_id=incident.id,
        params=_incident_params(incident),
        digestable=True,
    )


def notify_status_change(
    session: Session,
    incident: Incident,
    from_status: IncidentStatus,
    to_status: IncidentStatus,
    *,
    event_id: int,
    actor_id: int | None,
    now: dt.datetime | None = None,
) -> int:
    """Tell a report's reporter that its status changed (the citizen: the state it reads).

    Args:
        session: open session; flushed, not committed.
        incident: the report, after the change.
        from_status: the status before.
        to_status: the status after.
        event_id: the ``incident_event`` row of the change (the notification's key).
        actor_id: who made the change (not told of its own change).
        now: the change's time.

    Returns:
        The number of notifications written.
    """
    now = now or dt.datetime.now(dt.UTC)
    params = {**_incident_params(incident), "from": from_status.value, "to": to_status.value}
    written = 0
    if incident.reporter_id is not None and incident.reporter_id != actor_id:
        reporter = session.get(User, incident.reporter_id)
        if reporter is not None and reporter.is_active:
            written += notify_accounts(
                session,
                NotifyKind.STATUS_CHANGE,
                [reporter.id],
                event=f"status:{event_id}",
                now=now,
                incident_id=incident.id,
                params=params,
            )
    before, after = PUBLIC_STATE[from_status], PUBLIC_STATE[to_status]
    contact = citizen_address(incident.reporter_contact) if incident.updates_consent else None
    if contact is not None and before is not after:
        row = _row(
            NotifyKind.CITIZEN_STATUS,
            contact[0],
            f"status:{event_id}:citizen",
            incident.id,
            {"state": after.value, "category": str(incident.category)},
            now,
        )
        written += _insert(session, [row])
    return written


def notify_recent_reports(
    session: Session, now: dt.datetime | None = None, within: dt.timedelta = RECENT
) -> int:
    """The periodic catch-up: tell the coordinators of reports that arrived within ``within``
    and were not told of yet (reports stored by the worker, as the LINE chat's, whose code
    cannot call the outbox in their own transaction); a report told of before is skipped by
    its delivery keys."""
    now = now or dt.datetime.now(dt.UTC)
    told = exists().where(
        Notification.incident_id == Incident.id, Notification.kind == NotifyKind.NEW_REPORT
    )
    recent = session.scalars(
        select(Incident).where(
            Incident.status == IncidentStatus.NEW,
            Incident.reported_at > now - within,
            ~told,
        )
    ).all()
    return sum(notify_new_report(session, incident, now) for incident in recent)


def notify_waiting_reports(session: Session, now: dt.datetime | None = None) -> int:
    """The periodic check: tell the coordinators and planners of each report still ``new``
    :data:`WAITING_AFTER` after it arrived (once per report; reports older than
    :data:`WAITING_LOOKBACK` were told of by an earlier run)."""
    now = now or dt.datetime.now(dt.UTC)
    told = exists().where(
        Notification.incident_id == Incident.id, Notification.kind == NotifyKind.REPORT_WAITING
    )
    waiting = session.scalars(
        select(Incident).where(
            Incident.status == IncidentStatus.NEW,
            Incident.reported_at <= now - WAITING_AFTER,
            Incident.reported_at > now - WAITING_LOOKBACK,
            ~told,
        )
    ).all()
    written = 0
    for incident in waiting:
        people = coordinators_of(session, incident.district_id) + planners_of(
            session, incident.district_id
        )
        written += notify_accounts(
            session,
            NotifyKind.REPORT_WAITING,
            [u.id for u in people],
            event=f"waiting:{incident.id}",
            now=now,
            incident_id=incident.id,
            params=_incident_params(incident),
        )
    return written


def notify_patrol_plan(session: Session, plan: PatrolPlan, now: dt.datetime | None = None) -> int:
    """Tell the leaders of a plan's unit in its district (``notify_setting.leads_unit``)."""
    now = now or dt.datetime.now(dt.UTC)
    leaders = session.scalars(
        select(User)
        .join(NotifySetting, NotifySetting.user_id == User.id)
        .where(
            User.district_id == plan.district_id,
            User.is_active,
            NotifySetting.leads_unit == plan.unit,
        )
    ).all()
    return notify_accounts(
        session,
        NotifyKind.PATROL_PLAN,
        [u.id for u in leaders],
        event=f"plan:{plan.id}",
        now=now,
        params={
            "plan_id": plan.id,
            "unit": str(plan.unit),
            "planned_for": plan.planned_for.isoformat(),
        },
    )


def notify_overdue_actions(session: Session, now: dt.datetime | None = None) -> int:
    """The periodic check: tell the account that recorded each overdue action item's activity
    (once per item and due day)."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(THAI_TIME).date()
    rows = session.execute(
        select(ActionItem, User)
        .join(Activity, Activity.id == ActionItem.activity_id)
        .join(User, User.id == Activity.created_by_id)
        .where(overdue(today), User.is_active)
    ).all()
    written = 0
    for item, owner in rows:
        written += notify_accounts(
            session,
            NotifyKind.ACTION_OVERDUE,
            [owner.id],
            event=f"overdue:{item.id}:{item.due_on}",
            now=now,
            params={
                "item_id": item.id,
                "activity_id": item.activity_id,
                "due_on": item.due_on.isoformat() if item.due_on else None,
            },
        )
    return written
