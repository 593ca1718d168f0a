"""What the header offers each role: the pages of the workspace it may open, in one place.

The base layout (templates/base.html) draws :func:`navigation` for the signed-in account; a page
missing from the app (a blueprint not registered) is left out, so the menu never links to a 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_login import current_user

from gis.types import Role
from webapp.vocab_cooperation import NAV_TITLE as COOPERATION_TITLE

ALL = frozenset(Role)


@dataclass(frozen=True)
class Item:
    endpoint: str
    title: LazyString
    roles: frozenset[Role]
    #: Blueprints whose pages light this item up as the current one.
    section: str


#: The header's items in their order.
ITEMS = (
    Item("map.index", _l("Map"), ALL, "map"),
    Item(
        "incidents.my_reports",
        _l("My reports"),
        frozenset({Role.OFFICER, Role.VOLUNTEER, Role.COORDINATOR}),
        "my_reports",
    ),
    Item(
        "review.queue_page",
        _l("Triage"),
        frozenset({Role.COORDINATOR}),
        "review",
    ),
    Item(
        "desk.form",
        _l("MWCC desk"),
        frozenset({Role.COORDINATOR, Role.OFFICER}),
        "desk",
    ),
    Item(
        "patrols.planner",
        _l("Patrol planner"),
        frozenset({Role.PATROL_PLANNER, Role.HQ_ANALYST, Role.COORDINATOR}),
        "patrols",
    ),
    Item(
        "dashboard.index",
        _l("Dashboard"),
        frozenset({Role.HQ_ANALYST, Role.PATROL_PLANNER, Role.COORDINATOR}),
        "dashboard",
    ),
    Item(
        "cooperation.index",
        COOPERATION_TITLE,
        frozenset(
            {
                Role.COORDINATOR,
                Role.OFFICER,
                Role.PATROL_PLANNER,
                Role.HQ_ANALYST,
                Role.ADMINISTRATOR,
            }
        ),
        "cooperation",
    ),
    Item(
        "reference.edit_page",
        _l("Map editor"),
        frozenset({Role.COORDINATOR, Role.ADMINISTRATOR}),
        "reference",
    ),
    Item(
        "reference.review_page",
        _l("Map review"),
        frozenset({Role.ADMINISTRATOR}),
        "reference",
    ),
    Item("export.export_page", _l("Export"), ALL, "export"),
    Item("export.exports_page", _l("Export jobs"), ALL, "exports"),
    Item("admin.users", _l("Accounts"), frozenset({Role.ADMINISTRATOR}), "admin"),
    Item("notify.deliveries", _l("Deliveries"), frozenset({Role.ADMINISTRATOR}), "notify"),
)


#: The pages that are an item of their own.
ENDPOINTS = frozenset(item.endpoint for item in ITEMS)


def navigation() -> list[dict[str, object]]:
    """The items the signed-in account may open: ``title``, ``url``, ``current``."""
    if not current_user.is_authenticated:
        return []
    here = request.endpoint or ""
    found = []
    for item in ITEMS:
        if current_user.role not in item.roles:
            continue
        if item.endpoint not in current_app.view_functions:
            continue
        # a page of the blueprint lights up its item, unless the page is another item's own
        # (the export page and the export jobs page share a blueprint)
        current = here == item.endpoint or (
            request.blueprint == item.endpoint.partition(".")[0]
            and item.section != "map"
            and here not in ENDPOINTS
        )
        found.append({"title": str(item.title), "url": url_for(item.endpoint), "current": current})
    return found


def link(endpoint: str, **values: object) -> str | None:
    """The URL of ``endpoint`` if the app has it, else ``None`` (optional pages in the layout)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def init_app(app: Flask) -> None:
    app.add_template_global(navigation)
    app.add_template_global(link, "optional_url")
