"""Configuration: safe defaults here, real values from the environment.

Every key can be set as an environment variable; ``BORDERWATCH_<KEY>`` variables are also read
(``app.config.from_prefixed_env``). For local runs, ``scripts/pgcluster.sh`` writes
``var/local.env`` (DATABASE_URL, SECRET_KEY) and it is read for keys the environment lacks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gis.geojson import GEOJSON

ROOT = Path(__file__).resolve().parent.parent
LOCAL_ENV = ROOT / "var" / "local.env"

DEFAULTS: dict[str, Any] = {
    # Basemap tiles; empty string for none (the vector layers still draw).
    "TILE_URL": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "TILE_ATTRIBUTION": (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    ),
    "TILE_MAX_ZOOM": 19,
    # How far beyond a parallel area a point across the border is still routed (metres).
    "ROUTING_MAX_DISTANCE_M": 10_000.0,
    "JSON_SORT_KEYS": False,
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        GEOJSON,
    ],
    "COMPRESS_MIN_SIZE": 1024,
    # Largest request body (bytes): an incident photo of 10 MiB in its multipart envelope.
    # A longer body is refused (413) by its Content-Length before it is read.
    "MAX_CONTENT_LENGTH": 10 * 1024 * 1024 + 64 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Cookies only over HTTPS; plain-HTTP local runs (`make run`) turn it off.
    "SESSION_COOKIE_SECURE": True,
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (0: none, and
    # the headers are ignored).
    "PROXY_COUNT": 0,
    # Refuse to start (and to use a new connection) when the database can lose acknowledged
    # commits: fsync, synchronous_commit or full_page_writes off (gis.db.require_durability).
    "REQUIRE_DURABLE_DATABASE": True,
    # Export jobs (gis.export.jobs): where the worker writes their files, how many days a file
    # is kept, and above how many features any format is written as a job (GeoPackage,
    # Shapefile and GeoParquet always are).
    "EXPORT_DIR": str(ROOT / "var" / "exports"),
    "EXPORT_KEEP_DAYS": 7,
    "EXPORT_JOB_THRESHOLD": 100_000,
    # Who accepts a coordinator's change to the reference data (gis.reference.editing):
    # "admin" (administrators) or "province" (also another coordinator of the same province).
    "REFERENCE_REVIEWERS": "admin",
}

#: Keys that may come from the plain environment (besides BORDERWATCH_* ones).
ENV_KEYS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "SECRET_KEY",
    "TILE_URL",
    "TILE_ATTRIBUTION",
    "ROUTING_MAX_DISTANCE_M",
    "RATELIMIT_STORAGE_URI",
    "SESSION_COOKIE_SECURE",
    "PROXY_COUNT",
    "REFERENCE_REVIEWERS",
)

_FALSE = frozenset({"0", "false", "no", "off"})


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a ``KEY=value`` file (comments and blank lines ignored)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    return values


def load_local_env(path: Path = LOCAL_ENV) -> None:
    """Put the local cluster's settings into ``os.environ`` where they are not set already."""
    for key, value in read_env_file(path).items():
        os.environ.setdefault(key, value)


def from_environment() -> dict[str, Any]:
    """The plain environment keys that are set, with numbers converted."""
    values: dict[str, Any] = {}
    for key in ENV_KEYS:
        if key in os.environ:
            values[key] = os.environ[key]
    if "ROUTING_MAX_DISTANCE_M" in values:
        values["ROUTING_MAX_DISTANCE_M"] = float(values["ROUTING_MAX_DISTANCE_M"])
    if "SESSION_COOKIE_SECURE" in values:
        values["SESSION_COOKIE_SECURE"] = values["SESSION_COOKIE_SECURE"].lower() not in _FALSE
    if "PROXY_COUNT" in values:
        values["PROXY_COUNT"] = int(values["PROXY_COUNT"])
    return values
