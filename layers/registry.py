"""The map's layers, in drawing order (bottom first)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.incidents import map_layer as incident_layer
from gis.patrols import outcomes as patrol_outcomes
from gis.patrols import plans as patrols
from gis.reference import layers as reference
from gis.types import IncidentCategory, IncidentStatus, Role
from layers import styles
from layers.hotspot_layers import HOTSPOT_LAYERS
from layers.spec import FilterField, LayerQuery, LayerSpec, PopupField, ViewerSource

_YES_NO = ((True, "yes"), (False, "no"))

REFERENCE_LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        name="districts",
        title="Districts",
        source=reference.districts,
        style=styles.districts(),
        popup_fields=(
            PopupField("district", "District"),
            PopupField("district_th", "Thai name"),
            PopupField("province", "Province"),
            PopupField("target", "Target district", ((True, "yes (NTS-MWCC)"), (False, "no"))),
            PopupField("target_no", "Target no."),
            PopupField("parallel_areas", "Parallel areas"),
            PopupField("border_neighbour", "Borders", (("LAO", "Laos"), ("KHM", "Cambodia"))),
        ),
        geometry="polygon",
    ),
    LayerSpec(
        name="parallel_areas",
        title="Parallel areas",
        source=reference.parallel_areas,
        style=styles.parallel_areas(),
        popup_fields=(
            PopupField("name", "Parallel area"),
            PopupField("province", "Province"),
            PopupField("country", "Country", (("LAO", "Laos"), ("KHM", "Cambodia"))),
            PopupField("districts", "Paired Thai districts"),
        ),
        geometry="polygon",
    ),
    LayerSpec(
        name="border",
        title="Border",
        source=reference.border,
        style=styles.border(),
        popup_fields=(
            PopupField("district", "Border of"),
            PopupField("province", "Province"),
            PopupField("neighbour", "With", (("LAO", "Laos"), ("KHM", "Cambodia"))),
            PopupField(
                "kind", "Kind", tuple((k.value, t) for k, t in styles.BOUNDARY_KINDS.items())
            ),
            PopupField(
                "demarcation",
                "Demarcation",
                tuple((k.value, t) for k, t in styles.DEMARCATIONS.items()),
            ),
            PopupField("length_km", "Length (km)"),
            PopupField("segment_no", "Segment no."),
        ),
        geometry="line",
    ),
    LayerSpec(
        name="mekong",
        title="Mekong",
        source=reference.mekong,
        style=styles.mekong(),
        popup_fields=(
            PopupField("name", "River"),
            PopupField("section", "Section"),
            PopupField(
                "variant",
                "Line",
                (
                    ("ne_centreline", "centreline (Natural Earth)"),
                    ("boundary_line_in_river", "boundary line in the river"),
                ),
            ),
            PopupField("forms_boundary", "Forms the border", _YES_NO),
            PopupField("length_km", "Length (km)"),
        ),
        geometry="line",
        loading="once",
    ),
    LayerSpec(
        name="natural_crossings",
        title="Natural crossings",
        source=reference.natural_crossings,
        style=styles.natural_crossings(),
        popup_fields=(
            PopupField("name", "Natural crossing"),
            PopupField(
                "is_demo",
                "Data",
                ((True, "DEMO – synthetic path, not a real crossing"), (False, "recorded")),
            ),
            PopupField("risk_level", "Risk"),
            PopupField("district", "District"),
        ),
        min_zoom=7,
        geometry="line",
    ),
    LayerSpec(
        name="coordination_centres",
        title="Coordination centres",
        source=reference.coordination_centres,
        style=styles.coordination_centres(),
        popup_fields=(
            PopupField("name", "Coordination centre"),
            PopupField("district", "District"),
            PopupField(
                "location_approximate",
                "Location",
                (
                    (True, "approximate: a point inside the district until the address is known"),
                    (False, "known"),
                ),
            ),
        ),
        geometry="point",
        loading="once",
        show=False,
    ),
    LayerSpec(
        name="checkpoints",
        title="Checkpoints",
        source=reference.checkpoints,
        style=styles.checkpoints(),
        popup_fields=(
            PopupField("name", "Checkpoint"),
            PopupField("name_th", "Thai name"),
            PopupField(
                "kind", "Kind", tuple((k.value, t) for k, t in styles.CHECKPOINT_KINDS.items())
            ),
            PopupField(
                "approximate",
                "Position",
                (
                    (True, "APPROXIMATE – near the real checkpoint, not its exact place"),
                    (False, "surveyed"),
                ),
            ),
            PopupField("precision", "Located by"),
            PopupField("counterpart", "Counterpart"),
            PopupField("status", "Status"),
            PopupField("status_note", "Status note"),
            PopupField("district", "District"),
        ),
        geometry="point",
        loading="once",
    ),
)


def _words(value: str) -> str:
    return value.replace("_", " ")


def incidents_source(session: Session, query: LayerQuery) -> str:
    """The incidents layer's source: the viewer's incidents for the box, filtered.

    Raises:
        NotFound: asked without a viewer (the layer is not public).
        InvalidInput: a bad filter parameter, naming it.
    """
    if query.viewer is None:
        raise NotFound("There is no map layer with this name.", field="name")
    return incident_layer.incident_layer_geojson(
        session,
        query.viewer,
        incident_layer.parse_filters(query.params),
        bbox=query.bbox,
        zoom=query.zoom,
    )


#: Incidents of the viewer's scope (never the public's), clustered in the browser.
INCIDENTS = LayerSpec(
    name="incidents",
    title="Incidents",
    source=ViewerSource(incidents_source),
    style=styles.incidents(),
    popup_fields=(
        PopupField("category", "Incident", tuple((c.value, _words(c)) for c in IncidentCategory)),
        PopupField("id", "No."),
        PopupField("status", "Status", tuple((s.value, _words(s)) for s in IncidentStatus)),
        PopupField("severity", "Severity (1-5)"),
        PopupField("occurred_at", "Occurred"),
        PopupField("district", "District"),
        PopupField("province", "Province"),
        PopupField("description", "Description"),
    ),
    roles=frozenset(Role),
    geometry="point",
    cluster=True,
    filters=(
        FilterField(
            "category", "Category", "choice", tuple((c.value, _words(c)) for c in IncidentCategory)
        ),
        FilterField(
            "status", "Status", "choice", tuple((s.value, _words(s)) for s in IncidentStatus)
        ),
        FilterField("since", "From (day)", "date"),
        FilterField("until", "To (day, inclusive)", "date"),
    ),
)


def coverage_source(session: Session, query: LayerQuery) -> str:
    """Hotspots of the latest run in the viewer's districts that no patrol visited in 14 days.

    Raises:
        NotFound: asked without a viewer (the layer is not public).
    """
    if query.viewer is None:
        raise NotFound("There is no map layer with this name.", field="name")
    return patrol_outcomes.coverage_geojson(session, query.viewer, query.bbox)


#: Patrol coverage (gis.patrols.outcomes): for the accounts that read patrol plans.
COVERAGE = LayerSpec(
    name="coverage",
    title="Not patrolled (14 days)",
    source=ViewerSource(coverage_source),
    style=styles.coverage(),
    popup_fields=(
        PopupField("title", "Hotspot"),
        PopupField("rank", "Rank in its run"),
        PopupField("n_incidents", "Incidents"),
        PopupField("score", "Score"),
        PopupField("last_patrolled", "Last patrolled"),
        PopupField("run_id", "Hotspot run"),
    ),
    roles=patrols.READERS,
    geometry="polygon",
    show=False,
)

#: Every layer, in drawing order: the reference layers, then the incidents on top.
LAYERS: tuple[LayerSpec, ...] = (*REFERENCE_LAYERS, *HOTSPOT_LAYERS, COVERAGE, INCIDENTS)

_BY_NAME = {spec.name: spec for spec in LAYERS}


def visible_layers(role: Role | None) -> tuple[LayerSpec, ...]:
    """The layers an account with ``role`` may see (``None``: the public), in drawing order.

    Args:
        role: the account's role, or ``None`` when not logged in.

    Returns:
        The layer specs.
    """
    return tuple(spec for spec in LAYERS if spec.visible_to(role))


def get_layer(name: str, role: Role | None) -> LayerSpec:
    """The layer called ``name`` if ``role`` may see it.

    Args:
        name: layer name.
        role: the account's role, or ``None`` when not logged in.

    Returns:
        The layer spec.

    Raises:
        NotFound: no such layer, or the role may not see it (so as not to reveal it exists).
    """
    spec = _BY_NAME.get(name)
    if spec is None or not spec.visible_to(role):
        raise NotFound("There is no map layer with this name.", field="name")
    return spec
