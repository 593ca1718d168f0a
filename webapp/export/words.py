"""The reader's words and the map legend's colours for the export files people read.

:func:`export_words` translates :mod:`gis.export.words` (field labels, the Shapefile's README)
into the current language (the request's, or the one a ``force_locale`` names: the CLI, the
worker), adds the vocabularies' labels (:mod:`webapp.vocab`) and the colours of the map's legend
(:mod:`layers.styles`), so that a KML file names, describes and colours its placemarks as the map
does. :data:`FORMAT_NAMES` are the formats' names on the export page. :func:`app_words` gives
the worker the words of a job's language (:func:`gis.export.words.use_words`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from flask import Flask
from flask_babel import force_locale, get_locale, gettext, lazy_gettext
from flask_babel.speaklater import LazyString

from gis.export import Format
from gis.export.words import FIELD_LABELS, TEXTS, Words, WordsOf
from gis.types import (
    ActivityKind,
    AreaLevel,
    BoundaryKind,
    Channel,
    CheckpointKind,
    CheckpointStatus,
    Demarcation,
    IncidentCategory,
    IncidentStatus,
    Neighbour,
    PatrolUnit,
    RiskLevel,
)
from layers import styles
from webapp.i18n import LANGUAGES
from webapp.vocab import labels

#: The formats' names on the export page.
FORMAT_NAMES: dict[Format, LazyString] = {
    Format.GEOJSON: lazy_gettext("GeoJSON"),
    Format.CSV: lazy_gettext("CSV (Excel)"),
    Format.GPKG: lazy_gettext("GeoPackage"),
    Format.SHP: lazy_gettext("Shapefile (zip)"),
    Format.KML: lazy_gettext("KML (Google Earth)"),
    Format.FGB: lazy_gettext("FlatGeobuf"),
    Format.PARQUET: lazy_gettext("GeoParquet"),
}

#: The vocabulary of each field that holds one, by collection.
VOCABULARIES: dict[str, dict[str, type[enum.Enum]]] = {
    "incidents": {"category": IncidentCategory, "status": IncidentStatus, "channel": Channel},
    "checkpoints": {"kind": CheckpointKind, "status": CheckpointStatus, "neighbour": Neighbour},
    "natural_crossings": {"risk_level": RiskLevel},
    "border_segments": {"neighbour": Neighbour, "kind": BoundaryKind, "demarcation": Demarcation},
    "parallel_areas": {"level": AreaLevel},
    "patrol_plans": {"unit": PatrolUnit},
    "cooperation_activities": {"kind": ActivityKind},
}

#: The field the map's legend colours by, and its colours, by collection.
LEGENDS: dict[str, tuple[str, Mapping[enum.Enum, str]]] = {
    "incidents": (
        "status",
        {status: colour for status, (colour, _) in styles.INCIDENT_STATUS.items()},
    ),
    "checkpoints": ("kind", styles.CHECKPOINT),
    "natural_crossings": ("risk_level", styles.RISK),
}

#: The one colour of each other collection, as the map draws it.
COLOURS: dict[str, str] = {
    "hotspots": styles.HOTSPOT,
    "hexagon_cells": styles.HEXAGON,
    "districts": styles.TARGET,
    "parallel_areas": styles.PARALLEL,
    "border_segments": styles.BORDER_LAND,
    "mekong": styles.MEKONG,
    "watch_corridor": styles.CORRIDOR,
    "cooperation_activities": styles.ACTIVITY,
}


def export_words(collection: str, title: str | None = None) -> Words:
    """The words of ``collection``'s files in the current language (see the module docstring).

    Args:
        title: the collection's name for people, in that language.
    """
    legend = LEGENDS.get(collection)
    return Words(
        labels={name: gettext(text) for name, text in FIELD_LABELS.items()},
        values={
            name: dict(labels(vocabulary))
            for name, vocabulary in VOCABULARIES.get(collection, {}).items()
        },
        texts={key: gettext(text) for key, text in TEXTS.items()},
        title=title,
        thai=str(get_locale() or "") == "th",
        legend=legend[0] if legend else None,
        colours={str(value.value): colour for value, colour in legend[1].items()} if legend else {},
        colour=COLOURS.get(collection, styles.TARGET),
    )


def app_words(app: Flask, titles: Mapping[str, object]) -> WordsOf:
    """:func:`export_words` of a collection in a language, inside ``app``'s context (the
    worker's threads have none of their own): the words of an export job's file, in the
    language of the account that asked for it; ``titles`` are the collections' names for people
    (lazy strings, translated in that language)."""

    def words_of(collection: str, language: str) -> Words:
        with app.app_context(), force_locale(language if language in LANGUAGES else "th"):
            title = titles.get(collection)
            return export_words(collection, None if title is None else str(title))

    return words_of


__all__ = ["COLOURS", "FORMAT_NAMES", "LEGENDS", "VOCABULARIES", "app_words", "export_words"]
