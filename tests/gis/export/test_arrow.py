"""The file formats' pieces that need no database: a Shapefile's DBF text widths (as narrow as
the fields' types say, widened by GDAL for a longer value, never a cut), the rows kept aside
while the writer process starts, and the KML texts that need no escaping."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pyogrio
import pytest
import shapely
from sqlalchemy import Enum, String, Text, column, literal

from gis.export import files
from gis.export.arrow import Spec, write_shapefile
from gis.export.collections import thai_time
from gis.export.kml import is_xml_text
from gis.export.plan import Field, Kind
from gis.models import District, Incident
from gis.types import IncidentCategory

pytestmark = pytest.mark.gdal


def dbf_widths(data: bytes) -> dict[str, int]:
    """Each field's width, from a DBF file's header."""
    widths = {}
    at = 32
    while data[at] != 0x0D:
        name = data[at : at + 11].rstrip(b"\0").decode()
        widths[name] = data[at + 16]
        at += 32
    return widths


def test_text_widths_come_from_the_fields_types():
    fields = (
        Field("category", Kind.TEXT, Incident.category),
        Field("occurred_at", Kind.DATETIME, thai_time(Incident.occurred_at)),
        Field("district_pcode", Kind.TEXT, District.pcode),  # String(8)
        Field("district", Kind.TEXT, District.name),  # String(80): GDAL's own width
        Field("description", Kind.TEXT, Incident.description),
        Field("severity", Kind.INT, Incident.severity),
    )
    longest = max(len(c.value.encode()) for c in IncidentCategory)
    assert files.text_widths(fields) == {
        "category": longest,
        "occurred_at": len("2026-06-01T19:00:00+07:00"),
        "district_pcode": 8,
    }


def test_a_shapefile_field_as_wide_as_its_type_widens_for_a_longer_value(tmp_path: Path):
    """A width is a start, never a cut: GDAL widens the field for a longer value (here a
    Thai text of 24 bytes in a field given 4), which the reader then reads whole."""
    spec = Spec(
        fmt="shp",
        path=str(tmp_path / "places.shp.zip"),
        layer="places",
        geometry_type="Point",
        fields=[["code", "text"], ["note", "text"]],
        widths={"code": 4},
    )
    values = ["ab", "เชียงของ", None]
    batch = pa.RecordBatch.from_arrays(
        [
            pa.array(shapely.to_wkb(shapely.points([100.1, 100.2, 100.3], [20.1, 20.2, 20.3]))),
            pa.array([1, 2, 3], pa.int64()),
            pa.array(values),
            pa.array(["x", "y", "z"]),
        ],
        names=["geometry", "id", "code", "note"],
    )
    assert write_shapefile(spec, iter([batch]), lambda n: None) == 3
    widths = dbf_widths(zipfile.ZipFile(spec.path).read("places.dbf"))
    assert widths["code"] == len("เชียงของ".encode())  # from 4
    assert widths["note"] == 80  # no width given: GDAL's
    _, _, _, (ids, codes, _notes) = pyogrio.raw.read(f"/vsizip/{spec.path}/places.shp")
    got = dict(zip(ids.tolist(), codes.tolist(), strict=True))
    assert got[1] == "ab" and got[2] == "เชียงของ" and got[3] in (None, "")


def test_rows_wait_in_a_file_until_the_writer_has_read_its_spec():
    stdin = io.BytesIO()
    written = files._Written()
    reported: list[int] = []
    pipe = files._Pipe(stdin, written, lambda: reported.append(written.n))
    pipe.write(b"row 1\n")
    pipe.write(b"row 2\n")
    assert stdin.getvalue() == b""  # the writer is still starting
    written.ready.set()
    pipe.write(b"row 3\n")  # the kept rows first, in their order
    assert stdin.getvalue() == b"row 1\nrow 2\nrow 3\n"
    pipe.write(b"row 4\n")
    pipe.drain()  # nothing kept: nothing more
    assert stdin.getvalue() == b"row 1\nrow 2\nrow 3\nrow 4\n"


def test_rows_kept_for_a_writer_that_never_says_ready_are_bounded(monkeypatch):
    monkeypatch.setattr(files, "SPOOL_BYTES", 10)
    stdin = io.BytesIO()
    pipe = files._Pipe(stdin, files._Written(), lambda: None)
    pipe.write(b"0123456789")  # up to the bound: kept
    assert stdin.getvalue() == b""
    pipe.write(b"abc")  # beyond it: everything goes to the pipe, which holds the COPY back
    assert stdin.getvalue() == b"0123456789abc"


def test_rows_kept_when_the_copy_ends_go_to_the_writer():
    stdin = io.BytesIO()
    pipe = files._Pipe(stdin, files._Written(), lambda: None)
    pipe.write(b"only row\n")
    pipe.drain()  # as write_arrow_file does before it closes the pipe
    assert stdin.getvalue() == b"only row\n"
    pipe.close()


def test_the_writer_reports_ready_and_progress():
    written = files._Written()
    written.read(io.BytesIO(b"ready\n700\n1400\ndone 1500\n"))
    assert written.ready.is_set() and written.n == 1400 and written.done == 1500


@pytest.mark.parametrize(
    ("field", "value", "plain"),
    [
        (Field("category", Kind.TEXT, None), Incident.category, True),  # codes
        (Field("when", Kind.DATETIME, None), column("when", Text), True),
        (Field("n", Kind.INT, None), column("n"), True),
        (Field("name", Kind.TEXT, None), District.name, False),  # any text
        (Field("code", Kind.TEXT, None), literal("a", Enum("a&b", "c", name="odd")), False),
        (Field("code", Kind.TEXT, None), literal("a", String(8)), False),
    ],
)
def test_kml_escapes_only_the_texts_that_may_need_it(field, value, plain):
    assert is_xml_text(field, value) is plain
