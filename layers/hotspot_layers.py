"""Map layers of the hotspot analysis: the watch corridor, the hotspots of a run, live hexagon
counts and the run's Gi* cells. Planners, HQ analysts, administrators and coordinators see
them (:data:`gis.hotspots.queries.VIEW_ROLES`); the public never does.

Each layer says what drew it: the legend label of its style and a ``method`` popup row (and the
``method`` member of each FeatureCollection). ``hotspots`` and ``gistar`` take ``run`` (a run
id; absent or ``latest``: the newest finished run the viewer sees); ``hexagons`` takes ``size``
(hexagon edge in metres; absent: chosen from the zoom).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.hotspots import queries as hotspot_queries
from gis.models import User
from gis.reference import corridor
from layers import styles
from layers.spec import FilterField, LayerQuery, LayerSpec, PopupField, ViewerSource

ROLES = frozenset(hotspot_queries.VIEW_ROLES)


def _viewer(query: LayerQuery) -> User:
    if query.viewer is None:
        raise NotFound("There is no map layer with this name.", field="name")
    return query.viewer


def corridor_source(session: Session, query: LayerQuery) -> str:
    """The corridor (the same for every viewer; not public)."""
    _viewer(query)
    return corridor.corridor_geojson(session, query.bbox, query.zoom)


def hotspots_source(session: Session, query: LayerQuery) -> str:
    """Hotspot polygons of the requested (or latest) run the viewer sees."""
    viewer = _viewer(query)
    run = hotspot_queries.resolve_run(session, viewer, query.params.get("run"))
    return hotspot_queries.hotspots_geojson(session, run, query.bbox)


def gistar_source(session: Session, query: LayerQuery) -> str:
    """Gi* hexagons of the requested (or latest) run the viewer sees."""
    viewer = _viewer(query)
    run = hotspot_queries.resolve_run(session, viewer, query.params.get("run"))
    return hotspot_queries.gistar_geojson(session, run, query.bbox)


def hexagons_source(session: Session, query: LayerQuery) -> str:
    """Live hexagon counts of the incidents the viewer sees in the box."""
    viewer = _viewer(query)
    size = hotspot_queries.check_hex_size(query.params.get("size"))
    return hotspot_queries.hexagons_geojson(session, viewer, query.bbox, query.zoom, size)


#: ``run``: a run id (the planner page sets it) or ``latest`` (the default).
_RUN = FilterField("run", "Hotspot run", "choice", (("latest", "the latest run"),))
#: ``size``: hexagon edge in metres; several ticked: the smallest.
_SIZE = FilterField(
    "size",
    "Hexagon edge",
    "choice",
    (("500", "500 m"), ("1000", "1 km"), ("2000", "2 km"), ("5000", "5 km"), ("10000", "10 km")),
)

CORRIDOR = LayerSpec(
    name="corridor",
    title="Watch corridor",
    source=ViewerSource(corridor_source),
    style=styles.corridor(),
    popup_fields=(
        PopupField("width_km", "Watch corridor, km either side"),
        PopupField("n_segments", "Border segments followed"),
        PopupField("n_crossings", "Natural crossings"),
        PopupField("built_at", "Built"),
    ),
    roles=ROLES,
    show=False,
)

HEXAGONS = LayerSpec(
    name="hexagons",
    title="Incident density (hexagons)",
    source=ViewerSource(hexagons_source),
    style=styles.hexagons(),
    popup_fields=(
        PopupField("n", "Incidents in this hexagon"),
        PopupField("size_m", "Hexagon edge (m)"),
    ),
    roles=ROLES,
    show=False,
    filters=(_SIZE,),
)

GISTAR = LayerSpec(
    name="gistar",
    title="Hot spots (Getis-Ord Gi*)",
    source=ViewerSource(gistar_source),
    style=styles.gistar(),
    popup_fields=(
        PopupField("bin_label", "Gi* hot spot analysis"),
        PopupField("n", "Incidents in this hexagon"),
        PopupField("z", "z-score"),
        PopupField("p", "p-value"),
        PopupField("method", "Method"),
    ),
    roles=ROLES,
    show=False,
    filters=(_RUN,),
)

HOTSPOTS = LayerSpec(
    name="hotspots",
    title="Hotspots (DBSCAN clusters)",
    source=ViewerSource(hotspots_source),
    style=styles.hotspots(),
    popup_fields=(
        PopupField("rank", "Hotspot rank"),
        PopupField("score", "Score"),
        PopupField("n_incidents", "Incidents"),
        PopupField("trend", "Trend (last 30 days − 30 before)"),
        PopupField("first_seen", "First seen"),
        PopupField("last_seen", "Last seen"),
        PopupField("districts", "Districts"),
        PopupField("parallel_areas", "Parallel areas"),
        PopupField("nearest_crossing", "Nearest natural crossing"),
        PopupField("nearest_crossing_m", "… distance (m)"),
        PopupField("nearest_checkpoint", "Nearest checkpoint"),
        PopupField("nearest_checkpoint_m", "… distance (m)"),
    ),
    roles=ROLES,
    filters=(_RUN,),
)

#: In drawing order (bottom first).
HOTSPOT_LAYERS: tuple[LayerSpec, ...] = (CORRIDOR, HEXAGONS, GISTAR, HOTSPOTS)
