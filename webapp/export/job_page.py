"""``GET /exports``: the account's export jobs, with a form to ask for one and a progress bar per
job that ``static/js/exports.js`` keeps up to date by polling ``/api/exports``."""

from __future__ import annotations

from typing import Any

from flask import render_template, url_for
from flask_babel import gettext
from flask_login import login_required

from gis import export
from gis.export.collections import COLLECTIONS
from gis.export.jobs import export_json, own_exports
from gis.export.run import FILE_FORMATS
from webapp.auth.session import viewer
from webapp.db import get_session
from webapp.export import bp
from webapp.export.auth import viewer_access
from webapp.export.views import FORMAT_NAMES, TITLES


def status_words() -> dict[str, str]:
    """Each state of a job in the reader's language."""
    return {
        "queued": gettext("Waiting for the worker"),
        "running": gettext("Being written"),
        "done": gettext("Ready to download"),
        "failed": gettext("Failed"),
        "expired": gettext("Deleted (expired)"),
    }


@bp.get("/exports")
@login_required
def exports_page() -> Any:
    access = viewer_access()
    readable = [c for c in COLLECTIONS.values() if export.may_read(c, access)]
    titles = {c.name: str(TITLES.get(c.name, c.name)) for c in readable}
    formats = {f.value: FORMAT_NAMES.get(f, f.value.upper()) for f in FILE_FORMATS}
    rows = own_exports(get_session(), viewer())
    jobs = [export_json(row) for row in rows]
    page = {
        "api": url_for("export.create_export"),
        "titles": titles,
        "formats": formats,
        "statuses": status_words(),
        "jobs": jobs,
    }
    return render_template(
        "export/jobs.html",
        titles=titles,
        formats=formats,
        statuses=page["statuses"],
        jobs=[(row.created_at, job) for row, job in zip(rows, jobs, strict=True)],
        page=page,
    )
