"""Map layers of the hotspot analysis: the watch corridor, the hotspots of a run, live hexagon
counts, the run's Gi* cells and its emerging hot spots. Planners, HQ analysts, administrators
and coordinators see them (:data:`gis.hotspots.queries.VIEW_ROLES`); the public never does.

Each layer says what drew it: the legend label of its style and a ``method`` popup row (and the
``method`` member of each FeatureCollection). ``hotspots`` and ``gistar`` take ``run`` (a run
id; absent or ``latest``: the newest finished run the viewer sees); ``hexagons`` takes ``size``
(hexagon edge in metres; absent: chosen from the zoom).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.hotspots import queries as hotspot_queries
from gis.hotspots import trends
from gis.hotspots.emerging import LABELS, MEANINGS
from gis.models import User
from gis.reference import corridor
from gis.text import N_
from layers import styles
from layers.spec import FilterField, LayerQuery, LayerSpec, PopupField, ViewerSource

ROLES = frozenset(hotspot_queries.VIEW_ROLES)


def _viewer(query: LayerQuery) -> User:
    if query.viewer is None:
        raise NotFound(N_("There is no map layer with this name."), field="name")
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


def emerging_source(session: Session, query: LayerQuery) -> str:
    """Emerging hot spot hexagons of the requested (or latest analysed) run the viewer sees."""
    viewer = _viewer(query)
    run = trends.resolve_emerging_run(session, viewer, query.params.get("run"))
    return trends.emerging_geojson(session, run, query.bbox)


def hexagons_source(session: Session, query: LayerQuery) -> str:
    """Live hexagon counts of the incidents the viewer sees in the box."""
    viewer = _viewer(query)
    size = hotspot_queries.check_hex_size(query.params.get("size"))
    return hotspot_queries.hexagons_geojson(session, viewer, query.bbox, query.zoom, size)


#: ``run``: a run id (the planner page sets it) or ``latest`` (the default).
_RUN = FilterField("run", N_("Hotspot run"), "choice", (("latest", N_("the latest run")),))
#: ``size``: hexagon edge in metres; several ticked: the smallest.
_SIZE = FilterField(
    "size",
    N_("Hexagon edge"),
    "choice",
    (
        ("500", N_("500 m")),
        ("1000", N_("1 km")),
        ("2000", N_("2 km")),
        ("5000", N_("5 km")),
        ("10000", N_("10 km")),
    ),
)
#: What drew a layer (its features' ``method``), as people read it.
_METHODS = (
    (
        hotspot_queries.METHOD_GISTAR,
        N_(
            "Getis-Ord Gi* on the hexagon counts of the run (six neighbours, the cell "
            "included); hot and cold spots at 90, 95 and 99 % confidence after the false "
            "discovery rate correction"
        ),
    ),
)

CORRIDOR = LayerSpec(
    name="corridor",
    title=N_("Watch corridor"),
    source=ViewerSource(corridor_source),
    style=styles.corridor(),
    popup_fields=(
        PopupField("width_km", N_("Watch corridor, km either side")),
        PopupField("n_segments", N_("Border segments followed")),
        PopupField("n_crossings", N_("Natural crossings")),
        PopupField("built_at", N_("Built")),
    ),
    roles=ROLES,
    show=False,
)

HEXAGONS = LayerSpec(
    name="hexagons",
    title=N_("Incident density (hexagons)"),
    source=ViewerSource(hexagons_source),
    style=styles.hexagons(),
    popup_fields=(
        PopupField("n", N_("Incidents in this hexagon")),
        PopupField("size_m", N_("Hexagon edge (m)")),
    ),
    roles=ROLES,
    show=False,
    filters=(_SIZE,),
)

GISTAR = LayerSpec(
    name="gistar",
    title=N_("Hot spots (Getis-Ord Gi*)"),
    source=ViewerSource(gistar_source),
    style=styles.gistar(),
    popup_fields=(
        PopupField(
            "bin",
            N_("Gi* hot spot analysis"),
            tuple((value, text) for value, (_, text) in styles.GISTAR_BINS.items()),
        ),
        PopupField("n", N_("Incidents in this hexagon")),
        PopupField("z", N_("z-score")),
        PopupField("p", N_("p-value")),
        PopupField("method", N_("Method"), _METHODS),
    ),
    roles=ROLES,
    show=False,
    filters=(_RUN,),
)

EMERGING = LayerSpec(
    name="emerging",
    title=N_("Emerging hot spots"),
    source=ViewerSource(emerging_source),
    style=styles.emerging(),
    popup_fields=(
        PopupField("category", N_("Pattern"), tuple((c.value, t) for c, t in LABELS.items())),
        PopupField(
            "meaning", N_("What it means"), tuple((c.value, t) for c, t in MEANINGS.items())
        ),
        PopupField("n", N_("Incidents in this hexagon")),
        PopupField("hot_steps", N_("Time steps as a hot spot")),
        PopupField("cold_steps", N_("Time steps as a cold spot")),
        PopupField("steps", N_("Time steps analysed")),
        PopupField("trend_z", N_("Trend of the Gi* z-scores (Mann-Kendall z)")),
        PopupField("trend_p", N_("Trend p-value")),
        PopupField(
            "method",
            N_("Method"),
            (
                (
                    trends.METHOD_EMERGING,
                    N_(
                        "Emerging hot spot analysis: space-time Getis-Ord Gi* on the run's "
                        "hexagons per time step, Mann-Kendall trend of each hexagon, categories "
                        "as ArcGIS Pro defines them"
                    ),
                ),
            ),
        ),
    ),
    roles=ROLES,
    show=False,
    filters=(_RUN,),
)

HOTSPOTS = LayerSpec(
    name="hotspots",
    title=N_("Hotspots (DBSCAN clusters)"),
    source=ViewerSource(hotspots_source),
    style=styles.hotspots(),
    popup_fields=(
        PopupField("rank", N_("Hotspot rank"), template=N_("Hotspot no. {rank}")),
        PopupField("score", N_("Score")),
        PopupField("n_incidents", N_("Number of incidents")),
        PopupField("trend", N_("Trend (last 30 days − 30 before)")),
        PopupField("first_seen", N_("First seen")),
        PopupField("last_seen", N_("Last seen")),
        PopupField("districts", N_("Districts")),
        PopupField("parallel_areas", N_("Parallel areas")),
        PopupField("nearest_crossing", N_("Nearest natural crossing")),
        PopupField("nearest_crossing_m", N_("… distance (m)")),
        PopupField("nearest_checkpoint", N_("Nearest checkpoint")),
        PopupField("nearest_checkpoint_m", N_("… distance (m)")),
    ),
    roles=ROLES,
    filters=(_RUN,),
)

#: In drawing order (bottom first).
HOTSPOT_LAYERS: tuple[LayerSpec, ...] = (CORRIDOR, HEXAGONS, GISTAR, EMERGING, HOTSPOTS)
