"""CQL2 filters of OGC API items and exports (OGC API - Features Part 3, CQL2 text and JSON).

:func:`parse_filter` reads the ``filter`` parameter with ``cql2`` (the Python binding of
cql2-rs, which parses and validates both encodings with the standard's precedence: ``AND`` before
``OR``, ``NOT`` of any condition) into CQL2 JSON; :func:`condition` turns that JSON into one SQL
condition over the properties the caller may read (the collection's allow-list for this access,
the same names as the features and the queryables), every literal a bound parameter. A property
the caller may not read is unknown to it, exactly as if it did not exist, so a filter reveals
nothing the features do not show.

What is understood (the conformance classes announced by the OGC API):

- basic CQL2: ``AND``, ``OR``, ``NOT``, ``=``, ``<>``, ``<``, ``<=``, ``>``, ``>=``,
  ``IS [NOT] NULL``, on a property and a literal of its type (``TIMESTAMP('...')`` and
  ``DATE('...')`` for times; a day is a day in Thai time);
- advanced comparison operators: ``LIKE`` (``%`` and ``_``), ``BETWEEN``, ``IN``;
  case-insensitive comparison: ``CASEI(...)``;
- spatial functions: ``S_INTERSECTS``, ``S_DISJOINT``, ``S_WITHIN``, ``S_CONTAINS``,
  ``S_TOUCHES``, ``S_CROSSES``, ``S_OVERLAPS``, ``S_EQUALS`` between ``geometry`` and a WKT
  (text) or GeoJSON (JSON) literal or ``BBOX(...)``, in ``filter-crs`` (CRS84 by default);
- temporal functions ``T_BEFORE``, ``T_AFTER``, ``T_EQUALS`` on a time property and an instant.

Anything else (arithmetic, other functions, two properties compared) is refused with a message
naming ``filter``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import cql2
from sqlalchemy import ColumnElement, Date, and_, cast, func, literal, not_, or_
from sqlalchemy.dialects.postgresql import TIMESTAMP

from gis.errors import InvalidInput
from gis.export.crs import Crs, geometry_in_storage
from gis.export.plan import Field, Kind
from gis.parsing import THAI_TIME
from gis.text import N_

#: The ``filter-lang`` values understood.
LANGUAGES = ("cql2-text", "cql2-json")
#: Longest filter accepted (characters).
MAX_FILTER = 4000
#: Deepest nesting of a filter's conditions.
MAX_DEPTH = 40
#: The name of the features' geometry in a filter (as in the queryables).
GEOMETRY = "geometry"

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "t_before": lambda a, b: a < b,
    "t_after": lambda a, b: a > b,
    "t_equals": lambda a, b: a == b,
}
_SPATIAL: dict[str, Any] = {
    "s_intersects": func.ST_Intersects,
    "s_disjoint": func.ST_Disjoint,
    "s_within": func.ST_Within,
    "s_contains": func.ST_Contains,
    "s_touches": func.ST_Touches,
    "s_crosses": func.ST_Crosses,
    "s_overlaps": func.ST_Overlaps,
    "s_equals": func.ST_Equals,
}
_GEOJSON_TYPES = frozenset(
    {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
)
_WHERE = re.compile(r"(\d+):(\d+)")


def _refuse(message: str, **values: Any) -> InvalidInput:
    return InvalidInput(message, field="filter", **values)


def parse_filter(raw: str | None, lang: str | None) -> Any:
    """The CQL2 JSON of a ``filter`` parameter, or ``None`` when absent.

    Args:
        raw: the filter as given (CQL2 text, or CQL2 JSON text).
        lang: ``filter-lang`` (``cql2-text`` by default, or ``cql2-json``).

    Raises:
        InvalidInput: an unknown language (``filter-lang``), a filter that is too long or does
            not parse (``filter``).
    """
    lang = (lang or "").strip() or LANGUAGES[0]
    if lang not in LANGUAGES:
        raise InvalidInput(
            N_("{field} must be one of: {choices}"),
            field="filter-lang",
            choices=", ".join(LANGUAGES),
        )
    if raw is None or not raw.strip():
        return None
    if len(raw) > MAX_FILTER:
        raise _refuse(N_("{field} is longer than {max} characters"), max=MAX_FILTER)
    try:
        expr = cql2.parse_json(raw) if lang == "cql2-json" else cql2.parse_text(raw)
        return expr.to_json()
    except (cql2.ParseError, cql2.ValidationError, ValueError, RecursionError) as exc:
        where = _WHERE.search(str(exc))
        if where is not None and lang == "cql2-text":
            raise _refuse(
                N_("{field} is not valid {lang} (line {line}, column {column})"),
                lang=lang.upper(),
                line=where.group(1),
                column=where.group(2),
            ) from None
        raise _refuse(N_("{field} is not valid {lang}"), lang=lang.upper()) from None


class _Translator:
    """One filter's translation to SQL for one access's properties."""

    def __init__(self, fields: Mapping[str, Field], geom: Any, crs: Crs) -> None:
        self.fields = fields
        self.geom = geom
        self.crs = crs

    def condition(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise _refuse(N_("{field} is nested too deeply"))
        if isinstance(node, bool):  # a bare TRUE / FALSE
            return literal(node)
        if not isinstance(node, dict) or "op" not in node:
            raise _refuse(N_("{field}: {what} is not a condition"), what=_name_of(node))
        op, args = str(node["op"]).lower(), list(node.get("args") or [])
        if op in ("and", "or") and args:
            parts = [self.condition(a, depth + 1) for a in args]
            return and_(*parts) if op == "and" else or_(*parts)
        if op == "not" and len(args) == 1:
            return not_(self.condition(args[0], depth + 1))
        if op in _COMPARE and len(args) == 2:
            lhs, field = self.operand(args[0])
            if op.startswith("t_") and field.kind not in (Kind.DATETIME, Kind.DATE):
                raise _refuse(N_("{field}: {name} is not a time"), name=field.name)
            return _COMPARE[op](lhs, self.value(field, args[1]))
        if op in _SPATIAL and len(args) == 2:
            return _SPATIAL[op](self.geometry_attribute(args[0]), self.shape(args[1]))
        if op == "between" and len(args) == 3:
            lhs, field = self.operand(args[0])
            return lhs.between(self.value(field, args[1]), self.value(field, args[2]))
        if op == "like" and len(args) == 2:
            lhs, field = self.operand(args[0])
            pattern = args[1]
            if isinstance(pattern, dict) and pattern.get("op") == "casei":
                pattern = str((pattern.get("args") or [""])[0]).lower()
            if field.kind is not Kind.TEXT or not isinstance(pattern, str):
                raise _refuse(N_("{field}: LIKE takes a text property and a text pattern"))
            return lhs.like(pattern, escape="\\")
        if op == "in" and len(args) == 2 and isinstance(args[1], list):
            lhs, field = self.operand(args[0])
            if not args[1]:
                raise _refuse(N_("{field}: IN needs at least one value"))
            return lhs.in_([self.value(field, v) for v in args[1]])
        if op == "isnull" and len(args) == 1:
            prop = args[0]
            if isinstance(prop, dict) and prop.get("property") == GEOMETRY:
                return self.geom.is_(None)
            return self.field(prop).expr.is_(None)
        raise _refuse(N_("{field}: {what} is not supported here"), what=op.upper())

    # ---------------------------------------------------------------- operands

    def field(self, node: Any) -> Field:
        if not (isinstance(node, dict) and isinstance(node.get("property"), str)):
            raise _refuse(
                N_("{field}: the left side must be a property, not {what}"), what=_name_of(node)
            )
        found = self.fields.get(node["property"])
        if found is None:
            raise _refuse(
                N_("{field}: no property {name} (see the queryables)"), name=node["property"]
            )
        return found

    def operand(self, node: Any) -> tuple[Any, Field]:
        """A property, or ``CASEI(property)`` of a text property."""
        if isinstance(node, dict) and node.get("op") == "casei":
            field = self.field((node.get("args") or [None])[0])
            if field.kind is not Kind.TEXT:
                raise _refuse(N_("{field}: CASEI takes a text property"))
            return func.lower(field.expr), field
        field = self.field(node)
        if field.kind is Kind.JSON:
            raise _refuse(N_("{field}: {name} can only be tested with IS NULL"), name=field.name)
        if field.kind is Kind.DATETIME:
            return cast(field.expr, TIMESTAMP(timezone=True)), field
        if field.kind is Kind.DATE:
            return cast(field.expr, Date), field
        return field.expr, field

    def value(self, field: Field, node: Any) -> Any:
        """A literal of ``field``'s type, bound as a parameter."""
        if isinstance(node, dict) and node.get("op") == "casei":
            inner = (node.get("args") or [None])[0]
            node = inner.lower() if isinstance(inner, str) else inner
        kind, value = field.kind, _literal(node)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if kind is Kind.INT and number and float(value).is_integer():
            value = int(value)
        ok = {
            Kind.INT: isinstance(value, int) and not isinstance(value, bool),
            Kind.FLOAT: number,
            Kind.TEXT: isinstance(value, str),
            Kind.BOOL: isinstance(value, bool),
            Kind.DATETIME: isinstance(value, dt.date),
            Kind.DATE: isinstance(value, dt.date),
        }.get(kind, False)
        if not ok:
            raise _refuse(
                N_("{field}: {name} is compared with {value}, which is not of its type"),
                name=field.name,
                value=_name_of(node),
            )
        if kind is Kind.DATETIME and not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time(), tzinfo=THAI_TIME)  # a day, Thai time
        if kind is Kind.DATE and isinstance(value, dt.datetime):
            value = value.astimezone(THAI_TIME).date()
        return literal(value)

    def geometry_attribute(self, node: Any) -> Any:
        if not (isinstance(node, dict) and node.get("property") == GEOMETRY):
            raise _refuse(
                N_("{field}: a spatial function compares {geometry} with a shape"),
                geometry=GEOMETRY,
            )
        return self.geom

    def shape(self, node: Any) -> Any:
        if isinstance(node, dict) and node.get("type") in _GEOJSON_TYPES:
            shape = {"type": node["type"], "coordinates": node.get("coordinates")}
        elif isinstance(node, dict) and isinstance(node.get("bbox"), list):
            box = node["bbox"]
            if len(box) not in (4, 6) or not all(isinstance(v, int | float) for v in box):
                raise _refuse(N_("{field}: BBOX takes 4 numbers"))
            minx, miny, maxx, maxy = (box[0], box[1], box[3], box[4]) if len(box) == 6 else box
            shape = {
                "type": "Polygon",
                "coordinates": [
                    [[minx, miny], [maxx, miny], [maxx, maxy], [minx, maxy], [minx, miny]]
                ],
            }
        else:
            raise _refuse(N_("{field}: {what} is not a shape"), what=_name_of(node))
        return geometry_in_storage(json.dumps(shape), self.crs)


def _literal(node: Any) -> Any:
    """A CQL2 JSON literal as Python: text, number, boolean, instant or day."""
    if isinstance(node, dict) and len(node) == 1:
        try:
            if isinstance(node.get("timestamp"), str):
                when = dt.datetime.fromisoformat(node["timestamp"].replace("Z", "+00:00"))
                return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
            if isinstance(node.get("date"), str):
                return dt.date.fromisoformat(node["date"])
        except ValueError:
            raise _refuse(
                N_("{field}: {what} is not a date or time"), what=_name_of(node)
            ) from None
    return node


def _name_of(node: Any) -> str:
    if isinstance(node, dict):
        if "property" in node:
            return str(node["property"])[:60]
        if "op" in node:
            return f"{str(node['op']).upper()[:20]}()"
        return json.dumps(node, ensure_ascii=False)[:60]
    return repr(node)[:60]


def condition(tree: Any, fields: tuple[Field, ...], geom: Any, crs: Crs) -> ColumnElement[bool]:
    """The SQL condition of a parsed filter over the properties ``fields`` and ``geom``.

    Args:
        tree: :func:`parse_filter`'s result (CQL2 JSON).
        fields: the properties this access may read (the allow-list).
        geom: the features' EPSG:4326 geometry column.
        crs: the CRS of the filter's shapes (``filter-crs``).

    Raises:
        InvalidInput: a property the access may not read or that does not exist, a literal of
            the wrong type, an operator or function not understood (``field="filter"``).
    """
    return _Translator({f.name: f for f in fields}, geom, crs).condition(tree)  # type: ignore[no-any-return]


__all__ = ["GEOMETRY", "LANGUAGES", "MAX_FILTER", "condition", "parse_filter"]
