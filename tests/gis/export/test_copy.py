"""A whole GeoJSON export read by one COPY (gis.export.stream.copy_lines): the same features as
the server-side cursor, whatever the texts hold; a reader that goes away cancels the COPY and
leaves the connection usable; an error of the statement mid-stream is raised to the reader."""

from __future__ import annotations

import json
import threading

import psycopg2
import pytest
from sqlalchemy import Text, column, func, select, text, update
from sqlalchemy.orm import Session

from gis import export
from gis.export.collections import get_collection
from gis.models import Incident
from gis.types import Role
from seeds.demo import generate_demo
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

#: Texts that would break a COPY read as it is if they reached it raw: quotes, backslashes,
#: newlines, CR, tabs, the COPY's own quote and delimiter characters, commas, Thai.
AWKWARD = [
    'he said "stop", then left',
    "C:\\temp\\new \\u0041 \\\\ end\\",
    "line one\nline two\r\nline three\n",
    "tab\there\tand\x0bvertical",
    "quote \x01 and delimiter \x02 and \x1f unit separator",
    "รายงาน, ริมแม่น้ำโขง\nบรรทัดที่สอง",
    ",,,\n,\n",
    "",
    '{"type":"Feature"}\n]',
]


def copy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "export-copy"]


def hq_access(session: Session, *, sensitive: bool = False) -> export.Access:
    hq = make_user(session, Role.HQ_ANALYST, "copy-hq")
    return export.make_access(
        session, hq, include_sensitive=sensitive, reason="checking" if sensitive else None
    )


def whole(session: Session, access: export.Access) -> tuple[dict, export.Counter]:
    collection = get_collection("incidents")
    assert collection is not None
    counter = export.Counter()
    chunks = list(export.geojson_chunks(session, collection, access, export.Filters(), counter))
    return json.loads(b"".join(chunks)), counter


def paged(session: Session, access: export.Access) -> dict:
    """The same features through the server-side cursor (a page as large as the export)."""
    collection = get_collection("incidents")
    assert collection is not None
    counter = export.Counter()
    page = export.Filters(limit=1_000_000)
    return json.loads(b"".join(export.geojson_chunks(session, collection, access, page, counter)))


@pytest.mark.parametrize("sensitive", [False, True])
def test_awkward_texts_come_out_as_the_cursor_gives_them(session, sensitive):
    generate_demo(session, incidents=600, seed=11)
    session.flush()
    ids = session.execute(select(Incident.id).order_by(Incident.id)).scalars().all()
    for i, incident_id in enumerate(ids):
        session.execute(
            update(Incident)
            .where(Incident.id == incident_id)
            .values(description=AWKWARD[i % len(AWKWARD)], status="verified")
        )
    session.flush()
    access = hq_access(session, sensitive=sensitive)
    doc, counter = whole(session, access)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert counter.n == len(doc["features"]) > 500
    by_id = {f["id"]: f for f in doc["features"]}
    assert len(by_id) == counter.n
    assert by_id == {f["id"]: f for f in paged(session, access)["features"]}
    described = {f["properties"]["description"] for f in doc["features"]}
    assert described == set(AWKWARD)
    assert ("reporter_contact" in doc["features"][0]["properties"]) is sensitive


def test_json_properties_with_raw_newlines_stay_one_line_per_feature(session):
    """json_agg of rows separates them with a raw newline: a COPY line must not break there."""
    statement = select(func.json_agg(text("r")).cast(Text).label("t")).select_from(
        text("(select g as a, 'x' as b from generate_series(1, 3) g) r")
    )
    (raw,) = session.execute(statement).one()
    assert "\n" in raw  # the case being guarded against does happen
    x = (
        text("SELECT g AS fid, NULL::geometry AS geom, CAST(:raw AS json) AS rows "
             "FROM generate_series(1, 3) g").bindparams(raw=raw)
        .columns(column("fid"), column("geom"), column("rows"))
        .subquery("x")
    )  # fmt: skip
    field = export.Field("rows", export.Kind.JSON, None)
    lines = b"".join(export.copy_lines(session, select(export.feature_text((field,), x))))
    features = lines.decode().split("\n")
    assert features[-1] == ""
    parsed = [json.loads(line) for line in features[:-1]]
    assert [f["id"] for f in parsed] == [1, 2, 3]
    assert parsed[0]["properties"]["rows"] == [{"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {
        "a": 3, "b": "x"}]  # fmt: skip


def test_a_reader_that_goes_away_cancels_the_copy_and_the_connection_is_usable(session):
    generate_demo(session, incidents=20_000, seed=12)
    session.flush()
    access = hq_access(session)
    collection = get_collection("incidents")
    assert collection is not None
    counter = export.Counter()
    chunks = export.geojson_chunks(session, collection, access, export.Filters(), counter)
    next(chunks)  # the opening
    next(chunks)  # the first features: the COPY runs, waiting on the full queue
    assert 0 < counter.n < 5_000
    assert len(copy_threads()) == 1
    chunks.close()
    assert copy_threads() == []  # the thread ended
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor, pytest.raises(psycopg2.errors.InFailedSqlTransaction):
        cursor.execute("SELECT 1")  # the COPY was cancelled: the transaction is aborted
    session.rollback()
    assert session.execute(text("SELECT 1")).scalar_one() == 1
    active = session.execute(
        text(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (%' "
            "AND state = 'active' AND pid <> pg_backend_pid()"
        )
    ).scalar_one()
    assert active == 0


def test_an_error_of_the_statement_mid_stream_reaches_the_reader(session):
    rows = text(
        "SELECT CASE WHEN g < 50000 THEN repeat('x', 100) ELSE (1 / (g - g))::text END "
        "FROM generate_series(1, 60000) g"
    ).columns()
    lines = export.copy_lines(session, select(text("*")).select_from(rows.subquery()))
    got = 0
    with pytest.raises(psycopg2.errors.DivisionByZero):
        for chunk in lines:
            got += chunk.count(b"\n")
    assert got > 0  # rows came before the error
    assert copy_threads() == []
    session.rollback()
    assert session.execute(text("SELECT 1")).scalar_one() == 1
