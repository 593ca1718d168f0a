"""Agreements and action items of an activity: owner (side and agency), due day, status, and
the incident, hotspot, natural crossing or checkpoint an item is about. An item still open after
its due day is overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from gis.accounts.scope import scope_district_ids
from gis.cooperation.access import READERS, RECORDERS, readable_scope, require_role
from gis.cooperation.activities import get_activity
from gis.cooperation.audit import record_change
from gis.errors import InvalidInput, NotFound
from gis.models import (
    ActionItem,
    Activity,
    Checkpoint,
    Hotspot,
    HotspotRun,
    Incident,
    NaturalCrossing,
    User,
)
from gis.parsing import parse_choice, parse_day, parse_integer, parse_text, refuse_unknown
from gis.text import N_
from gis.types import ActionStatus, CooperationRecord, RunStatus, Side

FIELDS = (
    "text",
    "owner_side",
    "owner_agency",
    "due_on",
    "status",
    "incident_id",
    "hotspot_id",
    "natural_crossing_id",
    "checkpoint_id",
)
#: What an item may link to: field -> table.
LINKS: dict[str, Any] = {
    "incident_id": Incident,
    "hotspot_id": Hotspot,
    "natural_crossing_id": NaturalCrossing,
    "checkpoint_id": Checkpoint,
}
OPEN_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class ActionInput:
    text: str
    owner_side: Side
    owner_agency: str | None
    due_on: dt.date | None
    status: ActionStatus
    links: tuple[tuple[str, int | None], ...]


def parse_action(body: Mapping[str, Any]) -> ActionInput:
    """Check an agreement or action item's members.

    Raises:
        InvalidInput: naming the first member that is missing or malformed.
    """
    refuse_unknown(body, FIELDS)
    text = parse_text(body.get("text"), "text", 2000)
    if text is None:
        raise InvalidInput(N_("{field} is required"), field="text")
    due = body.get("due_on")
    links = tuple(
        (
            name,
            None if body.get(name) in (None, "") else parse_integer(body.get(name), name, 1, 2**62),
        )
        for name in LINKS
    )
    return ActionInput(
        text=text.strip(),
        owner_side=parse_choice(body.get("owner_side"), "owner_side", Side),
        owner_agency=parse_text(body.get("owner_agency"), "owner_agency", 200),
        due_on=parse_day(due, "due_on") if due not in (None, "") else None,
        status=parse_choice(body.get("status", "open"), "status", ActionStatus),
        links=links,
    )


def _check_links(session: Session, data: ActionInput, viewer: User, activity: Activity) -> None:
    """Each link names a record that exists and that the item may be about: an incident the
    viewer sees, a hotspot that touches the activity's district, a natural crossing or a
    checkpoint of that district (others are refused as records that do not exist)."""
    scope = scope_district_ids(session, viewer)
    for name, value in data.links:
        if value is None:
            continue
        table = LINKS[name]
        row = session.get(table, value)
        if row is None:
            allowed = False
        elif table is Incident:  # one the viewer may not see is as one that does not exist
            allowed = scope is None or row.district_id in scope
        elif table is Hotspot:
            allowed = activity.district_id in (row.district_ids or [])
        else:
            allowed = row.district_id == activity.district_id
        if not allowed:
            raise InvalidInput(N_("{field}: no such record {id}"), field=name, id=value)


@dataclass(frozen=True, slots=True)
class LinkChoice:
    """A record an item of an activity may be about, as the agreement form offers it."""

    id: int
    name: str
    name_th: str | None = None
    detail: int | None = None


def link_choices(session: Session, activity: Activity) -> dict[str, list[LinkChoice]]:
    """What the agreement form of ``activity`` offers to link, by field: the hotspots of the
    newest finished run that covers its district (``detail``: their incidents), its natural
    crossings and its checkpoints, by name."""
    district_id = activity.district_id
    run_id = session.execute(
        select(HotspotRun.id)
        .where(
            HotspotRun.status == RunStatus.DONE,
            or_(
                HotspotRun.district_ids.is_(None),
                HotspotRun.district_ids.contains([district_id]),
            ),
        )
        .order_by(HotspotRun.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    hotspots = []
    if run_id is not None:
        hotspots = [
            LinkChoice(row.id, str(row.rank), None, row.n_incidents)
            for row in session.execute(
                select(Hotspot.id, Hotspot.rank, Hotspot.n_incidents)
                .where(
                    Hotspot.run_id == run_id,
                    Hotspot.district_ids.contains(func.jsonb_build_array(district_id)),
                )
                .order_by(Hotspot.rank)
            )
        ]
    crossings = [
        LinkChoice(row.id, row.name)
        for row in session.execute(
            select(NaturalCrossing.id, NaturalCrossing.name)
            .where(NaturalCrossing.district_id == district_id)
            .order_by(NaturalCrossing.name, NaturalCrossing.id)
        )
    ]
    checkpoints = [
        LinkChoice(row.id, row.name, row.name_th)
        for row in session.execute(
            select(Checkpoint.id, Checkpoint.name, Checkpoint.name_th)
            .where(Checkpoint.district_id == district_id)
            .order_by(Checkpoint.name, Checkpoint.id)
        )
    ]
    return {
        "hotspot_id": hotspots,
        "natural_crossing_id": crossings,
        "checkpoint_id": checkpoints,
    }


def _snapshot(item: ActionItem) -> dict[str, Any]:
    return {
        "activity_id": item.activity_id,
        "text": item.text,
        "owner_side": item.owner_side,
        "owner_agency": item.owner_agency,
        "due_on": item.due_on,
        "status": item.status,
        **{name: getattr(item, name) for name in LINKS},
    }


def _apply(item: ActionItem, data: ActionInput) -> None:
    item.text = data.text
    item.owner_side = data.owner_side
    item.owner_agency = data.owner_agency
    item.due_on = data.due_on
    item.status = data.status
    for name, value in data.links:
        setattr(item, name, value)


def add_action(session: Session, activity_id: int, data: ActionInput, viewer: User) -> ActionItem:
    """Add an agreement or action item to an activity of the viewer's district, audited.

    Raises:
        Forbidden: the role does not record agreements.
        NotFound: no such activity in the viewer's scope.
        InvalidInput: a link to a record that does not exist or the viewer may not see.
    """
    require_role(viewer, RECORDERS)
    activity = get_activity(session, activity_id, viewer)
    _check_links(session, data, viewer, activity)
    return store_action(session, activity, data, viewer)


def store_action(
    session: Session, activity: Activity, data: ActionInput, by: User | None
) -> ActionItem:
    """Store a checked item of ``activity`` with its record of change (``by``: the account;
    ``None`` for the demo loader). Callers check role, scope and links first."""
    item = ActionItem(activity_id=activity.id)
    _apply(item, data)
    session.add(item)
    session.flush()
    record_change(
        session,
        by=by,
        district_id=activity.district_id,
        record=CooperationRecord.ACTION_ITEM,
        record_id=item.id,
        action="created",
        new=_snapshot(item),
    )
    return item


def get_action(session: Session, item_id: int, viewer: User) -> tuple[ActionItem, Activity]:
    """An item and its activity, if the viewer reads the activity's district.

    Raises:
        NotFound: no such item in the viewer's scope.
    """
    item = session.get(ActionItem, item_id)
    if item is None:
        raise NotFound(N_("no such action item"), field="id")
    try:
        return item, get_activity(session, item.activity_id, viewer)
    except NotFound:
        raise NotFound(N_("no such action item"), field="id") from None


def update_action(session: Session, item_id: int, data: ActionInput, viewer: User) -> ActionItem:
    """Replace an item's values (status included), audited with before and after.

    Raises:
        Forbidden, NotFound, InvalidInput: as :func:`add_action`.
    """
    require_role(viewer, RECORDERS)
    item, activity = get_action(session, item_id, viewer)
    _check_links(session, data, viewer, activity)
    before = _snapshot(item)
    _apply(item, data)
    item.updated_at = func.now()
    session.flush()
    record_change(
        session,
        by=viewer,
        district_id=activity.district_id,
        record=CooperationRecord.ACTION_ITEM,
        record_id=item.id,
        action="updated",
        old=before,
        new=_snapshot(item),
    )
    return item


def overdue(today: dt.date) -> ColumnElement[bool]:
    """The condition of an item still open after its due day."""
    return and_(
        ActionItem.due_on.is_not(None),
        ActionItem.due_on < today,
        ActionItem.status.in_(OPEN_STATUSES),
    )


def action_json(item: ActionItem, today: dt.date) -> dict[str, Any]:
    """An item as the API answers it, marked ``overdue`` when it is."""
    body = {
        "id": item.id,
        "activity_id": item.activity_id,
        "text": item.text,
        "owner_side": item.owner_side.value,
        "owner_agency": item.owner_agency,
        "due_on": item.due_on.isoformat() if item.due_on else None,
        "status": item.status.value,
        "overdue": bool(item.due_on and item.due_on < today and item.status in OPEN_STATUSES),
    }
    body.update({name: getattr(item, name) for name in LINKS})
    return body


def list_actions(
    session: Session,
    viewer: User,
    today: dt.date,
    *,
    activity_id: int | None = None,
    only_overdue: bool = False,
    district_ids: list[int] | None = None,
) -> list[ActionItem]:
    """Items the viewer reads (of one activity, or overdue ones), by due day."""
    scope = readable_scope(session, viewer)
    query = (
        select(ActionItem)
        .join(Activity, Activity.id == ActionItem.activity_id)
        .order_by(ActionItem.due_on.asc().nulls_last(), ActionItem.id)
    )
    if scope is not None:
        query = query.where(Activity.district_id.in_(scope))
    if district_ids is not None:
        query = query.where(Activity.district_id.in_(district_ids))
    if activity_id is not None:
        query = query.where(ActionItem.activity_id == activity_id)
    if only_overdue:
        query = query.where(overdue(today))
    return list(session.execute(query).scalars())


def items_about(
    session: Session, viewer: User, link: str, record_id: int
) -> list[tuple[ActionItem, Activity]]:
    """The agreements and action items about one incident, hotspot, natural crossing or
    checkpoint (``link``: ``incident_id``, ``hotspot_id``, ``natural_crossing_id`` or
    ``checkpoint_id``) that the viewer reads, by due day; none for a role outside the register.
    """
    if viewer.role not in READERS or link not in LINKS:
        return []
    scope = readable_scope(session, viewer)
    query = (
        select(ActionItem, Activity)
        .join(Activity, Activity.id == ActionItem.activity_id)
        .where(getattr(ActionItem, link) == record_id)
        .order_by(ActionItem.due_on.asc().nulls_last(), ActionItem.id)
    )
    if scope is not None:
        query = query.where(Activity.district_id.in_(scope))
    return [(item, activity) for item, activity in session.execute(query).all()]
