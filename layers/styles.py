"""Colours and style rules of the map layers, as plain dicts.

A style is ``{"base": options, "rules": [rule, ...], "label": text}``. ``options`` are Leaflet
path options (``color``, ``weight``, ``fillColor``, ``fillOpacity``, ``dashArray``, ``radius``
for points). A rule ``{"property": p, "equals": v, "style": options, "label": text}`` applies to
the features whose property ``p`` equals ``v``; matching rules are merged over the base in order,
so later rules win. :func:`resolve` is the reference for what ``webapp/static/js/layers.js``
does in the browser. Labels feed the legend: the base label names the features no rule changes.
A label is English marked with ``N_`` or a vocabulary value (the legend shows its label);
:meth:`layers.spec.Words.style` puts them in the page's language.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from gis.hotspots.emerging import LABELS, Emerging
from gis.text import N_
from gis.types import BoundaryKind, CheckpointKind, Demarcation, IncidentStatus, RiskLevel

# Palette (colour-blind friendly where it matters: targets vs others, river vs land).
TARGET = "#e8590c"
TARGET_EDGE = "#a63c06"
DISTRICT = "#adb5bd"
DISTRICT_EDGE = "#6c757d"
PARALLEL = "#7048e8"
BORDER_LAND = "#c92a2a"
BORDER_MEKONG = "#1864ab"
MEKONG = "#4dabf7"
#: Stretches a district flagged (reference editing), drawn over the red land border.
STRETCH_UNMARKED = "#fd7e14"
STRETCH_UNKNOWN = "#495057"
STRETCH_DEMARCATED = "#2b8a3e"
CENTRE = "#212529"
CHECKPOINT = {
    CheckpointKind.PERMANENT_CROSSING: "#2b8a3e",
    CheckpointKind.BORDER_TRADE_CHECKPOINT: "#f59f00",
    CheckpointKind.TEMPORARY_CROSSING: "#862e9c",
    CheckpointKind.JOINT_INSPECTION_CHECKPOINT: "#0b7285",
}
RISK = {RiskLevel.LOW: "#f783ac", RiskLevel.MEDIUM: "#e64980", RiskLevel.HIGH: "#a61e4d"}

#: Dash pattern of everything whose position or existence is uncertain.
DASHED = "4 3"


def rule(
    property_: str, equals: Any, style: Mapping[str, Any], label: str | enum.Enum | None = None
) -> dict:
    """A style rule: ``style`` applies where ``property_`` equals ``equals``.

    Args:
        property_: GeoJSON property name.
        equals: value compared with ``===`` in the browser (a string, number or boolean).
        style: Leaflet path options merged over the base.
        label: legend text (marked with ``N_``) or a vocabulary value (its label); ``None``
            keeps the rule out of the legend.

    Returns:
        The rule as a plain dict.
    """
    out: dict[str, Any] = {"property": property_, "equals": equals, "style": dict(style)}
    if label is not None:
        out["label"] = label
    return out


def resolve(style: Mapping[str, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """The Leaflet options a feature gets: the base with every matching rule merged in order.

    Args:
        style: a layer style.
        properties: the feature's GeoJSON properties.

    Returns:
        Leaflet path options.
    """
    out = dict(style["base"])
    for r in style.get("rules", ()):
        value = properties.get(r["property"])
        # Same type too: the browser compares with ===, where 1 is not true.
        if type(value) is type(r["equals"]) and value == r["equals"]:
            out.update(r["style"])
    return out


def districts() -> dict[str, Any]:
    """Districts: targets filled in orange, the other border-province districts faint grey."""
    return {
        "base": {
            "color": DISTRICT_EDGE,
            "weight": 0.6,
            "opacity": 0.8,
            "fillColor": DISTRICT,
            "fillOpacity": 0.12,
        },
        "label": N_("Other district of a border province"),
        "rules": [
            rule(
                "target",
                True,
                {"color": TARGET_EDGE, "weight": 1.2, "fillColor": TARGET, "fillOpacity": 0.4},
                N_("Target border district (NTS-MWCC)"),
            )
        ],
    }


def parallel_areas() -> dict[str, Any]:
    """Parallel areas across the border: violet, dashed outline."""
    return {
        "base": {
            "color": PARALLEL,
            "weight": 1,
            "opacity": 0.8,
            "dashArray": DASHED,
            "fillColor": PARALLEL,
            "fillOpacity": 0.1,
        },
        "label": N_("Parallel area (Lao / Cambodian twin)"),
        "rules": [],
    }


def border() -> dict[str, Any]:
    """Border by kind: the Mekong river boundary in blue, the land boundary in red."""
    return {
        "base": {"color": BORDER_LAND, "weight": 2.5, "opacity": 0.95},
        "rules": [
            rule(
                "kind",
                BoundaryKind.LAND_OR_OTHER_RIVER.value,
                {"color": BORDER_LAND},
                N_("Land boundary (or other river)"),
            ),
            rule(
                "kind",
                BoundaryKind.MEKONG_RIVER.value,
                {"color": BORDER_MEKONG, "weight": 3.5},
                N_("Mekong river boundary"),
            ),
            rule(
                "demarcation",
                Demarcation.UNMARKED.value,
                {"dashArray": DASHED},
                N_("Unmarked or undemarcated stretch"),
            ),
        ],
    }


def border_stretches() -> dict[str, Any]:
    """Flagged stretches over the border by demarcation: unmarked or undemarcated in wide
    orange dashes (distinct from the red land and blue river border under them), demarcation
    unknown in grey dots, demarcated as the district confirmed it in solid green."""
    return {
        "base": {
            "color": STRETCH_UNMARKED,
            "weight": 5,
            "opacity": 0.95,
        },
        "rules": [
            rule(
                "demarcation",
                Demarcation.UNMARKED.value,
                {"color": STRETCH_UNMARKED, "dashArray": "10 6"},
                N_("Flagged unmarked or undemarcated by the district"),
            ),
            rule(
                "demarcation",
                Demarcation.UNKNOWN.value,
                {"color": STRETCH_UNKNOWN, "dashArray": "2 6"},
                N_("Flagged: demarcation unknown"),
            ),
            rule(
                "demarcation",
                Demarcation.DEMARCATED.value,
                {"color": STRETCH_DEMARCATED, "weight": 4},
                N_("Confirmed demarcated by the district"),
            ),
        ],
    }


def mekong() -> dict[str, Any]:
    """The Mekong centreline in light blue; the boundary line in the river dotted."""
    return {
        "base": {"color": MEKONG, "weight": 1.8, "opacity": 0.9},
        "label": N_("Mekong centreline"),
        "rules": [
            rule(
                "variant",
                "boundary_line_in_river",
                {"weight": 1, "dashArray": "1 4", "color": BORDER_MEKONG},
                N_("Boundary line in the Mekong"),
            ),
            rule("forms_boundary", False, {"opacity": 0.6}),
        ],
    }


def checkpoints() -> dict[str, Any]:
    """Checkpoints by kind; an approximate position is a pale dashed ring, not a solid dot."""
    kinds = [
        rule("kind", kind.value, {"fillColor": colour, "color": colour}, kind)
        for kind, colour in CHECKPOINT.items()
    ]
    return {
        "base": {"radius": 6, "weight": 2, "color": "#343a40", "fillOpacity": 0.9},
        "rules": [
            *kinds,
            rule(
                "approximate",
                True,
                {"fillOpacity": 0.25, "dashArray": "3 2", "weight": 2},
                N_("Approximate position (dashed ring)"),
            ),
            rule("approximate", False, {"color": "#ffffff", "weight": 1.5}),
        ],
    }


def coordination_centres() -> dict[str, Any]:
    """Coordination centres: small white dots ringed in black, dashed while approximate."""
    return {
        "base": {
            "radius": 4,
            "weight": 2,
            "color": CENTRE,
            "fillColor": "#ffffff",
            "fillOpacity": 1,
        },
        "label": N_("NTS-MWCC coordination centre"),
        "rules": [
            rule(
                "location_approximate",
                True,
                {"dashArray": "2 2"},
                N_("Centre, location not known yet"),
            ),
        ],
    }


def natural_crossings() -> dict[str, Any]:
    """Natural crossings by risk level; demo (synthetic) paths dashed and labelled so."""
    risks = [
        rule("risk_level", level.value, {"color": colour}, level) for level, colour in RISK.items()
    ]
    return {
        "base": {"color": RISK[RiskLevel.MEDIUM], "weight": 2.5, "opacity": 0.9},
        "rules": [
            *risks,
            rule(
                "is_demo", True, {"dashArray": "6 4", "opacity": 0.7}, N_("DEMO path (synthetic)")
            ),
        ],
    }


#: Incident fill colour by status (open reports warm, finished ones grey).
INCIDENT_STATUS = {
    IncidentStatus.NEW: ("#f59f00", N_("New, not verified yet")),
    IncidentStatus.VERIFIED: ("#e03131", N_("Verified")),
    IncidentStatus.REFERRED: ("#9c36b5", N_("Referred to an agency")),
    IncidentStatus.CLOSED: ("#868e96", N_("Closed")),
    IncidentStatus.REJECTED: ("#dee2e6", N_("Rejected")),
    IncidentStatus.DUPLICATE: ("#ced4da", N_("Duplicate")),
}


def incidents() -> dict[str, Any]:
    """Incidents: dots filled by status, ringed in white; clusters use Leaflet.markercluster's."""
    return {
        "base": {"radius": 7, "weight": 2, "color": "#ffffff", "fillOpacity": 0.95},
        "rules": [
            rule("status", status.value, {"fillColor": colour}, label)
            for status, (colour, label) in INCIDENT_STATUS.items()
        ],
    }


UNPATROLLED = "#f08c00"


def coverage() -> dict[str, Any]:
    """Hotspots no patrol has visited lately: thick orange dashed outline, light fill."""
    return {
        "base": {
            "color": UNPATROLLED,
            "weight": 3,
            "opacity": 0.95,
            "dashArray": "6 4",
            "fillColor": UNPATROLLED,
            "fillOpacity": 0.12,
        },
        "label": N_("Hotspot not patrolled in the last 14 days"),
        "rules": [],
    }


CORRIDOR = "#fab005"
HOTSPOT = "#e03131"
HEXAGON = "#f76707"
#: Gi* bins (-3..3) as ArcGIS draws them: reds for hot, blues for cold, no fill when not
#: significant.
GISTAR_BINS = {
    3: ("#d7191c", N_("Hot spot – 99 % confidence")),
    2: ("#fc8d59", N_("Hot spot – 95 % confidence")),
    1: ("#fdcc8a", N_("Hot spot – 90 % confidence")),
    0: ("#bdbdbd", N_("Not significant")),
    -1: ("#c6dbef", N_("Cold spot – 90 % confidence")),
    -2: ("#6baed6", N_("Cold spot – 95 % confidence")),
    -3: ("#2171b5", N_("Cold spot – 99 % confidence")),
}


def corridor() -> dict[str, Any]:
    """The watch corridor: a light yellow band without outline."""
    return {
        "base": {"stroke": False, "fillColor": CORRIDOR, "fillOpacity": 0.18},
        "label": N_("Watch corridor (5 km either side of the Mekong, unmarked border, crossings)"),
        "rules": [],
    }


def hotspots() -> dict[str, Any]:
    """DBSCAN hotspots: red outline and fill."""
    return {
        "base": {
            "color": HOTSPOT,
            "weight": 2,
            "opacity": 0.95,
            "fillColor": HOTSPOT,
            "fillOpacity": 0.3,
        },
        "label": N_("Hotspot (DBSCAN cluster of incidents, ranked by score)"),
        "rules": [],
    }


def hexagons() -> dict[str, Any]:
    """Live hexagon counts: orange cells."""
    return {
        "base": {
            "color": HEXAGON,
            "weight": 0.5,
            "opacity": 0.6,
            "fillColor": HEXAGON,
            "fillOpacity": 0.35,
        },
        "label": N_("Incidents per hexagon (counts)"),
        "rules": [],
    }


def gistar() -> dict[str, Any]:
    """Gi* bins, coloured as ArcGIS's Hot Spot Analysis."""
    return {
        "base": {"color": "#868e96", "weight": 0.3, "opacity": 0.5, "fillOpacity": 0.55},
        "label": N_("Getis-Ord Gi* (FDR-corrected)"),
        "rules": [
            rule("bin", value, {"fillColor": colour, "fillOpacity": 0.6 if value else 0.05}, label)
            for value, (colour, label) in GISTAR_BINS.items()
        ],
    }


#: Emerging hot spot categories (gis.hotspots.emerging): reds for hot, blues for cold, the new
#: and intensifying ones darkest; no pattern almost clear.
EMERGING_COLOURS = {
    Emerging.NEW_HOT: "#b2182b",
    Emerging.CONSECUTIVE_HOT: "#d6604d",
    Emerging.INTENSIFYING_HOT: "#67001f",
    Emerging.PERSISTENT_HOT: "#f4a582",
    Emerging.DIMINISHING_HOT: "#fddbc7",
    Emerging.SPORADIC_HOT: "#e7298a",
    Emerging.OSCILLATING_HOT: "#c51b7d",
    Emerging.HISTORICAL_HOT: "#bf812d",
    Emerging.NEW_COLD: "#2166ac",
    Emerging.CONSECUTIVE_COLD: "#4393c3",
    Emerging.INTENSIFYING_COLD: "#053061",
    Emerging.PERSISTENT_COLD: "#92c5de",
    Emerging.DIMINISHING_COLD: "#d1e5f0",
    Emerging.SPORADIC_COLD: "#35978f",
    Emerging.OSCILLATING_COLD: "#01665e",
    Emerging.HISTORICAL_COLD: "#8073ac",
    Emerging.NO_PATTERN: "#bdbdbd",
}


def emerging() -> dict[str, Any]:
    """Emerging hot spot categories, each in the legend with its name."""
    return {
        "base": {"color": "#868e96", "weight": 0.3, "opacity": 0.5, "fillOpacity": 0.6},
        "label": N_("Emerging hot spots (space-time Gi*, Mann-Kendall)"),
        "rules": [
            rule(
                "category",
                category.value,
                {
                    "fillColor": colour,
                    "fillOpacity": 0.05 if category is Emerging.NO_PATTERN else 0.65,
                },
                LABELS[category],
            )
            for category, colour in EMERGING_COLOURS.items()
        ],
    }


#: Twin-town links by the activities of the last 12 months (gis.cooperation.map_layer).
TWIN_LEVEL = {"none": "#adb5bd", "some": "#1c7ed6", "many": "#2b8a3e"}


def twin_towns(labels: Mapping[str, str], overdue: str) -> dict[str, Any]:
    """Twin-town links: grey, blue, green by activity (``labels``: level -> legend text);
    dashed (``overdue``: its legend text) where the district held no MWCC meeting in 90 days."""
    return {
        "base": {"color": TWIN_LEVEL["none"], "weight": 3, "opacity": 0.9},
        "rules": [
            *(
                rule(
                    "level",
                    level,
                    {"color": colour, "weight": 3 if level == "none" else 4},
                    labels[level],
                )
                for level, colour in TWIN_LEVEL.items()
            ),
            rule("mwcc_overdue", True, {"dashArray": "8 6"}, overdue),
        ],
    }


ACTIVITY = "#5f3dc4"


def cooperation_activities(label: str) -> dict[str, Any]:
    """Activities with the parallel areas: violet dots ringed in white (``label``: the legend)."""
    return {
        "base": {
            "radius": 7,
            "weight": 2,
            "color": "#ffffff",
            "fillColor": ACTIVITY,
            "fillOpacity": 0.95,
        },
        "label": label,
        "rules": [],
    }
