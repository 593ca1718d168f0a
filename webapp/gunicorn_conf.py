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
  worker tens of megabytes of RSS from the start (folium imports it with the app; figures in
  ``docs/benchmarks.md``), so here they cannot be imported: ``import pandas`` raises
  :class:`ModuleNotFoundError`, which those libraries take as "not installed".
  ``tests/test_gunicorn_conf.py`` fails if a web worker imports one again.

* **Large blocks go back to the system.** glibc serves a ``malloc`` of 128 KiB or more with its
  own ``mmap``, returned on ``free``, but raises that threshold up to 32 MiB each time such a
  block is freed: after one request that handles large numpy arrays (the hexagon layer over a
  million incidents fetches and bins every point), the next ones come from the heap and stay in
  the worker. :func:`fixed_mmap_threshold` keeps the threshold at 128 KiB: a worker that served
  that layer gives those blocks back (``docs/benchmarks.md``), for no measurable cost in the
  export's or the layer's time. (``MALLOC_ARENA_MAX`` 1 or 2 for the gthread workers changed nothing
  measurable: left alone.)

* **No long garbage-collector pauses.** A worker holds some 150,000 objects once the app is
  loaded (SQLAlchemy's mappers, folium's templates, numpy, Shapely), all alive until it exits.
  CPython's full collection walks every one of them while every thread of the worker waits:
  during the map's page loads (``bench/mapload.py``) such pauses lasted a good part of a
  request, and the incidents layer's requests waited behind them. :func:`post_worker_init`
  freezes what the loaded app holds (``gc.freeze``), so a collection walks only what requests
  create.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

#: Top-level packages the web workers never import (see the module docstring).
KEPT_OUT = frozenset({"pandas", "geopandas", "pyarrow"})
#: glibc's ``mallopt`` parameter (malloc.h) and the threshold kept (its default start).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024


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


def fixed_mmap_threshold() -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD` (``mallopt`` also turns off its
    dynamic raise); whether it was set (``False`` on a C library without ``mallopt``)."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


# In the master, before any worker is forked (so with --preload too): workers inherit both.
keep_out()
fixed_mmap_threshold()


def freeze_loaded_objects() -> int:
    """Collect once, then move every object left to the collector's permanent generation, never
    walked again; how many were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def post_worker_init(worker: Any) -> None:
    """gunicorn hook, in each worker once it has loaded the app: :func:`freeze_loaded_objects`."""
    freeze_loaded_objects()
