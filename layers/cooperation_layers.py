"""The cooperation register's layers (gis.cooperation.map_layer): the twin-town links of the
target districts, styled by the activities of 12 months, and the activities as points. Both are
for the roles that read the register, in their scope; the registry draws them above the
hotspot layers."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from gis.cooperation import access as cooperation_access
from gis.cooperation import map_layer as cooperation_layer
from gis.errors import NotFound
from gis.parsing import THAI_TIME
from gis.text import N_
from gis.types import ActivityKind
from layers import styles
from layers.spec import LayerQuery, LayerSpec, PopupField, ViewerSource

#: A link's level (``level``) and its words, in the legend and the popup.
LEVELS = {
    "none": N_("No activity in 12 months"),
    "some": N_("Some activities in 12 months (1–3)"),
    "many": N_("Many activities in 12 months (4 or more)"),
}
OVERDUE = N_("Dashed: no MWCC meeting in the last 90 days")


def twin_towns_source(session: Session, query: LayerQuery) -> str:
    """The twin-town links of the viewer's target districts (gis.cooperation.map_layer).

    Raises:
        NotFound: asked without a viewer (the layer is not public).
    """
    if query.viewer is None:
        raise NotFound(N_("There is no map layer with this name."), field="name")
    today = dt.datetime.now(THAI_TIME).date()
    return cooperation_layer.twin_towns_geojson(session, query.viewer, query.bbox, today)


def activities_source(session: Session, query: LayerQuery) -> str:
    """The cooperation activities of the viewer's scope as points.

    Raises:
        NotFound: asked without a viewer (the layer is not public).
    """
    if query.viewer is None:
        raise NotFound(N_("There is no map layer with this name."), field="name")
    return cooperation_layer.activities_geojson(session, query.viewer, query.bbox)


#: Who reads the register's layers: as its pages (gis.cooperation.access).
COOPERATION_READERS = frozenset(cooperation_access.READERS)

#: Each target district's links to its parallel areas, styled by the activities of 12 months.
TWIN_TOWNS = LayerSpec(
    name="twin_towns",
    title=N_("Twin towns: cooperation in 12 months"),
    source=ViewerSource(twin_towns_source),
    style=styles.twin_towns(LEVELS, OVERDUE),
    popup_fields=(
        PopupField("district", N_("District"), thai_property="district_th"),
        PopupField("parallel_area", N_("Parallel area")),
        PopupField(
            "level",
            N_("Activities in 12 months"),
            tuple(LEVELS.items()),
        ),
        PopupField("activities_12m", N_("Number of activities in 12 months")),
        PopupField("latest", N_("Latest activities")),
        PopupField("last_mwcc", N_("Latest MWCC meeting")),
        PopupField(
            "mwcc_overdue",
            N_("No MWCC meeting in 90 days"),
            ((True, N_("yes")), (False, N_("no"))),
        ),
    ),
    roles=COOPERATION_READERS,
    geometry="line",
    loading="once",
    show=False,
)

#: The activities themselves, where they took place (either side of the border).
COOPERATION_ACTIVITIES = LayerSpec(
    name="cooperation_activities",
    title=N_("Cooperation activities"),
    source=ViewerSource(activities_source),
    style=styles.cooperation_activities(N_("Activity with a parallel area")),
    popup_fields=(
        PopupField("title", N_("Activity")),
        PopupField("kind", N_("Kind of activity"), vocabulary=ActivityKind),
        PopupField("starts_on", N_("First day")),
        PopupField("ends_on", N_("Last day")),
        PopupField("district", N_("District"), thai_property="district_th"),
    ),
    roles=COOPERATION_READERS,
    geometry="point",
    show=False,
)
