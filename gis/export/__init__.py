"""Exports: the collections HQ and GIS clients take away, with scope and redaction, streamed.

- :mod:`gis.export.plan`: what an export reads (:class:`Collection`, :class:`Access`,
  :class:`Filters`, :func:`plan`, :func:`count`);
- :mod:`gis.export.collections`: the registry, one entry per collection, with who reads it (the
  same rule as the map and the feature's API) and its allow-list of properties;
- :mod:`gis.export.params`: the filters and the keyset cursor from query parameters;
- :mod:`gis.export.stream`: the server-side cursor, the COPY and the GeoJSON built in SQL;
- :mod:`gis.export.formats`: CSV and GeoPackage;
- :mod:`gis.export.audit`: the ``export_audit`` row of every export;
- :mod:`gis.export.run`: :func:`run_export`, the one workflow of the file download, the OGC API
  and the CLI (find the collection, check access, parse filters, open the audit, pick the
  format, stream, close the audit).

The names are imported from their modules when first used (:func:`__getattr__`); the plan's
function is :func:`gis.export.plan.plan` (``gis.export.plan`` is its module).
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gis.export.audit import finish_audit, start_audit
    from gis.export.plan import (
        Access,
        Collection,
        Field,
        Filters,
        Kind,
        Source,
        count,
        make_access,
        may_read,
    )
    from gis.export.run import (
        ExportJob,
        ExportRequest,
        ExportRun,
        Format,
        check_export,
        find_collection,
        prepare_export,
        run_export,
    )
    from gis.export.stream import (
        COORDINATE_DIGITS,
        Counter,
        copy_lines,
        feature_text,
        geojson_chunks,
        stream_batches,
        stream_rows,
    )

#: The module of each name the package offers: imported when the name is first used, so that
#: the writer process (``python -m gis.export.writer``, which needs only :mod:`gis.export.arrow`)
#: starts without SQLAlchemy and the models (about a second of every file it writes).
_HOMES = {
    **dict.fromkeys(("finish_audit", "start_audit"), "gis.export.audit"),
    **dict.fromkeys(
        ("Access", "Collection", "Field", "Filters", "Kind", "Source", "count", "make_access",
         "may_read"),
        "gis.export.plan",
    ),
    **dict.fromkeys(
        ("ExportJob", "ExportRequest", "ExportRun", "Format", "check_export", "find_collection",
         "prepare_export", "run_export"),
        "gis.export.run",
    ),
    **dict.fromkeys(
        ("COORDINATE_DIGITS", "Counter", "copy_lines", "feature_text", "geojson_chunks",
         "stream_batches", "stream_rows"),
        "gis.export.stream",
    ),
}  # fmt: skip


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "COORDINATE_DIGITS",
    "Access",
    "Collection",
    "Counter",
    "ExportJob",
    "ExportRequest",
    "ExportRun",
    "Field",
    "Filters",
    "Format",
    "Kind",
    "Source",
    "check_export",
    "copy_lines",
    "count",
    "feature_text",
    "find_collection",
    "finish_audit",
    "geojson_chunks",
    "make_access",
    "may_read",
    "prepare_export",
    "run_export",
    "start_audit",
    "stream_batches",
    "stream_rows",
]
