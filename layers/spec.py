"""What a map layer is: data, not code (see STYLE.md, "Writing layers/")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.orm import Session

from gis.types import BBox, Role

#: A layer's source: ``(session, bbox or None, zoom or None) -> FeatureCollection JSON text``.
#: The webapp calls it with the request's session; ``layers/`` never opens one.
Source = Callable[[Session, BBox | None, int | None], str]

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
    """

    name: str
    title: str
    source: Source
    style: Mapping[str, Any]
    popup_fields: tuple[PopupField, ...]
    min_zoom: int = ZOOM_RANGE[0]
    max_zoom: int = ZOOM_RANGE[1]
    roles: frozenset[Role] | None = None
    show: bool = True
    geometry: Geometry = "polygon"
    loading: Loading = "bbox"

    def __post_init__(self) -> None:
        if not self.name.replace("_", "").isalnum() or not self.name.islower():
            raise ValueError(f"layer name {self.name!r}: use lower-case letters, digits and _")
        lo, hi = ZOOM_RANGE
        if not lo <= self.min_zoom <= self.max_zoom <= hi:
            raise ValueError(f"layer {self.name!r}: zoom range must lie within {lo}..{hi}")
        if not self.popup_fields:
            raise ValueError(f"layer {self.name!r}: needs at least one popup field")

    def visible_to(self, role: Role | None) -> bool:
        """Whether an account with ``role`` (``None``: not logged in) may see the layer."""
        return self.roles is None or (role is not None and role in self.roles)
