"""The shape of the code, checked on its syntax trees: one test per rule.

The packages of the application are ``gis``, ``webapp``, ``layers`` and ``seeds``. Every module
of them is parsed (nothing is imported) and the rules below are checked on what it says:

- no module imports another module's private name (``_name``): what two modules share is public
  in its owner or moves down into the core of ``gis``;
- the pieces every feature needs exist once: Thai time (:mod:`gis.parsing`), the RFC 3339 and day
  patterns (:mod:`gis.parsing`), the GeoJSON media type and the FeatureCollection SQL
  (:mod:`gis.geojson`).

Each rule names the place that holds its piece.

``docs/architecture.md``, the map of the house, names every module of ``gis`` and ``webapp``'s
packages, and every module it names exists.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gis", "webapp", "layers", "seeds")


@dataclass(frozen=True)
class Source:
    path: str  # relative to the repository, with forward slashes
    module: str  # dotted name
    tree: ast.Module


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> list[Source]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.append(Source(path.relative_to(ROOT).as_posix(), _module_name(path), tree))
    return found


SOURCES = _sources()


def _private(name: str) -> bool:
    """One leading underscore: private by convention (``__dunder__`` names are not)."""
    return name.startswith("_") and not name.startswith("__")


def _is_our_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _absolute(source: Source, node: ast.ImportFrom) -> str:
    """The module an ``ImportFrom`` reads, relative imports resolved."""
    if not node.level:
        return node.module or ""
    package = source.module.split(".")
    if not source.path.endswith("__init__.py"):
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


def private_imports(source: Source) -> Iterator[str]:
    """``from m import _x``, ``import m._x``, and ``alias._x`` where ``alias`` is one of our
    modules imported by the source."""
    modules: dict[str, str] = {}  # local name -> one of our modules
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ImportFrom):
            origin = _absolute(source, node)
            for alias in node.names:
                if _private(alias.name):
                    yield f"{source.path}:{node.lineno}: from {origin} import {alias.name}"
                elif _is_our_module(f"{origin}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{origin}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if any(_private(part) for part in alias.name.split(".")):
                    yield f"{source.path}:{node.lineno}: import {alias.name}"
                elif alias.asname and _is_our_module(alias.name):
                    modules[alias.asname] = alias.name
    for node in ast.walk(source.tree):
        if (
            isinstance(node, ast.Attribute)
            and _private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            yield f"{source.path}:{node.lineno}: {modules[node.value.id]}.{node.attr}"


def test_no_module_imports_a_private_name_of_another():
    found = [line for source in SOURCES for line in private_imports(source)]
    assert found == [], "private names used across modules:\n" + "\n".join(found)


# --------------------------------------------------------------------------- pieces that exist once


def _strings(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _places(rule: str, hits: list[str], home: str) -> None:
    """``hits`` (``path:line``) must be one in ``home`` and none elsewhere."""
    files = [hit.split(":")[0] for hit in hits]
    assert files.count(home) == 1, f"{rule}: expected once in {home}, found {hits}"
    assert set(files) == {home}, f"{rule}: copies outside {home}: {hits}"


def _tz_hits(source: Source) -> Iterator[str]:
    """Time zone objects made for Thai time: ``ZoneInfo(...)``, ``timezone(timedelta(hours=7))``
    and ``timedelta(hours=7)``."""
    for node in ast.walk(source.tree):
        if not isinstance(node, ast.Call):
            continue
        seven_hours = any(
            k.arg == "hours" and isinstance(k.value, ast.Constant) and k.value.value == 7
            for k in node.keywords
        )
        if _callee(node) == "ZoneInfo" or (_callee(node) == "timedelta" and seven_hours):
            yield f"{source.path}:{node.lineno}"


def test_thai_time_is_defined_once():
    hits = [hit for source in SOURCES for hit in _tz_hits(source)]
    _places("thai time", hits, "gis/parsing.py")


def test_the_thai_zone_is_named_once():
    hits = [
        f"{s.path}:{c.lineno}"
        for s in SOURCES
        for c in _strings(s.tree)
        if c.value == "Asia/Bangkok"
    ]
    _places("thai zone name", hits, "gis/parsing.py")


DAY_PATTERN = r"\d{4}-\d{2}-\d{2}"
OFFSET_PATTERN = r"[+-]\d{2}:\d{2}"


@pytest.mark.parametrize(
    ("rule", "pattern"), [("day pattern", DAY_PATTERN), ("offset pattern", OFFSET_PATTERN)]
)
def test_the_rfc3339_patterns_are_written_once(rule, pattern):
    """The day (``2026-11-21``) and the RFC 3339 date-time built on it are written in
    :mod:`gis.parsing` only; other patterns reuse ``DAY.pattern``."""
    hits = [f"{s.path}:{c.lineno}" for s in SOURCES for c in _strings(s.tree) if pattern in c.value]
    _places(rule, hits, "gis/parsing.py")


def test_the_geojson_media_type_is_written_once():
    hits = [
        f"{s.path}:{c.lineno}"
        for s in SOURCES
        for c in _strings(s.tree)
        if c.value == "application/geo+json"
    ]
    _places("geojson media type", hits, "gis/geojson.py")


def _collection_sql(source: Source) -> Iterator[str]:
    """FeatureCollections built in SQL: ``'FeatureCollection'`` in an SQL text, or the string
    ``"FeatureCollection"`` given to ``json_build_object`` / ``json_object`` (as an argument or
    a value of the dict it is given)."""
    for node in _strings(source.tree):
        if "'FeatureCollection'" in node.value:
            yield f"{source.path}:{node.lineno}"
    for node in ast.walk(source.tree):
        if not isinstance(node, ast.Call) or _callee(node) not in (
            "json_build_object",
            "json_object",
        ):
            continue
        values = list(node.args)
        for arg in node.args:
            if isinstance(arg, ast.Dict):
                values += arg.values
        if any(isinstance(v, ast.Constant) and v.value == "FeatureCollection" for v in values):
            yield f"{source.path}:{node.lineno}"


def test_the_feature_collection_sql_is_written_once():
    hits = [
        hit
        for source in SOURCES
        if source.path.startswith("gis/")
        for hit in _collection_sql(source)
    ]
    _places("featurecollection sql", hits, "gis/geojson.py")


ARCHITECTURE = ROOT / "docs" / "architecture.md"


def test_the_map_of_the_house_names_every_module_of_gis():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    missing = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "gis").rglob("*.py"))
        if path.name != "__init__.py" and path.name not in text
    ]
    packages = [p.name for p in (ROOT / "gis").iterdir() if (p / "__init__.py").is_file()]
    missing += [f"gis/{name}/" for name in packages if f"{name}/" not in text]
    missing += [
        f"webapp/{p.name}/"
        for p in (ROOT / "webapp").iterdir()
        if (p / "__init__.py").is_file() and p.name not in text
    ]
    assert not missing, f"docs/architecture.md does not name {missing}"


def test_every_module_the_map_of_the_house_names_exists():
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:gis|webapp|layers|seeds)(?:\.[a-z_]+)+)", text))
    absent = []
    for dotted in sorted(named):
        parts = dotted.split(".")
        # the longest prefix that is a module or package; the rest names something inside it
        for n in range(len(parts), 1, -1):
            base = ROOT.joinpath(*parts[:n])
            if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                break
        else:
            absent.append(dotted)
    assert named, "docs/architecture.md names no module"
    assert not absent, f"docs/architecture.md names modules that do not exist: {absent}"
