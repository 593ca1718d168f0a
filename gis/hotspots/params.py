"""The parameters of a hotspot run: parsed and checked at the edge, stored with the run.

The JSON object of ``POST /api/hotspots/runs`` (every member optional)::

    {
      "since": "2026-01-01",          # a day (Thai time, from its start) or RFC 3339 date-time;
                                      #   default: 365 days before "until"
      "until": "2026-11-21",          # a day (inclusive) or RFC 3339 date-time (exclusive);
                                      #   default: now; at most a day in the future
      "categories": ["smuggling"],    # IncidentCategory values; default: every category
      "statuses": ["verified"],       # IncidentStatus values; default: verified only
      "districts": ["TH5703", 42],    # P-codes or ids; default: the caller's scope
      "corridor_only": true,          # only incidents inside the watch corridor (default true)
      "eps_m": 1000,                  # DBSCAN radius in metres, 0 < eps_m <= 50,000
      "min_points": 5,                # DBSCAN minimum points (the point itself included), >= 2
      "half_life_days": 90,           # score half-life in days, 1..3,650
      "cell_m": 2000,                 # Gi* hexagon size (edge length) in metres, 250..20,000
      "emerging": "week"              # also an emerging hot spot analysis in weekly or monthly
                                      #   steps (at least 6 whole steps in the range); default
                                      #   none (gis.hotspots.emerging)
    }

Any other member is refused naming it. The range may span at most :data:`MAX_RANGE_DAYS` days
and must start after 2000-01-01.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gis.errors import InvalidInput
from gis.hotspots.emerging import MIN_STEPS, Step, step_edges
from gis.parsing import (
    BETWEEN_METRES,
    MORE_THAN_METRES,
    parse_choice,
    parse_integer,
    parse_number,
    parse_when,
    refuse_unknown,
)
from gis.text import N_
from gis.types import IncidentCategory, IncidentStatus

DEFAULT_EPS_M = 1_000.0
MAX_EPS_M = 50_000.0
DEFAULT_MIN_POINTS = 5
MIN_MIN_POINTS = 2
MAX_MIN_POINTS = 10_000
DEFAULT_HALF_LIFE_DAYS = 90.0
MAX_HALF_LIFE_DAYS = 3_650.0
DEFAULT_CELL_M = 2_000.0
MIN_CELL_M, MAX_CELL_M = 250.0, 20_000.0
DEFAULT_RANGE_DAYS = 365
#: Longest date range of a run (days).
MAX_RANGE_DAYS = 3_660
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
#: How far ``until`` may lie in the future.
FUTURE_TOLERANCE = dt.timedelta(days=1)
DEFAULT_STATUSES = (IncidentStatus.VERIFIED,)
MAX_DISTRICTS = 500

FIELDS = (
    "since",
    "until",
    "categories",
    "statuses",
    "districts",
    "corridor_only",
    "eps_m",
    "min_points",
    "half_life_days",
    "cell_m",
    "emerging",
)


@dataclass(frozen=True, slots=True)
class RunParams:
    """Checked parameters of a run.

    ``district_refs`` are the districts as given (P-codes or ids), resolved and scope-checked by
    :func:`gis.hotspots.runs.start_run`; ``district_ids`` are the resolved ids (``None``: every
    district). ``until`` is also the run's "as of" time: ages for the score and the 30-day trend
    windows are counted back from it, so the same run gives the same answer later.
    """

    since: dt.datetime
    until: dt.datetime
    categories: tuple[IncidentCategory, ...] = ()
    statuses: tuple[IncidentStatus, ...] = DEFAULT_STATUSES
    district_refs: tuple[str | int, ...] | None = None
    district_ids: tuple[int, ...] | None = None
    corridor_only: bool = True
    eps_m: float = DEFAULT_EPS_M
    min_points: int = DEFAULT_MIN_POINTS
    half_life_days: float = DEFAULT_HALF_LIFE_DAYS
    cell_m: float = DEFAULT_CELL_M
    #: the steps of the emerging hot spot analysis, or ``None`` for none
    emerging: Step | None = None

    def to_json(self) -> dict[str, Any]:
        """The parameters as stored in ``hotspot_run.params`` (and shown by the API)."""
        return {
            "since": self.since.astimezone(dt.UTC).isoformat(),
            "until": self.until.astimezone(dt.UTC).isoformat(),
            "categories": [c.value for c in self.categories],
            "statuses": [s.value for s in self.statuses],
            "districts": list(self.district_ids) if self.district_ids is not None else None,
            "corridor_only": self.corridor_only,
            "eps_m": self.eps_m,
            "min_points": self.min_points,
            "half_life_days": self.half_life_days,
            "cell_m": self.cell_m,
            "emerging": None if self.emerging is None else self.emerging.value,
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> RunParams:
        """The parameters of a stored run (see :meth:`to_json`)."""
        districts = doc.get("districts")
        return cls(
            since=dt.datetime.fromisoformat(doc["since"]),
            until=dt.datetime.fromisoformat(doc["until"]),
            categories=tuple(IncidentCategory(c) for c in doc.get("categories") or ()),
            statuses=tuple(IncidentStatus(s) for s in doc.get("statuses") or DEFAULT_STATUSES),
            district_ids=tuple(districts) if districts is not None else None,
            corridor_only=bool(doc.get("corridor_only", True)),
            eps_m=float(doc.get("eps_m", DEFAULT_EPS_M)),
            min_points=int(doc.get("min_points", DEFAULT_MIN_POINTS)),
            half_life_days=float(doc.get("half_life_days", DEFAULT_HALF_LIFE_DAYS)),
            cell_m=float(doc.get("cell_m", DEFAULT_CELL_M)),
            emerging=Step(doc["emerging"]) if doc.get("emerging") else None,
        )


def _choices(value: Any, field: str, kind: type[Any]) -> tuple[Any, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidInput(
            N_("{field} must be a non-empty list (leave it out for the default)"), field=field
        )
    out: list[Any] = []
    for item in value:
        try:
            choice = kind(item)
        except ValueError:
            known = ", ".join(k.value for k in kind)
            raise InvalidInput(
                N_("{field}: {item!r} is not one of {known}"), field=field, item=item, known=known
            ) from None
        if choice not in out:
            out.append(choice)
    return tuple(sorted(out))


def _districts(value: Any) -> tuple[str | int, ...]:
    field = "districts"
    if not isinstance(value, list) or not value or len(value) > MAX_DISTRICTS:
        raise InvalidInput(
            N_("{field} must be a list of 1 to {max_districts} district P-codes or ids"),
            field=field,
            max_districts=MAX_DISTRICTS,
        )
    for item in value:
        ok_id = isinstance(item, int) and not isinstance(item, bool) and item > 0
        ok_code = isinstance(item, str) and 0 < len(item) <= 80
        if not (ok_id or ok_code):
            raise InvalidInput(
                N_("{field}: {item!r} is not a district P-code or id"), field=field, item=item
            )
    return tuple(value)


def parse_run_params(payload: Any, now: dt.datetime | None = None) -> RunParams:
    """Check a run's JSON parameters (see the module docstring).

    Args:
        payload: the decoded JSON body (an object) or ``None`` for every default.
        now: the current time (for defaults and the future limit).

    Returns:
        The checked parameters (districts not yet resolved).

    Raises:
        InvalidInput: naming the first bad member.
    """
    now = now or dt.datetime.now(dt.UTC)
    if payload is None:
        payload = {}
    if not isinstance(payload, Mapping):
        raise InvalidInput(N_("the body must be a JSON object"), field="body")
    refuse_unknown(payload, FIELDS)
    if payload.get("until") is not None:
        until = parse_when(payload["until"], "until", end=True)
    else:
        until = now
    if until > now + FUTURE_TOLERANCE:
        raise InvalidInput(N_("until lies more than a day in the future"), field="until")
    if until <= EARLIEST:  # no range fits before it (nor, for year 1, a default start)
        raise InvalidInput(N_("until lies before 2000-01-01"), field="until")
    if payload.get("since") is not None:
        since = parse_when(payload["since"], "since")
    else:
        since = until - dt.timedelta(days=DEFAULT_RANGE_DAYS)
    if since >= until:
        raise InvalidInput(N_("since must lie before until"), field="since")
    if since < EARLIEST:
        raise InvalidInput(N_("since lies before 2000-01-01"), field="since")
    if until - since > dt.timedelta(days=MAX_RANGE_DAYS):
        raise InvalidInput(
            N_("the range may span at most {max_range_days} days"),
            field="since",
            max_range_days=MAX_RANGE_DAYS,
        )

    params: dict[str, Any] = {"since": since, "until": until}
    if payload.get("categories") is not None:
        params["categories"] = _choices(payload["categories"], "categories", IncidentCategory)
    if payload.get("statuses") is not None:
        params["statuses"] = _choices(payload["statuses"], "statuses", IncidentStatus)
    if payload.get("districts") is not None:
        params["district_refs"] = _districts(payload["districts"])
    if payload.get("corridor_only") is not None:
        if not isinstance(payload["corridor_only"], bool):
            raise InvalidInput(N_("corridor_only must be true or false"), field="corridor_only")
        params["corridor_only"] = payload["corridor_only"]
    if payload.get("eps_m") is not None:
        params["eps_m"] = parse_number(
            payload["eps_m"], "eps_m", 0, MAX_EPS_M, lo_open=True, out_of_range=MORE_THAN_METRES
        )
    if payload.get("min_points") is not None:
        params["min_points"] = parse_integer(
            payload["min_points"], "min_points", MIN_MIN_POINTS, MAX_MIN_POINTS
        )
    if payload.get("half_life_days") is not None:
        params["half_life_days"] = parse_number(
            payload["half_life_days"], "half_life_days", 1, MAX_HALF_LIFE_DAYS
        )
    if payload.get("cell_m") is not None:
        params["cell_m"] = parse_number(
            payload["cell_m"], "cell_m", MIN_CELL_M, MAX_CELL_M, out_of_range=BETWEEN_METRES
        )
    if payload.get("emerging") is not None:
        step = parse_choice(payload["emerging"], "emerging", Step)
        if len(step_edges(since, until, step)) - 1 < MIN_STEPS:
            raise InvalidInput(
                N_("{field}: the range holds fewer than {steps} whole steps"),
                field="emerging",
                steps=MIN_STEPS,
            )
        params["emerging"] = step
    return RunParams(**params)


def district_list(refs: Sequence[str | int] | None) -> str:
    """Districts as given, for messages."""
    return ", ".join(str(r) for r in refs or ())
