"""Reference data loader: districts, provinces, parallel areas, border, Mekong, checkpoints.

The files in ``seeds/data/`` are read and every feature is validated before anything is written;
one bad feature stops the whole load with an error that names it. Rows are upserted on their
natural key and only written when something differs, so a second run changes nothing.
Administrators' decisions are kept: the ``target`` flag of a district, a border segment's
demarcation flag, a checkpoint's status and a coordination centre's location are set on first
insert only.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from gis.db import SRID
from gis.errors import InvalidInput
from gis.models import (
    BorderSegment,
    Checkpoint,
    CoordinationCentre,
    District,
    DistrictParallelArea,
    ParallelArea,
    Province,
    River,
)
from gis.reference.admin import CENTRE_NAME, CENTRE_NAME_TH
from gis.reference.corridor import corridor_info, refresh_corridor
from gis.reference.measure import refresh_border_pieces
from gis.types import AreaLevel, BoundaryKind, CheckpointKind, Neighbour
from gis.upsert import Counts, upsert_rows
from gis.validation import feature_collection, feature_label, parse_geometry

DATA_DIR = Path(__file__).resolve().parent / "data"

#: Called as progress(step, done, total) while loading.
Progress = Callable[[str, int, int], None]

POLYGONS = ("Polygon", "MultiPolygon")


@dataclass
class SeedReport:
    """What a load did, per table."""

    tables: dict[str, Counts] = field(default_factory=dict)

    def count(self, table: str) -> Counts:
        return self.tables.setdefault(table, Counts())

    @property
    def changed(self) -> int:
        return sum(t.changed for t in self.tables.values())


@dataclass(frozen=True)
class Row:
    """One validated feature: its natural key, column values and geometry."""

    key: str
    values: dict[str, Any]
    geom: BaseGeometry


@dataclass(frozen=True)
class ReferenceData:
    provinces: list[Row]
    districts: list[Row]
    parallel_areas: list[Row]
    links: list[tuple[str, int]]  # (parallel area code, Thai target_no)
    border: list[Row]
    rivers: list[Row]
    checkpoints: list[Row]

    @property
    def size(self) -> int:
        return sum(
            len(x)
            for x in (
                self.provinces,
                self.districts,
                self.parallel_areas,
                self.border,
                self.rivers,
                self.checkpoints,
            )
        )


# --------------------------------------------------------------------------- reading


def _features(path: Path) -> list[Mapping[str, Any]]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InvalidInput(f"{path.name}: file not found", field=path.name) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path.name}: not valid JSON ({exc})", field=path.name) from exc
    return feature_collection(doc, path.name)


def _require(props: Mapping[str, Any], keys: Sequence[str], label: str) -> None:
    for k in keys:
        if props.get(k) in (None, ""):
            raise InvalidInput(f"{label}: property {k!r} is missing", field=k)


def _vocab(value: Any, vocabulary: type[enum.Enum], label: str, name: str) -> str:
    allowed = [m.value for m in vocabulary]
    if value not in allowed:
        raise InvalidInput(f"{label}: {name} {value!r} is not one of {allowed}", field=name)
    return str(value)


def _multi(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type == "Polygon":
        return MultiPolygon([geom])
    if geom.geom_type == "LineString":
        return MultiLineString([geom])
    return geom


def _rows(
    path: Path,
    key_prop: str | None,
    geometry_types: Sequence[str],
    required: Sequence[str],
    build: Callable[[Mapping[str, Any], str], tuple[str, dict[str, Any]]],
) -> list[Row]:
    rows: list[Row] = []
    seen: set[str] = set()
    for i, feature in enumerate(_features(path)):
        label = f"{path.name}: {feature_label(feature, i, key_prop)}"
        props = feature.get("properties") or {}
        _require(props, required, label)
        geom = parse_geometry(feature.get("geometry"), geometry_types, label)
        key, values = build(props, label)
        if key in seen:
            raise InvalidInput(f"{label}: duplicate key {key!r}", field=key_prop)
        seen.add(key)
        rows.append(Row(key, values, geom))
    return rows


def read_reference(data_dir: Path = DATA_DIR) -> ReferenceData:
    """Read and validate all reference files.

    Args:
        data_dir: folder holding the five GeoJSON files.

    Returns:
        The validated rows, ready for :func:`load_reference`.

    Raises:
        InvalidGeometry: a geometry is missing, of the wrong type, out of range or invalid.
        InvalidInput: a file is missing or not JSON, or a property is missing or unknown.
    """

    def district(p: Mapping[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        neighbour = p.get("border_neighbour")
        for part in (neighbour or "").split(","):
            if part:
                _vocab(part, Neighbour, label, "border_neighbour")
        return p["adm2_pcode"], {
            "pcode": p["adm2_pcode"],
            "dopa_code": p["dopa_code"],
            "province_pcode": p["adm1_pcode"],
            "name": p["district"],
            "name_th": p["district_th"],
            "name_variants": p.get("district_variants"),
            "target": bool(p.get("target")),
            "target_no": p.get("target_no"),
            "seed_name": p.get("seed_name"),
            "border_neighbour": neighbour,
            "border_length_km": p.get("border_length_km"),
        }

    districts = _rows(
        data_dir / "districts.geojson",
        "adm2_pcode",
        POLYGONS,
        ("adm1_pcode", "adm2_pcode", "dopa_code", "province", "province_th", "district"),
        district,
    )
    provinces = _provinces(data_dir / "districts.geojson", districts)

    links: list[tuple[str, int]] = []

    def parallel(p: Mapping[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        country = _vocab(p["country"], Neighbour, label, "country")
        level = _vocab(p["level"], AreaLevel, label, "level")
        code = f"{country}:{level}:{p['name']}"
        for no in str(p.get("thai_target_nos") or "").split(","):
            if no.strip():
                if not no.strip().isdigit():
                    raise InvalidInput(f"{label}: thai_target_nos {no!r} is not a number")
                links.append((code, int(no)))
        return code, {
            "code": code,
            "country": country,
            "level": level,
            "name": p["name"],
            "name_in_source": p.get("name_in_source"),
            "province": p["province"],
            "admin_code": p.get("admin_code"),
            "note": p.get("note"),
            "source": p.get("source"),
            "licence": p.get("licence"),
        }

    parallel_areas = _rows(
        data_dir / "parallel_areas.geojson",
        "name",
        POLYGONS,
        ("country", "level", "name", "province"),
        parallel,
    )

    def border(p: Mapping[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        return str(p["segment_no"]), {
            "segment_no": int(p["segment_no"]),
            "neighbour": _vocab(p["neighbour"], Neighbour, label, "neighbour"),
            "kind": _vocab(p["boundary_type"], BoundaryKind, label, "boundary_type"),
            "district_pcode": p["adm2_pcode"],
            "district_name": p["district"],
            "province_name": p["province"],
            "length_km": float(p["length_km"]),
            "source": p.get("source"),
            "licence": p.get("licence"),
        }

    border_rows = _rows(
        data_dir / "border.geojson",
        "segment_no",
        ("LineString",),
        ("segment_no", "neighbour", "boundary_type", "adm2_pcode", "district", "province"),
        border,
    )

    def river(p: Mapping[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        code = f"{p['variant']}:{p['from_lon_lat']}"
        return code, {
            "code": code,
            "name": p["name"],
            "variant": p["variant"],
            "section": p["section"],
            "forms_boundary": bool(p.get("forms_thai_lao_boundary")),
            "length_km": float(p["length_km"]),
            "source": p.get("source"),
            "licence": p.get("licence"),
            "positional_note": p.get("positional_note"),
        }

    rivers = _rows(
        data_dir / "mekong.geojson",
        "section",
        ("LineString",),
        ("name", "variant", "section", "from_lon_lat", "length_km"),
        river,
    )

    def checkpoint(p: Mapping[str, Any], label: str) -> tuple[str, dict[str, Any]]:
        return p["id"], {
            "slug": p["id"],
            "name": p["name"],
            "name_th": p.get("name_th"),
            "kind": _vocab(p["kind"], CheckpointKind, label, "kind"),
            "status_note": p.get("status_note"),
            "district_pcode": p.get("adm2_pcode"),
            "neighbour": _vocab(p["neighbour"], Neighbour, label, "neighbour"),
            "counterpart": p.get("counterpart"),
            "precision": p["precision"],
            "approximate": p["precision"] != "wikipedia",
            "coord_source": p.get("coord_source"),
            "sources": p.get("sources"),
        }

    checkpoints = _rows(
        data_dir / "checkpoints.geojson",
        "id",
        ("Point",),
        ("id", "name", "kind", "neighbour", "precision"),
        checkpoint,
    )

    target_nos = {r.values["target_no"] for r in districts if r.values["target_no"] is not None}
    for code, no in links:
        if no not in target_nos:
            raise InvalidInput(
                f"parallel_areas.geojson: {code} is paired with target row {no}, "
                "which no district in districts.geojson has",
                field="thai_target_nos",
            )

    return ReferenceData(
        provinces=provinces,
        districts=[Row(r.key, r.values, _multi(r.geom)) for r in districts],
        parallel_areas=[Row(r.key, r.values, _multi(r.geom)) for r in parallel_areas],
        links=links,
        border=border_rows,
        rivers=rivers,
        checkpoints=checkpoints,
    )


def _provinces(path: Path, districts: list[Row]) -> list[Row]:
    """Province polygons: the union of their districts (the data set has no province layer)."""
    names: dict[str, tuple[str, str, str | None]] = {}
    for f in _features(path):
        p = f.get("properties") or {}
        names.setdefault(
            p["adm1_pcode"], (p["province"], p["province_th"], p.get("province_variants"))
        )
    rows = []
    for pcode in sorted(names):
        parts = [r.geom for r in districts if r.values["province_pcode"] == pcode]
        union = _multi(shapely.union_all(parts))
        name, name_th, variants = names[pcode]
        rows.append(
            Row(
                pcode,
                {"pcode": pcode, "name": name, "name_th": name_th, "name_variants": variants},
                union,
            )
        )
    return rows


# --------------------------------------------------------------------------- writing


def _geom(geom: BaseGeometry) -> Any:
    return from_shape(geom, srid=SRID)


def load_reference(
    session: Session, data: ReferenceData, progress: Progress | None = None
) -> SeedReport:
    """Write validated reference data; the caller commits.

    Args:
        session: open session; everything happens in its transaction.
        data: the result of :func:`read_reference`.
        progress: optional callback ``(step, done, total)``.

    Returns:
        Counts of inserted, updated and unchanged rows per table.
    """
    report = SeedReport()

    upsert_rows(
        session,
        Province,
        "pcode",
        [{**r.values, "geom": _geom(r.geom)} for r in data.provinces],
        report.count(Province.__tablename__),
        progress=progress,
    )
    province_ids = dict(session.execute(select(Province.pcode, Province.id)).all())

    district_rows = []
    for r in data.districts:
        values = {k: v for k, v in r.values.items() if k != "province_pcode"}
        values["province_id"] = province_ids[r.values["province_pcode"]]
        district_rows.append({**values, "geom": _geom(r.geom)})
    upsert_rows(
        session,
        District,
        "pcode",
        district_rows,
        report.count(District.__tablename__),
        insert_only=("target",),
        progress=progress,
    )
    district_ids = dict(session.execute(select(District.pcode, District.id)).all())

    upsert_rows(
        session,
        ParallelArea,
        "code",
        [{**r.values, "geom": _geom(r.geom)} for r in data.parallel_areas],
        report.count(ParallelArea.__tablename__),
        progress=progress,
    )
    _link_parallel_areas(session, data.links, report)
    _create_coordination_centres(session, report)

    upsert_rows(
        session,
        BorderSegment,
        "segment_no",
        [
            {
                **r.values,
                "district_id": district_ids.get(r.values["district_pcode"]),
                "geom": _geom(r.geom),
            }
            for r in data.border
        ],
        report.count(BorderSegment.__tablename__),
        progress=progress,
    )
    border = report.count(BorderSegment.__tablename__)
    pieces = refresh_border_pieces(session, force=border.changed > 0)
    report.count("border_piece").inserted += pieces
    upsert_rows(
        session,
        River,
        "code",
        [{**r.values, "geom": _geom(r.geom)} for r in data.rivers],
        report.count(River.__tablename__),
        progress=progress,
    )
    checkpoint_rows = []
    for r in data.checkpoints:
        values = {k: v for k, v in r.values.items() if k != "district_pcode"}
        values["district_id"] = district_ids.get(r.values["district_pcode"])
        checkpoint_rows.append({**values, "geom": _geom(r.geom)})
    upsert_rows(
        session,
        Checkpoint,
        "slug",
        checkpoint_rows,
        report.count("checkpoint"),
        progress=progress,
    )
    session.flush()
    if border.changed > 0 or corridor_info(session) is None:
        refresh_corridor(session)
    return report


def _link_parallel_areas(
    session: Session, links: Sequence[tuple[str, int]], report: SeedReport
) -> None:
    if not links:
        return
    area_ids = dict(session.execute(select(ParallelArea.code, ParallelArea.id)).all())
    district_by_no = dict(
        session.execute(
            select(District.target_no, District.id).where(District.target_no.is_not(None))
        ).all()
    )
    pairs = sorted({(district_by_no[no], area_ids[code]) for code, no in links})
    stmt = (
        pg_insert(DistrictParallelArea)
        .values([{"district_id": d, "parallel_area_id": a} for d, a in pairs])
        .on_conflict_do_nothing()
        .returning(DistrictParallelArea.district_id)
    )
    inserted = len(session.execute(stmt).all())
    count = report.count(DistrictParallelArea.__tablename__)
    count.inserted += inserted
    count.unchanged += len(pairs) - inserted


def _create_coordination_centres(session: Session, report: SeedReport) -> None:
    """Give every target district without a coordination centre one, marked approximate, and
    a Thai name to a centre that still has its first names (seeded before it was given one).

    Until an administrator enters the real location, the centre is a point inside the district.
    """
    stmt = (
        insert(CoordinationCentre)
        .from_select(
            ["district_id", "name", "name_th", "location_approximate", "geom"],
            select(
                District.id,
                func.concat(CENTRE_NAME, District.name),
                func.concat(CENTRE_NAME_TH, District.name_th),
                text("true"),
                func.ST_PointOnSurface(District.geom),
            ).where(
                District.target,
                ~select(CoordinationCentre.id)
                .where(CoordinationCentre.district_id == District.id)
                .exists(),
            ),
        )
        .returning(CoordinationCentre.id)
    )
    inserted = len(session.execute(stmt).all())
    named = len(
        session.execute(
            update(CoordinationCentre)
            .where(
                CoordinationCentre.district_id == District.id,
                CoordinationCentre.name_th.is_(None),
                CoordinationCentre.name == func.concat(CENTRE_NAME, District.name),
            )
            .values(name_th=func.concat(CENTRE_NAME_TH, District.name_th))
            .returning(CoordinationCentre.id)
        ).all()
    )
    count = report.count(CoordinationCentre.__tablename__)
    count.inserted += inserted
    count.updated += named


def seed(
    session: Session, data_dir: Path = DATA_DIR, progress: Progress | None = None
) -> SeedReport:
    """Validate and load all reference data (the ``borderwatch seed`` command); caller commits."""
    return load_reference(session, read_reference(data_dir), progress)


__all__ = [
    "DATA_DIR",
    "ReferenceData",
    "SeedReport",
    "load_reference",
    "read_reference",
    "seed",
]
