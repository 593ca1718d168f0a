"""Tables of borderwatch (see DESIGN.md, "Data"), one module per feature. Every geometry is
EPSG:4326 with a GiST index, except the metric copies kept for searches in metres.

Importing this package registers every table on :data:`gis.db.Base.metadata` (Alembic's
``migrations/env.py`` relies on it); ``from gis.models import Incident`` works for every table.
"""

from gis.models.accounts import ApiToken, User
from gis.models.export import ExportAudit
from gis.models.hotspots import Hotspot, HotspotCell, HotspotMember, HotspotRun
from gis.models.incidents import Incident, IncidentCell, IncidentEvent, IncidentPhoto
from gis.models.patrols import PatrolPlan, PatrolStop
from gis.models.reference import (
    BorderPiece,
    BorderSegment,
    BorderSegmentEvent,
    Checkpoint,
    CoordinationCentre,
    DisplayShape,
    District,
    DistrictParallelArea,
    NaturalCrossing,
    ParallelArea,
    Province,
    River,
    WatchCorridor,
    WatchCorridorPiece,
)

__all__ = [
    "ApiToken",
    "BorderPiece",
    "BorderSegment",
    "BorderSegmentEvent",
    "Checkpoint",
    "CoordinationCentre",
    "DisplayShape",
    "District",
    "DistrictParallelArea",
    "ExportAudit",
    "Hotspot",
    "HotspotCell",
    "HotspotMember",
    "HotspotRun",
    "Incident",
    "IncidentCell",
    "IncidentEvent",
    "IncidentPhoto",
    "NaturalCrossing",
    "ParallelArea",
    "PatrolPlan",
    "PatrolStop",
    "Province",
    "River",
    "User",
    "WatchCorridor",
    "WatchCorridorPiece",
]
