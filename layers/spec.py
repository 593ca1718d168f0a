"""What a map layer is: data, not code (see STYLE.md, "Writing layers/").

The texts of a layer (title, popup and filter labels, value texts, legend labels) are English
marked with :func:`gis.text.N_`; vocabulary values are named by their vocabulary. :class:`Words`
carries the page's language when the options reach the browser (the webapp gives its
translations and :mod:`webapp.vocab` labels; without it, the English texts as written).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from gis.models import User
from gis.types import BBox, Role

#: A layer's source: ``(session, bbox or None, zoom or None) -> FeatureCollection JSON text``.
#: The webapp calls it with the request's session; ``layers/`` never opens one.
Source = Callable[[Session, BBox | None, int | None], str]


def english_label(member: enum.Enum) -> str:
    """A vocabulary value as English words, when no label is given: ``drug trafficking``."""
    return str(member.value).replace("_", " ")


@dataclass(frozen=True, slots=True)
class Words:
    """The page's language for a layer's texts.

    Attributes:
        text: a text marked with ``N_`` -> the text people read (the webapp's ``gettext``).
        label: a vocabulary value -> its label (the webapp's ``webapp.vocab.label``).
        thai: whether the page is in Thai (a popup row then shows a place's Thai name when
            the feature has one, :attr:`PopupField.thai_property`).
    """

    text: Callable[[str], str] = str
    label: Callable[[enum.Enum], str] = english_label
    thai: bool = False

    def style(self, style: Mapping[str, Any]) -> dict[str, Any]:
        """A layer style (:mod:`layers.styles`) with its legend labels in the page's language:
        a text label is translated, a vocabulary value's label is its label."""

        def said(value: Any) -> str:
            return self.label(value) if isinstance(value, enum.Enum) else self.text(value)

        out = dict(style)
        if style.get("label"):
            out["label"] = said(style["label"])
        out["rules"] = [
            {**rule, "label": said(rule["label"])} if rule.get("label") else dict(rule)
            for rule in style.get("rules", ())
        ]
        return out


#: The texts as written (English), vocabulary values as words.
ENGLISH = Words()


def value_texts(
    values: tuple[tuple[Any, str], ...], vocabulary: type[enum.Enum] | None, words: Words
) -> list[list[Any]]:
    """``[value, text]`` pairs: the vocabulary's values with their labels, then ``values``
    (their texts translated)."""
    pairs: list[list[Any]] = []
    if vocabulary is not None:
        pairs.extend([member.value, words.label(member)] for member in vocabulary)
    pairs.extend([value, words.text(text)] for value, text in values)
    return pairs


@dataclass(frozen=True, slots=True)
class LayerQuery:
    """What a :class:`ViewerSource` is asked for.

    Attributes:
        bbox: the visible box, or ``None`` for the whole layer.
        zoom: the display zoom level, or ``None``.
        viewer: the signed-in account (``None``: the public).
        params: the layer's own query parameters (:attr:`LayerSpec.filters`) as given, not yet
            checked: the source checks them and raises ``InvalidInput`` naming the parameter.
    """

    bbox: BBox | None
    zoom: int | None
    viewer: User | None
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ViewerSource:
    """A source whose answer depends on who asks and on filters (e.g. incidents).

    Attributes:
        fetch: ``(session, query) -> FeatureCollection JSON text``; it may add foreign members
            (e.g. ``total`` and ``truncated``) to the collection.
    """

    fetch: Callable[[Session, LayerQuery], str]
    #: The source answers the public too (with less than an account gets, e.g. a flagged
    #: stretch without its source of knowledge), so the layer may have ``roles=None``.
    public: bool = False


@dataclass(frozen=True, slots=True)
class FilterField:
    """One control of a layer's filter form in the browser (and a query parameter of the API).

    Attributes:
        param: query parameter name.
        label: label shown (marked with ``N_``).
        kind: ``choice`` (several values, sent comma-separated) or ``date`` (a day).
        choices: ``(value, label)`` pairs for ``choice`` fields (labels marked with ``N_``).
        vocabulary: for a ``choice`` field, the vocabulary whose values are offered (before
            ``choices``), each with its label.
    """

    param: str
    label: str
    kind: Literal["choice", "date"]
    choices: tuple[tuple[str, str], ...] = ()
    vocabulary: type[enum.Enum] | None = None

    def to_options(self, words: Words = ENGLISH) -> dict[str, Any]:
        """The field as the browser-side loader reads it, in the language of ``words``."""
        return {
            "param": self.param,
            "label": words.text(self.label),
            "kind": self.kind,
            "choices": value_texts(self.choices, self.vocabulary, words),
        }


#: How the browser loads a layer: ``bbox`` reloads the visible box on every pan and zoom;
#: ``once`` fetches the whole (small) layer the first time it is shown.
Loading = Literal["bbox", "once"]

#: Drawing family of a layer, which also sets its stacking order (points on top).
Geometry = Literal["polygon", "line", "point"]

#: Lowest and highest zoom levels a layer can declare.
ZOOM_RANGE = (0, 22)


@dataclass(frozen=True, slots=True)
class PopupField:
    """One row of a feature's popup.

    Attributes:
        property: name of the GeoJSON property shown.
        label: row label (marked with ``N_``).
        values: display text for given property values (e.g. ``(True, N_("approximate"))``);
            other values are shown as they are (dates and times in Thai time, lists joined by
            commas).
        vocabulary: the vocabulary of the property's values: each is shown as its label.
        template: the text shown instead of the value (marked with ``N_``), with
            ``{property}`` replaced by the feature's properties, e.g.
            ``N_("Hotspot no. {rank}")``.
        thai_property: the property shown instead on Thai pages (a place's Thai name, e.g.
            ``district_th`` for ``district``); ``property`` where the feature has no value for it.
    """

    property: str
    label: str
    values: tuple[tuple[Any, str], ...] = ()
    vocabulary: type[enum.Enum] | None = None
    template: str | None = None
    thai_property: str | None = None

    def to_options(self, words: Words = ENGLISH) -> dict[str, Any]:
        """The field as the browser-side loader reads it, in the language of ``words``: on a
        Thai page a field with a ``thai_property`` shows it first, ``fallback`` when empty."""
        thai = words.thai and self.thai_property is not None
        return {
            "property": self.thai_property if thai else self.property,
            "fallback": self.property if thai else None,
            "label": words.text(self.label),
            "values": value_texts(self.values, self.vocabulary, words),
            "template": words.text(self.template) if self.template else None,
        }


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One map layer.

    Attributes:
        name: identifier, used in ``/api/layers/<name>``.
        title: name shown in the layer list and the legend (marked with ``N_``).
        source: function that returns the layer's FeatureCollection (see :data:`Source`).
        style: Leaflet style rules as a plain dict (see :mod:`layers.styles`).
        popup_fields: popup rows; the first is the popup's heading.
        min_zoom: lowest zoom level at which the layer is drawn.
        max_zoom: highest zoom level at which the layer is drawn.
        roles: roles that may see the layer; ``None`` means everyone, the public included.
        show: drawn when the map opens (otherwise ticked on in the layer control).
        geometry: drawing family: ``polygon``, ``line`` or ``point``.
        loading: ``bbox`` or ``once`` (see :data:`Loading`).
        cluster: points are clustered in the browser (Leaflet.markercluster).
        filters: the layer's own query parameters and their browser controls; only a
            :class:`ViewerSource` takes them.
    """

    name: str
    title: str
    source: Source | ViewerSource
    style: Mapping[str, Any]
    popup_fields: tuple[PopupField, ...]
    min_zoom: int = ZOOM_RANGE[0]
    max_zoom: int = ZOOM_RANGE[1]
    roles: frozenset[Role] | None = None
    show: bool = True
    geometry: Geometry = "polygon"
    loading: Loading = "bbox"
    cluster: bool = False
    filters: tuple[FilterField, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.replace("_", "").isalnum() or not self.name.islower():
            raise ValueError(f"layer name {self.name!r}: use lower-case letters, digits and _")
        lo, hi = ZOOM_RANGE
        if not lo <= self.min_zoom <= self.max_zoom <= hi:
            raise ValueError(f"layer {self.name!r}: zoom range must lie within {lo}..{hi}")
        if not self.popup_fields:
            raise ValueError(f"layer {self.name!r}: needs at least one popup field")
        if self.filters and not isinstance(self.source, ViewerSource):
            raise ValueError(f"layer {self.name!r}: only a ViewerSource takes filters")
        if self.cluster and self.geometry != "point":
            raise ValueError(f"layer {self.name!r}: only point layers cluster")
        if isinstance(self.source, ViewerSource) and self.roles is None and not self.source.public:
            raise ValueError(f"layer {self.name!r}: a viewer's layer needs roles (not public)")
        if {f.param for f in self.filters} & {"bbox", "zoom"}:
            raise ValueError(f"layer {self.name!r}: bbox and zoom are not filters")

    def visible_to(self, role: Role | None) -> bool:
        """Whether an account with ``role`` (``None``: not logged in) may see the layer."""
        return self.roles is None or (role is not None and role in self.roles)

    @property
    def params(self) -> tuple[str, ...]:
        """Every query parameter of the layer's API: ``bbox``, ``zoom`` and its filters."""
        return ("bbox", "zoom", *(f.param for f in self.filters))

    def fetch(self, session: Session, query: LayerQuery) -> str:
        """The layer's FeatureCollection for ``query`` (JSON text), from either kind of source.

        Raises:
            InvalidInput: a filter parameter is bad (names it).
        """
        if isinstance(self.source, ViewerSource):
            return self.source.fetch(session, query)
        return self.source(session, query.bbox, query.zoom)
