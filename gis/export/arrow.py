"""The file formats written from an Arrow stream: GeoParquet, GeoPackage, FlatGeobuf and the zipped
Shapefile.

This module runs in a process of its own (``python -m gis.export.writer SPEC``, started by
:func:`gis.export.files.write_arrow_file`): it reads the export's rows from its standard input as
the CSV that PostgreSQL's ``COPY`` writes (the geometry as hex WKB first, then ``id`` and the
allowed properties, see :class:`Spec`), turns them into Arrow record batches
(:func:`record_batches`, pyarrow's CSV reader, in constant memory) and writes the file in one
pass, reporting the features written so far as lines on its standard output. pyarrow and GDAL's
buffers then never enter the web worker (``webapp/gunicorn_conf.py`` keeps pyarrow out of it),
and the worker's memory stays what it was whatever the export's size.

- GeoParquet 1.1 (:func:`write_geoparquet`): written with pyarrow (the bundled GDAL has no
  Parquet driver): a WKB ``geometry`` column, a ``bbox`` covering column (``xmin``, ``ymin``,
  ``xmax``, ``ymax``) and the ``geo`` metadata (version, primary column, encoding, geometry
  types, CRS as PROJJSON, the bounding box of all features, counter-clockwise rings);
- GeoPackage (:func:`write_gdal` with ``GPKG``): GDAL's driver fed the whole stream in one
  call, so that its R-tree spatial index is built once, when the layer is complete (batches
  appended by calls of their own reopened the file and updated the index row by row);
- FlatGeobuf (:func:`write_gdal` with ``FlatGeobuf``): GDAL's driver fed the whole stream in
  one pass (it cannot append), with its packed Hilbert R-tree spatial index;
- Shapefile (:func:`write_shapefile`): GDAL's driver in a temporary folder, UTF-8 (``.cpg``),
  ``.prj``; field names cut to 10 characters (``fields.csv`` maps each to its full name and its
  label in the reader's language); a text longer than the 254 bytes a DBF field holds is cut by
  GDAL on a UTF-8 boundary, and kept whole in ``long_texts.csv``; ``README.txt`` says so; all
  zipped.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The files of a Shapefile that the zip holds.
SHAPEFILE_MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Bytes a DBF text field holds.
DBF_TEXT_BYTES = 254
#: Longest field name of a DBF file.
DBF_NAME_CHARS = 10
#: Bytes of the CSV read by pyarrow at a time (a record batch each, about 700 incidents): the
#: first progress of a job comes with the first batch written. 256 KB batches wrote a
#: GeoPackage of 100,000 incidents with the same CPU time as 1 MB ones (0.7 s), with a peak
#: of 150 MB instead of 180 MB, and the first batch a quarter of the work before the first
#: progress. GeoParquet keeps 1 MB (each batch is one of its row groups, about 2,800 rows).
BLOCK_BYTES = 1 << 18
PARQUET_BLOCK_BYTES = 1 << 20
#: The Arrow field metadata that gives GDAL a field's width (a DBF text field's bytes): a
#: Shapefile's text field is otherwise 80 bytes wide in every record (an incident's DBF
#: record took 1,119 bytes, 360 of them the blanks of its codes and dates). A longer value
#: widens the field as it comes (GDAL rewrites the records written so far), so a width is
#: never a cut (only the DBF's own 254 bytes are).
WIDTH_KEY = "GDAL:OGR:width"


@dataclass(frozen=True)
class Spec:
    """What the child process writes (JSON on its command line).

    Attributes:
        fmt: ``parquet``, ``gpkg``, ``fgb`` or ``shp``.
        path: the file to write.
        layer: the layer's name (the collection's).
        geometry_type: the OGC geometry type of every feature.
        fields: ``[name, kind]`` of each property after ``id`` (kinds of
            :class:`gis.export.plan.Kind`).
        labels: each field's label in the reader's language (Shapefile's ``fields.csv``).
        texts: the README's sentences in the reader's language, by key
            (:data:`gis.export.words.TEXTS`).
        bbox: the rows carry ``xmin, ymin, xmax, ymax`` after the geometry (GeoParquet).
        widths: a Shapefile's DBF text widths, where the field's type bounds its values
            (:func:`gis.export.files.text_widths`).
    """

    fmt: str
    path: str
    layer: str
    geometry_type: str
    fields: list[list[str]]
    labels: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    bbox: bool = False
    widths: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def arrow_type(kind: str) -> Any:
    import pyarrow as pa

    return {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}.get(kind, pa.string())


def column_names(spec: Spec) -> list[str]:
    bbox = ["xmin", "ymin", "xmax", "ymax"] if spec.bbox else []
    return ["geometry", *bbox, "id", *(name for name, _ in spec.fields)]


def record_batches(spec: Spec, source: Any) -> Iterator[Any]:
    """Record batches of the CSV in ``source`` (a buffered binary file), the hex WKB decoded."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if not source.peek(1):  # no rows: pyarrow's reader refuses an empty file
        return
    names = column_names(spec)
    types = {"geometry": pa.string(), "id": pa.int64()}
    types |= {name: pa.float64() for name in names[1:5]} if spec.bbox else {}
    types |= {name: arrow_type(kind) for name, kind in spec.fields}
    reader = pacsv.open_csv(
        source,
        # no reader threads: the process then ends with none still running (pyarrow's pool
        # torn down under a live thread aborted it now and then), and the COPY is one core
        read_options=pacsv.ReadOptions(
            column_names=names,
            block_size=PARQUET_BLOCK_BYTES if spec.fmt == "parquet" else BLOCK_BYTES,
            use_threads=False,
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,  # an unquoted empty cell is NULL, "" an empty text
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    for batch in reader:
        columns = [wkb_of_hex(batch.column(0)), *batch.columns[1:]]
        yield pa.RecordBatch.from_arrays(columns, names=names)


def wkb_of_hex(hexes: Any) -> Any:
    """A binary array of the WKB that a string array of hex WKB stands for (nulls kept), decoded
    in one call over the whole column's buffer."""
    import numpy as np
    import pyarrow as pa

    if hexes.offset:
        hexes = pa.concat_arrays([hexes])
    n = len(hexes)
    validity, offsets_buf, data_buf = hexes.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int32, count=n + 1)
    text = data_buf.to_pybytes()[offsets[0] : offsets[-1]] if n else b""
    data = bytes.fromhex(text.decode("ascii"))
    halves = ((offsets - offsets[0]) // 2).astype(np.int32)
    return pa.Array.from_buffers(
        pa.binary(), n, [validity, pa.py_buffer(halves.tobytes()), pa.py_buffer(data)]
    )


# --------------------------------------------------------------------------- writers


def counted(batches: Iterator[Any], report: Callable[[int], None]) -> Iterator[Any]:
    n = 0
    for batch in batches:
        yield batch
        n += batch.num_rows
        report(n)


def write_geoparquet(spec: Spec, batches: Iterator[Any], report: Callable[[int], None]) -> int:
    """GeoParquet 1.1 (see the module docstring); the features written."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from pyproj import CRS

    bbox_type = pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])
    props = [pa.field("id", pa.int64())]
    props += [pa.field(name, arrow_type(kind)) for name, kind in spec.fields]
    schema = pa.schema([pa.field("geometry", pa.binary()), *props, pa.field("bbox", bbox_type)])
    low = [float("inf")] * 2
    high = [float("-inf")] * 2
    n = 0
    # without the Arrow schema in the footer, readers take the schema's metadata from the
    # footer's key-value pairs, where the "geo" of the finished file is added at the end
    with pq.ParquetWriter(spec.path, schema, compression="zstd", store_schema=False) as writer:
        for batch in batches:
            corners = [batch.column(i) for i in range(1, 5)]
            box = pa.StructArray.from_arrays(corners, names=["xmin", "ymin", "xmax", "ymax"])
            for i in range(2):
                lo, hi = pc.min(corners[i]).as_py(), pc.max(corners[i + 2]).as_py()
                if lo is not None:
                    low[i] = min(low[i], lo)
                if hi is not None:
                    high[i] = max(high[i], hi)
            arrays = [batch.column(0), *batch.columns[5:], box]
            writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            n += batch.num_rows
            report(n)
        column: dict[str, Any] = {
            "encoding": "WKB",
            "geometry_types": [spec.geometry_type],
            "crs": CRS("OGC:CRS84").to_json_dict(),
            "covering": {
                "bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")},
            },
        }
        if "Polygon" in spec.geometry_type:
            column["orientation"] = "counterclockwise"
        if n and low[0] != float("inf"):
            column["bbox"] = [low[0], low[1], high[0], high[1]]
        geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
        writer.add_key_value_metadata({"geo": json.dumps(geo)})
    return n


def write_gdal(
    spec: Spec,
    batches: Iterator[Any],
    report: Callable[[int], None],
    driver: str,
    path: str,
    names: dict[str, str] | None = None,
    widths: dict[str, int] | None = None,
    **options: Any,
) -> int:
    """One layer written by GDAL (pyogrio) from the whole stream in one pass; the features.

    Args:
        names: a field's name in the file, where it is not its own.
        widths: a text field's width (GDAL's ``GDAL:OGR:width`` field metadata of its Arrow
            schema), by the field's own name.
    """
    import pyarrow as pa
    import pyogrio.raw

    rename = names or {}
    width = widths or {}
    first = next(batches, None)
    props = [
        pa.field(
            rename.get(name, name),
            arrow_type(kind),
            metadata={WIDTH_KEY: str(width[name])} if name in width else None,
        )
        for name, kind in spec.fields
    ]
    schema = pa.schema([pa.field("geometry", pa.binary()), pa.field("id", pa.int64()), *props])
    count = [0]

    def renamed() -> Iterator[Any]:
        for batch in [first] if first is not None else []:
            yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)
        for batch in batches:
            yield pa.RecordBatch.from_arrays(batch.columns, schema=schema)

    def tally(n: int) -> None:
        count[0] = n
        report(n)

    stream = pa.RecordBatchReader.from_batches(schema, counted(renamed(), tally))
    pyogrio.raw.write_arrow(
        stream,
        path,
        layer=spec.layer,
        driver=driver,
        geometry_name="geometry",
        geometry_type=spec.geometry_type,
        crs="EPSG:4326",
        encoding="UTF-8" if driver == "ESRI Shapefile" else None,
        **options,
    )
    return count[0]


def short_names(names: list[str]) -> dict[str, str]:
    """Each field's name cut to :data:`DBF_NAME_CHARS` characters, unique (``id`` is kept)."""
    taken = {"id"}
    out: dict[str, str] = {}
    for name in names:
        short = name[:DBF_NAME_CHARS]
        n = 1
        while short.lower() in taken:
            suffix = f"_{n}"
            short = name[: DBF_NAME_CHARS - len(suffix)] + suffix
            n += 1
        taken.add(short.lower())
        out[name] = short
    return out


def long_texts(spec: Spec, batches: Iterator[Any], out: Any) -> Iterator[Any]:
    """``batches`` as they are, writing each text longer than a DBF field holds to ``out``
    (a CSV writer: id, field, text). A field whose type keeps it far shorter
    (:attr:`Spec.widths`, even at 4 bytes a character: codes, dates) is not looked at."""
    import pyarrow.compute as pc

    texts = [
        (i + 2, name)
        for i, (name, kind) in enumerate(spec.fields)
        if kind not in ("int", "float", "bool")
        and spec.widths.get(name, DBF_TEXT_BYTES) * 4 > DBF_TEXT_BYTES
    ]
    for batch in batches:
        for i, name in texts:
            column = batch.column(i)
            long = pc.greater(pc.binary_length(column), DBF_TEXT_BYTES)
            if pc.any(long).as_py():
                ids = pc.filter(batch.column(1), long).to_pylist()
                for fid, text in zip(ids, pc.filter(column, long).to_pylist(), strict=True):
                    out.writerow([fid, name, text])
        yield batch


def write_shapefile(spec: Spec, batches: Iterator[Any], report: Callable[[int], None]) -> int:
    """The zipped Shapefile (see the module docstring); the features written."""
    zip_path = Path(spec.path)
    folder = zip_path.parent / f"{spec.layer}-shp"
    folder.mkdir()
    names = short_names([name for name, _ in spec.fields])
    long_file = folder / "long_texts.csv"
    with long_file.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(["id", "field", "text"])
        n = write_gdal(
            spec,
            long_texts(spec, batches, out),
            report,
            "ESRI Shapefile",
            str(folder / f"{spec.layer}.shp"),
            names,
            spec.widths,
        )
    texts = spec.texts
    # deflate's fastest level: the .dbf's padded fields still shrink about 8 times, in a third
    # of the default level's time
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for suffix in SHAPEFILE_MEMBERS:
            member = folder / f"{spec.layer}{suffix}"
            if member.exists():
                z.write(member, member.name)
        z.writestr("fields.csv", fields_csv(spec, names))
        has_long = long_file.stat().st_size > len("\ufeffid,field,text\r\n".encode())
        if has_long:
            z.write(long_file, long_file.name)
        z.writestr("README.txt", readme(spec, texts, has_long))
    return n


def fields_csv(spec: Spec, names: dict[str, str]) -> bytes:
    """``fields.csv``: each DBF field's name, its full name and its label (UTF-8 with BOM)."""
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\r\n")
    out.writerow(
        [spec.texts.get("short_name", "short_name"), "name", spec.texts.get("label", "label")]
    )
    out.writerow(["id", "id", spec.labels.get("id", "id")])
    for name, _ in spec.fields:
        out.writerow([names[name], name, spec.labels.get(name, name)])
    return ("\ufeff" + text.getvalue()).encode()


def readme(spec: Spec, texts: dict[str, str], has_long: bool) -> bytes:
    """``README.txt``: what the zip holds, in the reader's language."""
    lines = [
        texts.get("readme_title", "{layer}: a Shapefile from borderwatch").format(layer=spec.layer),
        "",
        texts.get(
            "readme_files",
            "{layer}.shp, .shx, .dbf, .prj (WGS 84, EPSG:4326) and .cpg (the texts are UTF-8).",
        ).format(layer=spec.layer),
        texts.get(
            "readme_fields",
            "Field names are cut to 10 characters: fields.csv gives each its full name and label.",
        ),
        texts.get(
            "readme_long",
            "A text field holds at most 254 bytes (about 84 Thai letters): longer texts are cut "
            "in the .dbf and kept whole in long_texts.csv (id, field, text).",
        )
        if has_long
        else texts.get(
            "readme_short",
            "A text field holds at most 254 bytes: no text of this file was longer.",
        ),
        "",
    ]
    return "\r\n".join(lines).encode("utf-8")


WRITERS: dict[str, Callable[[Spec, Iterator[Any], Callable[[int], None]], int]] = {
    "parquet": write_geoparquet,
    "gpkg": lambda spec, batches, report: write_gdal(spec, batches, report, "GPKG", spec.path),
    "fgb": lambda spec, batches, report: write_gdal(
        spec, batches, report, "FlatGeobuf", spec.path, layer_options={"SPATIAL_INDEX": "YES"}
    ),
    "shp": write_shapefile,
}


__all__ = ["WRITERS", "Spec", "record_batches", "short_names", "write_gdal", "write_geoparquet"]
