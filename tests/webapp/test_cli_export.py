"""``borderwatch export``: a collection to a file with an account's scope, audited."""

from __future__ import annotations

import csv
import json

import pyogrio.raw
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gis.models import ExportAudit
from gis.types import Role
from tests.webapp.exportdata import CONTACT, ExportWorld, build

pytestmark = [pytest.mark.db, pytest.mark.gdal]


@pytest.fixture
def world(session: Session) -> ExportWorld:
    w = build(session)
    session.commit()
    return w


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["export", *args])


def test_export_each_format_to_a_file(app, session, world, tmp_path):
    out = tmp_path / "incidents.geojson"
    result = run(app, "incidents", "--out", str(out), "--user", "export-officer", "--no-progress")
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["features"]
    assert {f["properties"]["district_pcode"] for f in doc["features"]} == {"TH5703"}
    assert f"{len(doc['features'])} features of incidents written" in result.output
    table = tmp_path / "incidents.csv"
    args = ["--format", "csv", "--out", str(table), "--user", "export-officer"]
    assert run(app, "incidents", *args).exit_code == 0
    with table.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {int(r["id"]) for r in rows} == {f["id"] for f in doc["features"]}
    package = tmp_path / "districts.gpkg"
    args = ["--format", "gpkg", "--out", str(package), "--user", "export-hq_analyst"]
    assert run(app, "districts", *args, "--district", "TH5703").exit_code == 0
    _meta, _fids, _geometry, values = pyogrio.raw.read(package)
    assert list(values[1]) == ["TH5703"]  # id, pcode, ...
    audits = session.execute(select(ExportAudit).order_by(ExportAudit.id)).scalars().all()
    assert [a.format for a in audits[-3:]] == ["geojson", "csv", "gpkg"]
    assert all(a.state == "completed" for a in audits[-3:])


def test_sensitive_export_from_the_command_line_needs_hq_and_a_reason(app, world, tmp_path):
    out = tmp_path / "x.geojson"
    refused = run(
        app, "incidents", "--out", str(out), "--user", "export-coordinator", "--include-sensitive",
        "--reason", "x",
    )  # fmt: skip
    assert refused.exit_code != 0 and "include_sensitive" in refused.output
    assert not out.exists()
    no_reason = run(
        app, "incidents", "--out", str(out), "--user", "export-hq_analyst", "--include-sensitive"
    )
    assert no_reason.exit_code != 0 and "reason" in no_reason.output
    ok = run(
        app, "incidents", "--out", str(out), "--user", "export-hq_analyst", "--include-sensitive",
        "--reason", "inquiry 4",
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert CONTACT in out.read_text(encoding="utf-8")


def test_bad_filters_and_unknown_accounts(app, world, tmp_path):
    out = tmp_path / "x.geojson"
    bad = run(app, "incidents", "--out", str(out), "--user", "export-hq_analyst", "--bbox", "1,2")
    assert bad.exit_code != 0 and "bbox" in bad.output and not out.exists()
    nobody = run(app, "incidents", "--out", str(out), "--user", "nobody-here")
    assert nobody.exit_code != 0
    volunteer = run(app, "hotspots", "--out", str(out), "--user", f"export-{Role.VOLUNTEER}")
    assert volunteer.exit_code != 0 and "may not export" in volunteer.output
