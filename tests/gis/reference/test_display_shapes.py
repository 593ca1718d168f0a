"""display_shape (migration 0011): the reference layers' shapes kept per zoom level are the shapes
the layers compute on the fly, a layer answers the same bytes from them, and the triggers keep
them current after every kind of write to the source tables."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update

from gis.models import BorderSegment, DisplayShape, District, River
from gis.reference import layers as reference
from gis.types import BBox

pytestmark = pytest.mark.db

#: Source table -> (layer function, polygons?).
SOURCES = {
    "district": (reference.districts, True),
    "parallel_area": (reference.parallel_areas, True),
    "border_segment": (reference.border, False),
    "river": (reference.mekong, False),
}
NATIONAL = BBox(97.0, 5.0, 107.0, 21.0)
#: Nakhon Phanom and the Mekong, a view at zoom 9 to 11.
NAKHON_PHANOM = BBox(104.4, 17.0, 105.0, 17.6)

#: Kept shapes that differ from the expression computed now, per source and zoom.
DIFFERENT = """
SELECT count(*) FROM display_shape d
JOIN {table} t ON t.id = d.source_id
WHERE d.source = :source AND d.zoom = :zoom
  AND ST_AsEWKB(d.geom) IS DISTINCT FROM ST_AsEWKB({shape})"""


def live_shape(polygons: bool) -> str:
    shape = "ST_ReducePrecision(ST_SimplifyPreserveTopology(t.geom, :tolerance), :grid)"
    return f"ST_ForcePolygonCCW({shape})" if polygons else shape


def kept(session, source: str, source_id: int) -> dict[int, bytes]:
    session.flush()
    rows = session.execute(
        select(DisplayShape.zoom, DisplayShape.geom.ST_AsEWKB()).where(
            DisplayShape.source == source, DisplayShape.source_id == source_id
        )
    )
    return {zoom: bytes(wkb) for zoom, wkb in rows}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_row_has_its_shapes_at_every_stored_zoom(session, source):
    n_rows = session.execute(text(f"SELECT count(*) FROM {source}")).scalar_one()
    assert n_rows > 0
    per_zoom = dict(
        session.execute(
            select(DisplayShape.zoom, func.count(DisplayShape.source_id.distinct()))
            .where(DisplayShape.source == source)
            .group_by(DisplayShape.zoom)
        ).all()
    )
    assert per_zoom == dict.fromkeys(reference.STORED_ZOOMS, n_rows)


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_kept_shapes_are_the_shapes_computed_on_the_fly(session, source):
    polygons = SOURCES[source][1]
    for zoom in reference.STORED_ZOOMS:
        precision = reference.display_precision(zoom)
        sql = DIFFERENT.format(table=source, shape=live_shape(polygons))
        different = session.execute(
            text(sql),
            {
                "source": source,
                "zoom": zoom,
                "tolerance": precision.tolerance,
                "grid": 10.0**-precision.digits,
            },
        ).scalar_one()
        assert different == 0, f"{source} at zoom {zoom}"


@pytest.mark.parametrize("source", sorted(SOURCES))
@pytest.mark.parametrize(("bbox", "zoom"), [(NATIONAL, 6), (NATIONAL, 7), (NAKHON_PHANOM, 11)])
def test_a_layer_answers_the_same_from_kept_shapes_as_on_the_fly(session, source, bbox, zoom):
    layer = SOURCES[source][0]
    from_kept = layer(session, bbox, zoom)
    session.execute(delete(DisplayShape).where(DisplayShape.source == source))
    assert layer(session, bbox, zoom) == from_kept
    assert '"features":[{' in from_kept.replace(" ", "")


def test_above_the_stored_zooms_the_layer_simplifies_on_the_fly(session):
    zoom = max(reference.STORED_ZOOMS) + 1
    before = reference.districts(session, NAKHON_PHANOM, zoom)
    session.execute(delete(DisplayShape))
    assert reference.districts(session, NAKHON_PHANOM, zoom) == before
    assert '"features":[{' in before.replace(" ", "")


def test_a_moved_district_gets_new_shapes_and_the_layer_draws_it_there(session):
    district = session.scalars(select(District).where(District.target).limit(1)).one()
    old = kept(session, "district", district.id)
    session.execute(
        update(District)
        .where(District.id == district.id)
        .values(geom=District.geom.ST_Translate(0.5, 0.0))
    )
    new = kept(session, "district", district.id)
    assert sorted(new) == sorted(old) == list(reference.STORED_ZOOMS)
    assert all(new[z] != old[z] for z in new)
    # the layer's answer is the one computed from the moved geometry
    answer = reference.districts(session, NATIONAL, 7)
    session.execute(delete(DisplayShape).where(DisplayShape.source == "district"))
    assert reference.districts(session, NATIONAL, 7) == answer


def test_an_update_that_leaves_geom_alone_rewrites_no_shape(session):
    district = session.scalars(select(District).limit(1)).one()
    session.flush()
    versions = "SELECT xmin::text FROM display_shape WHERE source = 'district' AND source_id = :id"
    before = session.execute(text(versions), {"id": district.id}).scalars().all()
    district.name_variants = (district.name_variants or "") + " (renamed in a test)"
    session.flush()
    after = session.execute(text(versions), {"id": district.id}).scalars().all()
    assert len(before) == len(reference.STORED_ZOOMS)
    assert sorted(after) == sorted(before)


def test_inserted_and_deleted_rows_get_and_lose_their_shapes(session):
    segment = session.scalars(select(BorderSegment).limit(1)).one()
    session.execute(
        text(
            "INSERT INTO border_segment (segment_no, neighbour, kind, demarcation, district_id, "
            "district_pcode, district_name, province_name, length_km, geom) "
            "SELECT segment_no + 10000, neighbour, kind, demarcation, district_id, "
            "district_pcode, district_name, province_name, length_km, "
            "ST_Translate(geom, 0.1, 0.1) FROM border_segment WHERE id = :id"
        ),
        {"id": segment.id},
    )
    new_id = session.execute(text("SELECT max(id) FROM border_segment")).scalar_one()
    assert sorted(kept(session, "border_segment", new_id)) == list(reference.STORED_ZOOMS)
    session.execute(delete(BorderSegment).where(BorderSegment.id == new_id))
    assert kept(session, "border_segment", new_id) == {}
    assert sorted(kept(session, "border_segment", segment.id)) == list(reference.STORED_ZOOMS)


def test_truncate_empties_that_sources_shapes_only(session):
    session.execute(text("TRUNCATE river"))
    sources = session.execute(select(DisplayShape.source).distinct()).scalars().all()
    assert sorted(sources) == ["border_segment", "district", "parallel_area"]
    assert (
        reference.mekong(session, NATIONAL, 7) == '{"type" : "FeatureCollection", "features" : []}'
    )
    assert session.execute(select(River.id)).first() is None


def test_migration_and_module_agree_on_the_stored_zooms():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "migrations/versions/0011_display_shapes.py"
    spec = importlib.util.spec_from_file_location("migration_0011", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert list(migration.ZOOMS) == list(reference.STORED_ZOOMS)
    for zoom in migration.ZOOMS:
        precision = reference.display_precision(zoom)
        assert migration._precision(zoom) == (precision.tolerance, 10.0**-precision.digits)
