"""Migrations: upgrade → downgrade → upgrade on an empty database, and the models agree."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from geoalchemy2 import alembic_helpers
from sqlalchemy import inspect, make_url, text

import gis.models  # noqa: F401
from gis.db import Base, make_engine
from gis.ops import migrate
from tests.dbtools import create_database, drop_database

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def empty_db(server_url: str):
    base = make_url(server_url).database or "borderwatch"
    name = os.environ.get("BORDERWATCH_TEST_DB", f"{base}_test") + "_migrations"
    url = create_database(server_url, name)
    yield url
    drop_database(server_url, name)


def _tables(url: str) -> set[str]:
    eng = make_engine(url)
    try:
        return set(inspect(eng).get_table_names()) - {"spatial_ref_sys", "alembic_version"}
    finally:
        eng.dispose()


def _diff(url: str) -> list:
    eng = make_engine(url)
    try:
        with eng.connect() as conn:
            ctx = MigrationContext.configure(
                conn,
                opts={"include_object": alembic_helpers.include_object, "compare_type": True},
            )
            return compare_metadata(ctx, Base.metadata)
    finally:
        eng.dispose()


def test_upgrade_downgrade_upgrade_and_models_match(empty_db: str):
    migrate.upgrade(empty_db)
    assert _tables(empty_db) == set(Base.metadata.tables)
    assert _diff(empty_db) == []

    migrate.upgrade(empty_db)  # idempotent
    migrate.downgrade(empty_db, "base")
    assert _tables(empty_db) == set()

    migrate.upgrade(empty_db)
    assert _tables(empty_db) == set(Base.metadata.tables)
    assert _diff(empty_db) == []


def test_every_geometry_has_a_gist_index_and_srid(empty_db: str):
    migrate.upgrade(empty_db)
    eng = make_engine(empty_db)
    with eng.connect() as conn:
        columns = conn.execute(
            text(
                "SELECT f_table_name, f_geometry_column, srid FROM geometry_columns "
                "WHERE f_table_schema = 'public'"
            )
        ).all()
        indexed = {
            (r.tablename, r.column)
            for r in conn.execute(
                text(
                    "SELECT t.relname AS tablename, a.attname AS column "
                    "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_am am ON am.oid = c.relam "
                    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey) "
                    "WHERE am.amname = 'gist'"
                )
            )
        }
    eng.dispose()
    assert len(columns) >= 15
    for table, column, srid in columns:
        assert (table, column) in indexed, f"{table}.{column} has no GiST index"
        assert srid in (4326, 32648), f"{table}.{column} has SRID {srid}"
        if not column.endswith("_m") and table != "border_piece":
            assert srid == 4326


def test_constraints_reject_bad_rows(session):
    from sqlalchemy.exc import IntegrityError

    bad = [
        "INSERT INTO checkpoint (slug, name, kind, neighbour, precision, approximate, geom) "
        "VALUES ('x', 'x', 'ferry', 'LAO', 'wikipedia', false,"
        " ST_SetSRID(ST_MakePoint(102, 17), 4326))",
        "INSERT INTO border_segment (segment_no, neighbour, kind, district_pcode, district_name, "
        "province_name, length_km, geom) VALUES (999, 'MMR', 'land_or_other_river', 'x', 'x',"
        " 'x', 1, ST_SetSRID(ST_MakeLine(ST_MakePoint(102, 17), ST_MakePoint(102.1, 17)), 4326))",
        "INSERT INTO app_user (username, display_name, password_hash, role) "
        "VALUES ('o', 'o', 'x', 'officer')",
    ]
    for sql in bad:
        with pytest.raises(IntegrityError), session.begin_nested():
            session.execute(text(sql))
