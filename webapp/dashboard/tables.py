"""The dashboard's tables in the reader's language: one per chart, shown beside it and downloaded
as CSV. A cell keeps its raw value (the CSV's, the chart's) and the text the page shows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import format_date, format_decimal, format_percent, gettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from gis.hotspots.emerging import LABELS
from gis.hotspots.trends import Place
from gis.stats.counts import PlaceCount, change
from gis.stats.dashboard import Dashboard
from gis.stats.params import StatsPeriod
from gis.types import IncidentCategory, IncidentStatus
from webapp.i18n import BUDDHIST_ERA_OFFSET, local_date
from webapp.patrols.views import place_name, thai_page
from webapp.vocab import label


@dataclass(frozen=True)
class Cell:
    value: Any
    text: str
    #: the text's language when it is not the page's (the parallel areas' names are English)
    lang: str | None = None
    #: a number (aligned right)
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    """One table: its name (the CSV's), title, column headings and rows; ``chart`` says how
    static/js/dashboard.js draws it (``bar``, ``stacked``, ``line`` or none)."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    chart: str | None = None
    #: columns the chart draws (indexes); the first column labels the chart's axis
    series: list[int] = field(default_factory=list)
    #: the last row is the sum of the others: in the table, not in the chart
    total_row: bool = False

    def chart_data(self) -> dict[str, Any]:
        """The chart's data for the page script: labels and one data set per drawn column."""
        rows = self.rows[:-1] if self.total_row else self.rows
        return {
            "name": self.name,
            "kind": self.chart,
            "title": self.title,
            "labels": [row[0].text for row in rows],
            "datasets": [
                {"label": self.columns[i], "data": [row[i].value for row in rows]}
                for i in self.series
            ],
        }

    def csv_bytes(self) -> bytes:
        """The table as CSV, UTF-8 with a BOM (Excel reads Thai then), raw values."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if c.value is None else c.value for c in row])
        return out.getvalue().encode("utf-8-sig")


def number(value: int | float | None, digits: int = 0) -> Cell:
    if value is None:
        return Cell(None, "–", numeric=True)
    if isinstance(value, float):
        value = round(value, digits)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return Cell(value, format_decimal(value, format=pattern), numeric=True)


def share(value: float | None) -> Cell:
    if value is None:
        return Cell(None, "–", numeric=True)
    return Cell(round(value, 4), format_percent(value, format="#,##0.0%"), numeric=True)


def text(value: str) -> Cell:
    return Cell(value, value)


def day(value: dt.datetime, period: StatsPeriod) -> Cell:
    """A period by its first day (weeks) or its month (months), in the page's language."""
    first = value.date()
    if period is StatsPeriod.WEEK:
        return Cell(first.isoformat(), local_date(first, "medium"))
    if thai_page():  # "ธันวาคม 2569": the Buddhist-era year, as thai_date writes it
        shown = f"{format_date(first, 'LLLL')} {first.year + BUDDHIST_ERA_OFFSET}"
    else:
        shown = format_date(first, "LLLL y")
    return Cell(first.isoformat(), shown)


def place(name: str, name_th: str | None) -> str:
    return place_name(name, name_th)


def _series(
    board: Dashboard, name: str, title: LazyString, vocabulary: Any, pick: Callable
) -> Table:
    members = list(vocabulary)
    rows = []
    for step in board.steps:
        counts = pick(step)
        rows.append(
            [day(step.start, board.filter.period), number(step.total)]
            + [number(counts.get(m.value, 0)) for m in members]
        )
    columns = [gettext("Period"), gettext("All reports")] + [label(m) for m in members]
    return Table(name, str(title), columns, rows, "stacked", list(range(2, 2 + len(members))))


def _compared(
    board: Dashboard, name: str, title: LazyString, vocabulary: Any, pick: Callable
) -> Table:
    current, previous = pick(board.steps[-1]), pick(board.steps[-2])
    rows = [
        [
            text(label(m)),
            number(current.get(m.value, 0)),
            number(previous.get(m.value, 0)),
            share(change(current.get(m.value, 0), previous.get(m.value, 0))),
        ]
        for m in vocabulary
    ]
    heading = gettext("Category") if vocabulary is IncidentCategory else gettext("Status")
    columns = [heading, gettext("This period"), gettext("Previous period"), gettext("Change")]
    return Table(name, str(title), columns, rows, "bar", [1, 2])


def _named(name: str, name_th: str | None) -> Cell:
    shown = place(name, name_th)
    return Cell(shown, shown, None if name_th or not thai_page() else "en")


def _places(name: str, title: str, places: list[PlaceCount]) -> Table:
    rows = [
        [
            _named(p.name, p.name_th),
            _named(p.province or "", p.province_th),
            number(p.count),
            number(p.previous),
            share(change(p.count, p.previous)),
        ]
        for p in places
    ]
    columns = [gettext("Area"), gettext("Province"), gettext("This period"),
               gettext("Previous period"), gettext("Change")]  # fmt: skip
    return Table(name, title, columns, rows, None)


TITLES = {
    "series_category": _l("Reports per period by category"),
    "series_status": _l("Reports per period by status"),
    "categories": _l("Reports by category, against the previous period"),
    "statuses": _l("Reports by status, against the previous period"),
    "districts": _l("Reports per district"),
    "parallel_areas": _l("Reports routed through parallel areas across the border"),
    "response": _l("Response time per district (hours)"),
    "backlog": _l("Backlog: new reports by age"),
    "channels": _l("Public reports and officers' reports"),
    "effort": _l("Patrol effort"),
}


def response_table(board: Dashboard) -> Table:
    rows = []
    for r in board.response:
        name = gettext("All districts") if r.district_id is None else place(r.name or "", r.name_th)
        rows.append(
            [text(name), number(r.reports), number(r.acted), number(r.act_median_h, 1),
             number(r.act_p90_h, 1), number(r.closed), number(r.close_median_h, 1),
             number(r.close_p90_h, 1)]
        )  # fmt: skip
    columns = [
        gettext("District"), gettext("Reports"), gettext("Acted on"),
        gettext("To first action, median"), gettext("To first action, 90th percentile"),
        gettext("Closed"), gettext("To closure, median"), gettext("To closure, 90th percentile"),
    ]  # fmt: skip
    return Table("response", str(TITLES["response"]), columns, rows, "bar", [3, 4])


def backlog_table(board: Dashboard, names: dict[int, str]) -> Table:
    rows = []
    for b in board.backlog:
        name = gettext("All districts") if b.district_id is None else names.get(b.district_id, "")
        rows.append([text(name), number(b.under_24h), number(b.one_to_two_days),
                     number(b.over_2_days), number(b.total)])  # fmt: skip
    columns = [gettext("District"), gettext("Under 24 hours"), gettext("1 to 2 days"),
               gettext("Over 2 days"), gettext("Total")]  # fmt: skip
    return Table("backlog", str(TITLES["backlog"]), columns, rows, "stacked", [1, 2, 3], True)


def channel_table(board: Dashboard) -> Table:
    rows = [
        [
            text(gettext("Public reports") if c.public else gettext("Officers' reports")),
            number(c.total),
            number(c.verified),
            share(c.share_verified),
        ]
        for c in board.channels
    ]
    columns = [
        gettext("Source"),
        gettext("Reports"),
        gettext("Verified"),
        gettext("Share verified"),
    ]
    return Table("channels", str(TITLES["channels"]), columns, rows, "bar", [1, 2])


def effort_table(board: Dashboard) -> Table:
    e = board.effort
    rows = [
        [text(gettext("Patrol plans")), number(e.plans)],
        [text(gettext("Stops planned")), number(e.stops)],
        [text(gettext("Stops visited")), number(e.stops_visited)],
        [text(gettext("Incidents found on patrol")), number(e.incidents_found)],
        [text(gettext("Hotspots not patrolled in %(days)s days", days=e.not_patrolled_days)),
         number(e.not_patrolled)],
    ]  # fmt: skip
    return Table("effort", str(TITLES["effort"]), [gettext("Measure"), gettext("Number")], rows)


def tables(board: Dashboard) -> dict[str, Table]:
    """Every table of the dashboard by name, in the page's order."""
    names = {d.id: place(d.name, d.name_th) for d in board.districts}
    found = [
        _series(board, "series_category", TITLES["series_category"], IncidentCategory,
                lambda s: s.by_category),
        _series(board, "series_status", TITLES["series_status"], IncidentStatus,
                lambda s: s.by_status),
        _compared(board, "categories", TITLES["categories"], IncidentCategory,
                  lambda s: s.by_category),
        _compared(board, "statuses", TITLES["statuses"], IncidentStatus, lambda s: s.by_status),
        _places("districts", str(TITLES["districts"]), board.districts),
        _places("parallel_areas", str(TITLES["parallel_areas"]), board.parallel_areas),
        response_table(board),
        backlog_table(board, names),
        channel_table(board),
        effort_table(board),
    ]  # fmt: skip
    return {t.name: t for t in found}


def emerging_table(places: list[Place], run_id: int | None) -> Table:
    """The new, consecutive and intensifying hot spots of the latest analysed run."""
    rows = [
        [
            text(gettext(LABELS[p.category])),
            text(place(p.district or "", p.district_th) if p.district else "–"),
            text(place(p.province or "", p.province_th) if p.province else "–"),
            number(p.n),
            number(p.hot_steps),
            number(p.steps),
            number(p.trend_z, 2),
        ]
        for p in places
    ]
    columns = [
        gettext("Pattern"), gettext("District"), gettext("Province"), gettext("Incidents"),
        gettext("Steps as a hot spot"), gettext("Steps analysed"),
        gettext("Trend (Mann-Kendall z)"),
    ]  # fmt: skip
    title = gettext("New and intensifying hot spots (hotspot run %(id)s)", id=run_id or "–")
    return Table("emerging", title, columns, rows)
