"""The map's layers, in drawing order (bottom first).

Every text people read is English marked with ``N_`` (the webapp shows it in the page's
language, :class:`layers.spec.Words`); vocabulary values are named by their vocabulary.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gis.errors import NotFound
from gis.incidents import map_layer as incident_layer
from gis.patrols import outcomes as patrol_outcomes
from gis.patrols import plans as patrols
from gis.reference import layers as reference
from gis.text import N_
from gis.types import (
    BoundaryKind,
    CheckpointKind,
    CheckpointStatus,
    CrossingSeason,
    CrossingUse,
    Demarcation,
    IncidentCategory,
    IncidentStatus,
    Neighbour,
    Precision,
    RiskLevel,
    Role,
)
from layers import styles
from layers.cooperation_layers import COOPERATION_ACTIVITIES, TWIN_TOWNS
from layers.hotspot_layers import HOTSPOT_LAYERS
from layers.spec import FilterField, LayerQuery, LayerSpec, PopupField, ViewerSource

_YES_NO = ((True, N_("yes")), (False, N_("no")))

#: How a checkpoint's position was found (``precision``): the seed's values
#: (seeds/data/README.md), then the districts' own (reference editing, :class:`Precision`).
LOCATED_BY = (
    ("wikipedia", N_("the coordinate of the checkpoint or bridge on Wikipedia (about 100 m)")),
    ("approx-town", N_("the town it is named after")),
    ("approx-village", N_("the village it is named after (0.3–3 km away)")),
    ("approx-tambon", N_("the middle of its sub-district (up to 15 km away)")),
    ("approx-border-end", N_("the sea end of the border (within about 1 km)")),
    (Precision.SURVEYED.value, N_("surveyed on site by the district")),
    (Precision.IMAGERY.value, N_("placed by the district from imagery")),
    (Precision.APPROXIMATE.value, N_("approximate, as the district knows it")),
)

REFERENCE_LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        name="districts",
        title=N_("Districts"),
        source=reference.districts,
        style=styles.districts(),
        popup_fields=(
            PopupField("district", N_("District")),
            PopupField("district_th", N_("Thai name")),
            PopupField("province", N_("Province")),
            PopupField(
                "target", N_("Target district"), ((True, N_("yes (NTS-MWCC)")), (False, N_("no")))
            ),
            PopupField("target_no", N_("Target no.")),
            PopupField("parallel_areas", N_("Parallel areas")),
            PopupField("border_neighbour", N_("Borders"), vocabulary=Neighbour),
        ),
        geometry="polygon",
    ),
    LayerSpec(
        name="parallel_areas",
        title=N_("Parallel areas"),
        source=reference.parallel_areas,
        style=styles.parallel_areas(),
        popup_fields=(
            PopupField("name", N_("Parallel area")),
            PopupField("province", N_("Province")),
            PopupField("country", N_("Country"), vocabulary=Neighbour),
            PopupField("districts", N_("Paired Thai districts")),
        ),
        geometry="polygon",
    ),
    LayerSpec(
        name="border",
        title=N_("Border"),
        source=reference.border,
        style=styles.border(),
        popup_fields=(
            PopupField("district", N_("Border of")),
            PopupField("province", N_("Province")),
            PopupField("neighbour", N_("With"), vocabulary=Neighbour),
            PopupField("kind", N_("Kind"), vocabulary=BoundaryKind),
            PopupField("demarcation", N_("Demarcation"), vocabulary=Demarcation),
            PopupField("length_km", N_("Length (km)")),
            PopupField("segment_no", N_("Segment no.")),
        ),
        geometry="line",
    ),
    LayerSpec(
        name="mekong",
        title=N_("Mekong"),
        source=reference.mekong,
        style=styles.mekong(),
        popup_fields=(
            PopupField("name", N_("River")),
            PopupField("section", N_("Section")),
            PopupField(
                "variant",
                N_("Line"),
                (
                    ("ne_centreline", N_("centreline (Natural Earth)")),
                    ("boundary_line_in_river", N_("boundary line in the river")),
                ),
            ),
            PopupField("forms_boundary", N_("Forms the border"), _YES_NO),
            PopupField("length_km", N_("Length (km)")),
        ),
        geometry="line",
        loading="once",
    ),
    LayerSpec(
        name="natural_crossings",
        title=N_("Natural crossings"),
        source=reference.natural_crossings,
        style=styles.natural_crossings(),
        popup_fields=(
            PopupField("name", N_("Natural crossing")),
            PopupField(
                "is_demo",
                N_("Data"),
                (
                    (True, N_("DEMO – synthetic path, not a real crossing")),
                    (False, N_("recorded")),
                ),
            ),
            PopupField("risk_level", N_("Risk"), vocabulary=RiskLevel),
            PopupField("season", N_("Season"), vocabulary=CrossingSeason),
            PopupField("crosses", N_("What crosses"), vocabulary=CrossingUse),
            PopupField("note", N_("Note")),
            PopupField("precision", N_("Located by"), vocabulary=Precision),
            PopupField("district", N_("District")),
        ),
        min_zoom=7,
        geometry="line",
    ),
    LayerSpec(
        name="coordination_centres",
        title=N_("Coordination centres"),
        source=reference.coordination_centres,
        style=styles.coordination_centres(),
        popup_fields=(
            PopupField("name", N_("Coordination centre"), thai_property="name_th"),
            PopupField("district", N_("District")),
            PopupField("address", N_("Address")),
            PopupField("phone", N_("Phone")),
            PopupField(
                "location_approximate",
                N_("Location"),
                (
                    (
                        True,
                        N_("approximate: a point inside the district until the address is known"),
                    ),
                    (False, N_("known")),
                ),
            ),
            PopupField("precision", N_("Located by"), vocabulary=Precision),
        ),
        geometry="point",
        loading="once",
        show=False,
    ),
    LayerSpec(
        name="checkpoints",
        title=N_("Checkpoints"),
        source=reference.checkpoints,
        style=styles.checkpoints(),
        popup_fields=(
            PopupField("name", N_("Checkpoint")),
            PopupField("name_th", N_("Thai name")),
            PopupField("kind", N_("Kind"), vocabulary=CheckpointKind),
            PopupField(
                "approximate",
                N_("Position"),
                (
                    (True, N_("APPROXIMATE – near the real checkpoint, not its exact place")),
                    (False, N_("surveyed")),
                ),
            ),
            PopupField("precision", N_("Located by"), LOCATED_BY),
            PopupField("counterpart", N_("Counterpart")),
            PopupField("status", N_("Status"), vocabulary=CheckpointStatus),
            PopupField("hours", N_("Opening hours")),
            PopupField("days", N_("Open on")),
            PopupField("crossing_rules", N_("Crossing rules")),
            PopupField("status_note", N_("Status note")),
            PopupField("district", N_("District")),
        ),
        geometry="point",
        loading="once",
    ),
)


def stretches_source(session: Session, query: LayerQuery) -> str:
    """The flagged border stretches for everyone; the source of the knowledge (a volunteer's
    patrol, a survey, an informant) only for signed-in accounts, never for the public.

    Raises:
        InvalidInput: a zoom above the kept ones without a box.
    """
    return reference.border_stretches(
        session, query.bbox, query.zoom, with_source=query.viewer is not None
    )


#: Stretches of the border the districts flagged (reference editing), over the border: public
#: like the border, their source of knowledge for accounts only.
BORDER_STRETCHES = LayerSpec(
    name="border_stretches",
    title=N_("Flagged border stretches"),
    source=ViewerSource(stretches_source, public=True),
    style=styles.border_stretches(),
    popup_fields=(
        PopupField("demarcation", N_("Flagged stretch"), vocabulary=Demarcation),
        PopupField("source", N_("Source of this knowledge")),
        PopupField("district", N_("Flagged by"), thai_property="district_th"),
        PopupField("precision", N_("Located by"), vocabulary=Precision),
        PopupField("changed_on", N_("Last changed")),
    ),
    geometry="line",
)

#: What the public sees: the reference layers and the flagged stretches.
PUBLIC_LAYERS: tuple[LayerSpec, ...] = (*REFERENCE_LAYERS, BORDER_STRETCHES)


def incidents_source(session: Session, query: LayerQuery) -> str:
    """The incidents layer's source: the viewer's incidents for the box, filtered.

    Raises:
        NotFound: asked without a viewer (the layer is not public).
        InvalidInput: a bad filter parameter, naming it.
    """
    if query.viewer is None:
        raise NotFound(N_("There is no map layer with this name."), field="name")
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
    title=N_("Incidents"),
    source=ViewerSource(incidents_source),
    style=styles.incidents(),
    popup_fields=(
        PopupField("category", N_("Incident"), vocabulary=IncidentCategory),
        PopupField("id", N_("No.")),
        PopupField("status", N_("Status"), vocabulary=IncidentStatus),
        PopupField("severity", N_("Severity (1-5)")),
        PopupField("occurred_at", N_("Occurred")),
        PopupField("district", N_("District"), thai_property="district_th"),
        PopupField("province", N_("Province"), thai_property="province_th"),
        PopupField("description", N_("Description")),
    ),
    roles=frozenset(Role),
    geometry="point",
    cluster=True,
    filters=(
        FilterField("category", N_("Category"), "choice", vocabulary=IncidentCategory),
        FilterField("status", N_("Status"), "choice", vocabulary=IncidentStatus),
        FilterField("since", N_("From (day)"), "date"),
        FilterField("until", N_("To (day, inclusive)"), "date"),
    ),
)


def coverage_source(session: Session, query: LayerQuery) -> str:
    """Hotspots of the latest run in the viewer's districts that no patrol visited in 14 days.

    Raises:
        NotFound: asked without a viewer (the layer is not public).
    """
    if query.viewer is None:
        raise NotFound(N_("There is no map layer with this name."), field="name")
    return patrol_outcomes.coverage_geojson(session, query.viewer, query.bbox)


#: Patrol coverage (gis.patrols.outcomes): for the accounts that read patrol plans.
COVERAGE = LayerSpec(
    name="coverage",
    title=N_("Not patrolled (14 days)"),
    source=ViewerSource(coverage_source),
    style=styles.coverage(),
    popup_fields=(
        PopupField(
            "rank", N_("Hotspot"), template=N_("Hotspot no. {rank}: no patrol for {days} days")
        ),
        PopupField("rank", N_("Rank in its run")),
        PopupField("n_incidents", N_("Number of incidents")),
        PopupField("score", N_("Score")),
        PopupField("last_patrolled", N_("Last patrolled")),
        PopupField("run_id", N_("Hotspot run")),
    ),
    roles=patrols.READERS,
    geometry="polygon",
    show=False,
)


#: Every layer, in drawing order: the reference layers, then the incidents on top.
LAYERS: tuple[LayerSpec, ...] = (
    *PUBLIC_LAYERS,
    *HOTSPOT_LAYERS,
    COVERAGE,
    TWIN_TOWNS,
    COOPERATION_ACTIVITIES,
    INCIDENTS,
)

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
        raise NotFound(N_("There is no map layer with this name."), field="name")
    return spec
