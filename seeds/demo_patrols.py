"""The demo's patrol plans: three units in three districts, patrolled, with what they found.

Each plan of :data:`PLANS` is made as a planner makes one
(:func:`gis.patrols.plans.parse_plan` and :func:`gis.patrols.plans.create_plan`): the top
:data:`TOP` hotspots of the latest hotspot run in its district (the run the planner page lists:
:func:`gis.patrols.candidates.ranked_hotspots`), routed from the district's MWCC or a
checkpoint, on a day before the anchor. Its stops then get their outcomes through
:func:`gis.patrols.outcomes.record_outcome`, in turn visited, nothing found and incident found
(a new ``patrol`` report at the stop, of the hotspot's main category, flagged ``is_demo``), at
times inside the plan's window.

A plan's district is the first of its list with at least :data:`MIN_STOPS` hotspots in the
latest run, else the one with the most; a plan whose districts have none is not made. A plan is
already present when its planner has a plan of its unit in one of its districts: it is not made
again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import Checkpoint, District, Incident, PatrolPlan, User
from gis.parsing import THAI_TIME
from gis.patrols.candidates import ranked_hotspots
from gis.patrols.outcomes import record_outcome
from gis.patrols.plans import create_plan, parse_plan, plan_stops
from gis.types import PatrolUnit, StopOutcome
from seeds.demo_cast import Cast, demo_key

#: Most stops of a demo plan.
TOP = 5
#: A district is taken for a plan when the latest run has this many hotspots in it.
MIN_STOPS = 3
#: Minutes between two stops' outcomes.
STOP_MINUTES = 35
#: Start of the patrol when the hotspots' incidents give no time window (Thai time).
DEFAULT_START = dt.time(20, 0)
#: Where the district list of a plan names the demo coordinator's district.
OWN_DISTRICT = "own"


@dataclass(frozen=True, slots=True)
class PlanScript:
    """A demo plan: its districts by preference, unit, planner and recorder, and its day."""

    districts: tuple[str, ...]  # P-codes, or OWN_DISTRICT
    unit: PatrolUnit
    planner: str  # an attribute of Cast
    recorder: str
    days_ago: int
    from_checkpoint: bool = False


PLANS: tuple[PlanScript, ...] = (
    # The volunteers of the demo accounts' district: the officer records what they found.
    PlanScript((OWN_DISTRICT,), PatrolUnit.VILLAGE_SECURITY_VOLUNTEERS, "planner", "officer", 1),
    # The Mekong in the north-east: a joint patrol with the Lao counterpart.
    PlanScript(("TH4901", "TH4801", "TH4301"), PatrolUnit.JOINT_PATROL, "hq", "hq", 2),
    # The Cambodian land border: border patrol police from a checkpoint.
    PlanScript(
        ("TH2706", "TH2204", "TH2703"), PatrolUnit.BORDER_PATROL_POLICE, "hq", "hq", 3, True
    ),
)

#: Outcomes of the stops in turn (each plan starts one further along).
OUTCOMES = (StopOutcome.VISITED, StopOutcome.NOTHING_FOUND, StopOutcome.INCIDENT_FOUND)
#: What the patrol writes at each outcome (in Thai, as on the patrol sheet).
NOTES = {
    StopOutcome.VISITED: "พูดคุยกับผู้ใหญ่บ้านแล้ว ชาวบ้านเห็นเรือวิ่งตอนกลางคืนเมื่อสัปดาห์ก่อน",
    StopOutcome.NOTHING_FOUND: "ตรวจริมตลิ่งและทางเดินแล้ว ไม่พบร่องรอยใหม่",
    StopOutcome.INCIDENT_FOUND: "พบเหตุระหว่างลาดตระเวน แจ้งให้ ศปก.อ. คัดกรองแล้ว",
}


@dataclass(frozen=True, slots=True)
class PlanResult:
    """A plan made now: its district, unit, day, stops and the outcomes recorded."""

    plan_id: int
    district: str
    unit: PatrolUnit
    planned_for: dt.date
    outcomes: dict[str, int]

    def __str__(self) -> str:
        done = ", ".join(f"{k} {v}" for k, v in self.outcomes.items())
        return (
            f"{self.district}, {self.unit.value}, {self.planned_for:%Y-%m-%d},"
            f" {sum(self.outcomes.values())} stops ({done})"
        )


def make_plans(
    session: Session, cast: Cast, seed: int, anchor: dt.datetime, key_secret: bytes
) -> tuple[list[PlanResult], list[str]]:
    """Make the plans of :data:`PLANS` that are not present, with their stops' outcomes.

    Args:
        session: open session; flushed, the caller commits.
        cast: the demo accounts.
        seed: the demo seed (the keys of the incidents found).
        anchor: the end of the demo's time window; plans are for days before it (Thai time).
        key_secret: the server's secret, for :func:`gis.patrols.outcomes.record_outcome`.

    Returns:
        The plans made now, and a note for each plan not made.
    """
    today = anchor.astimezone(THAI_TIME).date()
    made: list[PlanResult] = []
    notes: list[str] = []
    for number, script in enumerate(PLANS, start=1):
        planner: User = getattr(cast, script.planner)
        codes = _district_codes(session, script, cast)
        if _present(session, script, planner, codes):
            continue
        district = _choose_district(session, planner, codes)
        if district is None:
            notes.append(f"no {script.unit.value} plan: no hotspot in {', '.join(codes)}")
            continue
        request = {
            "district": district.pcode,
            "unit": script.unit.value,
            "planned_for": (today - dt.timedelta(days=script.days_ago)).isoformat(),
            "top": TOP,
        }
        if script.from_checkpoint:
            checkpoint = session.scalar(
                select(Checkpoint.id)
                .where(Checkpoint.district_id == district.id)
                .order_by(Checkpoint.id)
                .limit(1)
            )
            if checkpoint is not None:
                request["start_checkpoint_id"] = checkpoint
        plan = create_plan(session, parse_plan(request, today), planner).plan
        recorder: User = getattr(cast, script.recorder)
        outcomes = _patrol(session, plan, recorder, number, seed, key_secret)
        made.append(PlanResult(plan.id, district.name, script.unit, plan.planned_for, outcomes))
    return made, notes


def _district_codes(session: Session, script: PlanScript, cast: Cast) -> tuple[str, ...]:
    own = session.get_one(District, cast.coordinator.district_id).pcode
    return tuple(own if code == OWN_DISTRICT else code for code in script.districts)


def _present(session: Session, script: PlanScript, planner: User, codes: tuple[str, ...]) -> bool:
    found = session.execute(
        select(PatrolPlan.id)
        .join(District, District.id == PatrolPlan.district_id)
        .where(
            PatrolPlan.created_by_id == planner.id,
            PatrolPlan.unit == script.unit,
            District.pcode.in_(codes),
        )
        .limit(1)
    ).first()
    return found is not None


def _choose_district(session: Session, planner: User, codes: tuple[str, ...]) -> District | None:
    """The first district with :data:`MIN_STOPS` hotspots in the latest run the planner sees,
    else the one with the most; ``None`` when none has a hotspot."""
    counts: list[tuple[int, District]] = []
    for code in codes:
        district = session.scalar(select(District).where(District.pcode == code))
        if district is None:
            continue
        n = len(ranked_hotspots(session, planner, code)["items"])
        if n >= MIN_STOPS:
            return district
        counts.append((n, district))
    best = max(counts, key=lambda pair: pair[0], default=None)  # the first among equals
    return None if best is None or best[0] == 0 else best[1]


def _patrol(
    session: Session, plan: PatrolPlan, recorder: User, number: int, seed: int, key_secret: bytes
) -> dict[str, int]:
    """Record an outcome at every stop of ``plan``; the count per outcome."""
    start = dt.datetime.combine(plan.planned_for, plan.window_start or DEFAULT_START, THAI_TIME)
    counts: dict[str, int] = {}
    for stop in plan_stops(session, plan.id):
        seq = stop["seq"]
        outcome = OUTCOMES[(seq - 1 + number - 1) % len(OUTCOMES)]
        payload: dict[str, object] = {"outcome": outcome.value, "note": NOTES[outcome]}
        if outcome is StopOutcome.INCIDENT_FOUND:
            categories = (stop["hotspot"] or {}).get("categories") or {"other": 1}
            category = max(sorted(categories), key=lambda c: categories[c])
            payload["incident"] = {
                "category": category,
                "severity": 3,
                "description": (
                    f"[demo] ชุดลาดตระเวนพบเหตุ ณ จุดแวะที่ {seq} (แผนลาดตระเวนชุดที่ {number})"
                ),
                "idempotency_key": str(demo_key(f"seed {seed} plan {number} stop {seq}")),
            }
        when = start + dt.timedelta(minutes=STOP_MINUTES * seq)
        recorded = record_outcome(
            session, plan.id, seq, payload, recorder, when, key_secret=key_secret
        )
        if recorded.incident is not None:
            session.get_one(Incident, recorded.incident.id).is_demo = True
        counts[outcome.value] = counts.get(outcome.value, 0) + 1
    session.flush()
    return counts
