"""Reference data: counts, validation, idempotence, administrators' decisions kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from gis.errors import InvalidGeometry, InvalidInput
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
from seeds.reference import DATA_DIR, read_reference, seed

pytestmark = pytest.mark.db

TABLES = (
    "province",
    "district",
    "parallel_area",
    "district_parallel_area",
    "coordination_centre",
    "border_segment",
    "border_piece",
    "river",
    "checkpoint",
)


def snapshot(session) -> dict[str, tuple]:
    """Row count and the set of row versions (xmin) per table: any write changes it."""
    out = {}
    for t in TABLES:
        out[t] = session.execute(
            text(f"SELECT count(*), array_agg(xmin::text ORDER BY xmin::text) FROM {t}")
        ).one()
    return out


def test_counts_match_the_reference_files(session):
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Province) == 17
    assert count(District) == 221
    assert session.scalar(select(func.count()).where(District.target)) == 43
    assert count(ParallelArea) == 53
    assert count(BorderSegment) == 71
    assert count(River) == 6
    assert count(Checkpoint) == 47
    assert count(CoordinationCentre) == 43
    assert count(DistrictParallelArea) == 90
    # Every target district has a parallel area and a coordination centre inside it.
    orphans = session.scalar(
        select(func.count())
        .select_from(District)
        .where(
            District.target,
            ~select(DistrictParallelArea.district_id)
            .where(DistrictParallelArea.district_id == District.id)
            .exists(),
        )
    )
    assert orphans == 0
    outside = session.scalar(
        select(func.count())
        .select_from(CoordinationCentre)
        .join(District, District.id == CoordinationCentre.district_id)
        .where(~District.geom.ST_Covers(CoordinationCentre.geom))
    )
    assert outside == 0


def test_many_to_many_pairings(session):
    """Chiang Khong has two parallel areas; Houayxay serves two target districts."""
    names = set(
        session.scalars(
            select(ParallelArea.name)
            .join(DistrictParallelArea)
            .join(District, District.id == DistrictParallelArea.district_id)
            .where(District.name == "Chiang Khong", ParallelArea.level == "district")
        )
    )
    assert names == {"Houayxay", "Ton Pheung"}
    districts = set(
        session.scalars(
            select(District.name)
            .join(DistrictParallelArea, DistrictParallelArea.district_id == District.id)
            .join(ParallelArea)
            .where(ParallelArea.name == "Houayxay")
        )
    )
    assert districts == {"Chiang Khong", "Wiang Kaen"}


def test_second_seed_changes_nothing(session):
    before = snapshot(session)
    report = seed(session)
    assert report.changed == 0
    assert snapshot(session) == before


def test_coordination_centres_have_thai_names_and_keep_the_administrators(session):
    """A seeded centre is named in Thai as the programme names it (Thai pages show its Thai
    name); a centre seeded before it had one gets it at the next seed, and a centre whose names
    an administrator entered keeps them."""

    def names(district: str) -> tuple[str, str | None]:
        row = session.execute(
            select(CoordinationCentre.name, CoordinationCentre.name_th)
            .join(District, District.id == CoordinationCentre.district_id)
            .where(District.name == district)
        ).one()
        return row[0], row[1]

    assert names("Chiang Khong") == ("NTS-MWCC Chiang Khong", "ศปก.อ.เชียงของ")
    missing = session.scalar(
        select(func.count())
        .select_from(CoordinationCentre)
        .where(CoordinationCentre.name_th.is_(None))
    )
    assert missing == 0
    session.execute(
        text("UPDATE coordination_centre SET name_th = NULL WHERE name = 'NTS-MWCC Chiang Khong'")
    )
    session.execute(
        text(
            "UPDATE coordination_centre SET name = 'ศูนย์ประสานงานอรัญ', name_th = NULL"
            " WHERE name = 'NTS-MWCC Aranyaprathet'"
        )
    )
    report = seed(session)
    assert report.count("coordination_centre").updated == 1
    assert names("Chiang Khong") == ("NTS-MWCC Chiang Khong", "ศปก.อ.เชียงของ")
    assert names("Aranyaprathet") == ("ศูนย์ประสานงานอรัญ", None)


def test_seed_keeps_administrators_target_decision(session):
    session.execute(text("UPDATE district SET target = true WHERE name = 'Tha Bo'"))
    session.execute(text("UPDATE district SET target = false WHERE name = 'Thoeng'"))
    seed(session)
    flags = dict(
        session.execute(
            select(District.name, District.target).where(District.name.in_(["Tha Bo", "Thoeng"]))
        ).all()
    )
    assert flags == {"Tha Bo": True, "Thoeng": False}
    # The new target got a coordination centre, marked approximate.
    centre = session.execute(
        select(CoordinationCentre.location_approximate)
        .join(District, District.id == CoordinationCentre.district_id)
        .where(District.name == "Tha Bo")
    ).scalar_one()
    assert centre is True


def test_seed_repairs_a_changed_geometry(session):
    session.execute(
        text(
            "UPDATE checkpoint SET geom = ST_SetSRID(ST_MakePoint(100, 15), 4326)"
            " WHERE slug = 'sop-ruak'"
        )
    )
    report = seed(session)
    assert report.tables["checkpoint"].updated == 1
    assert report.changed == 1
    lon = session.scalar(text("SELECT ST_X(geom) FROM checkpoint WHERE slug = 'sop-ruak'"))
    assert lon != 100


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    for f in DATA_DIR.glob("*.geojson"):
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _edit(path: Path, change) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[102, 17], [102.1, 17.1], [102.1, 17], [102, 17.1], [102, 17]]],
}


@pytest.mark.parametrize(
    ("file", "index", "geometry", "error", "words"),
    [
        ("districts.geojson", 5, BOWTIE, InvalidGeometry, ["not valid", "Self-intersection"]),
        (
            "checkpoints.geojson",
            3,
            {"type": "LineString", "coordinates": [[102, 17], [103, 17]]},
            InvalidGeometry,
            ["'LineString' is not accepted", "Point"],
        ),
        (
            "border.geojson",
            0,
            {"type": "LineString", "coordinates": [[102, 17], [102, 95]]},
            InvalidGeometry,
            ["latitude 95"],
        ),
        ("mekong.geojson", 1, None, InvalidGeometry, ["geometry is missing"]),
    ],
)
def test_bad_geometry_names_the_feature_and_writes_nothing(
    session, data_copy, file, index, geometry, error, words
):
    def change(doc):
        doc["features"][index]["geometry"] = geometry

    _edit(data_copy / file, change)
    before = snapshot(session)
    with pytest.raises(error) as exc:
        seed(session, data_copy)
    message = str(exc.value)
    assert file in message and f"#{index + 1}" in message
    for w in words:
        assert w in message
    assert snapshot(session) == before


def test_missing_property_is_named(data_copy):
    _edit(data_copy / "checkpoints.geojson", lambda d: d["features"][0]["properties"].pop("kind"))
    with pytest.raises(InvalidInput, match=r"checkpoints.geojson: feature #1 \(sop-ruak\).*'kind'"):
        read_reference(data_copy)


def test_unknown_vocabulary_is_named(data_copy):
    def change(doc):
        doc["features"][2]["properties"]["kind"] = "ferry"

    _edit(data_copy / "checkpoints.geojson", change)
    with pytest.raises(InvalidInput, match="kind 'ferry' is not one of"):
        read_reference(data_copy)


def test_not_json_is_reported(data_copy):
    (data_copy / "mekong.geojson").write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"mekong\.geojson: not valid JSON"):
        read_reference(data_copy)
