"""Authorization matrix rows for the cooperation register (activities, agreements, budget).

Who: coordinators and officers record and edit their district's activities and agreements;
coordinators record spending; administrators allocate; planners, HQ analysts and administrators
read in their scope; volunteers have no part (403). Activity and agreement routes are scoped like
incidents: the matrix's in-scope incidents stand for an activity (and its agreement) of Chiang
Khong, the out-of-scope incident for one of Aranyaprathet, and a missing id for a missing one.
"""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.cooperation.access import ALLOCATORS, READERS, RECORDERS, SPENDERS
from gis.cooperation.activities import create_activity, parse_activity
from gis.cooperation.agreements import add_action, parse_action
from gis.cooperation.attachments import add_minutes
from gis.cooperation.budget import (
    add_spending,
    create_allocation,
    parse_allocation,
    parse_spending,
)
from gis.cooperation.documents import PDF
from gis.cooperation.photos import add_activity_photo
from gis.cooperation.uploads import UploadQuota
from gis.models import District, DistrictParallelArea
from gis.types import Role
from tests.factories import make_user
from tests.images import jpeg
from tests.pdfs import pdf_with_metadata
from tests.webapp.authz import AWAY, HOME, MISSING_ID, Policy, World, get

API = "/api/cooperation"


def _pick(world: World, obj: int | None, kind: str) -> int:
    """The activity (or agreement) standing for an incident of the matrix (same district)."""
    home = (world.incidents["home"], world.incidents["volunteer"])
    made = world.extra[kind]
    if obj in home:
        return made["home"]
    return made["away"] if obj is not None and obj != MISSING_ID else MISSING_ID


def _body(world: World, where: tuple[float, float] = HOME) -> dict[str, Any]:
    return {
        "kind": "mwcc_meeting",
        "title": "ประชุม ศปก.อ. (ตาราง)",
        "starts_on": "2026-11-20",
        "lon": where[0],
        "lat": where[1],
        "parallel_areas": world.extra["coop_pairs"],
        "topics": ["drug_trafficking"],
        "participants": [{"side": "THA", "group": "officials", "total": 3, "women": 1}],
    }


def _json(method_path: str, kind: str | None, body: Any) -> Any:
    def build(world: World, obj: int | None, token: str) -> dict[str, Any]:
        path = method_path.format(id=_pick(world, obj, kind) if kind else obj)
        payload = body(world) if callable(body) else body
        return {"path": path, "json": payload, "headers": {"X-CSRFToken": token}}

    return build


def _form(path: str, kind: str | None, form: Any) -> Any:
    def build(world: World, obj: int | None, token: str) -> dict[str, Any]:
        data = form(world) if callable(form) else dict(form)
        return {
            "path": path.format(id=_pick(world, obj, kind) if kind else obj),
            "data": {**data, "csrf_token": token},
        }

    return build


def _scoped_get(path: str, kind: str) -> Any:
    return lambda world, obj, token: {"path": path.format(id=_pick(world, obj, kind))}


def _photo_upload(path: str, page: bool) -> Any:
    def build(world: World, obj: int | None, token: str) -> dict[str, Any]:
        data: dict[str, Any] = {"photo": (io.BytesIO(jpeg()), "p.jpg", "image/jpeg")}
        out: dict[str, Any] = {
            "path": path.format(id=_pick(world, obj, "coop_activities")),
            "content_type": "multipart/form-data",
        }
        if page:
            data["csrf_token"] = token
        else:
            out["headers"] = {"X-CSRFToken": token}
        return {**out, "data": data}

    return build


def _photo_get(world: World, obj: int | None, token: str) -> dict[str, Any]:
    activity = _pick(world, obj, "coop_activities")
    photo = world.extra["coop_photos"].get(activity, MISSING_ID)
    return {"path": f"{API}/activities/{activity}/photos/{photo}"}


def _file_upload(path: str, kind: str, field: str, page: bool) -> Any:
    """A PDF upload of minutes or a receipt (``kind``: the activities or the spending lines)."""

    def build(world: World, obj: int | None, token: str) -> dict[str, Any]:
        data: dict[str, Any] = {field: (io.BytesIO(pdf_with_metadata(1)), "m.pdf", PDF)}
        out: dict[str, Any] = {
            "path": path.format(id=_pick(world, obj, kind)),
            "content_type": "multipart/form-data",
        }
        if page:
            data["csrf_token"] = token
        else:
            out["headers"] = {"X-CSRFToken": token}
        return {**out, "data": data}

    return build


def _attachment_get(world: World, obj: int | None, token: str) -> dict[str, Any]:
    return {"path": f"{API}/attachments/{_pick(world, obj, 'coop_minutes')}"}


def _activity_form(world: World) -> dict[str, Any]:
    return {
        "kind": "mwcc_meeting",
        "title": "ประชุม (ตาราง)",
        "starts_on": "2026-11-20",
        "lat": str(HOME[1]),
        "lon": str(HOME[0]),
        "parallel_areas": [str(a) for a in world.extra["coop_pairs"]],
        "total-THA-officials": "2",
    }


PERIOD = "from=2026-10-01&to=2026-11-30"
ITEM = {"text": "ลาดตระเวนร่วม", "owner_side": "LAO", "due_on": "2026-12-31"}


def rows() -> dict[tuple[str, str], Policy]:
    """``(rule, method) -> Policy`` for each route of the register."""
    readers, recorders = frozenset(READERS), frozenset(RECORDERS)
    spenders, allocators = frozenset(SPENDERS), frozenset(ALLOCATORS)
    spend = {"spent_on": "2026-06-01", "item": "ค่าอาหาร", "amount": "10.00"}

    def spend_json(world: World) -> dict[str, Any]:
        return {**spend, "allocation_id": world.extra["coop_allocation"]}

    def spend_form(world: World) -> dict[str, Any]:
        return {**spend, "allocation_id": str(world.extra["coop_allocation"]), "year": "2569"}

    allocation = {"district": "TH5703", "fiscal_year": 2569, "amount": "500.00", "source": "MRCF"}
    return {
        (f"{API}/activities", "GET"): Policy(get(f"{API}/activities"), roles=readers),
        (f"{API}/activities", "POST"): Policy(
            _json(f"{API}/activities", None, _body), ok=201, roles=recorders
        ),
        (f"{API}/activities/<int:activity_id>", "GET"): Policy(
            _scoped_get(API + "/activities/{id}", "coop_activities"), roles=readers, scoped=True
        ),
        (f"{API}/activities/<int:activity_id>", "PUT"): Policy(
            _json(API + "/activities/{id}", "coop_activities", _body),
            roles=recorders,
            scoped=True,
        ),
        (f"{API}/activities/<int:activity_id>/actions", "POST"): Policy(
            _json(API + "/activities/{id}/actions", "coop_activities", ITEM),
            ok=201,
            roles=recorders,
            scoped=True,
        ),
        (f"{API}/actions", "GET"): Policy(get(f"{API}/actions?overdue=1"), roles=readers),
        (f"{API}/about", "GET"): Policy(get(f"{API}/about?link=checkpoint_id&id=1"), roles=readers),
        (f"{API}/actions/<int:item_id>", "PUT"): Policy(
            _json(API + "/actions/{id}", "coop_actions", {**ITEM, "status": "done"}),
            roles=recorders,
            scoped=True,
        ),
        (f"{API}/allocations", "POST"): Policy(
            _json(f"{API}/allocations", None, allocation), ok=201, roles=allocators
        ),
        (f"{API}/spending", "POST"): Policy(
            _json(f"{API}/spending", None, spend_json), ok=201, roles=spenders
        ),
        (f"{API}/budget", "GET"): Policy(get(f"{API}/budget?year=2569"), roles=readers),
        (f"{API}/activities/<int:activity_id>/photos", "POST"): Policy(
            _photo_upload(API + "/activities/{id}/photos", page=False),
            ok=201,
            roles=recorders,
            scoped=True,
        ),
        (f"{API}/activities/<int:activity_id>/photos/<int:photo_id>", "GET"): Policy(
            _photo_get, roles=readers, scoped=True
        ),
        ("/cooperation/activities/<int:activity_id>/photos", "POST"): Policy(
            _photo_upload("/cooperation/activities/{id}/photos", page=True),
            ok=303,
            roles=recorders,
            scoped=True,
            page=True,
        ),
        (f"{API}/activities/<int:activity_id>/minutes", "POST"): Policy(
            _file_upload(API + "/activities/{id}/minutes", "coop_activities", "minutes", False),
            ok=201,
            roles=recorders,
            scoped=True,
        ),
        ("/cooperation/activities/<int:activity_id>/minutes", "POST"): Policy(
            _file_upload(
                "/cooperation/activities/{id}/minutes", "coop_activities", "minutes", True
            ),
            ok=303,
            roles=recorders,
            scoped=True,
            page=True,
        ),
        (f"{API}/spending/<int:line_id>/receipts", "POST"): Policy(
            _file_upload(API + "/spending/{id}/receipts", "coop_lines", "receipt", False),
            ok=201,
            roles=spenders,
            scoped=True,
        ),
        ("/cooperation/spending/<int:line_id>/receipts", "POST"): Policy(
            _file_upload("/cooperation/spending/{id}/receipts", "coop_lines", "receipt", True),
            ok=303,
            roles=spenders,
            scoped=True,
            page=True,
        ),
        (f"{API}/attachments/<int:attachment_id>", "GET"): Policy(
            _attachment_get, roles=readers, scoped=True
        ),
        ("/cooperation", "GET"): Policy(get("/cooperation"), roles=readers, page=True),
        ("/cooperation/new", "GET"): Policy(get("/cooperation/new"), roles=recorders, page=True),
        ("/cooperation/new", "POST"): Policy(
            _form("/cooperation/new", None, _activity_form), ok=303, roles=recorders, page=True
        ),
        ("/cooperation/activities/<int:activity_id>", "GET"): Policy(
            _scoped_get("/cooperation/activities/{id}", "coop_activities"),
            roles=readers,
            scoped=True,
            page=True,
        ),
        ("/cooperation/activities/<int:activity_id>/edit", "GET"): Policy(
            _scoped_get("/cooperation/activities/{id}/edit", "coop_activities"),
            roles=recorders,
            scoped=True,
            page=True,
        ),
        ("/cooperation/activities/<int:activity_id>/edit", "POST"): Policy(
            _form("/cooperation/activities/{id}/edit", "coop_activities", _activity_form),
            ok=303,
            roles=recorders,
            scoped=True,
            page=True,
        ),
        ("/cooperation/activities/<int:activity_id>/actions", "POST"): Policy(
            _form("/cooperation/activities/{id}/actions", "coop_activities", ITEM),
            ok=303,
            roles=recorders,
            scoped=True,
            page=True,
        ),
        ("/cooperation/actions/<int:item_id>/status", "POST"): Policy(
            _form("/cooperation/actions/{id}/status", "coop_actions", {"status": "done"}),
            ok=303,
            roles=recorders,
            scoped=True,
            page=True,
        ),
        ("/cooperation/report", "GET"): Policy(
            get(f"/cooperation/report?district=TH5703&{PERIOD}"), roles=readers, page=True
        ),
        ("/cooperation/report.csv", "GET"): Policy(
            get(f"/cooperation/report.csv?district=TH5703&{PERIOD}"), roles=readers, page=True
        ),
        ("/cooperation/national", "GET"): Policy(
            get(f"/cooperation/national?{PERIOD}"), roles=readers, page=True
        ),
        ("/cooperation/national.csv", "GET"): Policy(
            get(f"/cooperation/national.csv?{PERIOD}"), roles=readers, page=True
        ),
        ("/cooperation/budget", "GET"): Policy(
            get("/cooperation/budget?year=2569"), roles=readers, page=True
        ),
        ("/cooperation/budget/allocations", "POST"): Policy(
            _form("/cooperation/budget/allocations", None, {**allocation, "fiscal_year": "2569"}),
            ok=303,
            roles=allocators,
            page=True,
        ),
        ("/cooperation/budget/spending", "POST"): Policy(
            _form("/cooperation/budget/spending", None, spend_form),
            ok=303,
            roles=spenders,
            page=True,
        ),
    }


def prepare(session: Session, world: World) -> None:
    """An activity with an agreement in Chiang Khong and in Aranyaprathet, and an allocation of
    Chiang Khong for fiscal year 2569."""
    pairs = {
        pcode: list(
            session.execute(
                select(DistrictParallelArea.parallel_area_id)
                .join(District, District.id == DistrictParallelArea.district_id)
                .where(District.pcode == pcode)
                .order_by(DistrictParallelArea.parallel_area_id)
            ).scalars()
        )
        for pcode in ("TH5703", "TH2706")
    }
    world.extra["coop_pairs"] = pairs["TH5703"][:2]
    home_writer = world.users[Role.COORDINATOR]
    away_writer = make_user(session, Role.COORDINATOR, "matrix-coop-away", district="TH2706")
    activities, actions, photos, minutes, lines = {}, {}, {}, {}, {}
    admin = world.users[Role.ADMINISTRATOR]
    for name, writer, where, pcode in (
        ("home", home_writer, HOME, "TH5703"),
        ("away", away_writer, AWAY, "TH2706"),
    ):
        body = {**_body(world, where), "parallel_areas": pairs[pcode][:1]}
        activity = create_activity(session, parse_activity(body), writer)
        activities[name] = activity.id
        actions[name] = add_action(session, activity.id, parse_action(ITEM), writer).id
        photo, _ = add_activity_photo(session, activity.id, jpeg((40, 30), (9, 9, 9)), writer)
        photos[activity.id] = photo.id
        quota = UploadQuota()
        minutes[name] = add_minutes(session, activity.id, pdf_with_metadata(2), writer, quota)[0].id
        allocation = create_allocation(
            session,
            parse_allocation(
                {"district": pcode, "fiscal_year": 2569, "amount": "80000", "source": "MRCF"}
            ),
            admin,
        )
        line = {"allocation_id": allocation.id, "spent_on": "2026-06-01", "item": "อาหาร"}
        lines[name] = add_spending(session, parse_spending({**line, "amount": 10}), writer).id
        if name == "home":
            world.extra["coop_allocation"] = allocation.id
    world.extra["coop_activities"] = activities
    world.extra["coop_actions"] = actions
    world.extra["coop_photos"] = photos
    world.extra["coop_minutes"] = minutes
    world.extra["coop_lines"] = lines
