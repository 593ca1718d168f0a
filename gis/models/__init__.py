"""Tables of borderwatch (see DESIGN.md, "Data"), one module per feature. Every geometry column
has a GiST index; all are EPSG:4326 except the metric-CRS ones kept for searches in metres
(``geom_m`` copies, ``border_piece``).

Importing this package registers every table on :data:`gis.db.Base.metadata` (Alembic's
``migrations/env.py`` relies on it); ``from gis.models import Incident`` works for every table.
"""

from gis.models.accounts import AccountChange, ApiToken, User
from gis.models.cooperation import (
    ActionItem,
    Activity,
    ActivityArea,
    ActivityParticipants,
    ActivityPhoto,
    ActivityTopic,
    BudgetAllocation,
    CooperationAttachment,
    CooperationChange,
    SpendingLine,
)
from gis.models.export import ExportAudit, ExportFile
from gis.models.hotspots import EmergingCell, Hotspot, HotspotCell, HotspotMember, HotspotRun
from gis.models.incidents import (
    Incident,
    IncidentCell,
    IncidentEvent,
    IncidentPeriod,
    IncidentPhoto,
)
from gis.models.linechat import LineConversation, LineWebhookEvent
from gis.models.notify import Notification, NotifyPreference, NotifySetting
from gis.models.patrols import PatrolPlan, PatrolStop
from gis.models.reference import (
    BorderPiece,
    BorderSegment,
    BorderSegmentEvent,
    BorderStretch,
    Checkpoint,
    CoordinationCentre,
    DisplayShape,
    District,
    DistrictParallelArea,
    NaturalCrossing,
    ParallelArea,
    Province,
    ReferenceChange,
    ReferenceRecompute,
    ReferenceVersion,
    River,
    WatchCorridor,
    WatchCorridorPiece,
)

__all__ = [
    "AccountChange",
    "ActionItem",
    "Activity",
    "ActivityArea",
    "ActivityParticipants",
    "ActivityPhoto",
    "ActivityTopic",
    "ApiToken",
    "BorderPiece",
    "BorderSegment",
    "BorderSegmentEvent",
    "BorderStretch",
    "BudgetAllocation",
    "Checkpoint",
    "CooperationAttachment",
    "CooperationChange",
    "CoordinationCentre",
    "DisplayShape",
    "District",
    "DistrictParallelArea",
    "EmergingCell",
    "ExportAudit",
    "ExportFile",
    "Hotspot",
    "HotspotCell",
    "HotspotMember",
    "HotspotRun",
    "Incident",
    "IncidentCell",
    "IncidentEvent",
    "IncidentPeriod",
    "IncidentPhoto",
    "LineConversation",
    "LineWebhookEvent",
    "NaturalCrossing",
    "Notification",
    "NotifyPreference",
    "NotifySetting",
    "ParallelArea",
    "PatrolPlan",
    "PatrolStop",
    "Province",
    "ReferenceChange",
    "ReferenceRecompute",
    "ReferenceVersion",
    "River",
    "SpendingLine",
    "User",
    "WatchCorridor",
    "WatchCorridorPiece",
]
