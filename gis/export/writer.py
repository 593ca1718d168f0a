"""The writer process of :mod:`gis.export.arrow`: ``python -m gis.export.writer``.

It imports pyarrow and GDAL (pyogrio), then reads its spec (a :class:`gis.export.arrow.Spec` as
JSON) as the first line of its standard input and the export's rows as CSV after it, and writes
the file the spec names, printing ``ready`` once it has read the spec, then the features
written so far on its standard output, one number a line, then ``done N``. Its input ending
before a spec came ends it quietly (a spare writer whose parent stopped).
:func:`gis.export.files.write_arrow_file` starts it, or takes the
one started ahead (a module of its own, which the package does not import, so that ``-m`` runs
it once).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

from gis.export.arrow import WRITERS, Spec, record_batches

#: Packages the writer never needs, which pyogrio imports whenever they are installed (the
#: ``analysis`` extra installs pandas and geopandas): kept out, they no longer cost each file
#: the seconds of importing pandas before its first batch.
KEPT_OUT = frozenset({"pandas", "geopandas"})
#: Packages pyogrio imports when it can, for GeoDataFrames only: kept out while it is imported
#: (a tenth of a second less); the GeoParquet writer imports pyproj afterwards for its CRS.
KEPT_OUT_OF_PYOGRIO = frozenset({"shapely", "pyproj"})


class KeepOut(MetaPathFinder):
    """An import finder that answers ``names`` (by default :data:`KEPT_OUT`) and their
    submodules as not installed, which pyogrio and pyarrow take as such (as
    ``webapp/gunicorn_conf.py`` does for the web workers)."""

    def __init__(self, names: frozenset[str] = KEPT_OUT) -> None:
        self.names = names

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"{fullname} is not needed by the writer", name=fullname)
        return None


def load_libraries() -> None:
    """Import what every writer needs (pyarrow's CSV reader, numpy, GDAL)
    before the spec comes, with :data:`KEPT_OUT` refused for good."""
    keep_out = KeepOut(KEPT_OUT | KEPT_OUT_OF_PYOGRIO)
    sys.meta_path.insert(0, keep_out)
    import numpy  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import pyogrio.raw  # noqa: F401

    keep_out.names = KEPT_OUT


def main(argv: list[str]) -> int:
    """Write the file of the spec on the first line of standard input from the CSV after it
    (see the module docstring)."""
    load_libraries()
    line = sys.stdin.buffer.readline()
    if not line.strip():
        return 0  # a spare writer whose parent has stopped
    spec = Spec(**json.loads(line))
    print("ready", flush=True)  # the parent sends the rows it kept while this process started
    # GDAL says so when it cuts a Shapefile's text at 254 bytes: the zip says it to people
    warnings.filterwarnings(
        "ignore", message=".*has been truncated to 254", category=RuntimeWarning
    )

    def report(n: int) -> None:
        print(n, flush=True)

    n = WRITERS[spec.fmt](spec, record_batches(spec, sys.stdin.buffer), report)
    print(f"done {n}", flush=True)
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # the file is closed and reported: end here, without the interpreter's teardown of pyarrow's
    # and GDAL's libraries (a thread pool torn down while one of its threads still ran aborted
    # the process now and then, after the file was complete)
    sys.stdout.flush()
    os._exit(code)
