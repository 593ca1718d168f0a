"""``GET /export``: the export page of a signed-in account.

It lists the collections the account may read, each with plain download links (GeoJSON, CSV,
GeoPackage, Shapefile, KML, FlatGeobuf, GeoParquet: ``GET /api/export/<collection>.<format>``).
An HQ analyst also gets the form of a sensitive export of incidents: a ``POST`` with the CSRF
token, a reason and optional filters, one submit button per format, since a sensitive export
cannot start from a link (:mod:`webapp.export.api`).
"""

from __future__ import annotations

from typing import Any

from flask import render_template
from flask_babel import lazy_pgettext
from flask_login import login_required

from gis import export
from gis.export.collections import COLLECTIONS
from gis.export.plan import MAX_REASON, SENSITIVE_ROLES
from gis.export.run import FILE_FORMATS
from webapp.export import bp
from webapp.export.auth import viewer_access
from webapp.export.words import FORMAT_NAMES
from webapp.vocab_cooperation import COLLECTION_TITLE as COOPERATION_ACTIVITIES

#: Each collection's name on the page (the registry's titles are for the OGC API); in the
#: context "collection", since the same words elsewhere may be counts or headings.
TITLES = {
    "incidents": lazy_pgettext("collection", "Incidents"),
    "hotspots": lazy_pgettext("collection", "Hotspots"),
    "hexagon_cells": lazy_pgettext("collection", "Hexagon cells (Gi*)"),
    "patrol_plans": lazy_pgettext("collection", "Patrol plans"),
    "checkpoints": lazy_pgettext("collection", "Checkpoints"),
    "natural_crossings": lazy_pgettext("collection", "Natural crossings"),
    "districts": lazy_pgettext("collection", "Districts"),
    "parallel_areas": lazy_pgettext("collection", "Parallel areas"),
    "border_segments": lazy_pgettext("collection", "Border segments"),
    "mekong": lazy_pgettext("collection", "Mekong"),
    "watch_corridor": lazy_pgettext("collection", "Watch corridor"),
    "cooperation_activities": COOPERATION_ACTIVITIES,
}
#: The collection a sensitive export is made of (the only one with sensitive fields).
SENSITIVE_COLLECTION = "incidents"


@bp.get("/export")
@login_required
def export_page() -> Any:
    access = viewer_access()
    readable = [c for c in COLLECTIONS.values() if export.may_read(c, access)]
    html = render_template(
        "export/index.html",
        collections=[(c.name, TITLES[c.name]) for c in readable],
        formats=[(f.value, FORMAT_NAMES[f]) for f in FILE_FORMATS],
        sensitive=access.role in SENSITIVE_ROLES,
        sensitive_collection=SENSITIVE_COLLECTION,
        max_reason=MAX_REASON,
    )
    return html, 200, {"Cache-Control": "no-store"}
