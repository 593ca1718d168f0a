"""Import of natural crossing paths: district assignment, whole-file rejection, idempotence."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from gis.errors import InvalidGeometry, InvalidInput
from gis.models import District, NaturalCrossing
from gis.reference.crossings import import_crossings
from tests.factories import collection, feature, line

pytestmark = pytest.mark.db

# A path across the Thai–Cambodian land border south of Aranyaprathet / Poipet.
ARANYA_PATH = line((102.52, 13.62), (102.56, 13.60), (102.60, 13.59))
# A path across the Mekong from Nong Khai to Hadxayfong.
NONG_KHAI_PATH = line((102.70, 17.86), (102.71, 17.90))


def count(session) -> int:
    return session.scalar(select(func.count()).select_from(NaturalCrossing))


def test_import_assigns_districts_and_is_idempotent(session):
    doc = collection(
        feature(ARANYA_PATH, id="aranya-1", name="Khlong Luek path", risk_level="high"),
        feature(NONG_KHAI_PATH, name="Ban Hin Mak Peng landing"),
    )
    first = import_crossings(session, doc, source="test")
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    rows = session.execute(
        select(NaturalCrossing.name, District.name, NaturalCrossing.risk_level)
        .join(District, District.id == NaturalCrossing.district_id)
        .order_by(NaturalCrossing.name)
    ).all()
    assert [(r[0], r[1], str(r[2])) for r in rows] == [
        ("Ban Hin Mak Peng landing", "Mueang Nong Khai", "medium"),
        ("Khlong Luek path", "Aranyaprathet", "high"),
    ]
    again = import_crossings(session, doc, source="test")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert count(session) == 2


def test_path_wholly_across_the_border_goes_to_the_paired_district(session):
    doc = collection(feature(line((102.58, 13.64), (102.60, 13.63)), name="Poipet lane"))
    import_crossings(session, doc, source="test")
    district = session.execute(
        select(District.name).join(NaturalCrossing, NaturalCrossing.district_id == District.id)
    ).scalar_one()
    assert district == "Aranyaprathet"


BAD = [
    (
        feature({"type": "Point", "coordinates": [102.5, 13.6]}, name="x"),
        InvalidGeometry,
        "'Point' is not accepted",
    ),
    (feature(line((102.5, 13.6), (102.5, 93.6)), name="x"), InvalidGeometry, "latitude 93.6"),
    (feature(line((102.5, 13.6)), name="x"), InvalidGeometry, "feature #2"),
    (feature(ARANYA_PATH), InvalidInput, "'name' is missing"),
    (feature(ARANYA_PATH, name="x", risk_level="extreme"), InvalidInput, "risk_level 'extreme'"),
    (
        feature(line((100.50, 13.75), (100.52, 13.76)), name="Bangkok"),
        InvalidInput,
        "outside the watch area",
    ),
    (feature(line((102.0, 13.6), (102.9, 13.6)), name="long"), InvalidInput, "km long"),
    (feature(NONG_KHAI_PATH, id="aranya-1", name="dup"), InvalidInput, "used by"),
]


@pytest.mark.parametrize(("bad", "error", "words"), BAD)
def test_a_bad_feature_rejects_the_whole_file(session, bad, error, words):
    doc = collection(feature(ARANYA_PATH, id="aranya-1", name="good"), bad)
    with pytest.raises(error) as exc:
        import_crossings(session, doc, source="test", label="paths.geojson")
    assert words in str(exc.value)
    assert "paths.geojson: feature #2" in str(exc.value)
    assert count(session) == 0


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"type": "Feature"}, "not a GeoJSON FeatureCollection"),
        (
            collection(crs={"type": "name", "properties": {"name": "EPSG:32648"}}),
            "must be EPSG:4326",
        ),
        ({"type": "FeatureCollection", "features": [1]}, "feature #1 is not a GeoJSON Feature"),
    ],
)
def test_bad_outline_is_rejected(session, doc, words):
    with pytest.raises(InvalidGeometry, match=words):
        import_crossings(session, doc, source="test")


def test_cli_import_reports_and_rejects(app, tmp_path, session):
    good = tmp_path / "good.geojson"
    good.write_text(json.dumps(collection(feature(ARANYA_PATH, name="ok"))), encoding="utf-8")
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(collection(feature(ARANYA_PATH, name="ok2"), feature(ARANYA_PATH))),
        encoding="utf-8",
    )
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "crossings", str(bad), "--no-progress"])
    assert result.exit_code == 1
    assert "bad.geojson: feature #2" in result.output and "'name' is missing" in result.output
    assert count(session) == 0
    result = runner.invoke(args=["import", "crossings", str(good), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "1 crossings inserted" in result.output
    assert count(session) == 1
    broken = tmp_path / "broken.geojson"
    broken.write_text("{", encoding="utf-8")
    result = runner.invoke(args=["import", "crossings", str(broken)])
    assert result.exit_code == 1 and "not valid JSON" in result.output
