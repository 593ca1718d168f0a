"""The words of an export file that people read: field labels, value labels, a few sentences.

gis has no request language: the texts here are English, marked with ``N_`` for the
catalogues, and the caller (the web app, the CLI, the worker) hands the writers a :class:`Words`
in the reader's language (``webapp.export.words.export_words``). The KML file names and
describes its placemarks with them, colours them by the map legend's classes
(:attr:`Words.legend`), and the Shapefile's ``fields.csv`` and ``README.txt`` use them. Without
a :class:`Words`, the English texts are used and the values are shown as stored.

An export job is written by the worker, which has no reader: the job keeps its requester's
language (``export_file.params["language"]``) and the worker asks :func:`words_in` for the words
of that language, which the web app gives with :func:`use_words` when it starts (the worker is
started through it), as it gives the notifications their composer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gis.text import N_

#: Every exported property's label (English, marked for the catalogues), by name.
FIELD_LABELS: dict[str, str] = {
    "id": N_("No."),
    "approximate": N_("Location approximate"),
    "bin": N_("Gi* bin (-3 cold to 3 hot)"),
    "border_distance_m": N_("Distance to the border (m)"),
    "border_length_km": N_("Border length (km)"),
    "border_neighbour": N_("Neighbouring country"),
    "built_at": N_("Built at"),
    "categories": N_("Categories"),
    "category": N_("Category"),
    "channel": N_("Channel"),
    "code": N_("Code"),
    "counterpart": N_("Counterpart across the border"),
    "country": N_("Country"),
    "created_at": N_("Created at"),
    "demarcation": N_("Demarcation"),
    "description": N_("Description"),
    "district": N_("District"),
    "district_ids": N_("District ids"),
    "district_pcode": N_("District P-code"),
    "district_th": N_("District (Thai)"),
    "districts": N_("Districts"),
    "ends_on": N_("Ends on"),
    "first_seen": N_("First seen"),
    "forms_boundary": N_("Forms the boundary"),
    "hours": N_("Opening hours"),
    "i": N_("Grid column"),
    "is_demo": N_("Demo data"),
    "j": N_("Grid row"),
    "kind": N_("Kind"),
    "last_seen": N_("Last seen"),
    "length_km": N_("Length (km)"),
    "length_m": N_("Length (m)"),
    "level": N_("Level"),
    "licence": N_("Licence"),
    "n": N_("Incidents counted"),
    "n_crossings": N_("Natural crossings"),
    "n_incidents": N_("Incidents"),
    "n_segments": N_("Border segments"),
    "name": N_("Name"),
    "name_th": N_("Name (Thai)"),
    "nearest_checkpoint_id": N_("Nearest checkpoint"),
    "nearest_checkpoint_m": N_("Distance to the nearest checkpoint (m)"),
    "nearest_crossing_id": N_("Nearest natural crossing"),
    "nearest_crossing_m": N_("Distance to the nearest natural crossing (m)"),
    "neighbour": N_("Neighbouring country"),
    "occurred_at": N_("When it happened"),
    "organisers": N_("Organisers"),
    "other_areas": N_("Other areas"),
    "p": N_("p-value"),
    "parallel_area_ids": N_("Parallel area ids"),
    "parallel_areas": N_("Parallel areas"),
    "participants": N_("Participants"),
    "partners": N_("Partners"),
    "pcode": N_("P-code"),
    "photo_links": N_("Photo links"),
    "planned_for": N_("Planned for"),
    "precision": N_("Precision"),
    "previous_30": N_("Previous 30 days"),
    "province": N_("Province"),
    "province_pcode": N_("Province P-code"),
    "province_th": N_("Province (Thai)"),
    "rank": N_("Rank"),
    "recent_30": N_("Last 30 days"),
    "reported_at": N_("Reported at"),
    "reporter": N_("Reported by"),
    "reporter_contact": N_("Reporter's contact"),
    "risk_level": N_("Risk level"),
    "run_id": N_("Hotspot run"),
    "score": N_("Score"),
    "section": N_("Section"),
    "segment_no": N_("Segment number"),
    "severity": N_("Severity (1-5)"),
    "slug": N_("Short name"),
    "source": N_("Source"),
    "sources": N_("Sources"),
    "start_checkpoint_id": N_("Starting checkpoint"),
    "starts_on": N_("Starts on"),
    "status": N_("Status"),
    "stops": N_("Stops"),
    "summary": N_("Summary"),
    "target": N_("Target district"),
    "target_no": N_("Target district number"),
    "title": N_("Title"),
    "topics": N_("Topics"),
    "trend": N_("Trend"),
    "unit": N_("Unit"),
    "variant": N_("Variant"),
    "width_m": N_("Width (m)"),
    "window_end": N_("Window ends"),
    "window_start": N_("Window starts"),
    "women": N_("Women"),
    "z": N_("z-score"),
}

#: The sentences of a Shapefile's ``README.txt`` and ``fields.csv`` (see
#: :func:`gis.export.arrow.readme`), by key; ``{layer}`` is the collection's name.
TEXTS: dict[str, str] = {
    "readme_title": N_("{layer}: a Shapefile exported from borderwatch"),
    "readme_files": N_(
        "{layer}.shp, .shx, .dbf, .prj (WGS 84, EPSG:4326) and .cpg (the texts are UTF-8)."
    ),
    "readme_fields": N_(
        "Field names are cut to 10 characters: fields.csv gives each its full name and label."
    ),
    "readme_long": N_(
        "A text field holds at most 254 bytes (about 84 Thai letters): longer texts are cut in "
        "the .dbf and kept whole in long_texts.csv (id, field, text)."
    ),
    "readme_short": N_("A text field holds at most 254 bytes: no text of this file was longer."),
    "short_name": N_("Field in the .dbf"),
    "label": N_("Label"),
}


@dataclass(frozen=True)
class Words:
    """The words and colours of a file for people, in the reader's language.

    Attributes:
        labels: each field's label, by name (:data:`FIELD_LABELS` translated).
        values: the label of each stored value of a field, by field name and value
            (vocabularies: category, status, kind, ...).
        texts: :data:`TEXTS` translated.
        title: the collection's name for people (a KML document's name).
        thai: the reader reads Thai (a placemark is then named by its Thai name, if any).
        legend: the field whose values the map's legend colours (``None``: one colour).
        colours: ``#rrggbb`` of each value of :attr:`legend`, as the map's legend draws it.
        colour: ``#rrggbb`` of every other feature.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    texts: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None
    thai: bool = False
    legend: str | None = None
    colours: Mapping[str, str] = field(default_factory=dict)
    colour: str = "#e8590c"

    def label(self, name: str) -> str:
        """The label of the field ``name`` (its English label, or the name itself)."""
        return self.labels.get(name) or FIELD_LABELS.get(name) or name

    def text(self, key: str) -> str:
        return self.texts.get(key) or TEXTS[key]


#: The words of a collection's files in a language: ``(collection, language) -> Words``.
WordsOf = Callable[[str, str], Words]

_words_of: list[WordsOf] = []


def use_words(words_of: WordsOf) -> None:
    """The words the worker writes job files with (the web app's, which knows the
    catalogues); the last one given wins."""
    _words_of[:] = [words_of]


def words_in(collection: str, language: str | None) -> Words | None:
    """The words of ``collection``'s files in ``language``.

    Returns:
        ``None`` (English texts, values as stored) without a language or when no one gave
        :func:`use_words` in this process.
    """
    if not language or not _words_of:
        return None
    return _words_of[0](collection, language)


__all__ = ["FIELD_LABELS", "TEXTS", "Words", "WordsOf", "use_words", "words_in"]
