"""Value types that cross module boundaries: vocabularies (enums) and frozen results."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class StrEnum(enum.StrEnum):
    """A string enum whose value is what the database and the API store."""


class Neighbour(StrEnum):
    LAO = "LAO"
    KHM = "KHM"


class BoundaryKind(StrEnum):
    MEKONG_RIVER = "mekong_river"
    LAND_OR_OTHER_RIVER = "land_or_other_river"


class Demarcation(StrEnum):
    UNKNOWN = "unknown"
    DEMARCATED = "demarcated"
    UNMARKED = "unmarked"


class AreaLevel(StrEnum):
    DISTRICT = "district"
    PROVINCE = "province"


class CheckpointKind(StrEnum):
    PERMANENT_CROSSING = "permanent_crossing"
    BORDER_TRADE_CHECKPOINT = "border_trade_checkpoint"
    TEMPORARY_CROSSING = "temporary_crossing"
    JOINT_INSPECTION_CHECKPOINT = "joint_inspection_checkpoint"


class CheckpointStatus(StrEnum):
    UNKNOWN = "unknown"
    OPEN = "open"
    RESTRICTED = "restricted"
    CLOSED = "closed"


class RiskLevel(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class IncidentCategory(StrEnum):
    DRUG_TRAFFICKING = "drug_trafficking"
    HUMAN_TRAFFICKING = "human_trafficking"
    ILLEGAL_ENTRY = "illegal_entry"
    SMUGGLING = "smuggling"
    VEHICLE_THEFT = "vehicle_theft"
    ONLINE_FRAUD = "online_fraud"
    OTHER = "other"


class IncidentStatus(StrEnum):
    NEW = "new"
    VERIFIED = "verified"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    REFERRED = "referred"
    CLOSED = "closed"


class Agency(StrEnum):
    """Agencies a coordinator refers a report to."""

    POLICE = "police"
    CUSTOMS = "customs"
    IMMIGRATION = "immigration"
    BORDER_PATROL_POLICE = "border_patrol_police"
    ANTI_TRAFFICKING = "anti_trafficking"
    HEALTH = "health"
    COUNTERPART_AUTHORITY = "counterpart_authority"


class Channel(StrEnum):
    MWCC_WALK_IN = "mwcc_walk_in"
    ONLINE_PUBLIC = "online_public"
    OFFICER_APP = "officer_app"
    PATROL = "patrol"
    HOTLINE = "hotline"
    LINE = "line"


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    HQ_ANALYST = "hq_analyst"
    PATROL_PLANNER = "patrol_planner"
    COORDINATOR = "coordinator"
    OFFICER = "officer"
    VOLUNTEER = "volunteer"


class AccountChangeKind(StrEnum):
    """What an ``account_change`` row records (the values name changes, not passwords)."""

    CREATED = "created"
    ROLE = "role"
    SCOPE = "scope"
    ACTIVE = "active"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105
    PASSWORD_RESET = "password_reset"  # noqa: S105
    TOKEN_MADE = "token_made"  # noqa: S105
    TOKEN_REVOKED = "token_revoked"  # noqa: S105


class PatrolUnit(StrEnum):
    VILLAGE_SECURITY_VOLUNTEERS = "village_security_volunteers"
    POLICE = "police"
    BORDER_PATROL_POLICE = "border_patrol_police"
    JOINT_PATROL = "joint_patrol"


class StopOutcome(StrEnum):
    VISITED = "visited"
    NOTHING_FOUND = "nothing_found"
    INCIDENT_FOUND = "incident_found"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class DistrictRef:
    """A Thai district as routing returns it."""

    id: int
    pcode: str
    name: str
    name_th: str
    province: str
    province_th: str
    target: bool


@dataclass(frozen=True, slots=True)
class Routing:
    """Where a point belongs.

    ``district`` is the target district that handles the point. ``parallel_area`` is set when the
    point lies across the border and was routed through a parallel area; ``distance_m`` is then the
    distance from the point to that area (0 inside it).
    """

    district: DistrictRef
    parallel_area_id: int | None = None
    parallel_area_name: str | None = None
    distance_m: float = 0.0


@dataclass(frozen=True, slots=True)
class BBox:
    """A bounding box in EPSG:4326 degrees."""

    minx: float
    miny: float
    maxx: float
    maxy: float


# --------------------------------------------------------------------------- cooperation


class ActivityKind(StrEnum):
    """What a cooperation activity with the parallel areas was (issue 17)."""

    MWCC_MEETING = "mwcc_meeting"
    CULTURAL_EXCHANGE = "cultural_exchange"
    SPORTS = "sports"
    EDUCATION = "education"
    STUDY_VISIT = "study_visit"
    VISIT_RECEIVED = "visit_received"
    JOINT_TRAINING = "joint_training"
    JOINT_OPERATION = "joint_operation"
    OTHER = "other"


class CooperationTopic(StrEnum):
    """What an activity was about: the programme's list and the watched threats."""

    HEALTH_CARE = "health_care"
    EDUCATION = "education"
    ENVIRONMENT = "environment"
    BORDER_CROSSINGS = "border_crossings"
    DRUG_TRAFFICKING = "drug_trafficking"
    ONLINE_FRAUD = "online_fraud"
    ILLEGAL_IMMIGRATION = "illegal_immigration"
    SMUGGLING = "smuggling"
    HUMAN_TRAFFICKING = "human_trafficking"
    SEASONAL_LABOUR = "seasonal_labour"
    STOLEN_VEHICLES = "stolen_vehicles"
    OTHER = "other"


class Side(StrEnum):
    """A side of the border: Thai, Lao, Cambodian."""

    THA = "THA"
    LAO = "LAO"
    KHM = "KHM"


class ParticipantGroup(StrEnum):
    OFFICIALS = "officials"
    SECURITY = "security"
    COMMUNITY_LEADERS = "community_leaders"
    RESIDENTS = "residents"
    YOUTH = "youth"


class ActionStatus(StrEnum):
    """Where an agreement or action item stands."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class CooperationRecord(StrEnum):
    """Which kind of row a ``cooperation_change`` row records a change of."""

    ACTIVITY = "activity"
    ACTION_ITEM = "action_item"
    ALLOCATION = "allocation"
    SPENDING = "spending"


class NotifyKind(StrEnum):
    """What a notification tells (gis.notify)."""

    NEW_REPORT = "new_report"
    REPORT_WAITING = "report_waiting"
    STATUS_CHANGE = "status_change"
    CITIZEN_STATUS = "citizen_status"
    PATROL_PLAN = "patrol_plan"
    ACTION_OVERDUE = "action_overdue"


class NotifyChannel(StrEnum):
    """How a notification reaches its recipient."""

    IN_APP = "in_app"
    EMAIL = "email"
    LINE = "line"


class DeliveryStatus(StrEnum):
    """Where a notification's delivery stands: waiting (for its next attempt), sent, failed
    (attempts exhausted; an administrator may retry it)."""

    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"


# --------------------------------------------------------------------------- reference editing


class Precision(StrEnum):
    """How well a reference feature's position is known (issue 22): surveyed on site, drawn
    from imagery, or approximate (a village, sub-district or district point)."""

    SURVEYED = "surveyed"
    IMAGERY = "imagery"
    APPROXIMATE = "approximate"


class CrossingSeason(StrEnum):
    """When a natural crossing can be used."""

    DRY_ONLY = "dry_only"
    ALL_YEAR = "all_year"


class CrossingUse(StrEnum):
    """What crosses at a natural crossing."""

    PEOPLE = "people"
    GOODS = "goods"
    VEHICLES = "vehicles"
    LIVESTOCK = "livestock"


class ReferenceFeature(StrEnum):
    """The kinds of reference feature that districts edit on the map."""

    CHECKPOINT = "checkpoint"
    CENTRE = "centre"
    CROSSING = "crossing"
    STRETCH = "stretch"


class ChangeAction(StrEnum):
    """What a change to a reference feature does (``imported``: the first version of a feature,
    its state as imported, written before its first change)."""

    CREATE = "create"
    UPDATE = "update"
    RETIRE = "retire"
    RESTORE = "restore"
    IMPORTED = "imported"


class ChangeStatus(StrEnum):
    """Where a proposed change to a reference feature stands."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
