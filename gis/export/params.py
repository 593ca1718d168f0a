"""Query parameters of exports and OGC API items: filters, the ``datetime`` interval and the
keyset cursor of ``next`` links (``bbox`` is parsed by the web layer, :mod:`webapp.params`).
A bad value raises :class:`~gis.errors.InvalidInput` naming the parameter."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import re
from collections.abc import Mapping
from typing import Any

from gis.errors import InvalidInput
from gis.export import cql
from gis.export.crs import parse_crs
from gis.export.plan import Collection, Filters
from gis.parsing import DAY, parse_choices, parse_when
from gis.text import N_
from gis.types import BBox, IncidentCategory, IncidentStatus

#: The message for a ``datetime`` parameter that is none of what it may be.
DATETIME_WANTED = N_(
    "{field} must be a day (2026-11-21) or an RFC 3339 date-time with an offset"
    " (2026-11-21T06:30:00+07:00), or an interval of them (start/end, '..' for an open end)"
)


def _when(raw: str, field: str, end: bool) -> tuple[dt.datetime, bool]:
    """An instant or a day in Thai time (:func:`gis.parsing.parse_when`); for an end, a day ends
    before the next day (``True``: the end is exclusive)."""
    try:
        when = parse_when(raw, field, end=end)
    except InvalidInput:
        raise InvalidInput(DATETIME_WANTED, field=field) from None
    return when, end and DAY.fullmatch(raw.strip()) is not None


def parse_datetime(raw: str | None, field: str = "datetime") -> tuple[Any, Any, bool]:
    """The OGC API ``datetime`` parameter: an instant, a day, or ``start/end`` with ``..`` (or
    an empty part) for an open end.

    Returns:
        ``(start, end, end_exclusive)``; ``(None, None, False)`` when absent.

    Raises:
        InvalidInput: a malformed value, or a start after the end (``field``).
    """
    if raw is None or not raw.strip():
        return None, None, False
    if "/" not in raw:
        instant, _ = _when(raw, field, end=False)
        last, exclusive = _when(raw, field, end=True)
        return instant, last, exclusive
    first, _, second = raw.partition("/")
    if "/" in second:
        raise InvalidInput(N_("{field} has more than one '/'"), field=field)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    exclusive = False
    if first.strip() not in ("", ".."):
        start = _when(first, field, end=False)[0]
    if second.strip() not in ("", ".."):
        end, exclusive = _when(second, field, end=True)
    if start is None and end is None:
        raise InvalidInput(N_("{field} has two open ends"), field=field)
    if start is not None and end is not None and (start >= end if exclusive else start > end):
        raise InvalidInput(N_("{field}: the start lies after the end"), field=field)
    return start, end, exclusive


def _pcodes(raw: str | None) -> frozenset[str]:
    if raw is None or not raw.strip():
        return frozenset()
    codes = {p.strip().upper() for p in raw.split(",")}
    for code in codes:
        if not re.fullmatch(r"TH\d{4}", code):
            raise InvalidInput(
                N_("district must be one or more district P-codes (TH5703), separated by commas"),
                field="district",
            )
    return frozenset(codes)


def _run(raw: str | None) -> int | None:
    if raw is None or raw.strip() in ("", "latest"):
        return None
    if not raw.strip().isdigit() or len(raw.strip()) > 9:
        raise InvalidInput(N_("run must be a hotspot run id or 'latest'"), field="run")
    return int(raw)


def parse_filters(
    collection: Collection, params: Mapping[str, str], bbox: BBox | None = None
) -> Filters:
    """The collection's filters from query parameters (``bbox`` is parsed by the caller).

    Args:
        collection: the collection; a filter it does not take is refused, naming it.
        params: ``datetime``, ``category``, ``status``, ``district``, ``run``, the CQL2
            ``filter`` with ``filter-lang`` and ``filter-crs``, the answer's ``crs`` and the
            ``bbox-crs`` (others are the caller's business; which it accepts, too).
        bbox: the checked bounding box (in ``bbox-crs``).

    Raises:
        InvalidInput: a bad value or a filter the collection does not take (``field`` names it).
    """
    for name in ("datetime", "category", "status", "district", "run"):
        if params.get(name) not in (None, "") and name not in collection.filters:
            raise InvalidInput(
                N_("collection {collection} cannot be filtered by {field}"),
                field=name,
                collection=collection.name,
            )
    start, end, exclusive = parse_datetime(params.get("datetime"))
    tree = cql.parse_filter(params.get("filter"), params.get("filter-lang"))
    filter_crs = parse_crs(params.get("filter-crs"), "filter-crs")
    return Filters(
        where=None if tree is None else functools.partial(cql.condition, tree, crs=filter_crs),
        where_text=None if tree is None else params.get("filter"),
        crs=parse_crs(params.get("crs"), "crs"),
        bbox_crs=parse_crs(params.get("bbox-crs"), "bbox-crs"),
        bbox=bbox,
        start=start,
        end=end,
        end_exclusive=exclusive,
        categories=parse_choices(params.get("category"), "category", IncidentCategory),
        statuses=parse_choices(params.get("status"), "status", IncidentStatus),
        districts=_pcodes(params.get("district")),
        run=_run(params.get("run")),
    )


def encode_cursor(fid: int) -> str:
    """An opaque keyset cursor for the page after feature ``fid``."""
    return base64.urlsafe_b64encode(f"after:{fid}".encode()).decode().rstrip("=")


def decode_cursor(raw: str, field: str = "cursor") -> int:
    """The feature id of a cursor made by :func:`encode_cursor`.

    Raises:
        InvalidInput: not a cursor of ours.
    """
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode("ascii")
        prefix, _, value = text.partition(":")
        if prefix == "after" and value.isdigit() and len(value) < 19:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidInput(N_("{field} is not a cursor of a next link"), field=field)


__all__ = ["decode_cursor", "encode_cursor", "parse_datetime", "parse_filters"]
