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

from gis.export.arrow import WRITERS, Spec, record_batches


def main(argv: list[str]) -> int:
    """Write the file of ``argv[0]`` from the CSV on standard input (see the module docstring)."""
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
