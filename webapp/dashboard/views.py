"""The dashboard page (``/dashboard``) and its tables as CSV (``/dashboard/<table>.csv``).

Filters are in the address (period, day, province, district, category, channel), so a view can
be bookmarked and sent; a bad one answers 400 naming its field. The numbers come from
:func:`gis.stats.dashboard.dashboard_numbers` in the viewer's scope; the page shows each chart's
table beside it and static/js/dashboard.js draws the charts (Chart.js) and the choropleth
(Leaflet, ``/api/dashboard/map``) from the data the page carries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import format_percent, gettext
from sqlalchemy import select

from gis.hotspots.emerging import LABELS
from gis.hotspots.trends import emerging_places, resolve_emerging_run
from gis.models import District, Province
from gis.parsing import THAI_TIME
from gis.stats.counts import change
from gis.stats.dashboard import Dashboard, dashboard_numbers
from gis.stats.params import READERS, DashboardFilter, parse_filter
from gis.types import Channel, IncidentCategory
from webapp.auth.session import roles_required, viewer
from webapp.dashboard import bp
from webapp.dashboard.tables import emerging_table, number, place, share, tables
from webapp.db import get_read_session
from webapp.i18n import local_date
from webapp.vocab import labels

#: Emerging places shown on the dashboard (the API lists more).
MAX_SHOWN = 30


def thai_now() -> dt.datetime:
    return dt.datetime.now(THAI_TIME)


def current_filter() -> DashboardFilter:
    """The request's filters, checked in the viewer's scope (InvalidInput names the field)."""
    return parse_filter(get_read_session(), viewer(), request.args, thai_now().date())


def filter_args(f: DashboardFilter) -> dict[str, str]:
    """The filter as query parameters (blank ones left out)."""
    values = {
        "period": f.period.value,
        "day": f.day.isoformat(),
        "province": f.province,
        "district": f.district,
        "category": None if f.category is None else f.category.value,
        "channel": None if f.channel is None else f.channel.value,
    }
    return {k: v for k, v in values.items() if v}


def _choices(f: DashboardFilter) -> dict[str, Any]:
    """The filter form's places: the provinces and target districts of the viewer's scope."""
    session = get_read_session()
    scope = parse_filter(session, viewer(), {}, f.day).districts
    q = (
        select(District.pcode, District.name, District.name_th, Province.pcode.label("province"),
               Province.name.label("province_name"), Province.name_th.label("province_th"))
        .join(Province, Province.id == District.province_id)
        .where(District.target)
        .order_by(Province.name, District.name)
    )  # fmt: skip
    if scope is not None:
        q = q.where(District.id.in_(sorted(scope)))
    rows = session.execute(q).all()
    provinces = {r.province: place(r.province_name, r.province_th) for r in rows}
    return {
        "districts": [(r.pcode, place(r.name, r.name_th)) for r in rows],
        "provinces": sorted(provinces.items(), key=lambda p: p[1]),
        "categories": labels(IncidentCategory),
        "channels": labels(Channel),
    }


def key_figures(board: Dashboard) -> dict[str, str | None]:
    """The key figures above the charts, as the page shows them."""
    overall, waiting = board.response[-1], board.backlog[-1]
    public, officers = board.channels
    moved = change(board.total, board.previous_total)
    f = board.filter
    return {
        "start": local_date(f.current.start.date()),
        "end": local_date(f.current.end.date() - dt.timedelta(days=1)),
        "reports": number(board.total).text,
        "previous": number(board.previous_total).text,
        "change": None if moved is None else format_percent(moved, format="+#,##0%;-#,##0%"),
        "act_median": number(overall.act_median_h, 1).text,
        "act_p90": number(overall.act_p90_h, 1).text,
        "overdue": number(waiting.over_2_days).text,
        "waiting": number(waiting.total).text,
        "public_verified": share(public.share_verified).text,
        "public": number(public.total).text,
        "officers": number(officers.total).text,
    }


@bp.get("/dashboard")
@roles_required(*READERS)
def index():
    f = current_filter()
    board = dashboard_numbers(get_read_session(), viewer(), f, thai_now())
    found = tables(board)
    run = resolve_emerging_run(get_read_session(), viewer(), None)
    places = emerging_places(get_read_session(), viewer(), run, limit=MAX_SHOWN)
    found["emerging"] = emerging_table(places, None if run is None else run.id)
    args = filter_args(f)
    page = {
        "charts": [t.chart_data() for t in found.values() if t.chart],
        "places": [
            {
                "lon": p.lon,
                "lat": p.lat,
                "pattern": gettext(LABELS[p.category]),
                "place": place(p.district or "", p.district_th) if p.district else "",
            }
            for p in places
        ],
        "mapUrl": url_for("dashboard.district_map", **args),
        "tileUrl": current_app.config.get("TILE_URL") or "",
        "tileAttribution": current_app.config.get("TILE_ATTRIBUTION") or "",
    }
    return render_template(
        "dashboard/index.html",
        f=f,
        args=args,
        figures=key_figures(board),
        tables=found,
        choices=_choices(f),
        page=page,
        brief_url=url_for(
            "dashboard.brief",
            **{k: v for k, v in args.items() if k in ("day", "province", "district")},
        ),
        csv_url=lambda name: url_for("dashboard.table_csv", name=name, **args),
    )


@bp.get("/dashboard/<name>.csv")
@roles_required(*READERS)
def table_csv(name: str):
    f = current_filter()
    found = tables(dashboard_numbers(get_read_session(), viewer(), f, thai_now()))
    run = resolve_emerging_run(get_read_session(), viewer(), None)
    places = emerging_places(get_read_session(), viewer(), run, limit=MAX_SHOWN)
    found["emerging"] = emerging_table(places, None if run is None else run.id)
    if name not in found:
        abort(404)
    filename = f"borderwatch-{name}-{f.current.start.date().isoformat()}.csv"
    return Response(
        found[name].csv_bytes(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
