"""What a map layer is: data, not code (see STYLE.md, "Writing layers/")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from gis.models import User
from gis.types import BBox, Role

#: A layer's source: ``(session, bbox or None, zoom or None) -> FeatureCollection JSON text``.
#: The webapp calls it with the request's session; ``layers/`` never opens one.
Source = Callable[[Session, BBox | None, int | None], str]


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


@dataclass(frozen=True, slots=True)
class FilterField:
    """One control of a layer's filter form in the browser (and a query parameter of the API).

    Attributes:
        param: query parameter name.
        label: label shown.
        kind: ``choice`` (several values, sent comma-separated) or ``date`` (a day).
        choices: ``(value, label)`` pairs for ``choice`` fields.
    """

    param: str
    label: str
    kind: Literal["choice", "date"]
    choices: tuple[tuple[str, str], ...] = ()

    def to_options(self) -> dict[str, Any]:
        """The field as the browser-side loader reads it."""
        return {
            "param": self.param,
            "label": self.label,
            "kind": self.kind,
            "choices": [list(pair) for pair in self.choices],
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
        label: row label.
        values: display text for given property values (e.g. ``(True, "approximate")``);
            other values are shown as they are, lists joined by commas.
    """

    property: str
    label: str
    values: tuple[tuple[Any, str], ...] = ()

    def to_options(self) -> dict[str, Any]:
        """The field as the browser-side loader reads it."""
        return {
            "property": self.property,
            "label": self.label,
            "values": [list(pair) for pair in self.values],
        }


@dataclass(frozen=True, slots=True)
class LayerSpec:
    """One map layer.

    Attributes:
        name: identifier, used in ``/api/layers/<name>``.
        title: name shown in the layer control and the legend.
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
        if isinstance(self.source, ViewerSource) and self.roles is None:
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
