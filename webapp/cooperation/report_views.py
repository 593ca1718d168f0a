"""Reports of the register: a district's or a province's period on screen and printable on A4,
its activities as CSV; the national roll-up of the target districts on screen and as CSV.
CSV files are UTF-8 with a BOM (Excel reads Thai then), headings in the page's language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from flask import Response, render_template, request
from flask_babel import get_locale, gettext

from gis.cooperation.access import READERS
from gis.cooperation.reports import (
    DistrictRow,
    Report,
    check_period,
    find_place,
    met_share,
    national_rollup,
    place_report,
)
from gis.types import ActionStatus, ActivityKind, CooperationTopic, ParticipantGroup, Side
from webapp.auth.session import roles_required, viewer
from webapp.cooperation import bp
from webapp.cooperation.schemas import day_param, thai_today
from webapp.cooperation.views import baht
from webapp.db import get_session
from webapp.params import only
from webapp.vocab import label

PLACE_PARAMS = ("district", "province", "from", "to")


def _period() -> tuple[Any, Any]:
    return check_period(
        day_param(request.args, "from"), day_param(request.args, "to"), thai_today()
    )


def _report() -> Report:
    only(request.args, PLACE_PARAMS)
    session = get_session()
    user = viewer()
    since, until = _period()
    place = find_place(
        session, user, request.args.get("district") or None, request.args.get("province") or None
    )
    return place_report(session, user, place, since, until, thai_today())


def thai() -> bool:
    """Whether the request's language is Thai (places then by their Thai names)."""
    locale = get_locale()
    return locale is not None and locale.language == "th"


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    """A CSV download, UTF-8 with a BOM."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        out.getvalue().encode("utf-8-sig"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/cooperation/report")
@roles_required(*READERS)
def report_page():
    report = _report()
    return render_template(
        "cooperation/report.html",
        report=report,
        kinds=list(ActivityKind),
        topics=list(CooperationTopic),
        sides=list(Side),
        groups=list(ParticipantGroup),
        statuses=list(ActionStatus),
        baht=baht,
        args={k: v for k, v in request.args.items() if k in PLACE_PARAMS and v},
    )


@bp.get("/cooperation/report.csv")
@roles_required(*READERS)
def report_csv():
    report = _report()
    header = [
        gettext("First day"), gettext("Last day"), gettext("District"),
        gettext("Kind of activity"), gettext("Title"), gettext("Participants"),
        gettext("Of whom women"),
    ]  # fmt: skip
    rows = [
        (
            a.starts_on.isoformat(), a.ends_on.isoformat(),
            a.district_th if thai() else a.district, label(a.kind),
            a.title, a.participants, a.women,
        )
        for a in report.activities
    ]  # fmt: skip
    name = f"cooperation-{report.place.pcode}-{report.since}-{report.until}.csv"
    return csv_response(header, rows, name)


def _rollup() -> tuple[list[DistrictRow], Any, Any]:
    only(request.args, ("from", "to"))
    since, until = _period()
    return national_rollup(get_session(), viewer(), since, until, thai_today()), since, until


@bp.get("/cooperation/national")
@roles_required(*READERS)
def national_page():
    rows, since, until = _rollup()
    met, total = met_share(rows)
    return render_template(
        "cooperation/national.html",
        rows=rows,
        since=since,
        until=until,
        met=met,
        total=total,
        baht=baht,
        args={k: v for k, v in request.args.items() if k in ("from", "to") and v},
    )


@bp.get("/cooperation/national.csv")
@roles_required(*READERS)
def national_csv():
    rows, since, until = _rollup()
    header = [
        gettext("No."), gettext("District"), gettext("Province"), gettext("Activities"),
        gettext("MWCC meetings"), gettext("Met the counterparts"), gettext("Latest activity"),
        gettext("Open agreements"), gettext("Overdue"), gettext("Spent (baht)"),
    ]  # fmt: skip
    body = [
        (
            r.target_no, r.name_th if thai() else r.name,
            r.province_th if thai() else r.province, r.activities, r.mwcc_meetings,
            gettext("yes") if r.met else gettext("no"),
            r.last_activity.isoformat() if r.last_activity else "", r.open_actions,
            r.overdue_actions, f"{r.spent:.2f}",
        )
        for r in rows
    ]  # fmt: skip
    return csv_response(header, body, f"cooperation-national-{since}-{until}.csv")
