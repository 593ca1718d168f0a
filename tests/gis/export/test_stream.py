"""The export's stream (gis.export.stream: stream_batches, geojson_chunks): texts as the UTF-8
bytes PostgreSQL sends, whatever the connection's client encoding, and memory that does not grow
with the size of the export."""

from __future__ import annotations

import json
import tracemalloc

import pytest
from sqlalchemy import Integer, String, literal, null, select
from sqlalchemy.orm import Session

from gis import export
from gis.db import make_engine
from gis.export import stream
from gis.export.collections import get_collection
from gis.types import Role
from seeds.demo import generate_demo
from tests.webapp.signin import make_user

pytestmark = pytest.mark.db

THAI = "รายงานจากหมู่บ้าน ริมแม่น้ำโขง"


def texts(session: Session, *, utf8: bool) -> list[tuple]:
    statement = select(
        literal(THAI, String), literal(7, Integer), null().cast(String), literal("plain", String)
    )
    batches = stream.stream_batches(session, statement, utf8=utf8)
    try:
        return [row for batch in batches for row in batch]
    finally:
        batches.close()


def test_texts_come_as_utf8_bytes_when_asked(session):
    assert texts(session, utf8=True) == [(THAI.encode(), 7, None, b"plain")]
    assert texts(session, utf8=False) == [(THAI, 7, None, "plain")]


def test_texts_are_utf8_bytes_on_a_connection_with_another_client_encoding(database_url):
    """WIN874, Windows' Thai code page: psycopg2 decodes it, the stream encodes to UTF-8."""
    engine = make_engine(database_url, connect_args={"client_encoding": "WIN874"})
    try:
        with Session(engine) as session:
            raw = session.connection().connection.dbapi_connection
            assert raw is not None and raw.encoding == "WIN874"
            assert texts(session, utf8=True) == [(THAI.encode(), 7, None, b"plain")]
            assert texts(session, utf8=False) == [(THAI, 7, None, "plain")]
    finally:
        engine.dispose()


def test_a_geojson_export_holds_about_one_batch_at_a_time(session):
    """Python's allocations during an export of 20,000 incidents peak at a few chunks' worth
    (those the COPY reads ahead), far below the document's size (a list of every feature, or
    all of them decoded to ``str`` at once, fails this)."""
    generate_demo(session, incidents=20_000, seed=5)
    session.flush()
    hq = make_user(session, Role.HQ_ANALYST, "stream-hq")
    access = export.make_access(session, hq)
    collection = get_collection("incidents")
    assert collection is not None
    counter = stream.Counter()
    chunks = stream.geojson_chunks(session, collection, access, export.Filters(), counter)
    first = next(chunks)  # the statement is compiled and cached before the measure starts
    tracemalloc.start()
    try:
        sizes = [len(chunk) for chunk in chunks]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    total = len(first) + sum(sizes)
    assert counter.n > 15_000  # many batches
    assert max(sizes) < 2 * stream.COPY_CHUNK  # a chunk is one chunk of the COPY's output
    assert total > 10 * 1_000_000
    # the chunks read ahead of the reader, the one being gathered, joined and sent
    assert peak < (stream.COPY_AHEAD + 4) * max(sizes) + 1_000_000, (peak, max(sizes), total)


def test_the_chunks_join_into_one_feature_collection(session):
    generate_demo(session, incidents=2_500, seed=6)
    session.flush()
    hq = make_user(session, Role.HQ_ANALYST, "stream-hq")
    access = export.make_access(session, hq)
    collection = get_collection("incidents")
    assert collection is not None
    counter = stream.Counter()
    chunks = list(stream.geojson_chunks(session, collection, access, export.Filters(), counter))
    assert len(chunks) >= 4  # opening, at least two batches, closing
    doc = json.loads(b"".join(chunks))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == counter.n > 1_000
    assert len({f["id"] for f in doc["features"]}) == counter.n
