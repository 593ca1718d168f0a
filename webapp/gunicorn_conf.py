"""gunicorn settings of borderwatch's web process, wherever it is served.

``make run``, the Docker image, docker-compose's ``app`` service and the benchmarks start the web
process the same way::

    gunicorn --config webapp/gunicorn_conf.py --bind HOST:PORT ... 'webapp:create_app()'

gunicorn reads this file by its path (it is not imported as ``webapp.gunicorn_conf``, so the
master process does not load the app). It keeps the web workers small:

* **No pandas in a web worker.** folium (the map page) and pyogrio (GeoPackage exports) import
  pandas, geopandas and pyarrow whenever they are installed, and the ``analysis`` extra installs
  pandas and geopandas for the Gi* statistics of ``borderwatch worker`` (another process, which
  never reads this file). No request of the web app needs them: folium only uses pandas to
  accept DataFrames, pyogrio's ``raw`` writer takes numpy arrays. pandas alone costs every web
  worker about 34 MB of RSS from the start (folium imports it with the app), so here they cannot
  be imported: ``import pandas`` raises :class:`ModuleNotFoundError`, which those libraries take
  as "not installed". ``tests/test_gunicorn_conf.py`` fails if a web worker imports one again.

glibc's malloc settings (``MALLOC_ARENA_MAX`` 1 or 2 for the gthread workers, fixed mmap or trim
thresholds) were measured during a GeoJSON export of 100,000 incidents: 2 MB of peak at most,
so they are left at their defaults (``docs/benchmarks.md``, the export's section).
"""

from __future__ import annotations

import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

#: Top-level packages the web workers never import (see the module docstring).
KEPT_OUT = frozenset({"pandas", "geopandas", "pyarrow"})


class KeepOut(MetaPathFinder):
    """An import finder that refuses :data:`KEPT_OUT` (and their submodules)."""

    def find_spec(
        self,
        fullname: str,
        path: Any = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] in KEPT_OUT:
            raise ModuleNotFoundError(
                f"{fullname} is kept out of borderwatch's web workers (webapp/gunicorn_conf.py)",
                name=fullname,
            )
        return None


def keep_out() -> None:
    """Install :class:`KeepOut` first in ``sys.meta_path`` (once, even if gunicorn reads this
    file again on SIGHUP)."""
    if not any(type(finder).__name__ == KeepOut.__name__ for finder in sys.meta_path):
        sys.meta_path.insert(0, KeepOut())


# In the master, before any worker is forked (so with --preload too): workers inherit it.
keep_out()
