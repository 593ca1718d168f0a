"""The writer process of :mod:`gis.export.arrow`: ``python -m gis.export.writer SPEC``.

It reads an export's rows as CSV on its standard input and writes the file that ``SPEC`` (a
:class:`gis.export.arrow.Spec` as JSON) names, printing the features written so far on its
standard output, one number a line, then ``done N``. :func:`gis.export.files.write_arrow_file`
starts it (a module of its own, which the package does not import, so that ``-m`` runs it once).
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
#: ``analysis`` extra installs them): kept out, they no longer cost each file the seconds of
#: importing pandas before its first batch.
KEPT_OUT = frozenset({"pandas", "geopandas"})


class KeepOut(MetaPathFinder):
    """An import finder that answers :data:`KEPT_OUT` (and their submodules) as not installed,
    which pyogrio and pyarrow take as such (as ``webapp/gunicorn_conf.py`` does for the web
    workers)."""

    def find_spec(
        self, fullname: str, path: Any = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in KEPT_OUT:
            raise ModuleNotFoundError(f"{fullname} is not needed by the writer", name=fullname)
        return None


def main(argv: list[str]) -> int:
    """Write the file of ``argv[0]`` from the CSV on standard input (see the module docstring)."""
    sys.meta_path.insert(0, KeepOut())
    spec = Spec(**json.loads(argv[0]))
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
