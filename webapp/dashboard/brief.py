"""The weekly brief (``/dashboard/brief?day=&province=``): one printable A4 page for a week, for
a province or (HQ) the whole border, in the reader's language: the week's numbers against the
week before, the districts, overdue triage, response times, the top hotspots of the latest run,
the new and intensifying places, and the patrol effort. The same numbers as the dashboard for
``period=week`` (:mod:`gis.stats`)."""

from __future__ import annotations

from dataclasses import replace

from flask import render_template, request, url_for
from flask_babel import gettext

from gis.accounts.scope import find_province
from gis.hotspots.trends import emerging_places, resolve_emerging_run
from gis.stats.brief import top_hotspots
from gis.stats.dashboard import dashboard_numbers
from gis.stats.params import READERS, parse_filter
from webapp.auth.session import roles_required, viewer
from webapp.dashboard import bp
from webapp.dashboard.tables import Table, emerging_table, number, place, tables, text
from webapp.dashboard.views import filter_args, key_figures, thai_now
from webapp.db import get_read_session

#: Places and slow districts in the brief (it fits on A4).
SHORT = 10


def hotspot_table(spots: list) -> Table:
    rows = [
        [
            number(s.rank),
            text(", ".join(place(name, name_th) for name, name_th in s.districts) or "–"),
            number(s.n_incidents),
            number(s.score, 1),
            number(s.trend),
        ]
        for s in spots
    ]
    columns = [gettext("Rank"), gettext("Districts"), gettext("Incidents"), gettext("Score"),
               gettext("Trend (last 30 days − 30 before)")]  # fmt: skip
    run = spots[0].run_id if spots else "–"
    return Table("hotspots", gettext("Top hotspots (hotspot run %(id)s)", id=run), columns, rows)


@bp.get("/dashboard/brief")
@roles_required(*READERS)
def brief():
    session, me = get_read_session(), viewer()
    args = {k: v for k, v in request.args.items() if k != "period"}
    f = parse_filter(session, me, {**args, "period": "week"}, thai_now().date())
    board = dashboard_numbers(session, me, f, thai_now())
    found = tables(board)
    run = resolve_emerging_run(session, me, None)
    found["emerging"] = emerging_table(
        emerging_places(session, me, run, limit=SHORT), None if run is None else run.id
    )
    found["hotspots"] = hotspot_table(top_hotspots(session, me, f, SHORT))
    found["response"] = replace(found["response"], rows=found["response"].rows[:SHORT])
    overdue = [row for row in found["backlog"].rows[:-1] if row[3].value]
    province = find_province(session, f.province) if f.province else None
    where = (
        place(province.name, province.name_th)
        if province is not None
        else gettext("All target districts")
        if f.districts is None
        else gettext("Your districts")
    )
    return render_template(
        "dashboard/brief.html",
        f=f,
        where=where,
        figures=key_figures(board),
        tables=found,
        overdue=overdue,
        back_url=url_for("dashboard.index", **filter_args(f)),
    )
